/*
 * test_losses.c — the fused losses from C: gradients of the input and the
 * target against float64 central differences (act_gradcheck) for every loss
 * and reduction, values computed by hand, stability at ±1000, and the
 * errors (shapes, class indices, options), by status and words.
 */
#define TEST_SEED 11
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static act_tensor *uniform(int ndim, const int64_t *shape, double lo, double hi,
                           bool grad)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, ndim, shape, lo, hi, NULL, &t),
                     ACT_OK);
    if (grad)
        assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

static double item(act_tensor *t)
{
    double v = NAN;
    assert_int_equal(act_tensor_item(ctx, t, &v), ACT_OK);
    return v;
}

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol * (1 + fabs(want)))) {
        print_error("got %.17g, want %.17g\n", got, want);
        fail();
    }
}

/* Which loss a gradcheck runs, with its reduction and parameter. */
typedef enum { MSE, L1, SMOOTH_L1, HUBER, BCE, BCE_LOGITS, BCE_LOGITS_PW,
               KL, KL_LOG, CE, CE_PROBS, NLL } loss_id;

typedef struct {
    loss_id id;
    act_reduction r;
    double param;
    const act_tensor *extra; /* class indices or pos_weight */
} loss_call;

static act_status loss_fn(act_context *c, int n, act_tensor *const *in,
                          void *user, act_tensor **out)
{
    const loss_call *k = user;
    switch (k->id) {
    case MSE: return act_mse_loss(c, in[0], in[1], k->r, out);
    case L1: return act_l1_loss(c, in[0], in[1], k->r, out);
    case SMOOTH_L1: return act_smooth_l1_loss(c, in[0], in[1], k->r, k->param, out);
    case HUBER: return act_huber_loss(c, in[0], in[1], k->r, k->param, out);
    case BCE: return act_bce_loss(c, in[0], in[1], k->r, out);
    case BCE_LOGITS: return act_bce_with_logits_loss(c, in[0], in[1], NULL, k->r, out);
    case BCE_LOGITS_PW:
        return act_bce_with_logits_loss(c, in[0], in[1], k->extra, k->r, out);
    case KL: return act_kl_div_loss(c, in[0], in[1], k->r, false, out);
    case KL_LOG: return act_kl_div_loss(c, in[0], in[1], k->r, true, out);
    case CE: return act_cross_entropy_loss(c, in[0], k->extra, k->r, k->param, out);
    case CE_PROBS: return act_cross_entropy_loss(c, in[0], in[1], k->r, k->param, out);
    default: return act_nll_loss(c, in[0], k->extra, k->r, out);
    }
}

static void gradcheck(loss_call *k, int n, act_tensor *const *in)
{
    bool passed = false;
    char report[256];
    assert_int_equal(act_gradcheck(ctx, loss_fn, k, n, in, 1e-6, 1e-7, 1e-5,
                                   &passed, report, sizeof report),
                     ACT_OK);
    if (!passed) {
        print_error("loss %d, reduction %s: %s\n", (int)k->id,
                    act_reduction_name(k->r), report);
        fail();
    }
}

static const act_reduction REDUCTIONS[] = {ACT_REDUCTION_MEAN, ACT_REDUCTION_SUM,
                                           ACT_REDUCTION_NONE};

/* Every reduction of loss id over (x, y), both taking gradients. */
static void check_all_reductions(loss_id id, double param, act_tensor *x,
                                 act_tensor *y, const act_tensor *extra)
{
    act_tensor *in[2] = {x, y};
    for (int r = 0; r < 3; r++) {
        loss_call k = {id, REDUCTIONS[r], param, extra};
        gradcheck(&k, 2, in);
    }
}

/* ---------------------------------------------------------- gradients */

static void test_regression_gradients(void **state)
{
    int64_t shape[2] = {3, 4};
    act_tensor *x = uniform(2, shape, -2, 2, true), *y = uniform(2, shape, -2, 2, true);
    check_all_reductions(MSE, 0, x, y, NULL);
    check_all_reductions(L1, 0, x, y, NULL);
    /* Kinks at |x - y| = beta (or delta) are almost surely not hit. */
    check_all_reductions(SMOOTH_L1, 1.0, x, y, NULL);
    check_all_reductions(SMOOTH_L1, 0.3, x, y, NULL);
    check_all_reductions(SMOOTH_L1, 0.0, x, y, NULL);
    check_all_reductions(HUBER, 1.0, x, y, NULL);
    check_all_reductions(HUBER, 0.5, x, y, NULL);
    act_tensor_free(x);
    act_tensor_free(y);
}

static void test_binary_gradients(void **state)
{
    int64_t shape[2] = {2, 3};
    act_tensor *p = uniform(2, shape, 0.05, 0.95, true);
    act_tensor *q = uniform(2, shape, 0, 1, true);
    act_tensor *z = uniform(2, shape, -4, 4, true);
    act_tensor *pw = make(ACT_DTYPE_F64, 1, (int64_t[]){3}, (double[]){0.5, 2, 3}, false);
    check_all_reductions(BCE, 0, p, q, NULL);
    check_all_reductions(BCE_LOGITS, 0, z, q, NULL);
    check_all_reductions(BCE_LOGITS_PW, 0, z, q, pw);
    act_tensor_free(p);
    act_tensor_free(q);
    act_tensor_free(z);
    act_tensor_free(pw);
}

static void test_kl_gradients(void **state)
{
    int64_t shape[2] = {2, 3};
    act_tensor *x = uniform(2, shape, -3, -0.1, true);
    act_tensor *t = uniform(2, shape, 0.1, 1, true);
    act_tensor *lt = uniform(2, shape, -3, 0, true);
    check_all_reductions(KL, 0, x, t, NULL);
    check_all_reductions(KL_LOG, 0, x, lt, NULL);
    act_tensor *in[2] = {x, t};
    loss_call k = {KL, ACT_REDUCTION_BATCHMEAN, 0, NULL};
    gradcheck(&k, 2, in);
    act_tensor_free(x);
    act_tensor_free(t);
    act_tensor_free(lt);
}

static void test_class_gradients(void **state)
{
    int64_t shape[2] = {4, 3}, shape3[3] = {2, 3, 2};
    act_tensor *x = uniform(2, shape, -3, 3, true);
    act_tensor *probs = uniform(2, shape, 0, 1, true);
    act_tensor *cls = make(ACT_DTYPE_I64, 1, (int64_t[]){4}, (double[]){2, 0, 1, 1}, false);
    act_tensor *x3 = uniform(3, shape3, -3, 3, true);
    act_tensor *cls3 = make(ACT_DTYPE_F64, 2, (int64_t[]){2, 2}, (double[]){0, 2, 1, 1}, false);
    for (int r = 0; r < 3; r++)
        for (int s = 0; s < 2; s++) {
            double ls = s ? 0.1 : 0;
            loss_call ce = {CE, REDUCTIONS[r], ls, cls};
            gradcheck(&ce, 1, &x);
            loss_call ce3 = {CE, REDUCTIONS[r], ls, cls3};
            gradcheck(&ce3, 1, &x3);
            loss_call cp = {CE_PROBS, REDUCTIONS[r], ls, NULL};
            act_tensor *in[2] = {x, probs};
            gradcheck(&cp, 2, in);
        }
    for (int r = 0; r < 3; r++) {
        loss_call nll = {NLL, REDUCTIONS[r], 0, cls};
        gradcheck(&nll, 1, &x);
    }
    act_tensor_free(x);
    act_tensor_free(probs);
    act_tensor_free(cls);
    act_tensor_free(x3);
    act_tensor_free(cls3);
}

/* -------------------------------------------------------------- values */

static void test_values_by_hand(void **state)
{
    int64_t s3[1] = {3};
    act_tensor *x = make(ACT_DTYPE_F32, 1, s3, (double[]){1, -2, 0.5}, false);
    act_tensor *y = make(ACT_DTYPE_F32, 1, s3, (double[]){0, 0, 0}, false);
    act_tensor *out = NULL;
    assert_int_equal(act_mse_loss(ctx, x, y, ACT_REDUCTION_SUM, &out), ACT_OK);
    assert_near(item(out), 1 + 4 + 0.25, 1e-7);
    assert_int_equal(act_tensor_dim(out), 0);
    assert_int_equal(act_tensor_dtype(out), ACT_DTYPE_F32);
    act_tensor_free(out);
    /* smooth_l1, beta 1: 0.5, 1.5, 0.125; huber, delta 1: the same. */
    assert_int_equal(act_smooth_l1_loss(ctx, x, y, ACT_REDUCTION_MEAN, 1, &out), ACT_OK);
    assert_near(item(out), (0.5 + 1.5 + 0.125) / 3, 1e-7);
    act_tensor_free(out);
    assert_int_equal(act_huber_loss(ctx, x, y, ACT_REDUCTION_NONE, 1, &out), ACT_OK);
    double v[3];
    assert_int_equal(act_tensor_to_doubles(ctx, out, v), ACT_OK);
    assert_near(v[0], 0.5, 1e-7);
    assert_near(v[1], 1.5, 1e-7);
    assert_near(v[2], 0.125, 1e-7);
    act_tensor_free(out);
    /* cross_entropy of equal logits is log C. */
    act_tensor *cls = make(ACT_DTYPE_I64, 0, NULL, (double[]){2}, false);
    assert_int_equal(act_cross_entropy_loss(ctx, y, cls, ACT_REDUCTION_MEAN, 0, &out),
                     ACT_OK);
    assert_near(item(out), log(3), 1e-7);
    act_tensor_free(out);
    /* batchmean divides by dim 0; kl of equal distributions is 0. */
    act_tensor *lp = make(ACT_DTYPE_F64, 2, (int64_t[]){2, 2},
                          (double[]){log(0.5), log(0.5), log(0.25), log(0.75)}, false);
    act_tensor *p = make(ACT_DTYPE_F64, 2, (int64_t[]){2, 2},
                         (double[]){0.5, 0.5, 0.25, 0.75}, false);
    assert_int_equal(act_kl_div_loss(ctx, lp, p, ACT_REDUCTION_BATCHMEAN, false, &out),
                     ACT_OK);
    assert_near(item(out), 0, 1e-15);
    act_tensor_free(out);
    act_tensor_free(lp);
    act_tensor_free(p);
    act_tensor_free(cls);
    act_tensor_free(x);
    act_tensor_free(y);
}

static void test_extremes_finite(void **state)
{
    int64_t s4[1] = {4};
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? ACT_DTYPE_F64 : ACT_DTYPE_F32;
        act_tensor *x = make(dt, 1, s4, (double[]){-1000, 1000, -1000, 1000}, true);
        act_tensor *y = make(dt, 1, s4, (double[]){1, 0, 0, 1}, false);
        act_tensor *out = NULL;
        assert_int_equal(act_bce_with_logits_loss(ctx, x, y, NULL, ACT_REDUCTION_SUM, &out),
                         ACT_OK);
        assert_near(item(out), 2000, 1e-6);
        assert_int_equal(act_backward(ctx, out, NULL, false), ACT_OK);
        double g[4];
        assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x), g), ACT_OK);
        assert_near(g[0], -1, 0);
        assert_near(g[1], 1, 0);
        assert_near(g[2], 0, 0);
        act_tensor_free(out);
        /* bce at p = 0 and 1 is clamped: 100 per wrong element. */
        act_tensor *p = make(dt, 1, s4, (double[]){0, 1, 0, 1}, false);
        assert_int_equal(act_bce_loss(ctx, p, y, ACT_REDUCTION_SUM, &out), ACT_OK);
        assert_near(item(out), 200, 1e-7);
        act_tensor_free(out);
        act_tensor_free(p);
        act_tensor_free(x);
        act_tensor_free(y);
    }
}

/* -------------------------------------------------------------- errors */

static void test_errors(void **state)
{
    act_tensor *h = make(ACT_DTYPE_F32, 2, (int64_t[]){4, 1}, (double[]){0.1, 0.2, 0.3, 0.4},
                         false);
    act_tensor *y = make(ACT_DTYPE_F32, 1, (int64_t[]){4}, (double[]){0, 1, 1, 0}, false);
    act_tensor *out = NULL;
    assert_error(act_mse_loss(ctx, h, y, ACT_REDUCTION_MEAN, &out), ACT_E_SHAPE,
                 "mse: input [4,1] and target [4] differ");
    assert_error(act_bce_loss(ctx, h, y, ACT_REDUCTION_MEAN, &out), ACT_E_SHAPE,
                 "bce: input [4,1] and target [4] differ");
    assert_null(out);
    assert_error(act_mse_loss(ctx, y, y, ACT_REDUCTION_BATCHMEAN, &out), ACT_E_ARG,
                 "only for kl_div");
    assert_error(act_huber_loss(ctx, y, y, ACT_REDUCTION_MEAN, -1, &out), ACT_E_ARG,
                 "delta must be > 0");
    assert_error(act_smooth_l1_loss(ctx, y, y, ACT_REDUCTION_MEAN, NAN, &out), ACT_E_ARG,
                 "beta must be >= 0");
    act_tensor *logits = make(ACT_DTYPE_F32, 2, (int64_t[]){2, 3},
                              (double[]){1, 2, 3, 4, 5, 6}, false);
    act_tensor *bad = make(ACT_DTYPE_I64, 1, (int64_t[]){2}, (double[]){0, 3}, false);
    assert_error(act_cross_entropy_loss(ctx, logits, bad, ACT_REDUCTION_MEAN, 0, &out),
                 ACT_E_INDEX, "target index 3 is out of range for 3 classes (expected 0 to 2)");
    assert_int_equal(act_context_error_arg(ctx), 2);
    act_tensor *neg = make(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){-1, 0}, false);
    assert_error(act_nll_loss(ctx, logits, neg, ACT_REDUCTION_MEAN, &out), ACT_E_INDEX,
                 "target index -1 is out of range");
    act_tensor *frac = make(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){0.5, 0}, false);
    assert_error(act_nll_loss(ctx, logits, frac, ACT_REDUCTION_MEAN, &out), ACT_E_ARG,
                 "not a class index");
    assert_error(act_cross_entropy_loss(ctx, logits, y, ACT_REDUCTION_MEAN, 0, &out),
                 ACT_E_SHAPE, "input [2,3] and target [4] differ");
    assert_error(act_cross_entropy_loss(ctx, logits, frac, ACT_REDUCTION_MEAN, 2, &out),
                 ACT_E_ARG, "label_smoothing must be in [0, 1]");
    act_tensor *p = make(ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){0.5, 1.5}, false);
    act_tensor *q = make(ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){0, 1}, false);
    assert_error(act_bce_loss(ctx, p, q, ACT_REDUCTION_MEAN, &out), ACT_E_ARG,
                 "outside [0, 1]");
    act_tensor *ints = make(ACT_DTYPE_I64, 1, (int64_t[]){2}, (double[]){0, 1}, false);
    assert_error(act_mse_loss(ctx, ints, q, ACT_REDUCTION_MEAN, &out), ACT_E_DTYPE, "int64");
    act_tensor *pw = make(ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    assert_error(act_bce_with_logits_loss(ctx, q, q, pw, ACT_REDUCTION_MEAN, &out),
                 ACT_E_UNSUPPORTED, "pos_weight requires grad");
    assert_null(out);
    act_tensor *t[] = {h, y, logits, bad, neg, frac, p, q, ints, pw};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        act_tensor_free(t[i]);
}

/* A saved input modified in place makes backward fail, not mislead. */
static void test_inplace_after_forward(void **state)
{
    act_tensor *x = make(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    act_tensor *y = make(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){0, 0}, false);
    act_tensor *out = NULL;
    assert_int_equal(act_mse_loss(ctx, x, y, ACT_REDUCTION_SUM, &out), ACT_OK);
    assert_int_equal(act_fill_(ctx, y, 5), ACT_OK);
    assert_error(act_backward(ctx, out, NULL, false), ACT_E_STATE, "modified in place");
    act_tensor_free(out);
    act_tensor_free(x);
    act_tensor_free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regression_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kl_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extremes_finite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inplace_after_forward, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

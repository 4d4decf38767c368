/*
 * test_grad_reduce.c — gradients of the reductions (sum, mean, var, std,
 * logsumexp, max and min) over all dims and along each dim, with keepdim
 * on and off, against float64 central differences; PyTorch's tie rules
 * for max and min and the edge cases (constant input to std, large
 * logsumexp inputs) checked by hand.
 */
#define TEST_SEED 7
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static act_tensor *make_leaf(act_dtype dt, int ndim, const int64_t *shape,
                             const double *data)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dt, ndim, shape, data, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* A float64 leaf [2,3,4] of distinct values (no ties for max/min). */
static act_tensor *leaf234(double lo, double hi)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, 3, (int64_t[]){2, 3, 4}, lo,
                                 hi, NULL, &t),
                     ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

static void gradcheck_tol(act_grad_fn fn, void *user, act_tensor *x,
                          double atol, double rtol)
{
    bool passed = false;
    char report[256];
    assert_int_equal(act_gradcheck(ctx, fn, user, 1, &x, 1e-6, atol, rtol,
                                   &passed, report, sizeof report),
                     ACT_OK);
    if (!passed) {
        print_error("gradcheck: %s\n", report);
        fail();
    }
}

static void gradcheck(act_grad_fn fn, void *user, act_tensor *x)
{
    gradcheck_tol(fn, user, x, 1e-7, 1e-5);
}

/* ------------------------------------------------------- reductions */

typedef enum { SUM, MEAN, VAR, STD, LSE, MAX, MIN, KINDS } kind;

typedef struct {
    kind k;
    int dim;
    bool keepdim;
    int64_t correction;
} reduction;

static act_status reduce_fn(act_context *c, int n, act_tensor *const *in,
                            void *user, act_tensor **out)
{
    const reduction *r = user;
    switch (r->k) {
    case SUM: return act_sum(c, in[0], r->dim, r->keepdim, out);
    case MEAN: return act_mean(c, in[0], r->dim, r->keepdim, out);
    case VAR: return act_var(c, in[0], r->dim, r->correction, r->keepdim, out);
    case STD: return act_std(c, in[0], r->dim, r->correction, r->keepdim, out);
    case LSE: return act_logsumexp(c, in[0], r->dim, r->keepdim, out);
    case MAX: return act_max(c, in[0], r->dim, r->keepdim, out, NULL);
    default: return act_min(c, in[0], r->dim, r->keepdim, out, NULL);
    }
}

/* Over all dims and along each dim (one negative), keepdim on and off. */
static void check_kind(kind k, int64_t correction)
{
    static const int dims[] = {ALL, 0, 1, -1};
    act_tensor *x = leaf234(-2, 2);
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++)
        for (int keep = 0; keep < 2; keep++) {
            reduction r = {k, dims[i], keep, correction};
            gradcheck(reduce_fn, &r, x);
        }
    act_tensor_free(x);
}

static void test_sum_mean_gradcheck(void **state)
{
    check_kind(SUM, 0);
    check_kind(MEAN, 0);
}

static void test_var_std_gradcheck(void **state)
{
    for (int64_t c = 0; c <= 1; c++) {
        check_kind(VAR, c);
        check_kind(STD, c);
    }
}

static void test_logsumexp_gradcheck(void **state)
{
    check_kind(LSE, 0);
}

static void test_max_min_gradcheck(void **state)
{
    check_kind(MAX, 0);
    check_kind(MIN, 0);
}

static void test_zero_dim_input(void **state)
{
    /* A 0-d tensor reduces over "all" of itself, dim 0 included. */
    act_tensor *x = make_leaf(ACT_DTYPE_F64, 0, NULL, (double[]){0.7});
    for (int k = SUM; k < KINDS; k++) {
        if (k == VAR || k == STD) /* one element: a 0/0 variance */
            continue;
        reduction r = {(kind)k, 0, k % 2 == 0, 0};
        gradcheck(reduce_fn, &r, x);
    }
    act_tensor_free(x);
}

/* --------------------------------------------------------- by hand */

static void test_sum_mean_by_hand(void **state)
{
    act_tensor *x = make_leaf(ACT_DTYPE_F32, 2, (int64_t[]){2, 3},
                              (double[]){1, 2, 3, 4, 5, 6}), *y = NULL;
    assert_int_equal(act_mean(ctx, x, 1, false, &y), ACT_OK);
    backward_sum(y);
    double third = 1.0f / 3.0f;
    assert_grad_tol(x, (double[]){third, third, third, third, third, third}, 6, 1e-7);
    assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    /* sum along dim 0 weighted by [1, 2, 3]: each column gets its weight. */
    act_tensor *w = NULL, *p = NULL;
    assert_int_equal(act_from_doubles(ctx, ACT_DTYPE_F32, 1, (int64_t[]){3},
                                      (double[]){1, 2, 3}, &w),
                     ACT_OK);
    assert_int_equal(act_sum(ctx, x, 0, false, &y), ACT_OK);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, y, w, &p), ACT_OK);
    act_tensor_free(y);
    backward_sum(p);
    assert_grad_tol(x, (double[]){1, 2, 3, 1, 2, 3}, 6, 0);
    act_tensor_free(w);
    act_tensor_free(x);
}

static void test_var_std_by_hand(void **state)
{
    /* x = [1, 2, 3, 6]: mean 3, deviations [-2, -1, 0, 3]. var with
     * correction c: grad 2 (x - mean) / (4 - c); std: (x - mean) /
     * ((4 - c) std). */
    act_tensor *x = make_leaf(ACT_DTYPE_F64, 1, (int64_t[]){4}, (double[]){1, 2, 3, 6});
    act_tensor *y = NULL;
    double dev[4] = {-2, -1, 0, 3}, want[4];
    for (int c = 0; c <= 1; c++) {
        assert_int_equal(act_var(ctx, x, ALL, c, false, &y), ACT_OK);
        backward_sum(y);
        for (int i = 0; i < 4; i++)
            want[i] = 2 * dev[i] / (4 - c);
        assert_grad_tol(x, want, 4, 1e-15);
        assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
        assert_int_equal(act_std(ctx, x, 0, c, true, &y), ACT_OK);
        backward_sum(y);
        double sd = sqrt(14.0 / (4 - c));
        for (int i = 0; i < 4; i++)
            want[i] = dev[i] / ((4 - c) * sd);
        assert_grad_tol(x, want, 4, 1e-15);
        assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    }
    act_tensor_free(x);
    /* A constant row: std is 0 and its gradient 0 (PyTorch masks it),
     * not NaN. */
    x = make_leaf(ACT_DTYPE_F32, 2, (int64_t[]){2, 2}, (double[]){5, 5, 1, 3});
    assert_int_equal(act_std(ctx, x, 1, 1, false, &y), ACT_OK);
    backward_sum(y);
    double r = 1 / sqrt(2.0);
    assert_grad_tol(x, (double[]){0, 0, -r, r}, 4, 1e-7);
    act_tensor_free(x);
}

static void test_logsumexp_large(void **state)
{
    /* At ±1000 the gradient is the softmax, finite. In float32 the
     * output is rounded to a step of 6e-5 at 1000, which exp(x - out)
     * turns into that relative error (float64: 1e-13 at 1000). */
    double v[4] = {1000, 1000.5, 999, -1000}, want[4], m = 1000.5, s = 0;
    for (int i = 0; i < 4; i++)
        s += exp(v[i] - m);
    for (int i = 0; i < 4; i++)
        want[i] = exp(v[i] - m) / s;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *x = make_leaf((act_dtype)dt, 1, (int64_t[]){4}, v), *y = NULL;
        assert_int_equal(act_logsumexp(ctx, x, 0, false, &y), ACT_OK);
        backward_sum(y);
        assert_grad_tol(x, want, 4, dt == ACT_DTYPE_F32 ? 1e-4 : 1e-12);
        act_tensor_free(x);
    }
    act_tensor *x = leaf234(995, 1005);
    reduction r = {LSE, 1, false, 0};
    gradcheck_tol(reduce_fn, &r, x, 1e-6, 1e-4);
    act_tensor_free(x);
}

static void test_max_min_ties(void **state)
{
    /* Along a dim the gradient goes to the index returned (the first of
     * equals); over all dims it is shared evenly among the ties. */
    act_tensor *x = make_leaf(ACT_DTYPE_F64, 2, (int64_t[]){2, 3},
                              (double[]){1, 3, 3, 2, 2, 0}), *y = NULL, *ix = NULL;
    assert_int_equal(act_max(ctx, x, 1, false, &y, &ix), ACT_OK);
    assert_false(act_tensor_requires_grad(ix));
    assert_null(act_tensor_grad_fn(ix));
    act_tensor_free(ix);
    backward_sum(y);
    assert_grad_tol(x, (double[]){0, 1, 0, 1, 0, 0}, 6, 0);
    assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    assert_int_equal(act_min(ctx, x, 0, true, &y, NULL), ACT_OK);
    backward_sum(y);
    assert_grad_tol(x, (double[]){1, 0, 0, 0, 1, 1}, 6, 0);
    assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    assert_int_equal(act_max(ctx, x, ALL, false, &y, NULL), ACT_OK);
    backward_sum(y);
    assert_grad_tol(x, (double[]){0, 0.5, 0.5, 0, 0, 0}, 6, 0);
    act_tensor_free(x);
    /* Three tied minima, float32, keepdim: a third each. */
    x = make_leaf(ACT_DTYPE_F32, 2, (int64_t[]){2, 2}, (double[]){-1, 4, -1, -1});
    assert_int_equal(act_min(ctx, x, ALL, true, &y, NULL), ACT_OK);
    assert_int_equal(act_tensor_dim(y), 2);
    backward_sum(y);
    double t = 1.0f / 3.0f;
    assert_grad_tol(x, (double[]){t, 0, t, t}, 4, 1e-7);
    act_tensor_free(x);
}

static void test_arg_and_no_grad_do_not_record(void **state)
{
    act_tensor *x = leaf234(-1, 1), *y = NULL;
    assert_int_equal(act_argmax(ctx, x, 1, false, &y), ACT_OK);
    assert_false(act_tensor_requires_grad(y));
    act_tensor_free(y);
    assert_int_equal(act_argmin(ctx, x, ALL, false, &y), ACT_OK);
    assert_false(act_tensor_requires_grad(y));
    act_tensor_free(y);
    act_set_grad_enabled(ctx, false);
    for (int k = SUM; k < KINDS; k++) {
        reduction r = {(kind)k, 1, false, 1};
        assert_int_equal(reduce_fn(ctx, 1, &x, &r, &y), ACT_OK);
        assert_null(act_tensor_grad_fn(y));
        act_tensor_free(y);
    }
    act_set_grad_enabled(ctx, true);
    for (int k = SUM; k < KINDS; k++) {
        reduction r = {(kind)k, 1, false, 1};
        assert_int_equal(reduce_fn(ctx, 1, &x, &r, &y), ACT_OK);
        assert_true(act_tensor_requires_grad(y));
        assert_non_null(act_tensor_grad_fn(y));
        act_tensor_free(y);
    }
    act_tensor_free(x);
}

static void test_reduction_of_a_strided_view(void **state)
{
    /* A transposed leaf: the reductions copy it internally, and that copy
     * must not appear in the graph. */
    act_tensor *base = NULL, *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, 2, (int64_t[]){3, 4}, -1, 1,
                                 NULL, &base),
                     ACT_OK);
    assert_int_equal(act_transpose(ctx, base, 0, 1, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    for (int k = SUM; k < KINDS; k++) {
        reduction r = {(kind)k, 0, false, 1};
        gradcheck(reduce_fn, &r, t);
    }
    act_tensor_free(t);
    act_tensor_free(base);
}

static void test_released_and_modified(void **state)
{
    /* var saves x: an in-place change before backward is caught; a
     * second backward without retain_graph is refused. */
    act_tensor *x = make_leaf(ACT_DTYPE_F64, 1, (int64_t[]){3}, (double[]){1, 2, 4});
    act_tensor *y = NULL;
    assert_int_equal(act_var(ctx, x, ALL, 1, false, &y), ACT_OK);
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_fill_(ctx, x, 0), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(act_backward(ctx, y, NULL, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "modified in place"));
    act_tensor_free(y);
    assert_int_equal(act_logsumexp(ctx, x, ALL, false, &y), ACT_OK);
    assert_int_equal(act_backward(ctx, y, NULL, false), ACT_OK);
    assert_int_equal(act_backward(ctx, y, NULL, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "second time"));
    assert_grad_tol(x, (double[]){1.0 / 3, 1.0 / 3, 1.0 / 3}, 3, 1e-15);
    act_tensor_free(y);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sum_mean_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_std_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logsumexp_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_min_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zero_dim_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_mean_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_std_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logsumexp_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_min_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arg_and_no_grad_do_not_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reduction_of_a_strided_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_released_and_modified, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

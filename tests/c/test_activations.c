/*
 * test_activations.c — the activation registry: gradients of every
 * activation (default and other params, away from its kinks), of rrelu in
 * training, the softmax family, glu and prelu against float64 central
 * differences; strided inputs that must be read, and written, only within
 * bounds; empty and 0-d tensors; lookups; and the errors, by their words.
 */
#define TEST_SEED 7
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static act_tensor *randn_leaf(int ndim, const int64_t *shape, double std)
{
    act_tensor *t = NULL;
    assert_int_equal(act_normal(ctx, ACT_DTYPE_F64, ndim, shape, 0, std, NULL, &t),
                     ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

static void expect_gradcheck(const char *what, act_grad_fn fn, void *user,
                             int n, act_tensor *const *in, double atol)
{
    bool passed = false;
    char report[256];
    assert_int_equal(act_gradcheck(ctx, fn, user, n, in, 1e-6, atol, 1e-5,
                                   &passed, report, sizeof report),
                     ACT_OK);
    if (!passed) {
        print_error("%s: %s\n", what, report);
        fail();
    }
}

static void expect_error(act_status got, act_status want, const char *words)
{
    assert_int_equal(got, want);
    if (!strstr(act_context_error(ctx), words)) {
        print_error("message '%s' lacks '%s'\n", act_context_error(ctx), words);
        fail();
    }
}

/* -------------------------------------------- element-wise gradients */

typedef struct {
    int id;
    const double *params; /* NULL: defaults */
    act_generator *gen;   /* reseeded before each call: rrelu training */
} act_case;

static act_status apply(act_context *c, int n, act_tensor *const *in,
                        void *user, act_tensor **out)
{
    act_case *a = user;
    if (a->gen)
        act_generator_seed(a->gen, 1234);
    return act_activate_gen(c, a->id, in[0], a->params, a->gen, out);
}

/* True when x is within 1e-4 of one of the activation's kinks. */
static bool near_kink(int id, const double *params, double x)
{
    double kinks[ACT_ACTIVATION_MAX_KINKS];
    int n = act_activation_kinks(id, params, kinks);
    for (int k = 0; k < n; k++)
        if (fabs(x - kinks[k]) < 1e-4)
            return true;
    return false;
}

/* Gradchecks activation id at points of [-6, 6] and at a few large ones,
 * skipping kinks. The large points get their own check: next to -6..6 a
 * cubic's 1e4 would drown the smaller terms' differences in rounding. */
static void check_activation(int id, const double *params, act_generator *gen)
{
    const act_activation_info *info = act_activation_get(id);
    double pts[64];
    int n = 0;
    for (double x = -6; x <= 6 && n < 60; x += 0.37)
        if (!near_kink(id, params, x))
            pts[n++] = x;
    static const double kinks_too[] = {0, 3, -3, 6, 0.5, -0.5, 1, -1, 20, 10};
    for (size_t k = 0; k < sizeof kinks_too / sizeof *kinks_too; k++) {
        double x = kinks_too[k] + 1e-3; /* just beside the usual kinks */
        if (!near_kink(id, params, x))
            pts[n++] = x;
    }
    act_case c = {id, params, gen};
    char what[96];
    snprintf(what, sizeof what, "%s with %s params", info->name,
             params ? "other" : "default");
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){n}, pts, true);
    expect_gradcheck(what, apply, &c, 1, &x, 1e-6);
    act_tensor_free(x);
    double big[] = {-30, -15.5, 15.5, 30};
    int m = 0;
    double far[4];
    for (int k = 0; k < 4; k++)
        if (!near_kink(id, params, big[k]))
            far[m++] = big[k];
    x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){m}, far, true);
    expect_gradcheck(what, apply, &c, 1, &x, 1e-5);
    act_tensor_free(x);
}

static void test_gradients_default_params(void **state)
{
    for (int id = 0; id < act_activation_count(); id++)
        if (act_activation_get(id)->form == ACT_FORM_ELEMENTWISE)
            check_activation(id, NULL, NULL);
}

static void test_gradients_other_params(void **state)
{
    static const struct {
        int id;
        double p[ACT_ACTIVATION_MAX_PARAMS];
    } cases[] = {
        {ACT_ACTIVATION_LEAKY_RELU, {0.2}},
        {ACT_ACTIVATION_LEAKY_RELU, {-0.5}},
        {ACT_ACTIVATION_RRELU, {0.1, 0.3, 0}},
        {ACT_ACTIVATION_ELU, {2}},
        {ACT_ACTIVATION_ELU, {0.5}},
        {ACT_ACTIVATION_CELU, {0.5}},
        {ACT_ACTIVATION_CELU, {2}},
        {ACT_ACTIVATION_GELU, {1}},
        {ACT_ACTIVATION_SOFTPLUS, {2, 10}},
        {ACT_ACTIVATION_SOFTPLUS, {0.5, 5}},
        {ACT_ACTIVATION_HARDTANH, {-2, 3}},
        {ACT_ACTIVATION_SOFTSHRINK, {1}},
        {ACT_ACTIVATION_HARDSHRINK, {1}},
        {ACT_ACTIVATION_THRESHOLD, {0.5, -1}},
        {ACT_ACTIVATION_THRESHOLD, {-1, 2}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        check_activation(cases[k].id, cases[k].p, NULL);
}

static void test_rrelu_training(void **state)
{
    /* The same seed before each call: the same slopes, so the function
     * being differentiated is a fixed one. */
    act_generator *gen = act_generator_new(1);
    double p[3] = {0.1, 0.3, 1};
    check_activation(ACT_ACTIVATION_RRELU, p, gen);
    /* The slopes lie in [lower, upper) and differ. */
    double xs[200], ys[200];
    for (int i = 0; i < 200; i++)
        xs[i] = -1 - i;
    act_tensor *x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){200}, xs, false), *y;
    assert_int_equal(act_activate_gen(ctx, ACT_ACTIVATION_RRELU, x, p, gen, &y),
                     ACT_OK);
    values(y, ys);
    double lo = 1, hi = 0;
    for (int i = 0; i < 200; i++) {
        double slope = ys[i] / xs[i];
        lo = slope < lo ? slope : lo;
        hi = slope > hi ? slope : hi;
    }
    assert_true(lo >= 0.1 - 1e-7 && hi <= 0.3 + 1e-7 && hi - lo > 0.1);
    act_tensor_free(y);
    act_tensor_free(x);
    act_generator_free(gen);
}

/* ------------------------------------------------ along a dim, prelu */

typedef struct {
    int id, dim;
} dim_case;

static act_status apply_dim(act_context *c, int n, act_tensor *const *in,
                            void *user, act_tensor **out)
{
    const dim_case *d = user;
    switch (d->id) {
    case ACT_ACTIVATION_SOFTMAX: return act_softmax(c, in[0], d->dim, out);
    case ACT_ACTIVATION_LOG_SOFTMAX: return act_log_softmax(c, in[0], d->dim, out);
    case ACT_ACTIVATION_SOFTMIN: return act_softmin(c, in[0], d->dim, out);
    default: return act_glu(c, in[0], d->dim, out);
    }
}

static void test_softmax_family_gradients(void **state)
{
    int64_t shape[3] = {3, 4, 5};
    act_tensor *x = randn_leaf(3, shape, 3);
    int ids[] = {ACT_ACTIVATION_SOFTMAX, ACT_ACTIVATION_LOG_SOFTMAX,
                 ACT_ACTIVATION_SOFTMIN};
    for (int i = 0; i < 3; i++)
        for (int dim = -1; dim < 3; dim++) {
            dim_case d = {ids[i], dim};
            char what[64];
            snprintf(what, sizeof what, "%s along dim %d",
                     act_activation_get(ids[i])->name, dim);
            expect_gradcheck(what, apply_dim, &d, 1, &x, 1e-7);
        }
    act_tensor_free(x);
}

static void test_softmax_values(void **state)
{
    /* Rows sum to 1, log_softmax is the log of softmax, softmin is the
     * softmax of -x; huge logits stay finite. */
    double xs[6] = {1000, -1000, 0, 1, 2, 3}, s[6], l[6], m[6];
    act_tensor *x = make_rg(ACT_DTYPE_F64, 2, (int64_t[]){2, 3}, xs, false);
    act_tensor *ys, *yl, *ym;
    assert_int_equal(act_softmax(ctx, x, 1, &ys), ACT_OK);
    assert_int_equal(act_log_softmax(ctx, x, -1, &yl), ACT_OK);
    assert_int_equal(act_softmin(ctx, x, 1, &ym), ACT_OK);
    values(ys, s);
    values(yl, l);
    values(ym, m);
    assert_true(s[0] == 1 && s[1] == 0 && s[2] == 0);
    assert_true(l[0] == 0 && l[1] == -2000 && l[2] == -1000);
    assert_true(m[1] == 1 && m[0] == 0);
    double e = exp(1) + exp(2) + exp(3);
    for (int j = 0; j < 3; j++) {
        assert_true(fabs(s[3 + j] - exp(j + 1) / e) < 1e-15);
        assert_true(fabs(l[3 + j] - log(s[3 + j])) < 1e-14);
        assert_true(fabs(m[3 + j] - exp(-(j + 1)) / (exp(-1) + exp(-2) + exp(-3))) < 1e-15);
    }
    act_tensor_free(ys);
    act_tensor_free(yl);
    act_tensor_free(ym);
    /* The same through the registry, with the dim as the param. */
    double dim = 1;
    assert_int_equal(act_activate(ctx, ACT_ACTIVATION_SOFTMAX, x, &dim, &ys), ACT_OK);
    values(ys, l);
    assert_true(l[0] == 1 && l[4] == s[4]);
    act_tensor_free(ys);
    act_tensor_free(x);
}

static void test_glu(void **state)
{
    int64_t shape[3] = {4, 6, 2};
    act_tensor *x = randn_leaf(3, shape, 2);
    for (int dim = -1; dim < 3; dim++) {
        dim_case d = {ACT_ACTIVATION_GLU, dim};
        expect_gradcheck("glu", apply_dim, &d, 1, &x, 1e-7);
    }
    act_tensor *y;
    assert_int_equal(act_glu(ctx, x, 1, &y), ACT_OK);
    assert_int_equal(act_tensor_size(y, 1), 3);
    assert_int_equal(act_tensor_size(y, 0), 4);
    act_tensor_free(y);
    act_tensor_free(x);
    double v[4] = {2, -1, 0, 100};
    x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){4}, v, false);
    assert_int_equal(act_glu(ctx, x, 0, &y), ACT_OK);
    double got[2];
    values(y, got);
    assert_true(fabs(got[0] - 1) < 1e-7 && fabs(got[1] + 1) < 1e-7);
    act_tensor_free(y);
    act_tensor_free(x);
}

static act_status apply_prelu(act_context *c, int n, act_tensor *const *in,
                              void *user, act_tensor **out)
{
    return act_prelu(c, in[0], in[1], out);
}

static void test_prelu_gradients(void **state)
{
    int64_t shape[3] = {3, 4, 5};
    act_tensor *x = randn_leaf(3, shape, 1);
    double w4[4] = {0.25, -0.5, 2, 0.1}, w1 = 0.3;
    act_tensor *ws[3] = {make_rg(ACT_DTYPE_F64, 1, (int64_t[]){4}, w4, true),
                         make_rg(ACT_DTYPE_F64, 1, (int64_t[]){1}, &w1, true),
                         make_rg(ACT_DTYPE_F64, 0, NULL, &w1, true)};
    for (int k = 0; k < 3; k++) {
        act_tensor *in[2] = {x, ws[k]};
        expect_gradcheck("prelu", apply_prelu, NULL, 2, in, 1e-7);
        act_tensor_free(ws[k]);
    }
    act_tensor_free(x);
    /* By hand: x = [[-1, 2], [3, -4]] with one weight per column. */
    double xv[4] = {-1, 2, 3, -4}, wv[2] = {0.1, 0.5}, y[4], g[2];
    x = make_rg(ACT_DTYPE_F32, 2, (int64_t[]){2, 2}, xv, true);
    act_tensor *w = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){2}, wv, true), *out, *gy;
    assert_int_equal(act_prelu(ctx, x, w, &out), ACT_OK);
    values(out, y);
    assert_true(fabs(y[0] + 0.1) < 1e-7 && y[1] == 2 && y[2] == 3 && y[3] == -2);
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F32, 2, (int64_t[]){2, 2}, &gy), ACT_OK);
    assert_int_equal(act_backward(ctx, out, gy, false), ACT_OK);
    values(act_tensor_grad(w), g);
    assert_true(g[0] == -1 && g[1] == -4);
    act_tensor_free(gy);
    act_tensor_free(out);
    act_tensor_free(w);
    act_tensor_free(x);
}

/* ------------------------------------------------ bounds, edge cases */

/* Each activation reads a strided view inside a tensor of NaN sentinels:
 * its result and gradient must match those of a contiguous copy, and the
 * sentinels must stay untouched. */
static void test_strided_within_bounds(void **state)
{
    for (int dt = 0; dt < 2; dt++) {
        act_dtype dtype = dt ? ACT_DTYPE_F64 : ACT_DTYPE_F32;
        act_tensor *base, *inner, *view, *vals, *dense;
        assert_int_equal(act_full(ctx, dtype, 2, (int64_t[]){6, 9}, NAN, &base), ACT_OK);
        assert_int_equal(act_narrow(ctx, base, 1, 2, 4, &inner), ACT_OK);
        assert_int_equal(act_narrow(ctx, inner, 0, 1, 4, &view), ACT_OK);
        assert_int_equal(act_linspace(ctx, dtype, -5.3, 4.7, 16, &vals), ACT_OK);
        assert_int_equal(act_view(ctx, vals, 2, (int64_t[]){4, 4}, &dense), ACT_OK);
        assert_int_equal(act_copy_(ctx, view, dense), ACT_OK);
        act_tensor *t;
        assert_int_equal(act_transpose(ctx, view, 0, 1, &t), ACT_OK);
        act_tensor_free(view);
        view = t; /* strides 1 and 9: neither contiguous nor row-major */
        assert_int_equal(act_tensor_set_requires_grad(ctx, view, true), ACT_OK);
        for (int id = 0; id < act_activation_count(); id++) {
            if (id == ACT_ACTIVATION_PRELU)
                continue;
            act_tensor *y, *yc, *gy, *copy;
            double a[16], b[16];
            assert_int_equal(act_activate(ctx, id, view, NULL, &y), ACT_OK);
            assert_int_equal(act_clone(ctx, view, &copy), ACT_OK);
            assert_int_equal(act_activate(ctx, id, copy, NULL, &yc), ACT_OK);
            int64_t n = act_tensor_numel(y);
            values(y, a);
            values(yc, b);
            for (int i = 0; i < n; i++)
                assert_true(a[i] == b[i] && a[i] == a[i]);
            assert_int_equal(act_ones(ctx, dtype, act_tensor_dim(y),
                                      act_tensor_shape(y), &gy), ACT_OK);
            assert_int_equal(act_backward(ctx, y, gy, false), ACT_OK);
            values(act_tensor_grad(view), a);
            for (int i = 0; i < 16; i++)
                assert_true(a[i] == a[i]);
            assert_int_equal(act_tensor_set_grad(ctx, view, NULL), ACT_OK);
            act_tensor_free(gy);
            act_tensor_free(yc);
            act_tensor_free(copy);
            act_tensor_free(y);
        }
        double all[54];
        values(base, all);
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 9; c++) {
                bool inside = r >= 1 && r < 5 && c >= 2 && c < 6;
                assert_true(inside ? all[r * 9 + c] == all[r * 9 + c]
                                   : all[r * 9 + c] != all[r * 9 + c]);
            }
        act_tensor_free(view);
        act_tensor_free(dense);
        act_tensor_free(vals);
        act_tensor_free(inner);
        act_tensor_free(base);
    }
}

static void test_extremes_finite(void **state)
{
    double xs[6] = {-1000, -100, -30, 30, 100, 1000}, y[6], g[6];
    for (int dt = 0; dt < 2; dt++) {
        act_dtype dtype = dt ? ACT_DTYPE_F64 : ACT_DTYPE_F32;
        for (int id = 0; id < act_activation_count(); id++) {
            if (act_activation_get(id)->form != ACT_FORM_ELEMENTWISE)
                continue;
            act_tensor *x = make_rg(dtype, 1, (int64_t[]){6}, xs, true), *out, *gy;
            assert_int_equal(act_activate(ctx, id, x, NULL, &out), ACT_OK);
            assert_int_equal(act_ones(ctx, dtype, 1, (int64_t[]){6}, &gy), ACT_OK);
            assert_int_equal(act_backward(ctx, out, gy, false), ACT_OK);
            values(out, y);
            values(act_tensor_grad(x), g);
            for (int i = 0; i < 6; i++)
                if (!isfinite(y[i]) || !isfinite(g[i])) {
                    print_error("%s(%g) = %g, derivative %g\n",
                                act_activation_get(id)->name, xs[i], y[i], g[i]);
                    fail();
                }
            act_tensor_free(gy);
            act_tensor_free(out);
            act_tensor_free(x);
        }
    }
}

static void test_empty_and_scalar(void **state)
{
    act_tensor *e, *y, *s;
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 2, (int64_t[]){0, 3}, &e), ACT_OK);
    for (int id = 0; id < act_activation_count(); id++) {
        if (id == ACT_ACTIVATION_PRELU || id == ACT_ACTIVATION_GLU)
            continue;
        assert_int_equal(act_activate(ctx, id, e, NULL, &y), ACT_OK);
        assert_int_equal(act_tensor_numel(y), 0);
        act_tensor_free(y);
    }
    assert_int_equal(act_softmax(ctx, e, 0, &y), ACT_OK);
    act_tensor_free(y);
    act_tensor_free(e);
    assert_int_equal(act_scalar(ctx, ACT_DTYPE_F64, -2, &s), ACT_OK);
    double v;
    assert_int_equal(act_activate(ctx, ACT_ACTIVATION_RELU6, s, NULL, &y), ACT_OK);
    assert_int_equal(act_tensor_dim(y), 0);
    act_tensor_free(y);
    assert_int_equal(act_softmax(ctx, s, -1, &y), ACT_OK);
    assert_int_equal(act_tensor_item(ctx, y, &v), ACT_OK);
    assert_true(v == 1 && act_tensor_dim(y) == 0);
    act_tensor_free(y);
    expect_error(act_glu(ctx, s, 0, &y), ACT_E_SHAPE, "0-d");
    act_tensor_free(s);
}

/* ----------------------------------------------------- the registry */

static void test_registry(void **state)
{
    assert_int_equal(act_activation_count(), ACT_ACTIVATION_COUNT);
    for (int id = 0; id < act_activation_count(); id++) {
        const act_activation_info *info = act_activation_get(id);
        assert_non_null(info->name);
        assert_non_null(info->formula);
        assert_int_equal(act_activation_find(info->name), id);
        double lo, hi;
        act_activation_range(id, NULL, &lo, &hi);
        assert_true(lo <= hi);
    }
    assert_null(act_activation_get(-1));
    assert_null(act_activation_get(ACT_ACTIVATION_COUNT));
    assert_int_equal(act_activation_find("swish"), ACT_ACTIVATION_SILU);
    assert_int_equal(act_activation_find("nope"), -1);
    int ids[3];
    assert_int_equal(act_activation_suggest("rleu", ids, 3), 3);
    assert_int_equal(ids[0], ACT_ACTIVATION_RELU);
    assert_int_equal(act_activation_suggest("qqqqqqqqqq", ids, 3), 0);
    assert_int_equal(act_activation_param_index(ACT_ACTIVATION_SOFTPLUS, "threshold"), 1);
    assert_int_equal(act_activation_param_index(ACT_ACTIVATION_RELU, "alpha"), -1);
    double kinks[ACT_ACTIVATION_MAX_KINKS], p[2] = {-2, 3}, lo, hi;
    assert_int_equal(act_activation_kinks(ACT_ACTIVATION_HARDTANH, p, kinks), 2);
    assert_true(kinks[0] == -2 && kinks[1] == 3);
    act_activation_range(ACT_ACTIVATION_HARDTANH, p, &lo, &hi);
    assert_true(lo == -2 && hi == 3);
    assert_int_equal(act_activation_kinks(ACT_ACTIVATION_ELU, NULL, kinks), 0);
    double alpha = 2;
    assert_int_equal(act_activation_kinks(ACT_ACTIVATION_ELU, &alpha, kinks), 1);
    act_activation_range(ACT_ACTIVATION_ELU, &alpha, &lo, &hi);
    assert_true(lo == -2 && hi == INFINITY);
    double sp[2] = {2, 10};
    assert_int_equal(act_activation_kinks(ACT_ACTIVATION_SOFTPLUS, sp, kinks), 1);
    assert_true(kinks[0] == 5);
    assert_true(act_activation_get(ACT_ACTIVATION_SIGMOID)->derivative_from_y);
    assert_false(act_activation_get(ACT_ACTIVATION_RELU)->derivative_from_y);
}

/* Each activation's output over many points lies in its stated range. */
static void test_ranges_hold(void **state)
{
    act_tensor *x;
    assert_int_equal(act_linspace(ctx, ACT_DTYPE_F64, -40, 40, 8001, &x), ACT_OK);
    double *y = test_malloc(sizeof(double) * 8001);
    for (int id = 0; id < act_activation_count(); id++) {
        if (act_activation_get(id)->form != ACT_FORM_ELEMENTWISE)
            continue;
        act_tensor *out;
        double lo, hi;
        act_activation_range(id, NULL, &lo, &hi);
        assert_int_equal(act_activate(ctx, id, x, NULL, &out), ACT_OK);
        values(out, y);
        for (int i = 0; i < 8001; i++)
            if (!(y[i] >= lo - 1e-12 && y[i] <= hi + 1e-12)) {
                print_error("%s: %g outside [%g, %g]\n",
                            act_activation_get(id)->name, y[i], lo, hi);
                fail();
            }
        act_tensor_free(out);
    }
    test_free(y);
    act_tensor_free(x);
}

static void test_errors(void **state)
{
    double xs[2] = {1, 2};
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, xs, false), *y = NULL;
    act_tensor *i64 = NULL;
    assert_int_equal(act_to_dtype(ctx, x, ACT_DTYPE_I64, &i64), ACT_OK);
    expect_error(act_activate(ctx, -1, x, NULL, &y), ACT_E_ARG,
                 "unknown activation id -1");
    expect_error(act_activate(ctx, ACT_ACTIVATION_RELU, i64, NULL, &y),
                 ACT_E_DTYPE, "relu: expected a float32 or float64 tensor, got int64");
    assert_int_equal(act_context_error_arg(ctx), 2);
    double zero = 0, two = 2, half = 0.5, nan = NAN, bad[2] = {2, 1};
    expect_error(act_activate(ctx, ACT_ACTIVATION_CELU, x, &zero, &y), ACT_E_ARG,
                 "celu: alpha must not be 0");
    assert_int_equal(act_context_error_arg(ctx), 3);
    expect_error(act_activate(ctx, ACT_ACTIVATION_GELU, x, &two, &y), ACT_E_ARG,
                 "gelu: approximate must be a choice from 0 to 1, got 2");
    expect_error(act_activate(ctx, ACT_ACTIVATION_LEAKY_RELU, x, &nan, &y),
                 ACT_E_ARG, "leaky_relu: negative_slope is NaN");
    expect_error(act_activate(ctx, ACT_ACTIVATION_HARDTANH, x, bad, &y),
                 ACT_E_ARG, "min_val (2) is above max_val (1)");
    double rr[3] = {0.3, 0.1, 0};
    expect_error(act_activate(ctx, ACT_ACTIVATION_RRELU, x, rr, &y), ACT_E_ARG,
                 "lower (0.3) is above upper (0.1)");
    double rt[3] = {0.1, 0.3, 0.5};
    expect_error(act_activate(ctx, ACT_ACTIVATION_RRELU, x, rt, &y), ACT_E_ARG,
                 "training is a flag (0 or 1), got 0.5");
    expect_error(act_activate(ctx, ACT_ACTIVATION_SOFTMAX, x, &half, &y),
                 ACT_E_ARG, "dim must be an integer");
    expect_error(act_activate(ctx, ACT_ACTIVATION_SOFTMAX, x, &two, &y),
                 ACT_E_ARG, "softmax: dim 2 is out of range for a 1-d tensor");
    assert_int_equal(act_context_error_arg(ctx), 3);
    expect_error(act_softmax(ctx, x, 2, &y), ACT_E_ARG, "dim 2 is out of range");
    assert_int_equal(act_context_error_arg(ctx), 2);
    expect_error(act_activate(ctx, ACT_ACTIVATION_PRELU, x, NULL, &y), ACT_E_ARG,
                 "act_prelu");
    double three[3] = {1, 2, 3};
    act_tensor *odd = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){3}, three, false);
    expect_error(act_glu(ctx, odd, 0, &y), ACT_E_SHAPE, "odd extent (3)");
    act_tensor *m = NULL, *w3 = NULL, *w32 = NULL;
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F64, 2, (int64_t[]){4, 2}, &m), ACT_OK);
    expect_error(act_prelu(ctx, m, odd, &y), ACT_E_SHAPE, "3 weights for 2 channels");
    expect_error(act_prelu(ctx, x, odd, &y), ACT_E_SHAPE, "needs channels");
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F64, 2, (int64_t[]){1, 2}, &w3), ACT_OK);
    expect_error(act_prelu(ctx, m, w3, &y), ACT_E_SHAPE, "a scalar or 1-d");
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F32, 1, (int64_t[]){2}, &w32), ACT_OK);
    expect_error(act_prelu(ctx, m, w32, &y), ACT_E_DTYPE, "must agree");
    assert_null(y);
    act_tensor_free(w32);
    act_tensor_free(w3);
    act_tensor_free(m);
    act_tensor_free(odd);
    act_tensor_free(i64);
    act_tensor_free(x);
}

/* The saved input of an activation cannot change before backward. */
static void test_saved_tensor_guard(void **state)
{
    double xs[3] = {-1, 0.5, 2};
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){3}, xs, true), *y, *gy;
    act_tensor *d;
    assert_int_equal(act_activate(ctx, ACT_ACTIVATION_SIGMOID, x, NULL, &y), ACT_OK);
    assert_non_null(act_tensor_grad_fn(y));
    assert_int_equal(act_detach(ctx, y, &d), ACT_OK);
    assert_int_equal(act_fill_(ctx, d, 0), ACT_OK);
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F64, 1, (int64_t[]){3}, &gy), ACT_OK);
    expect_error(act_backward(ctx, y, gy, false), ACT_E_STATE, "modified in place");
    act_tensor_free(gy);
    act_tensor_free(d);
    act_tensor_free(y);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gradients_default_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gradients_other_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rrelu_training, setup, teardown),
        cmocka_unit_test_setup_teardown(test_softmax_family_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_softmax_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_glu, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_gradients, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strided_within_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extremes_finite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_and_scalar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranges_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_tensor_guard, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_reduce.c — reductions (sum, mean, var, std, logsumexp, max, min,
 * argmax, argmin) checked against a naive float64 reference written here,
 * against hand-computed values, and for their edge cases and errors.
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 1234
#include "test_support.h"

#define LN2 0.69314718055994530942

/* ------------------------------------------------------------ helpers */

static act_tensor *vec(act_context *ctx, act_dtype dt, int64_t n,
                       const double *data)
{
    return make(ctx, dt, 1, (int64_t[]){n}, data);
}

#define VEC(ctx, dt, ...)                                                     \
    vec(ctx, dt, (int64_t)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)),  \
        (double[]){__VA_ARGS__})

/* Equal within tol * (1 + |want|); NaN matches only NaN, inf only itself. */
static void assert_close(double got, double want, double tol)
{
    if (isnan(want)) {
        if (!isnan(got))
            fail_msg("expected NaN, got %.17g", got);
    } else if (isinf(want)) {
        if (got != want)
            fail_msg("expected %g, got %.17g", want, got);
    } else if (!(fabs(got - want) <= tol * (1 + fabs(want)))) {
        fail_msg("expected %.17g, got %.17g (tolerance %g)", want, got, tol);
    }
}

static double tol_of(act_dtype dt)
{
    return dt == ACT_DTYPE_F32 ? 1e-6 : 1e-12;
}

/* Checks dtype, shape and values of t, then frees it. */
static void expect(act_context *ctx, act_tensor *t, act_dtype dt, int ndim,
                   const int64_t *shape, const double *want, double tol)
{
    assert_non_null(t);
    assert_int_equal(act_tensor_dtype(t), dt);
    assert_shape(t, ndim, shape);
    double *got = values_of(ctx, t);
    for (int64_t i = 0; i < act_tensor_numel(t); i++)
        assert_close(got[i], want[i], tol);
    free(got);
    act_tensor_free(t);
}

/* A 1-element result of any rank. */
static void expect_scalar(act_context *ctx, act_tensor *t, act_dtype dt,
                          double want, double tol)
{
    assert_non_null(t);
    assert_int_equal(act_tensor_dtype(t), dt);
    assert_int_equal(act_tensor_numel(t), 1);
    double got;
    assert_int_equal(act_tensor_item(ctx, t, &got), ACT_OK);
    assert_close(got, want, tol);
    act_tensor_free(t);
}

/* ---------------------------------------------------- naive reference */

enum {
    OP_SUM, OP_MEAN, OP_VAR0, OP_VAR1, OP_STD1, OP_LSE,
    OP_MAX, OP_MIN, OP_ARGMAX, OP_ARGMIN, OP_COUNT
};

static double ref_apply(int op, const double *v, int64_t n)
{
    double s = 0, m = 0;
    int64_t best = 0;
    switch (op) {
    case OP_SUM:
    case OP_MEAN:
        for (int64_t i = 0; i < n; i++)
            s += v[i];
        return op == OP_SUM ? s : s / (double)n;
    case OP_VAR0:
    case OP_VAR1:
    case OP_STD1:
        for (int64_t i = 0; i < n; i++)
            m += v[i];
        m /= (double)n;
        for (int64_t i = 0; i < n; i++)
            s += (v[i] - m) * (v[i] - m);
        s /= (double)(n - (op == OP_VAR0 ? 0 : 1));
        return op == OP_STD1 ? sqrt(s) : s;
    case OP_LSE: /* unshifted: the test data are small */
        for (int64_t i = 0; i < n; i++)
            s += exp(v[i]);
        return log(s);
    default: /* max, min and their indices */
        for (int64_t i = 0; i < n; i++) {
            if (isnan(v[i])) {
                best = i;
                break;
            }
            bool better = (op == OP_MAX || op == OP_ARGMAX) ? v[i] > v[best]
                                                            : v[i] < v[best];
            if (better)
                best = i;
        }
        return (op == OP_ARGMAX || op == OP_ARGMIN) ? (double)best : v[best];
    }
}

/* The reduction of xv (row-major, `shape`) over dim rd (-1: all), by
 * sorting every element into its result position: a different path from
 * the engine's. Returns the results in row-major order (caller frees). */
static double *ref_reduce(const double *xv, int ndim, const int64_t *shape,
                          int rd, int op)
{
    int64_t numel = 1, others = 1;
    for (int i = 0; i < ndim; i++) {
        numel *= shape[i];
        if (i != rd)
            others *= shape[i];
    }
    int64_t n = rd < 0 ? numel : shape[rd];
    int64_t groups = rd < 0 ? 1 : others;
    double *g = malloc(sizeof(double) * (size_t)(numel ? numel : 1));
    double *out = malloc(sizeof(double) * (size_t)(groups ? groups : 1));
    assert_non_null(g);
    assert_non_null(out);
    for (int64_t f = 0; f < numel; f++) {
        int64_t idx[ACT_MAX_DIMS], rest = f, gi = 0;
        for (int i = ndim - 1; i >= 0; i--) {
            idx[i] = rest % shape[i];
            rest /= shape[i];
        }
        for (int i = 0; i < ndim; i++)
            if (i != rd)
                gi = gi * shape[i] + idx[i];
        g[(rd < 0 ? 0 : gi) * n + (rd < 0 ? f : idx[rd])] = xv[f];
    }
    for (int64_t k = 0; k < groups; k++)
        out[k] = ref_apply(op, g + k * n, n);
    free(g);
    return out;
}

static act_status run_op(act_context *ctx, int op, const act_tensor *x,
                         int dim, bool keepdim, act_tensor **out)
{
    switch (op) {
    case OP_SUM: return act_sum(ctx, x, dim, keepdim, out);
    case OP_MEAN: return act_mean(ctx, x, dim, keepdim, out);
    case OP_VAR0: return act_var(ctx, x, dim, 0, keepdim, out);
    case OP_VAR1: return act_var(ctx, x, dim, 1, keepdim, out);
    case OP_STD1: return act_std(ctx, x, dim, 1, keepdim, out);
    case OP_LSE: return act_logsumexp(ctx, x, dim, keepdim, out);
    case OP_MAX: return act_max(ctx, x, dim, keepdim, out, NULL);
    case OP_MIN: return act_min(ctx, x, dim, keepdim, out, NULL);
    case OP_ARGMAX: return act_argmax(ctx, x, dim, keepdim, out);
    default: return act_argmin(ctx, x, dim, keepdim, out);
    }
}

/* Every op, every dim (and ACT_ALL_DIMS), keepdim on and off, on x. */
static void check_all_ops(act_context *ctx, const act_tensor *x)
{
    int nd = act_tensor_dim(x);
    const int64_t *shape = act_tensor_shape(x);
    act_dtype dt = act_tensor_dtype(x);
    double *xv = values_of(ctx, x);
    for (int dim = -nd - 1; dim < nd; dim++) {
        int d = dim == -nd - 1 ? ALL : dim; /* one extra turn for all */
        int rd = d == ALL ? -1 : (d < 0 ? d + nd : d);
        for (int keep = 0; keep < 2; keep++) {
            int64_t oshape[ACT_MAX_DIMS];
            int ond = 0;
            for (int i = 0; i < nd; i++) {
                bool red = rd < 0 || i == rd;
                if (keep || !red)
                    oshape[ond++] = red ? 1 : shape[i];
            }
            for (int op = 0; op < OP_COUNT; op++) {
                act_tensor *y = NULL;
                assert_int_equal(run_op(ctx, op, x, d, keep, &y), ACT_OK);
                double *want = ref_reduce(xv, nd, shape, rd, op);
                bool idx = op == OP_ARGMAX || op == OP_ARGMIN;
                expect(ctx, y, idx ? ACT_DTYPE_I64 : dt, ond, oshape, want,
                       idx ? 0 : tol_of(dt));
                free(want);
            }
            /* max/min give values and indices from one call. */
            for (int op = OP_MAX; op <= OP_MIN; op++) {
                act_tensor *v = NULL, *ix = NULL;
                act_status s = op == OP_MAX ? act_max(ctx, x, d, keep, &v, &ix)
                                            : act_min(ctx, x, d, keep, &v, &ix);
                assert_int_equal(s, ACT_OK);
                double *wv = ref_reduce(xv, nd, shape, rd, op);
                double *wi = ref_reduce(xv, nd, shape, rd, op + 2);
                expect(ctx, v, dt, ond, oshape, wv, 0);
                expect(ctx, ix, ACT_DTYPE_I64, ond, oshape, wi, 0);
                free(wv);
                free(wi);
            }
        }
    }
    free(xv);
}

static act_tensor *randn(act_context *ctx, act_dtype dt, int ndim,
                         const int64_t *shape)
{
    act_tensor *t = NULL;
    assert_int_equal(act_randn(ctx, dt, ndim, shape, NULL, &t), ACT_OK);
    return t;
}

static void check_shape_both_dtypes(act_context *ctx, int ndim,
                                    const int64_t *shape)
{
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *x = randn(ctx, (act_dtype)dt, ndim, shape);
        check_all_ops(ctx, x);
        act_tensor_free(x);
    }
}

/* -------------------------------------------------- reference tests */

static void test_reference_contiguous(void **state)
{
    act_context *ctx = *state;
    check_shape_both_dtypes(ctx, 3, (int64_t[]){3, 4, 5});
    check_shape_both_dtypes(ctx, 2, (int64_t[]){4, 1});
    check_shape_both_dtypes(ctx, 1, (int64_t[]){7});
}

/* Shapes that cross the kernels' internal boundaries: rows whose length is
 * not a multiple of the unrolling, and inner extents above one chunk. */
static void test_reference_long_rows_and_wide_columns(void **state)
{
    act_context *ctx = *state;
    check_shape_both_dtypes(ctx, 2, (int64_t[]){3, 1029});
    check_shape_both_dtypes(ctx, 3, (int64_t[]){2, 3, 1100});
}

/* Long columns (more than the first rows the engine treats specially). */
static void test_reference_long_columns(void **state)
{
    act_context *ctx = *state;
    check_shape_both_dtypes(ctx, 3, (int64_t[]){40, 3, 7});
}

/* Small integers (ties everywhere) and NaNs early and late in rows and
 * columns: max/min must give the first extreme or the first NaN. */
static void test_reference_ties_and_nans(void **state)
{
    act_context *ctx = *state;
    int64_t shape[3] = {40, 3, 21}, n = 40 * 3 * 21;
    double *v = malloc(sizeof(double) * (size_t)n);
    assert_non_null(v);
    uint32_t r = 12345;
    for (int64_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        v[i] = (double)((r >> 16) % 5) - 2;
    }
    /* (k, a, b) is at k*63 + a*21 + b. */
    int64_t nans[][3] = {{2, 0, 5}, {30, 1, 7}, {10, 2, 18}, {35, 0, 3}};
    for (int i = 0; i < 4; i++)
        v[nans[i][0] * 63 + nans[i][1] * 21 + nans[i][2]] = NAN;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *x = make(ctx, (act_dtype)dt, 3, shape, v);
        check_all_ops(ctx, x);
        act_tensor_free(x);
    }
    free(v);
}

static void test_reference_transposed(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *base = randn(ctx, (act_dtype)dt, 3, (int64_t[]){5, 4, 3});
        act_tensor *x = NULL;
        assert_int_equal(act_transpose(ctx, base, 0, 2, &x), ACT_OK);
        assert_false(act_tensor_is_contiguous(x));
        check_all_ops(ctx, x);
        act_tensor_free(x);
        act_tensor_free(base);
    }
}

/* A narrowed (offset, gapped) view and an expanded (stride 0) one. */
static void test_reference_other_views(void **state)
{
    act_context *ctx = *state;
    act_tensor *base = randn(ctx, ACT_DTYPE_F64, 2, (int64_t[]){4, 6});
    act_tensor *x = NULL;
    assert_int_equal(act_narrow(ctx, base, 1, 1, 3, &x), ACT_OK);
    check_all_ops(ctx, x);
    act_tensor_free(x);
    act_tensor_free(base);

    base = VEC(ctx, ACT_DTYPE_F32, 1, 2, 3, 4);
    assert_int_equal(act_expand(ctx, base, 2, (int64_t[]){3, 4}, &x), ACT_OK);
    check_all_ops(ctx, x);
    act_tensor *y = NULL;
    assert_int_equal(act_sum(ctx, x, 0, false, &y), ACT_OK);
    expect(ctx, y, ACT_DTYPE_F32, 1, (int64_t[]){4},
           (double[]){3, 6, 9, 12}, 0);
    act_tensor_free(x);
    act_tensor_free(base);
}

/* ------------------------------------------------ hand-computed values */

static void test_sum_mean_of_arange(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *x = NULL, *y = NULL;
        assert_int_equal(act_arange(ctx, (act_dtype)dt, 0, 10, 1, &x), ACT_OK);
        assert_int_equal(act_sum(ctx, x, ALL, false, &y), ACT_OK);
        assert_int_equal(act_tensor_dim(y), 0);
        expect_scalar(ctx, y, (act_dtype)dt, 45, 0);
        assert_int_equal(act_mean(ctx, x, 0, false, &y), ACT_OK);
        assert_int_equal(act_tensor_dim(y), 0);
        expect_scalar(ctx, y, (act_dtype)dt, 4.5, 0);
        act_tensor_free(x);
    }
}

static void test_sum_accumulates_in_double(void **state)
{
    act_context *ctx = *state;
    /* In float32, 1e8 + 1 rounds back to 1e8 and the sum would be 0. */
    act_tensor *x = VEC(ctx, ACT_DTYPE_F32, 1e8, 1, -1e8), *y = NULL, *c = NULL;
    assert_int_equal(act_sum(ctx, x, ALL, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F32, 1, 0);
    assert_int_equal(act_view(ctx, x, 2, (int64_t[]){3, 1}, &c), ACT_OK);
    assert_int_equal(act_sum(ctx, c, 0, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F32, 1, 0);
    act_tensor_free(c);
    act_tensor_free(x);
}

static void test_var_std_values(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        double tol = tol_of((act_dtype)dt);
        act_tensor *x = VEC(ctx, (act_dtype)dt, 1, 2, 3, 4), *y = NULL;
        assert_int_equal(act_var(ctx, x, ALL, 1, false, &y), ACT_OK);
        expect_scalar(ctx, y, (act_dtype)dt, 5.0 / 3.0, tol);
        assert_int_equal(act_var(ctx, x, 0, 0, false, &y), ACT_OK);
        expect_scalar(ctx, y, (act_dtype)dt, 1.25, tol);
        assert_int_equal(act_std(ctx, x, -1, 1, false, &y), ACT_OK);
        expect_scalar(ctx, y, (act_dtype)dt, sqrt(5.0 / 3.0), tol);
        assert_int_equal(act_var(ctx, x, 0, 3, false, &y), ACT_OK);
        expect_scalar(ctx, y, (act_dtype)dt, 5.0, tol);
        act_tensor_free(x);
        /* +-1000 stays finite. */
        x = VEC(ctx, (act_dtype)dt, 1000, -1000);
        assert_int_equal(act_std(ctx, x, 0, 1, false, &y), ACT_OK);
        expect_scalar(ctx, y, (act_dtype)dt, sqrt(2e6), tol);
        act_tensor_free(x);
    }
}

/* E[x^2] - E[x]^2 would lose every digit here; two passes keep them. */
static void test_var_with_large_offset(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = VEC(ctx, ACT_DTYPE_F64, 1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4);
    act_tensor *y = NULL, *c = NULL;
    assert_int_equal(act_var(ctx, x, 0, 1, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, 5.0 / 3.0, 1e-9);
    assert_int_equal(act_view(ctx, x, 2, (int64_t[]){4, 1}, &c), ACT_OK);
    assert_int_equal(act_var(ctx, c, 0, 1, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, 5.0 / 3.0, 1e-9);
    act_tensor_free(c);
    act_tensor_free(x);

    x = VEC(ctx, ACT_DTYPE_F32, 1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4);
    assert_int_equal(act_var(ctx, x, 0, 1, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F32, 5.0 / 3.0, 1e-6);
    act_tensor_free(x);
}

/* PyTorch divides by max(0, n - correction): 0/0 is NaN, x/0 is inf. */
static void test_var_correction_edges(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = VEC(ctx, ACT_DTYPE_F64, 1, 2), *y = NULL;
    assert_int_equal(act_var(ctx, x, 0, 2, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, INFINITY, 0);
    assert_int_equal(act_var(ctx, x, 0, 5, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, INFINITY, 0);
    act_tensor_free(x);
    x = VEC(ctx, ACT_DTYPE_F32, 5);
    assert_int_equal(act_var(ctx, x, 0, 1, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F32, NAN, 0);
    assert_int_equal(act_std(ctx, x, 0, 0, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F32, 0, 0);
    act_tensor_free(x);
}

static void test_logsumexp_stable(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_dtype d = (act_dtype)dt;
        double tol = tol_of(d);
        struct {
            double a, b, want;
        } cases[] = {
            {1000, 1000, 1000 + LN2},
            {-1000, -1000, -1000 + LN2},
            {1000, -1000, 1000},
            {-INFINITY, -INFINITY, -INFINITY},
            {INFINITY, 0, INFINITY},
            {INFINITY, -INFINITY, INFINITY},
            {1, NAN, NAN},
            {0, 0, LN2},
        };
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            act_tensor *x = VEC(ctx, d, cases[i].a, cases[i].b), *y = NULL;
            assert_int_equal(act_logsumexp(ctx, x, ALL, false, &y), ACT_OK);
            expect_scalar(ctx, y, d, cases[i].want, tol);
            act_tensor_free(x);
        }
        /* The same along an outer dim (the column path). */
        act_tensor *x = make(ctx, d, 2, (int64_t[]){2, 4},
                             (double[]){1000, -INFINITY, INFINITY, 1,
                                        1000, -INFINITY, 5, NAN});
        act_tensor *y = NULL;
        assert_int_equal(act_logsumexp(ctx, x, 0, false, &y), ACT_OK);
        expect(ctx, y, d, 1, (int64_t[]){4},
               (double[]){1000 + LN2, -INFINITY, INFINITY, NAN}, tol);
        act_tensor_free(x);
    }
}

/* --------------------------------------------------- max, min, arg* */

static void test_ties_take_the_first(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = VEC(ctx, ACT_DTYPE_F32, 1, 3, 3, 2), *y = NULL, *v = NULL;
    assert_int_equal(act_argmax(ctx, x, 0, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 1, 0);
    act_tensor_free(x);
    x = VEC(ctx, ACT_DTYPE_F64, 2, 1, 1, 5);
    assert_int_equal(act_argmin(ctx, x, ALL, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 1, 0);
    act_tensor_free(x);
    x = VEC(ctx, ACT_DTYPE_F64, 7, 7, 7);
    assert_int_equal(act_argmax(ctx, x, 0, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 0, 0);
    act_tensor_free(x);

    x = make(ctx, ACT_DTYPE_F32, 2, (int64_t[]){2, 3},
             (double[]){1, 5, 5, 7, 7, 0});
    assert_int_equal(act_max(ctx, x, 1, false, &v, &y), ACT_OK);
    expect(ctx, v, ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){5, 7}, 0);
    expect(ctx, y, ACT_DTYPE_I64, 1, (int64_t[]){2}, (double[]){1, 0}, 0);
    assert_int_equal(act_max(ctx, x, 0, true, &v, &y), ACT_OK);
    expect(ctx, v, ACT_DTYPE_F32, 2, (int64_t[]){1, 3}, (double[]){7, 7, 5}, 0);
    expect(ctx, y, ACT_DTYPE_I64, 2, (int64_t[]){1, 3}, (double[]){1, 1, 0}, 0);
    assert_int_equal(act_min(ctx, x, 0, false, &v, &y), ACT_OK);
    expect(ctx, v, ACT_DTYPE_F32, 1, (int64_t[]){3}, (double[]){1, 5, 0}, 0);
    expect(ctx, y, ACT_DTYPE_I64, 1, (int64_t[]){3}, (double[]){0, 0, 1}, 0);
    /* With all dims, the index is into the row-major flattening. */
    assert_int_equal(act_argmax(ctx, x, ALL, false, &y), ACT_OK);
    assert_int_equal(act_tensor_dim(y), 0);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 3, 0);
    act_tensor_free(x);
}

/* Sorted data: every element is a new extreme (the worst case of a scan
 * that skips blocks holding none), and the last one is not in a tail. */
static void test_monotone_rows_and_columns(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_dtype d = (act_dtype)dt;
        act_tensor *up = NULL, *down = NULL, *col = NULL, *v = NULL, *i = NULL;
        assert_int_equal(act_arange(ctx, d, 0, 96, 1, &up), ACT_OK);
        assert_int_equal(act_linspace(ctx, d, 95, 0, 96, &down), ACT_OK);
        assert_int_equal(act_max(ctx, up, 0, false, &v, &i), ACT_OK);
        expect_scalar(ctx, v, d, 95, 0);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 95, 0);
        assert_int_equal(act_argmin(ctx, up, 0, false, &i), ACT_OK);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 0, 0);
        assert_int_equal(act_min(ctx, down, ALL, false, &v, &i), ACT_OK);
        expect_scalar(ctx, v, d, 0, 0);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 95, 0);
        assert_int_equal(act_view(ctx, up, 2, (int64_t[]){96, 1}, &col), ACT_OK);
        assert_int_equal(act_argmax(ctx, col, 0, false, &i), ACT_OK);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){1}, (double[]){95}, 0);
        act_tensor_free(col);
        assert_int_equal(act_view(ctx, down, 2, (int64_t[]){96, 1}, &col), ACT_OK);
        assert_int_equal(act_argmin(ctx, col, 0, false, &i), ACT_OK);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){1}, (double[]){95}, 0);
        act_tensor_free(col);
        act_tensor_free(down);
        act_tensor_free(up);
    }
}

/* The index of a transposed view's extreme is in the view's coordinates. */
static void test_arg_of_transposed_view(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = make(ctx, ACT_DTYPE_F64, 2, (int64_t[]){3, 2},
                         (double[]){1, 9, 8, 2, 3, 4});
    act_tensor *t = NULL, *y = NULL;
    assert_int_equal(act_transpose(ctx, a, 0, 1, &t), ACT_OK); /* [[1,8,3],[9,2,4]] */
    assert_int_equal(act_argmax(ctx, t, 1, false, &y), ACT_OK);
    expect(ctx, y, ACT_DTYPE_I64, 1, (int64_t[]){2}, (double[]){1, 0}, 0);
    assert_int_equal(act_argmax(ctx, t, ALL, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 3, 0);
    assert_int_equal(act_argmin(ctx, t, ALL, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_I64, 0, 0);
    act_tensor_free(t);
    act_tensor_free(a);
}

static void test_nan_propagates(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_dtype d = (act_dtype)dt;
        act_tensor *x = VEC(ctx, d, 1, NAN, 3, NAN), *v = NULL, *i = NULL;
        assert_int_equal(act_max(ctx, x, 0, false, &v, &i), ACT_OK);
        expect_scalar(ctx, v, d, NAN, 0);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 1, 0);
        assert_int_equal(act_min(ctx, x, ALL, false, &v, &i), ACT_OK);
        expect_scalar(ctx, v, d, NAN, 0);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 1, 0);
        assert_int_equal(act_argmax(ctx, x, 0, false, &i), ACT_OK);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 1, 0);
        assert_int_equal(act_argmin(ctx, x, 0, false, &i), ACT_OK);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 1, 0);
        assert_int_equal(act_sum(ctx, x, 0, false, &v), ACT_OK);
        expect_scalar(ctx, v, d, NAN, 0);
        assert_int_equal(act_mean(ctx, x, 0, false, &v), ACT_OK);
        expect_scalar(ctx, v, d, NAN, 0);
        assert_int_equal(act_std(ctx, x, 0, 1, false, &v), ACT_OK);
        expect_scalar(ctx, v, d, NAN, 0);
        act_tensor_free(x);

        x = VEC(ctx, d, NAN, 5, -1);
        assert_int_equal(act_argmin(ctx, x, 0, false, &i), ACT_OK);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 0, 0);
        act_tensor_free(x);

        /* Along an outer dim (the column path), NaN first and later. */
        x = make(ctx, d, 2, (int64_t[]){3, 3},
                 (double[]){1, 2, NAN, NAN, 5, 0, 9, NAN, 7});
        assert_int_equal(act_max(ctx, x, 0, false, &v, &i), ACT_OK);
        expect(ctx, v, d, 1, (int64_t[]){3}, (double[]){NAN, NAN, NAN}, 0);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){3}, (double[]){1, 2, 0}, 0);
        assert_int_equal(act_min(ctx, x, 0, false, &v, &i), ACT_OK);
        expect(ctx, v, d, 1, (int64_t[]){3}, (double[]){NAN, NAN, NAN}, 0);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){3}, (double[]){1, 2, 0}, 0);
        assert_int_equal(act_max(ctx, x, 1, false, &v, &i), ACT_OK);
        expect(ctx, v, d, 1, (int64_t[]){3}, (double[]){NAN, NAN, NAN}, 0);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){3}, (double[]){2, 0, 1}, 0);
        act_tensor_free(x);
    }
}

static void test_infinities_in_max_min(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = VEC(ctx, ACT_DTYPE_F32, -INFINITY, INFINITY, 3);
    act_tensor *v = NULL, *i = NULL;
    assert_int_equal(act_max(ctx, x, 0, false, &v, &i), ACT_OK);
    expect_scalar(ctx, v, ACT_DTYPE_F32, INFINITY, 0);
    expect_scalar(ctx, i, ACT_DTYPE_I64, 1, 0);
    assert_int_equal(act_min(ctx, x, 0, false, &v, NULL), ACT_OK);
    expect_scalar(ctx, v, ACT_DTYPE_F32, -INFINITY, 0);
    act_tensor_free(x);
}

/* ------------------------------------------------ shapes and empties */

static void test_result_shapes(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = randn(ctx, ACT_DTYPE_F32, 3, (int64_t[]){3, 4, 5});
    act_tensor *y = NULL;
    assert_int_equal(act_sum(ctx, x, 1, true, &y), ACT_OK);
    assert_shape(y, 3, (int64_t[]){3, 1, 5});
    act_tensor_free(y);
    assert_int_equal(act_mean(ctx, x, -1, false, &y), ACT_OK);
    assert_shape(y, 2, (int64_t[]){3, 4});
    act_tensor_free(y);
    assert_int_equal(act_var(ctx, x, ALL, 1, true, &y), ACT_OK);
    assert_shape(y, 3, (int64_t[]){1, 1, 1});
    act_tensor_free(y);
    assert_int_equal(act_logsumexp(ctx, x, ALL, false, &y), ACT_OK);
    assert_int_equal(act_tensor_dim(y), 0);
    act_tensor_free(y);
    assert_int_equal(act_argmax(ctx, x, -3, true, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), ACT_DTYPE_I64);
    assert_shape(y, 3, (int64_t[]){1, 4, 5});
    act_tensor_free(y);
    act_tensor_free(x);
}

/* A 0-d tensor reduces to itself, with dim 0 or -1 too (as PyTorch). */
static void test_scalar_input(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = NULL, *y = NULL, *i = NULL;
    x = make(ctx, ACT_DTYPE_F64, 0, (int64_t[]){1}, (double[]){2.5});
    int dims[] = {ALL, 0, -1};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(act_sum(ctx, x, dims[k], true, &y), ACT_OK);
        assert_int_equal(act_tensor_dim(y), 0);
        expect_scalar(ctx, y, ACT_DTYPE_F64, 2.5, 0);
        assert_int_equal(act_max(ctx, x, dims[k], false, &y, &i), ACT_OK);
        expect_scalar(ctx, y, ACT_DTYPE_F64, 2.5, 0);
        expect_scalar(ctx, i, ACT_DTYPE_I64, 0, 0);
    }
    assert_int_equal(act_logsumexp(ctx, x, ALL, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, 2.5, 1e-15);
    assert_int_equal(act_var(ctx, x, ALL, 1, false, &y), ACT_OK);
    expect_scalar(ctx, y, ACT_DTYPE_F64, NAN, 0);
    y = (act_tensor *)&y;
    assert_int_equal(act_sum(ctx, x, 1, false, &y), ACT_E_ARG);
    assert_ptr_equal(y, (act_tensor *)&y);
    assert_non_null(strstr(act_context_error(ctx), "0-d"));
    act_tensor_free(x);
}

static void test_empty_reductions(void **state)
{
    act_context *ctx = *state;
    for (int dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_dtype d = (act_dtype)dt;
        act_tensor *x = NULL, *y = NULL;
        assert_int_equal(act_zeros(ctx, d, 1, (int64_t[]){0}, &x), ACT_OK);
        assert_int_equal(act_sum(ctx, x, ALL, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, 0, 0);
        assert_int_equal(act_mean(ctx, x, 0, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, NAN, 0);
        assert_int_equal(act_var(ctx, x, 0, 1, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, NAN, 0);
        assert_int_equal(act_var(ctx, x, 0, -1, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, NAN, 0);
        assert_int_equal(act_std(ctx, x, 0, 0, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, NAN, 0);
        assert_int_equal(act_logsumexp(ctx, x, 0, false, &y), ACT_OK);
        expect_scalar(ctx, y, d, -INFINITY, 0);
        act_tensor_free(x);

        /* [2,0]: reducing the empty dim fills, reducing the other is empty. */
        assert_int_equal(act_zeros(ctx, d, 2, (int64_t[]){2, 0}, &x), ACT_OK);
        assert_int_equal(act_sum(ctx, x, 1, false, &y), ACT_OK);
        expect(ctx, y, d, 1, (int64_t[]){2}, (double[]){0, 0}, 0);
        assert_int_equal(act_mean(ctx, x, 1, true, &y), ACT_OK);
        expect(ctx, y, d, 2, (int64_t[]){2, 1}, (double[]){NAN, NAN}, 0);
        assert_int_equal(act_logsumexp(ctx, x, -1, false, &y), ACT_OK);
        expect(ctx, y, d, 1, (int64_t[]){2}, (double[]){-INFINITY, -INFINITY}, 0);
        assert_int_equal(act_sum(ctx, x, 0, false, &y), ACT_OK);
        expect(ctx, y, d, 1, (int64_t[]){0}, NULL, 0);
        act_tensor *v = NULL, *i = NULL;
        assert_int_equal(act_max(ctx, x, 0, false, &v, &i), ACT_OK);
        expect(ctx, v, d, 1, (int64_t[]){0}, NULL, 0);
        expect(ctx, i, ACT_DTYPE_I64, 1, (int64_t[]){0}, NULL, 0);
        act_tensor_free(x);
    }
}

/* ------------------------------------------------------------ errors */

static void expect_error(act_context *ctx, act_status got, act_status want,
                         int arg, const char *const *words)
{
    assert_int_equal(got, want);
    assert_int_equal(act_context_status(ctx), want);
    assert_int_equal(act_context_error_arg(ctx), arg);
    for (; *words; words++)
        if (!strstr(act_context_error(ctx), *words))
            fail_msg("\"%s\" not in \"%s\"", *words, act_context_error(ctx));
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_empty_max_fails(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = NULL, *sentinel = (act_tensor *)&x;
    act_tensor *v = sentinel, *i = sentinel;
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 1, (int64_t[]){0}, &x), ACT_OK);
    expect_error(ctx, act_max(ctx, x, ALL, false, &v, &i), ACT_E_ARG, 1,
                 WORDS("max: ", "empty"));
    assert_ptr_equal(v, sentinel);
    assert_ptr_equal(i, sentinel);
    expect_error(ctx, act_argmin(ctx, x, 0, false, &i), ACT_E_ARG, 1,
                 WORDS("argmin: ", "empty", "dim 0"));
    assert_ptr_equal(i, sentinel);
    act_tensor_free(x);
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F64, 2, (int64_t[]){3, 0}, &x), ACT_OK);
    expect_error(ctx, act_min(ctx, x, -1, false, &v, NULL), ACT_E_ARG, 1,
                 WORDS("min: ", "empty", "[3,0]"));
    expect_error(ctx, act_argmax(ctx, x, ALL, true, &i), ACT_E_ARG, 1,
                 WORDS("argmax: ", "empty"));
    assert_ptr_equal(v, sentinel);
    assert_ptr_equal(i, sentinel);
    act_tensor_free(x);
}

static void test_bad_dim(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = randn(ctx, ACT_DTYPE_F32, 2, (int64_t[]){2, 3});
    act_tensor *sentinel = (act_tensor *)&x, *y = sentinel, *i = sentinel;
    assert_int_equal(act_sum(ctx, x, 3, false, &y), ACT_E_ARG);
    assert_string_equal(act_context_error(ctx),
                        "sum: dim 3 is out of range for a 2-d tensor "
                        "(expected -2 to 1)");
    assert_int_equal(act_context_error_arg(ctx), 2);
    expect_error(ctx, act_var(ctx, x, -3, 1, false, &y), ACT_E_ARG, 2,
                 WORDS("var: ", "dim -3", "out of range"));
    expect_error(ctx, act_logsumexp(ctx, x, 2, true, &y), ACT_E_ARG, 2,
                 WORDS("logsumexp: ", "dim 2"));
    expect_error(ctx, act_max(ctx, x, 7, false, &y, &i), ACT_E_ARG, 2,
                 WORDS("max: ", "dim 7"));
    expect_error(ctx, act_argmin(ctx, x, -99, false, &i), ACT_E_ARG, 2,
                 WORDS("argmin: ", "dim -99"));
    assert_ptr_equal(y, sentinel);
    assert_ptr_equal(i, sentinel);
    act_tensor_free(x);
}

static void test_int64_refused(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = make(ctx, ACT_DTYPE_I64, 1, (int64_t[]){3},
                         (double[]){1, 2, 3});
    act_tensor *sentinel = (act_tensor *)&x, *y = sentinel, *i = sentinel;
    expect_error(ctx, act_sum(ctx, x, ALL, false, &y), ACT_E_DTYPE, 1,
                 WORDS("sum: ", "int64"));
    expect_error(ctx, act_std(ctx, x, 0, 1, false, &y), ACT_E_DTYPE, 1,
                 WORDS("std: ", "int64"));
    expect_error(ctx, act_max(ctx, x, 0, false, &y, &i), ACT_E_DTYPE, 1,
                 WORDS("max: ", "int64"));
    expect_error(ctx, act_argmax(ctx, x, 0, false, &i), ACT_E_DTYPE, 1,
                 WORDS("argmax: ", "int64"));
    /* The dtype is checked before the dim. */
    expect_error(ctx, act_mean(ctx, x, 5, false, &y), ACT_E_DTYPE, 1,
                 WORDS("mean: ", "int64"));
    assert_ptr_equal(y, sentinel);
    assert_ptr_equal(i, sentinel);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reference_contiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_long_rows_and_wide_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_long_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_ties_and_nans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_transposed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_other_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_mean_of_arange, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sum_accumulates_in_double, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_std_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_with_large_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_var_correction_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logsumexp_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ties_take_the_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monotone_rows_and_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arg_of_transposed_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nan_propagates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_infinities_in_max_min, setup, teardown),
        cmocka_unit_test_setup_teardown(test_result_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_reductions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_max_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_dim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int64_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

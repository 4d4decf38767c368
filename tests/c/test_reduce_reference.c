/*
 * test_reduce_reference.c — every reduction (sum, mean, var, std, logsumexp,
 * max, min, argmax, argmin) over every dim and all dims, keepdim on and off,
 * against a naive float64 reference written here: contiguous, long rows and
 * columns, ties and NaNs, transposed, narrowed and expanded inputs.
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 1234
#include "test_support.h"
#include "test_reduce_support.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reference_contiguous, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_long_rows_and_wide_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_long_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_ties_and_nans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_transposed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_other_views, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

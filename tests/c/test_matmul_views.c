/*
 * test_matmul_views.c — act_matmul on operands that are not plain matrices:
 * step-2 slices, expanded (stride 0) views, batches with broadcast, permuted
 * and expanded batch dims, and empty dims, against a naive float64 loop; and
 * its errors (shapes, batches, dtypes, ranks) by status and argument.
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 20240611
#include "test_support.h"
#include "test_matmul_support.h"

/* ------------------------------------------------------ strided views */

static act_tensor *sliced(act_context *ctx, const act_tensor *t, int dim)
{
    act_tensor *v = NULL;
    assert_int_equal(act_slice(ctx, t, dim, 0, act_tensor_size(t, dim), 2, &v),
                     ACT_OK);
    return v;
}

/* Step-2 slices: along columns (no BLAS layout: copied), along rows (a
 * leading dimension of twice the width), and of vectors (a stride of 2). */
static void test_step2_slices(void **state)
{
    act_context *ctx = *state;
    const int64_t sizes[][3] = {{3, 4, 5}, {20, 30, 40}};
    for (int d = 0; d < 2; d++)
        for (int s = 0; s < 2; s++) {
            act_dtype dt = d ? F64 : F32;
            int64_t m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
            act_tensor *wa = randn(ctx, dt, 2, (int64_t[]){m, 2 * k});
            act_tensor *ta = randn(ctx, dt, 2, (int64_t[]){2 * m, k});
            act_tensor *wb = randn(ctx, dt, 2, (int64_t[]){k, 2 * n});
            act_tensor *a = sliced(ctx, wa, 1), *a2 = sliced(ctx, ta, 0);
            act_tensor *b = sliced(ctx, wb, 1);
            assert_false(act_tensor_is_contiguous(a));
            assert_false(act_tensor_is_contiguous(a2));
            check_matmul(ctx, a, b, 2, (int64_t[]){m, n});
            check_matmul(ctx, a2, b, 2, (int64_t[]){m, n});
            act_tensor *v2 = randn(ctx, dt, 1, (int64_t[]){2 * k});
            act_tensor *v = sliced(ctx, v2, 0);
            check_matmul(ctx, a2, v, 1, &m); /* strided b column */
            check_matmul(ctx, v, v, 0, NULL); /* strided dot */
            check_matmul(ctx, v, b, 1, &n);   /* strided a row */
            act_tensor *bt = NULL;             /* [n,k], strides (2, 2n) */
            assert_int_equal(act_transpose(ctx, b, 0, 1, &bt), ACT_OK);
            check_matmul(ctx, bt, v, 1, &n);
            act_tensor_free(bt);
            act_tensor_free(v), act_tensor_free(v2);
            act_tensor_free(b), act_tensor_free(a2), act_tensor_free(a);
            act_tensor_free(wb), act_tensor_free(ta), act_tensor_free(wa);
        }
}

/* Expanded operands have stride 0, which BLAS cannot take as a leading
 * dimension: they must be copied, not passed with ld = 0. */
static void test_expanded(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? F64 : F32;
        act_tensor *row = randn(ctx, dt, 2, (int64_t[]){1, 40});
        act_tensor *one = randn(ctx, dt, 1, (int64_t[]){1});
        act_tensor *b = randn(ctx, dt, 2, (int64_t[]){40, 30});
        act_tensor *a = NULL, *v = NULL, *col = NULL;
        assert_int_equal(act_expand(ctx, row, 2, (int64_t[]){20, 40}, &a),
                         ACT_OK);
        assert_int_equal(act_expand(ctx, one, 1, (int64_t[]){40}, &v), ACT_OK);
        assert_int_equal(act_expand(ctx, one, 2, (int64_t[]){40, 30}, &col),
                         ACT_OK);
        check_matmul(ctx, a, b, 2, (int64_t[]){20, 30});
        check_matmul(ctx, v, b, 1, (int64_t[]){30});
        check_matmul(ctx, a, v, 1, (int64_t[]){20});
        check_matmul(ctx, a, col, 2, (int64_t[]){20, 30});
        check_matmul(ctx, v, v, 0, NULL);
        act_tensor_free(col), act_tensor_free(v), act_tensor_free(a);
        act_tensor_free(b), act_tensor_free(one), act_tensor_free(row);
    }
}

/* ------------------------------------------------------------ batches */

static void test_batched(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? F64 : F32;
        /* Tiny (loop) and larger (BLAS) matrices in each batch. */
        for (int64_t s = 1; s <= 8; s *= 8) {
            int64_t m = 3 * s, k = 4 * s, n = 2 * s, B = 5;
            act_tensor *a3 = randn(ctx, dt, 3, (int64_t[]){B, m, k});
            act_tensor *b3 = randn(ctx, dt, 3, (int64_t[]){B, k, n});
            act_tensor *a1 = randn(ctx, dt, 3, (int64_t[]){1, m, k});
            act_tensor *b1 = randn(ctx, dt, 3, (int64_t[]){1, k, n});
            act_tensor *a2 = randn(ctx, dt, 2, (int64_t[]){m, k});
            act_tensor *b2 = randn(ctx, dt, 2, (int64_t[]){k, n});
            act_tensor *va = randn(ctx, dt, 1, &k);
            act_tensor *vb = randn(ctx, dt, 1, &k);
            const int64_t bmn[3] = {B, m, n};
            check_matmul(ctx, a3, b3, 3, bmn);
            check_matmul(ctx, a1, b3, 3, bmn);
            check_matmul(ctx, a3, b1, 3, bmn);
            check_matmul(ctx, a3, b2, 3, bmn); /* one gemm of B*m rows */
            check_matmul(ctx, a2, b3, 3, bmn);
            check_matmul(ctx, a1, b1, 3, (int64_t[]){1, m, n});
            check_matmul(ctx, a3, vb, 2, (int64_t[]){B, m});
            check_matmul(ctx, va, b3, 2, (int64_t[]){B, n});
            act_tensor_free(vb), act_tensor_free(va);
            act_tensor_free(b2), act_tensor_free(a2);
            act_tensor_free(b1), act_tensor_free(a1);
            act_tensor_free(b3), act_tensor_free(a3);
        }
    }
}

/* Batches whose matrices are not laid end to end: transposed inside each
 * batch, batch dim permuted inward (so the B*m rows do not form one matrix
 * and the single-gemm shortcut must not apply), batch dim expanded. */
static void test_batched_views(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? F64 : F32;
        int64_t B = 4, m = 6, k = 7, n = 5;
        act_tensor *t = randn(ctx, dt, 3, (int64_t[]){B, k, m});
        act_tensor *p = randn(ctx, dt, 3, (int64_t[]){m, B, k});
        act_tensor *one = randn(ctx, dt, 3, (int64_t[]){1, m, k});
        act_tensor *b3 = randn(ctx, dt, 3, (int64_t[]){B, k, n});
        act_tensor *b2 = randn(ctx, dt, 2, (int64_t[]){k, n});
        act_tensor *at = NULL, *ap = NULL, *ae = NULL;
        assert_int_equal(act_transpose(ctx, t, 1, 2, &at), ACT_OK);
        assert_int_equal(act_permute(ctx, p, 3, (int[]){1, 0, 2}, &ap), ACT_OK);
        assert_int_equal(act_expand(ctx, one, 3, (int64_t[]){B, m, k}, &ae),
                         ACT_OK);
        const int64_t bmn[3] = {B, m, n};
        check_matmul(ctx, at, b3, 3, bmn);
        check_matmul(ctx, at, b2, 3, bmn);
        check_matmul(ctx, ap, b2, 3, bmn);
        check_matmul(ctx, ap, b3, 3, bmn);
        check_matmul(ctx, ae, b2, 3, bmn);
        check_matmul(ctx, ae, b3, 3, bmn);
        act_tensor *bt = NULL;
        assert_int_equal(act_transpose(ctx, b3, 1, 2, &bt), ACT_OK);
        check_matmul(ctx, bt, t, 3, (int64_t[]){B, n, m});
        act_tensor_free(bt);
        act_tensor_free(ae), act_tensor_free(ap), act_tensor_free(at);
        act_tensor_free(b2), act_tensor_free(b3), act_tensor_free(one);
        act_tensor_free(p), act_tensor_free(t);
    }
}

/* -------------------------------------------------------- empty dims */

static void expect_zeros(act_context *ctx, act_dtype dt, int na,
                         const int64_t *sa, int nb, const int64_t *sb, int nr,
                         const int64_t *sr)
{
    act_tensor *a = NULL, *b = NULL, *r = NULL;
    assert_int_equal(act_full(ctx, dt, na, sa, NAN, &a), ACT_OK);
    assert_int_equal(act_full(ctx, dt, nb, sb, NAN, &b), ACT_OK);
    assert_int_equal(act_matmul(ctx, a, b, &r), ACT_OK);
    assert_shape(r, nr, sr);
    assert_int_equal(act_tensor_dtype(r), dt);
    double *v = values_of(ctx, r);
    for (int64_t i = 0; i < act_tensor_numel(r); i++)
        assert_true(v[i] == 0); /* an empty sum: 0, whatever a and b hold */
    free(v);
    act_tensor_free(r), act_tensor_free(b), act_tensor_free(a);
}

static void test_empty(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? F64 : F32;
        /* k = 0: a result full of zeros */
        expect_zeros(ctx, dt, 2, (int64_t[]){3, 0}, 2, (int64_t[]){0, 4}, 2,
                     (int64_t[]){3, 4});
        expect_zeros(ctx, dt, 1, (int64_t[]){0}, 1, (int64_t[]){0}, 0, NULL);
        expect_zeros(ctx, dt, 2, (int64_t[]){3, 0}, 1, (int64_t[]){0}, 1,
                     (int64_t[]){3});
        expect_zeros(ctx, dt, 3, (int64_t[]){2, 3, 0}, 2, (int64_t[]){0, 4},
                     3, (int64_t[]){2, 3, 4});
        /* m, n or the batch = 0: an empty result */
        expect_zeros(ctx, dt, 2, (int64_t[]){0, 3}, 2, (int64_t[]){3, 4}, 2,
                     (int64_t[]){0, 4});
        expect_zeros(ctx, dt, 2, (int64_t[]){3, 3}, 2, (int64_t[]){3, 0}, 2,
                     (int64_t[]){3, 0});
        expect_zeros(ctx, dt, 1, (int64_t[]){3}, 2, (int64_t[]){3, 0}, 1,
                     (int64_t[]){0});
        expect_zeros(ctx, dt, 3, (int64_t[]){0, 2, 3}, 3, (int64_t[]){0, 3, 4},
                     3, (int64_t[]){0, 2, 4});
        expect_zeros(ctx, dt, 3, (int64_t[]){0, 2, 3}, 2, (int64_t[]){3, 4}, 3,
                     (int64_t[]){0, 2, 4});
    }
}

/* ------------------------------------------------------------- errors */

static void expect_error(act_context *ctx, const act_tensor *a,
                         const act_tensor *b, act_status status, int arg)
{
    act_tensor *out = NULL;
    assert_int_equal(act_matmul(ctx, a, b, &out), status);
    assert_null(out); /* nothing written on failure */
    assert_int_equal(act_context_status(ctx), status);
    assert_int_equal(act_context_error_arg(ctx), arg);
    assert_string_equal(act_context_error_function(ctx), "matmul");
}

static void test_shape_mismatch(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = randn(ctx, F32, 2, (int64_t[]){4, 2});
    act_tensor *b = randn(ctx, F32, 2, (int64_t[]){5, 5});
    expect_error(ctx, a, b, ACT_E_SHAPE, 2);
    const char *msg = act_context_error(ctx);
    assert_non_null(strstr(msg, "[4,2]"));
    assert_non_null(strstr(msg, "[5,5]"));
    assert_string_equal(act_context_error_detail(ctx),
                        "shapes [4,2] and [5,5] cannot be multiplied: 2 ≠ 5");
    act_tensor *v = randn(ctx, F32, 1, (int64_t[]){3});
    expect_error(ctx, a, v, ACT_E_SHAPE, 2); /* [4,2].[3] */
    assert_non_null(strstr(act_context_error(ctx), "2 ≠ 3"));
    expect_error(ctx, v, b, ACT_E_SHAPE, 2); /* [3].[5,5] */
    expect_error(ctx, v, a, ACT_E_SHAPE, 2); /* [3].[4,2] */
    act_tensor_free(v), act_tensor_free(b), act_tensor_free(a);
}

static void test_batch_mismatch(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = randn(ctx, F64, 3, (int64_t[]){2, 3, 4});
    act_tensor *b = randn(ctx, F64, 3, (int64_t[]){3, 4, 5});
    act_tensor *c = randn(ctx, F64, 3, (int64_t[]){2, 5, 5});
    expect_error(ctx, a, b, ACT_E_SHAPE, 2);
    const char *msg = act_context_error(ctx);
    assert_non_null(strstr(msg, "[2,3,4]"));
    assert_non_null(strstr(msg, "[3,4,5]"));
    assert_non_null(strstr(msg, "batch"));
    expect_error(ctx, a, c, ACT_E_SHAPE, 2); /* batches fit, 4 != 5 */
    assert_non_null(strstr(act_context_error(ctx), "4 ≠ 5"));
    act_tensor_free(c), act_tensor_free(b), act_tensor_free(a);
}

static void test_dtype_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = randn(ctx, F32, 2, (int64_t[]){2, 2});
    act_tensor *b = randn(ctx, F64, 2, (int64_t[]){2, 2});
    act_tensor *i = make(ctx, ACT_DTYPE_I64, 2, (int64_t[]){2, 2},
                         (double[]){1, 2, 3, 4});
    expect_error(ctx, a, b, ACT_E_DTYPE, 2);
    assert_non_null(strstr(act_context_error(ctx), "float32"));
    assert_non_null(strstr(act_context_error(ctx), "float64"));
    expect_error(ctx, b, a, ACT_E_DTYPE, 2);
    expect_error(ctx, i, a, ACT_E_DTYPE, 1);
    assert_non_null(strstr(act_context_error(ctx), "int64"));
    expect_error(ctx, a, i, ACT_E_DTYPE, 2);
    assert_non_null(strstr(act_context_error(ctx), "int64"));
    act_tensor_free(i), act_tensor_free(b), act_tensor_free(a);
}

static void test_rank_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *s = NULL;
    assert_int_equal(act_scalar(ctx, F32, 2, &s), ACT_OK);
    act_tensor *v = randn(ctx, F32, 1, (int64_t[]){1});
    act_tensor *r4 = randn(ctx, F32, 4, (int64_t[]){1, 1, 1, 1});
    expect_error(ctx, s, v, ACT_E_SHAPE, 1);
    assert_non_null(strstr(act_context_error(ctx), "0 dims"));
    expect_error(ctx, v, s, ACT_E_SHAPE, 2);
    expect_error(ctx, s, s, ACT_E_SHAPE, 1);
    expect_error(ctx, r4, v, ACT_E_UNSUPPORTED, 1);
    assert_non_null(strstr(act_context_error(ctx), "4 dims"));
    expect_error(ctx, v, r4, ACT_E_UNSUPPORTED, 2);
    act_tensor_free(r4), act_tensor_free(v), act_tensor_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_step2_slices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expanded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batched_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shape_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dtype_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rank_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

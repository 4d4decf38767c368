/*
 * test_reduce_values.c — reductions against hand-computed values: sum, mean,
 * var and std (float64 accumulation, large offsets, correction edges),
 * logsumexp's stability at +-1000 and infinities, and max, min, argmax and
 * argmin (first of ties, sorted data, transposed views, NaN, infinities).
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 1234
#include "test_support.h"
#include "test_reduce_support.h"

#define LN2 0.69314718055994530942

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

int main(void)
{
    const struct CMUnitTest tests[] = {
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_reduce_edges.c — reductions at their edges: result shapes with and
 * without keepdim, 0-d inputs, empty tensors (sum 0, mean NaN, logsumexp
 * -inf), and the errors (empty max/min, bad dims, int64 refused) by status,
 * argument position and message words, with outputs left untouched.
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 1234
#include "test_support.h"
#include "test_reduce_support.h"

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
        cmocka_unit_test_setup_teardown(test_result_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_reductions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_max_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_dim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int64_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

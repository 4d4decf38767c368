/*
 * test_elementwise.c — unary and binary element-wise functions: values
 * against double-precision libm computed here, extremes, broadcasting over
 * views, in-place aliasing, scalar forms, where, clamp, and their errors.
 */
#include "test_support.h"

static act_tensor *vec(act_dtype dtype, int64_t n, const double *v)
{
    act_tensor *t = NULL;
    assert_int_equal(act_from_doubles(ctx, dtype, 1, &n, v, &t), ACT_OK);
    return t;
}

static double ref_sigmoid(double x) { return 1 / (1 + exp(-x)); }
static double ref_neg(double x) { return -x; }
static double ref_sign(double x) { return (x > 0) - (x < 0); }

static const struct {
    act_unary_op op;
    double (*ref)(double);
    double lo; /* smallest input the function takes */
} unary_cases[] = {
    {ACT_UNARY_NEG, ref_neg, -50},   {ACT_UNARY_ABS, fabs, -50},
    {ACT_UNARY_EXP, exp, -50},       {ACT_UNARY_LOG, log, 1e-3},
    {ACT_UNARY_LOG1P, log1p, -0.9},  {ACT_UNARY_EXPM1, expm1, -50},
    {ACT_UNARY_SQRT, sqrt, 0},       {ACT_UNARY_SIN, sin, -50},
    {ACT_UNARY_COS, cos, -50},       {ACT_UNARY_TANH, tanh, -50},
    {ACT_UNARY_SIGMOID, ref_sigmoid, -50}, {ACT_UNARY_SIGN, ref_sign, -50},
};

static void test_unary_values(void **state)
{
    enum { N = 257 };
    double in[N], out[N];
    for (size_t c = 0; c < sizeof unary_cases / sizeof *unary_cases; c++) {
        for (int i = 0; i < N; i++)
            in[i] = unary_cases[c].lo + (50 - unary_cases[c].lo) * i / (N - 1.0);
        for (act_dtype dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
            act_tensor *x = vec(dt, N, in), *y = NULL;
            assert_int_equal(act_unary(ctx, unary_cases[c].op, x, &y), ACT_OK);
            assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
            double tol = dt == ACT_DTYPE_F32 ? 3e-7 : 1e-15;
            for (int i = 0; i < N; i++) {
                /* float32 inputs are rounded first: compare on those. */
                double xi = dt == ACT_DTYPE_F32 ? (double)(float)in[i] : in[i];
                double want = unary_cases[c].ref(xi);
                if (fabs(out[i] - want) > tol * (1 + fabs(want)) * 4)
                    fail_msg("%s(%g) = %.17g, expected %.17g (%s)",
                             act_unary_name(unary_cases[c].op), xi, out[i],
                             want, act_dtype_name(dt));
            }
            act_tensor_free(x);
            act_tensor_free(y);
        }
    }
}

static void test_extremes_stay_finite(void **state)
{
    double in[4] = {-1000, -88.8, 88.8, 1000}, out[4];
    for (act_dtype dt = ACT_DTYPE_F32; dt <= ACT_DTYPE_F64; dt++) {
        act_tensor *x = vec(dt, 4, in), *y = NULL;
        assert_int_equal(act_unary(ctx, ACT_UNARY_SIGMOID, x, &y), ACT_OK);
        assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
        assert_true(out[0] == 0 && out[3] == 1);
        for (int i = 0; i < 4; i++)
            assert_true(isfinite(out[i]));
        act_tensor_free(y);
        assert_int_equal(act_unary(ctx, ACT_UNARY_TANH, x, &y), ACT_OK);
        assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
        assert_true(out[0] == -1 && out[3] == 1);
        act_tensor_free(y);
        act_tensor_free(x);
    }
}

static void test_binary_broadcast_over_views(void **state)
{
    /* a: a transposed 3x2 view of [[0,1,2],[3,4,5]]; b: a [2] vector. */
    double d6[6] = {0, 1, 2, 3, 4, 5}, d2[2] = {10, 100}, out[6];
    act_tensor *flat = vec(ACT_DTYPE_F32, 6, d6), *m = NULL, *a = NULL, *y = NULL;
    int64_t s23[2] = {2, 3};
    assert_int_equal(act_view(ctx, flat, 2, s23, &m), ACT_OK);
    assert_int_equal(act_transpose(ctx, m, 0, 1, &a), ACT_OK);
    act_tensor *b = vec(ACT_DTYPE_F64, 2, d2);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, a, b, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), ACT_DTYPE_F64); /* promoted */
    assert_int_equal(act_tensor_size(y, 0), 3);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    double want[6] = {0, 300, 10, 400, 20, 500};
    assert_memory_equal(out, want, sizeof want);
    act_tensor_free(y);
    int64_t s4 = 4;
    act_tensor *c = NULL;
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 1, &s4, &c), ACT_OK);
    assert_int_equal(act_binary(ctx, ACT_BINARY_ADD, a, c, &y), ACT_E_SHAPE);
    assert_non_null(strstr(act_context_error(ctx), "add: shapes [3,2] and [4]"));
    assert_int_equal(act_context_error_arg(ctx), 2);
    act_tensor_free(c);
    act_tensor_free(b);
    act_tensor_free(a);
    act_tensor_free(m);
    act_tensor_free(flat);
}

static void test_in_place_aliasing(void **state)
{
    /* m += m^T must read m^T before writing m. */
    double d4[4] = {1, 2, 3, 4}, out[4];
    act_tensor *flat = vec(ACT_DTYPE_F64, 4, d4), *m = NULL, *mt = NULL;
    int64_t s22[2] = {2, 2};
    assert_int_equal(act_view(ctx, flat, 2, s22, &m), ACT_OK);
    assert_int_equal(act_transpose(ctx, m, 0, 1, &mt), ACT_OK);
    assert_int_equal(act_binary_(ctx, ACT_BINARY_ADD, m, mt), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, m, out), ACT_OK);
    double want[4] = {2, 5, 5, 8};
    assert_memory_equal(out, want, sizeof want);
    /* m *= m with one layout is fine in place. */
    assert_int_equal(act_binary_(ctx, ACT_BINARY_MUL, m, m), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, m, out), ACT_OK);
    assert_true(out[1] == 25 && out[3] == 64);
    act_tensor *big = NULL;
    int64_t s322[3] = {3, 2, 2};
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F64, 3, s322, &big), ACT_OK);
    assert_int_equal(act_binary_(ctx, ACT_BINARY_ADD, m, big), ACT_E_SHAPE);
    assert_non_null(strstr(act_context_error(ctx), "[3,2,2]"));
    act_tensor_free(big);
    act_tensor_free(mt);
    act_tensor_free(m);
    act_tensor_free(flat);
}

static void test_scalar_forms_and_nan(void **state)
{
    double d3[3] = {1, NAN, 4}, out[3];
    act_tensor *x = vec(ACT_DTYPE_F32, 3, d3), *y = NULL;
    assert_int_equal(act_scalar_binary(ctx, ACT_BINARY_SUB, 10, x, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), ACT_DTYPE_F32);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    assert_true(out[0] == 9 && isnan(out[1]) && out[2] == 6);
    act_tensor_free(y);
    assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_MAXIMUM, x, 2, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    assert_true(out[0] == 2 && isnan(out[1]) && out[2] == 4); /* NaN kept */
    act_tensor_free(y);
    assert_int_equal(act_clamp(ctx, x, 0, 3, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    assert_true(out[0] == 1 && isnan(out[1]) && out[2] == 3);
    act_tensor_free(y);
    assert_int_equal(act_clamp(ctx, x, 3, 0, &y), ACT_E_ARG);
    assert_int_equal(act_binary_scalar_(ctx, ACT_BINARY_POW, x, 2), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, x, out), ACT_OK);
    assert_true(out[0] == 1 && out[2] == 16);
    act_tensor_free(x);
}

static void test_where_and_compare(void **state)
{
    double c[3] = {1, 0, 1}, a[3] = {1, 2, 3}, b1 = -1, out[3];
    act_tensor *tc = vec(ACT_DTYPE_F32, 3, c), *ta = vec(ACT_DTYPE_F32, 3, a);
    act_tensor *tb = NULL, *y = NULL;
    assert_int_equal(act_scalar(ctx, ACT_DTYPE_F32, b1, &tb), ACT_OK);
    assert_int_equal(act_where(ctx, tc, ta, tb, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    assert_true(out[0] == 1 && out[1] == -1 && out[2] == 3);
    act_tensor_free(y);
    assert_int_equal(act_binary(ctx, ACT_BINARY_GE, ta, tb, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, out), ACT_OK);
    assert_true(out[0] == 1 && out[1] == 1 && out[2] == 1);
    act_tensor_free(y);
    act_tensor_free(tc);
    act_tensor_free(ta);
    act_tensor_free(tb);
}

static void test_int64_refused(void **state)
{
    double d[2] = {1, 2};
    act_tensor *x = vec(ACT_DTYPE_I64, 2, d), *y = NULL;
    assert_int_equal(act_unary(ctx, ACT_UNARY_EXP, x, &y), ACT_E_DTYPE);
    assert_non_null(strstr(act_context_error(ctx), "exp: expected a float32 or float64"));
    assert_int_equal(act_binary_(ctx, ACT_BINARY_ADD, x, x), ACT_E_DTYPE);
    /* Out of place, int64 operands are converted to float. */
    assert_int_equal(act_binary(ctx, ACT_BINARY_ADD, x, x, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), ACT_DTYPE_F32);
    act_tensor_free(y);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unary_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extremes_stay_finite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_broadcast_over_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_place_aliasing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_forms_and_nan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_where_and_compare, setup, teardown),
        cmocka_unit_test_setup_teardown(test_int64_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_pow.c — pow's exponents 1, 2 and 3, which the kernels compute as
 * products (ACT_POW in grad_rules.h): values against the C library's pow
 * within an ulp, in both dtypes and on every operand form, including
 * negative bases, zeros, infinities and NaN; gradients against float64
 * central differences.
 */
#define TEST_SEED 3
#include "test_support.h"

static const double bases[] = {-3.5, -1, -0.0, 0, 1e-3, 0.7, 2, 1e20,
                               INFINITY, -INFINITY, NAN};
#define NB ((int)(sizeof bases / sizeof *bases))

/* got is want, or within one ulp of it at want's precision. */
static void assert_ulp(double got, double want, bool f32)
{
    if (isnan(want)) {
        assert_true(isnan(got));
        return;
    }
    if (isinf(want) || want == 0) {
        assert_true(got == want && signbit(got) == signbit(want));
        return;
    }
    double ulp = f32 ? fabs(want) * 0x1p-23 : fabs(want) * 0x1p-52;
    if (!(fabs(got - want) <= ulp)) {
        print_error("got %.17g, want %.17g\n", got, want);
        fail();
    }
}

static void test_small_exponents_match_pow(void **state)
{
    for (int d = 0; d < 2; d++) {
        act_dtype dt = d ? F64 : F32;
        act_tensor *x = make(dt, 1, SHAPE(NB), bases, false);
        for (int e = 1; e <= 3; e++) {
            act_tensor *ex = make(dt, 1, SHAPE(NB), (double[]){e, e, e, e, e, e, e, e, e, e, e}, false);
            act_tensor *ys[2] = {NULL, NULL};
            assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_POW, x, e, &ys[0]), ACT_OK);
            assert_int_equal(act_binary(ctx, ACT_BINARY_POW, x, ex, &ys[1]), ACT_OK);
            for (int k = 0; k < 2; k++) {
                double got[NB];
                values(ys[k], got);
                for (int i = 0; i < NB; i++) {
                    double b = d ? bases[i] : (double)(float)bases[i];
                    double want = d ? pow(b, e) : (double)powf((float)b, (float)e);
                    assert_ulp(got[i], want, !d);
                }
                act_tensor_free(ys[k]);
            }
            act_tensor_free(ex);
        }
        act_tensor_free(x);
    }
}

typedef struct {
    double e;
} exponent;

static act_status pow_fn(act_context *c, int n, act_tensor *const *in,
                         void *user, act_tensor **out)
{
    (void)n;
    return act_binary_scalar(c, ACT_BINARY_POW, in[0], ((exponent *)user)->e, out);
}

static act_status pow_both_fn(act_context *c, int n, act_tensor *const *in,
                              void *user, act_tensor **out)
{
    (void)n, (void)user;
    return act_binary(c, ACT_BINARY_POW, in[0], in[1], out);
}

/* Negative bases included: integer exponents are defined there. */
static void test_small_exponent_gradients(void **state)
{
    for (int e = 1; e <= 3; e++) {
        exponent u = {e};
        act_tensor *x = NULL;
        assert_int_equal(act_uniform(ctx, F64, 2, SHAPE(3, 4), -2, 2, NULL, &x), ACT_OK);
        assert_int_equal(act_tensor_set_requires_grad(ctx, x, true), ACT_OK);
        check_grads(pow_fn, &u, 1, (act_tensor *[]){x});
        act_tensor_free(x);
    }
    /* Both sides: exponents 1, 2, 3 and 2.5 (the C library's pow) on
     * positive bases, where d/db = a^b log a exists. */
    act_tensor *a = make(F64, 1, SHAPE(4), VALUES(0.5, 1.5, 2, 3), true);
    act_tensor *b = make(F64, 1, SHAPE(4), VALUES(1, 2, 3, 2.5), true);
    check_grads(pow_both_fn, NULL, 2, (act_tensor *[]){a, b});
    act_tensor_free(a);
    act_tensor_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_small_exponents_match_pow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_exponent_gradients, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_gelu_accuracy.c — the float32 gelu (erf form) and its derivative,
 * on the vector path (activations_simd.inc on act_simd_f32x2's
 * ACT_VF2_GELU) and the scalar one (computed in double), against long
 * double references (erfcl, expl: nothing shared with either path) over
 * every STEP-th float in [-12, 12] and special values.
 */
#include "test_support.h"

#include <float.h>

#include "act_internal.h"
#include "simd.h"

/* The bounds the sweep asserts, in ulps of the reference where that is a
 * normal float, else in subnormal steps. gelu' = Phi(x) + x pdf(x) passes
 * through 0 near x = -0.7518, where its terms cancel: there the error is
 * counted in ulps of the larger term, |x| pdf(x) (see error_of). With STEP
 * 7 (313 million points, a minute a path) the vector path's worst is
 * 5.07 ulp for gelu (at -6.0848751: Phi's tail as v_erfc's, 4.4, and the
 * product by x) and 4.26 for gelu' (at -0.019822579); the scalar path's
 * 0.5 and 1.0. */
#define MAX_ULP_SIMD 5.5
#define MAX_ULP_SCALAR 1.0
#ifndef STEP /* odd, so that the low mantissa bits take every value */
#define STEP 509
#endif
#define BLOCK 65536

static long double gelu_ref(long double x)
{
    return x * 0.5L * erfcl(-x * 0.70710678118654752440084436210484904L);
}

/* The derivative and the magnitude of its larger term (its scale). */
static long double dgelu_ref(long double x, long double *scale)
{
    long double pdf = expl(-0.5L * x * x) * 0.39894228040143267793994605993438187L;
    long double phi = 0.5L * erfcl(-x * 0.70710678118654752440084436210484904L);
    *scale = fabsl(x * pdf) > phi ? fabsl(x * pdf) : phi;
    return phi + (pdf == 0 ? 0 : x * pdf);
}

/* |r - ref| in ulps of scale (>= |ref|) where ref is a normal float, else
 * in steps of the smallest subnormal. */
static double error_of(float r, long double ref, long double scale, bool *normal)
{
    *normal = fabsl(ref) >= FLT_MIN;
    long double diff = fabsl((long double)r - ref);
    if (!*normal)
        return (double)(diff / FLT_TRUE_MIN);
    int e;
    frexpl(scale, &e);
    return (double)(diff / ldexpl(1, e - FLT_MANT_DIG));
}

typedef struct {
    double ulp[2], sub[2]; /* the worst of each kind, for f and f' */
    float at[2];
    long count;
} worst;

/* y = gelu(x) and g = gelu'(x) for the n doubles xd, in float32 through
 * the activation and its backward, on the vector path or the scalar one. */
static void gelu_and_grad(bool simd, const double *xd, int n, double *y, double *g)
{
    ctx->simd = simd;
    act_tensor *xt = make(F32, 1, SHAPE(n), xd, true), *out;
    assert_int_equal(act_activate(ctx, act_activation_find("gelu"), xt, NULL, &out),
                     ACT_OK);
    values(out, y);
    backward_sum(out);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(xt), g), ACT_OK);
    act_tensor_free(xt);
}

/* gelu and gelu' of x[0..n-1] on one path, measured against the
 * references into w. */
static void check_block(bool simd, const float *x, int n, worst *w)
{
    static double xd[BLOCK], y[BLOCK], g[BLOCK];
    for (int i = 0; i < n; i++)
        xd[i] = x[i];
    gelu_and_grad(simd, xd, n, y, g);
    for (int i = 0; i < n; i++) {
        long double scale, ref[2];
        ref[0] = gelu_ref(x[i]);
        ref[1] = dgelu_ref(x[i], &scale);
        float got[2] = {(float)y[i], (float)g[i]};
        for (int k = 0; k < 2; k++) {
            bool normal;
            double e = error_of(got[k], ref[k], k ? scale : fabsl(ref[k]), &normal);
            double *slot = normal ? &w->ulp[k] : &w->sub[k];
            if (!(e <= *slot)) { /* NaN counts as worse */
                *slot = e;
                if (normal)
                    w->at[k] = x[i];
            }
        }
    }
    w->count += n;
}

/* One path's sweep: every STEP-th float up to 12 in magnitude. */
typedef struct {
    bool simd;
    worst w;
} gelu_sweep;

static void check_each(void *user, const float *x, int n)
{
    gelu_sweep *s = user;
    check_block(s->simd, x, n, &s->w);
}

static void sweep(bool simd, worst *w)
{
    static float x[BLOCK];
    gelu_sweep s = {.simd = simd};
    sweep_floats(12, STEP, x, BLOCK, check_each, &s);
    *w = s.w;
}

static void report_and_assert(const char *path, const worst *w, double bound)
{
    for (int k = 0; k < 2; k++)
        print_message("%s gelu%s: %ld points, at most %.3f ulp (at %.9g), "
                      "%.3f subnormal steps\n", path, k ? "'" : "", w->count,
                      w->ulp[k], (double)w->at[k], w->sub[k]);
    assert_true(w->count > 4000000);
    for (int k = 0; k < 2; k++) {
        assert_true(w->ulp[k] <= bound);
        assert_true(w->sub[k] <= bound);
    }
}

/* The vector path: the worst with STEP 7 is printed when run. */
static void test_simd_sweep(void **state)
{
    if (!act_simd_cpu())
        skip();
    worst w = {0};
    sweep(true, &w);
    report_and_assert("simd", &w, MAX_ULP_SIMD);
}

/* The scalar path, in double, rounds once (or twice) to float. */
static void test_scalar_sweep(void **state)
{
    worst w = {0};
    sweep(false, &w);
    report_and_assert("scalar", &w, MAX_ULP_SCALAR);
}

/* Special values, exactly, on both paths: the zeros and tiny inputs (x/2
 * and 1/2), the infinities (gelu(-inf) = -inf * 0 is NaN, as in PyTorch),
 * NaN, and ±1000 where Phi is 0 or 1. */
static void test_special_values(void **state)
{
    static const struct { float x, f, d; } cases[] = {
        {0.0f, 0, 0.5f}, {-0.0f, -0.0f, 0.5f}, {1e-30f, 5e-31f, 0.5f},
        {-1e-30f, -5e-31f, 0.5f}, {INFINITY, INFINITY, 1}, {-INFINITY, NAN, 0},
        {NAN, NAN, NAN}, {1000, 1000, 1}, {-1000, -0.0f, 0},
    };
    enum { NC = sizeof cases / sizeof *cases };
    double xd[NC], y[NC], g[NC];
    for (int i = 0; i < NC; i++)
        xd[i] = cases[i].x;
    for (int simd = 0; simd <= act_simd_cpu(); simd++) {
        gelu_and_grad(simd, xd, NC, y, g);
        for (int i = 0; i < NC; i++) {
            bool ok = (isnan(cases[i].f) ? isnan(y[i])
                                         : (float)y[i] == cases[i].f &&
                                               !signbit(y[i]) == !signbit(cases[i].f)) &&
                      (isnan(cases[i].d) ? isnan(g[i]) : (float)g[i] == cases[i].d);
            if (!ok)
                print_error("%s: gelu(%g) = %.9g, gelu' %.9g; want %.9g, %.9g\n",
                            simd ? "simd" : "scalar", (double)cases[i].x, y[i],
                            g[i], (double)cases[i].f, (double)cases[i].d);
            assert_true(ok);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_simd_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_values, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_simd_erfc.c — the vector erfc of simd.h (engine/simd_sleef.inc's
 * v_erfc, its own polynomial around SLEEF's expf) against the C library's
 * double erfc: a sweep over every 61st float in [-10.5, 10.5] and special
 * values, in each instance the CPU has. Where the result is a normal float
 * it is within MAX_ULP ulp; below, within MAX_ULP subnormal steps (the
 * ulp of the smallest normals, so the same bound carried down).
 */
#include "test_support.h"

#include <float.h>

#include "simd.h"

/* The bound the sweeps assert. Run with STEP 1 (every float in [-10, 10], a
 * minute), the worst is 4.455 ulp (at 6.47526741) and 1.96
 * subnormal steps: v_erfc's roundings (about nine, SLEEF's expf's 1 ulp
 * among them) can add up to that, though 95% of results are within 1 ulp
 * and 99.6% within 2. */
#define MAX_ULP 4.5
#define BLOCK 4096

/* |r - ref| in ulps of ref where ref is a normal float, else in steps of
 * the smallest subnormal. */
static double error_of(float r, double ref, bool *normal)
{
    double a = fabs(ref);
    *normal = a >= FLT_MIN;
    if (!*normal)
        return fabs(r - ref) / FLT_TRUE_MIN;
    int e;
    frexp(a, &e);
    return fabs(r - ref) / ldexp(1, e - FLT_MANT_DIG);
}

typedef struct {
    double ulp, sub; /* the worst of each kind */
    float at_ulp, at_sub;
    long count;
} worst;

static void check_block(act_simd_isa isa, const float *z, int n, worst *w)
{
    float r[BLOCK];
    act_simd_f32_isa(isa, ACT_VF_ERFC, r, z, NULL, n);
    for (int i = 0; i < n; i++) {
        bool normal;
        double e = error_of(r[i], erfc((double)z[i]), &normal);
        if (normal && !(e <= w->ulp)) /* NaN counts as worse */
            w->ulp = e, w->at_ulp = z[i];
        if (!normal && !(e <= w->sub))
            w->sub = e, w->at_sub = z[i];
    }
    w->count += n;
}

/* One instance's sweep: every 61st float up to 10.5 in magnitude. */
typedef struct {
    act_simd_isa isa;
    worst w;
} erfc_sweep;

static void check_each(void *user, const float *z, int n)
{
    erfc_sweep *s = user;
    check_block(s->isa, z, n, &s->w);
}

static void sweep(act_simd_isa isa, worst *w)
{
    static float z[BLOCK];
    erfc_sweep s = {.isa = isa};
    sweep_floats(10.5f, 61, z, BLOCK, check_each, &s);
    *w = s.w;
}

static void test_sweep_against_double_erfc(void **state)
{
    if (!act_simd_cpu())
        skip();
    for (act_simd_isa isa = ACT_SIMD_AVX2; isa <= act_simd_cpu_isa(); isa++) {
        worst w = {0};
        sweep(isa, &w);
        print_message("%s: %ld points, at most %.3f ulp (at %.9g), %.3f "
                      "subnormal steps (at %.9g)\n",
                      isa == ACT_SIMD_AVX2 ? "AVX2" : "AVX-512", w.count, w.ulp,
                      (double)w.at_ulp, w.sub, (double)w.at_sub);
        assert_true(w.count > 30000000);
        assert_true(w.ulp <= MAX_ULP);
        assert_true(w.sub <= MAX_ULP);
    }
}

/* Exact results where erfc's value is exact in float: 1 at zero and below
 * 2^-25 or so in magnitude, 0 and 2 far out and at the infinities; NaN for
 * NaN; and the tail near 10 that rounds to a subnormal or 0. */
static void test_special_values(void **state)
{
    if (!act_simd_cpu())
        skip();
    static const struct { float z, want; } cases[] = {
        {0.0f, 1}, {-0.0f, 1}, {1e-30f, 1}, {-1e-30f, 1}, {FLT_TRUE_MIN, 1},
        {-FLT_TRUE_MIN, 1}, {FLT_MIN, 1}, {1e-8f, 1}, {-1e-8f, 1},
        {INFINITY, 0}, {-INFINITY, 2}, {FLT_MAX, 0}, {-FLT_MAX, 2},
        {1e30f, 0}, {-1e30f, 2}, {11, 0}, {10.1f, 0}, {100, 0}, {-10, 2},
        {-5, 2}, {-1000, 2},
    };
    enum { NC = sizeof cases / sizeof *cases };
    float z[NC + 2], r[NC + 2];
    for (int i = 0; i < NC; i++)
        z[i] = cases[i].z;
    z[NC] = NAN, z[NC + 1] = -NAN;
    for (act_simd_isa isa = ACT_SIMD_AVX2; isa <= act_simd_cpu_isa(); isa++) {
        act_simd_f32_isa(isa, ACT_VF_ERFC, r, z, NULL, NC + 2);
        for (int i = 0; i < NC; i++) {
            if (r[i] != cases[i].want)
                print_error("erfc(%.9g) = %.9g, want %.9g\n", (double)z[i],
                            (double)r[i], (double)cases[i].want);
            assert_true(r[i] == cases[i].want);
        }
        assert_true(isnan(r[NC]) && isnan(r[NC + 1]));
    }
}

/* Over the underflow region, 9 to 10.1, every float: the result is within
 * MAX_ULP subnormal steps where it is subnormal. */
static void test_underflow_region(void **state)
{
    if (!act_simd_cpu())
        skip();
    float lo = 9, hi = 10.1f, z[BLOCK];
    uint32_t b, end;
    memcpy(&b, &lo, sizeof b);
    memcpy(&end, &hi, sizeof end);
    worst w = {0};
    int n = 0;
    for (; b <= end; b++) {
        memcpy(&z[n++], &b, sizeof b);
        if (n == BLOCK || b == end) {
            check_block(act_simd_cpu_isa(), z, n, &w);
            n = 0;
        }
    }
    print_message("[9, 10.1]: at most %.3f ulp, %.3f subnormal steps\n", w.ulp,
                  w.sub);
    assert_true(w.ulp <= MAX_ULP);
    assert_true(w.sub <= MAX_ULP);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep_against_double_erfc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_underflow_region, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

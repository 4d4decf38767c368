/*
 * test_simd_isa.c — the two instances of the float32 vector math
 * (engine/simd_avx2.c, 8 lanes; engine/simd_avx512.c, 16 lanes) give the
 * same bits for every function of simd.h, on special values (±0,
 * denormals, ±inf, NaN, ±1000, 1e38, overflow edges) and millions of
 * random ones (both results of the two-result functions), so a seed gives the same results on CPUs with and without
 * AVX-512; and ACTLUA_SIMD=avx2 selects the 8-lane instance.
 */
#include "test_support.h"

#include <float.h>

#include "act_internal.h"
#include "simd.h"

#define N (1 << 22) /* and a ragged tail: n = N - 5 */

static const float special[] = {
    0.0f, -0.0f, NAN, -NAN, INFINITY, -INFINITY, 1000, -1000, 1e38f, -1e38f,
    3e38f, -3e38f, 1e-40f, -1e-40f, 1.4e-45f, -1.4e-45f, FLT_MIN, -FLT_MIN,
    FLT_MAX, -FLT_MAX, 1, -1, 0.5f, -0.5f, 88.72283f, 88.72284f, -87.33654f,
    -103.97f, -104, 89, -89, 1e-8f, -1e-8f, 1.5707964f, -1.5707964f,
    3.1415927f, 1e4f, -1e4f, 1e6f, 1e20f, -1e20f, 20, -20, 9, -9, 2, 0.1f,
    -0.9999999f, 125.0f, 105414.36f, 1e30f, 12.5f, -12.5f, 3, -3,
};
#define NSPECIAL ((int)(sizeof special / sizeof special[0]))

static uint64_t rng = 0x452821e638d01377u;

static uint64_t next(void) /* xorshift64* */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return rng * 2685821657736338717u;
}

static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

/* A third any bit pattern (NaN payloads, denormals, every exponent), a
 * third log-uniform magnitudes from 1e-44 to 1e38 of either sign, a third
 * dense over [-100, 100]; special values first, and for pow each special
 * base against each special exponent. */
static void fill(float *a, float *b)
{
    for (int i = 0; i < N; i++) {
        for (int k = 0; k < 2; k++) {
            float *v = k ? b : a, x;
            int kind = (int)(next() >> 62) % 3;
            if (kind == 0) {
                uint32_t bits = (uint32_t)(next() >> 32);
                memcpy(&x, &bits, sizeof x);
            } else if (kind == 1) {
                double s = uniform() < 0.5 ? -1 : 1;
                x = (float)(s * pow(10, -44 + 82 * uniform()));
            } else {
                x = (float)(-100 + 200 * uniform());
            }
            v[i] = x;
        }
        if (i < NSPECIAL * NSPECIAL) {
            a[i] = special[i / NSPECIAL];
            b[i] = special[i % NSPECIAL];
        }
    }
}

static const char *const names[ACT_VF_COUNT] = {
    "exp", "expm1", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh",
    "erf", "erfc", "sigmoid", "softplus", "pow",
};

static const char *const names2[ACT_VF2_COUNT] = {"gelu parts"};

/* The two-result functions through both instances: how many results
 * differ (r8 and r16 are scratch of n floats). */
static int two_results_differ(const float *a, float *r8, float *r16, int n)
{
    float *e8 = malloc(n * sizeof *e8), *e16 = malloc(n * sizeof *e16);
    assert_true(e8 && e16);
    int bad = 0;
    for (int f = 0; f < ACT_VF2_COUNT; f++) {
        act_simd_f32x2_isa(ACT_SIMD_AVX2, (act_vfn2)f, r8, e8, a, n);
        act_simd_f32x2_isa(ACT_SIMD_AVX512, (act_vfn2)f, r16, e16, a, n);
        int diff = 0;
        for (int i = 0; i < n; i++)
            if ((memcmp(&r8[i], &r16[i], sizeof(float)) ||
                 memcmp(&e8[i], &e16[i], sizeof(float))) && diff++ < 3)
                print_error("%s(%.9g): AVX2 %.9g %.9g, AVX-512 %.9g %.9g\n",
                            names2[f], a[i], r8[i], e8[i], r16[i], e16[i]);
        if (diff)
            print_error("%s: %d of %d results differ\n", names2[f], diff, n);
        bad += diff;
    }
    free(e8), free(e16);
    return bad;
}

static int two_results_depend_on_neighbours(const float *a, int m);

static void test_instances_give_the_same_bits(void **state)
{
    if (act_simd_cpu_isa() < ACT_SIMD_AVX512) {
        print_message("no AVX-512F on this CPU: one instance, nothing to compare\n");
        skip();
    }
    float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    float *r8 = malloc(N * sizeof *r8), *r16 = malloc(N * sizeof *r16);
    assert_true(a && b && r8 && r16);
    fill(a, b);
    int n = N - 5; /* both instances pad a tail */
    int bad = 0;
    for (int f = 0; f < ACT_VF_COUNT; f++) {
        act_simd_f32_isa(ACT_SIMD_AVX2, (act_vfn)f, r8, a, b, n);
        act_simd_f32_isa(ACT_SIMD_AVX512, (act_vfn)f, r16, a, b, n);
        int diff = 0;
        for (int i = 0; i < n; i++)
            if (memcmp(&r8[i], &r16[i], sizeof(float)) && diff++ < 3)
                print_error("%s(%.9g, %.9g): AVX2 %.9g, AVX-512 %.9g\n",
                            names[f], a[i], f == ACT_VF_POW ? b[i] : 0.0f,
                            r8[i], r16[i]);
        if (diff)
            print_error("%s: %d of %d results differ\n", names[f], diff, n);
        bad += diff;
    }
    bad += two_results_differ(a, r8, r16, n);
    free(a), free(b), free(r8), free(r16);
    assert_int_equal(bad, 0);
}

/* Each result has the bits the input gets alone (in a vector of copies of
 * itself), whatever its neighbours: SLEEF's sinf and cosf change their
 * small lanes' bits when another lane is large, which simd_sleef.inc
 * works around. Both instances, on the first M inputs. */
static void test_results_do_not_depend_on_neighbours(void **state)
{
    enum { M = 1 << 17 };
    static float a[N], b[N], mixed[M];
    fill(a, b);
    int bad = 0;
    for (act_simd_isa isa = ACT_SIMD_AVX2; isa <= act_simd_cpu_isa(); isa++)
        for (int f = 0; f < ACT_VF_COUNT; f++) {
            act_simd_f32_isa(isa, (act_vfn)f, mixed, a, b, M);
            for (int i = 0; i < M; i++) {
                float va[16], vb[16];
                for (int j = 0; j < 16; j++)
                    va[j] = a[i], vb[j] = b[i];
                act_simd_f32_isa(isa, (act_vfn)f, va, va, vb, 16);
                if (memcmp(&va[0], &mixed[i], sizeof(float)) && bad++ < 5)
                    print_error("%s(%.9g, %.9g), %s: %.9g among others, %.9g alone\n",
                                names[f], a[i], f == ACT_VF_POW ? b[i] : 0.0f,
                                isa == ACT_SIMD_AVX2 ? "AVX2" : "AVX-512",
                                mixed[i], va[0]);
            }
        }
    assert_int_equal(bad + two_results_depend_on_neighbours(a, M), 0);
}

/* As above, for the two-result functions: both results. */
static int two_results_depend_on_neighbours(const float *a, int m)
{
    float *d = malloc(m * sizeof *d), *e = malloc(m * sizeof *e);
    assert_true(d && e);
    int bad = 0;
    for (act_simd_isa isa = ACT_SIMD_AVX2; isa <= act_simd_cpu_isa(); isa++)
        for (int f = 0; f < ACT_VF2_COUNT; f++) {
            act_simd_f32x2_isa(isa, (act_vfn2)f, d, e, a, m);
            for (int i = 0; i < m; i++) {
                float va[16], vd[16], ve[16];
                for (int j = 0; j < 16; j++)
                    va[j] = a[i];
                act_simd_f32x2_isa(isa, (act_vfn2)f, vd, ve, va, 16);
                if ((memcmp(&vd[0], &d[i], sizeof(float)) ||
                     memcmp(&ve[0], &e[i], sizeof(float))) && bad++ < 5)
                    print_error("%s(%.9g), %s: %.9g %.9g among others, "
                                "%.9g %.9g alone\n", names2[f], a[i],
                                isa == ACT_SIMD_AVX2 ? "AVX2" : "AVX-512",
                                d[i], e[i], vd[0], ve[0]);
            }
        }
    free(d), free(e);
    return bad;
}

/* ACTLUA_SIMD=avx2, read when a context is created, selects the 8-lane
 * instance; without it the best the CPU has runs. */
static void test_environment_selects_the_instance(void **state)
{
    const char *old = getenv("ACTLUA_SIMD");
    char *saved = old ? strdup(old) : NULL;
    assert_int_equal(setenv("ACTLUA_SIMD", "avx2", 1), 0);
    act_context *c = act_context_new();
    assert_non_null(c);
    act_simd_isa forced = act_simd_active_isa();
    act_context_free(c);
    assert_int_equal(unsetenv("ACTLUA_SIMD"), 0);
    assert_non_null(c = act_context_new());
    act_simd_isa best = act_simd_active_isa();
    act_context_free(c);
    bool had = saved != NULL;
    if (had)
        assert_int_equal(setenv("ACTLUA_SIMD", saved, 1), 0);
    free(saved);
    act_simd_isa cpu = act_simd_cpu_isa();
    assert_int_equal(best, cpu);
    assert_int_equal(forced, cpu < ACT_SIMD_AVX2 ? cpu : ACT_SIMD_AVX2);
    if (had) /* restore what the environment asked for */
        act_context_free(act_context_new());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_instances_give_the_same_bits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_results_do_not_depend_on_neighbours, setup, teardown),
        cmocka_unit_test_setup_teardown(test_environment_selects_the_instance, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

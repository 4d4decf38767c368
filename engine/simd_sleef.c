/*
 * simd_sleef.c — float32 functions over arrays (exp, log, sin, tanh, erf,
 * pow, and sigmoid and softplus built on exp), 8 elements at a time with
 * SLEEF's AVX2 + FMA functions, the 1.0-ulp variants (erfc: 1.5), as
 * simd.h describes them. The file is
 * compiled for AVX2 + FMA whatever the build's flags, so nothing here may
 * run before act_simd_cpu() (in simd.c, compiled for the baseline) says
 * the CPU has both.
 */
#include "simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* Before any include: the intrinsics and sleef.h's __m256 declarations
 * are only visible where __AVX2__ is defined, which this pragma does. */
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include <sleef.h>
#include <string.h>

/* SLEEF's AVX2 functions by name rather than its run-time dispatchers
 * (Sleef_expf8_u10): the dispatcher may choose its plain-AVX code on a CPU
 * that has AVX2, and the bits would then depend on the machine. */
#define V_EXP Sleef_expf8_u10avx2

static inline __m256 neg_abs(__m256 x)
{
    return _mm256_or_ps(x, _mm256_set1_ps(-0.0f));
}

/* math_scalar.inc's split sigmoid, sig_e: the numerator (x >= 0 ? 1 : e,
 * e = e^-|x|) over 1 + e, the same arithmetic, so it differs from the
 * scalar one only by the exp; NaN in, NaN out (the comparison is false, e
 * is NaN). */
static inline __m256 v_sigmoid(__m256 x)
{
    __m256 one = _mm256_set1_ps(1.0f);
    __m256 e = V_EXP(neg_abs(x));
    __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
    return _mm256_div_ps(_mm256_blendv_ps(e, one, pos), _mm256_add_ps(one, e));
}

/* softplus0(z) = max(z, 0) + log1p(e^-|z|), as in math_scalar.inc: the
 * mask keeps z where z > 0 and gives +0 elsewhere (NaN included, whose
 * log1p term is NaN). */
static inline __m256 v_softplus(__m256 z)
{
    __m256 l = Sleef_log1pf8_u10avx2(V_EXP(neg_abs(z)));
    __m256 pos = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_GT_OQ);
    return _mm256_add_ps(_mm256_and_ps(pos, z), l);
}

/* SLEEF 3.5's log1pf gives inf above 1e38 (its issue #473, fixed in
 * 3.7 the same way): there log1p(x) is log(x) to far below an ulp. The
 * test is per lane, so a lane's result never depends on its neighbours. */
static inline __m256 v_log1p(__m256 x)
{
    __m256 r = Sleef_log1pf8_u10avx2(x);
    __m256 big = _mm256_cmp_ps(x, _mm256_set1_ps(1e38f), _CMP_GT_OQ);
    if (_mm256_movemask_ps(big))
        r = _mm256_blendv_ps(r, Sleef_logf8_u10avx2(x), big);
    return r;
}

/* One loop per operation over 8 lanes. The last n % 8 elements go through
 * the same vector function in a zero-padded temporary, never through
 * scalar libm, so an element's result does not depend on where in the
 * block it sits. d may be a or b (a register reused in place). */
#define MAP1(name, F)                                                         \
    static void name(float *d, const float *a, const float *b, int n)        \
    {                                                                         \
        (void)b;                                                              \
        int i = 0;                                                            \
        for (; i + 8 <= n; i += 8)                                            \
            _mm256_storeu_ps(d + i, F(_mm256_loadu_ps(a + i)));               \
        if (i < n) {                                                          \
            float t[8] = {0};                                                 \
            memcpy(t, a + i, (size_t)(n - i) * sizeof *t);                    \
            _mm256_storeu_ps(t, F(_mm256_loadu_ps(t)));                       \
            memcpy(d + i, t, (size_t)(n - i) * sizeof *t);                    \
        }                                                                     \
    }

#define MAP2(name, F)                                                         \
    static void name(float *d, const float *a, const float *b, int n)        \
    {                                                                         \
        int i = 0;                                                            \
        for (; i + 8 <= n; i += 8)                                            \
            _mm256_storeu_ps(d + i, F(_mm256_loadu_ps(a + i),                 \
                                      _mm256_loadu_ps(b + i)));               \
        if (i < n) {                                                          \
            float s[8] = {0}, t[8] = {0};                                     \
            memcpy(s, a + i, (size_t)(n - i) * sizeof *s);                    \
            memcpy(t, b + i, (size_t)(n - i) * sizeof *t);                    \
            _mm256_storeu_ps(t, F(_mm256_loadu_ps(s), _mm256_loadu_ps(t)));   \
            memcpy(d + i, t, (size_t)(n - i) * sizeof *t);                    \
        }                                                                     \
    }

/* sqrt is exact in both paths (the same bits); it is here because the
 * scalar loop, which must keep errno semantics, is not vectorised. */
MAP1(run_exp, V_EXP)
MAP1(run_log, Sleef_logf8_u10avx2)
MAP1(run_log1p, v_log1p)
MAP1(run_expm1, Sleef_expm1f8_u10avx2)
MAP1(run_sqrt, _mm256_sqrt_ps)
MAP1(run_sin, Sleef_sinf8_u10avx2)
MAP1(run_cos, Sleef_cosf8_u10avx2)
MAP1(run_tan, Sleef_tanf8_u10avx2)
MAP1(run_tanh, Sleef_tanhf8_u10avx2)
MAP1(run_erf, Sleef_erff8_u10avx2)
MAP1(run_erfc, Sleef_erfcf8_u15avx2)
MAP1(run_sigmoid, v_sigmoid)
MAP1(run_softplus, v_softplus)
MAP2(run_pow, Sleef_powf8_u10avx2)

typedef void (*simd_fn)(float *d, const float *a, const float *b, int n);

static const simd_fn table[ACT_VF_COUNT] = {
    [ACT_VF_EXP] = run_exp,         [ACT_VF_EXPM1] = run_expm1,
    [ACT_VF_LOG] = run_log,         [ACT_VF_LOG1P] = run_log1p,
    [ACT_VF_SQRT] = run_sqrt,       [ACT_VF_SIN] = run_sin,
    [ACT_VF_COS] = run_cos,         [ACT_VF_TAN] = run_tan,
    [ACT_VF_TANH] = run_tanh,       [ACT_VF_ERF] = run_erf,
    [ACT_VF_ERFC] = run_erfc,       [ACT_VF_SIGMOID] = run_sigmoid,
    [ACT_VF_SOFTPLUS] = run_softplus, [ACT_VF_POW] = run_pow,
};

void act_simd_f32(act_vfn f, float *d, const float *a, const float *b, int n)
{
    table[f](d, a, b, n);
}

#else /* not x86-64 with GCC: act_simd_cpu() is false, nothing calls this */

void act_simd_f32(act_vfn f, float *d, const float *a, const float *b, int n)
{
    (void)f, (void)d, (void)a, (void)b, (void)n;
}

#endif

/*
 * simd_avx2.c — simd_sleef.inc's vector math 8 floats at a time with
 * SLEEF's AVX2 + FMA functions. Compiled for AVX2 + FMA whatever the
 * build's flags, so nothing here may run before simd.c (compiled for the
 * baseline) has found both on the CPU.
 */
#include "simd.h"

#if ACT_SIMD_X86
/* Before any include: the intrinsics and sleef.h's __m256 declarations
 * are only visible where __AVX2__ is defined, which this pragma does. */
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#include <math.h>
#include <sleef.h>
#include <string.h>

#define VEC __m256
#define MASK __m256
#define LANES 8
#define V_LOAD _mm256_loadu_ps
#define V_STORE _mm256_storeu_ps
#define V_SET1 _mm256_set1_ps
#define V_ZERO _mm256_setzero_ps
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_MIN _mm256_min_ps
#define V_FMA _mm256_fmadd_ps
#define V_FMS _mm256_fmsub_ps
#define V_FNMA _mm256_fnmadd_ps
#define V_DIV _mm256_div_ps
#define V_SQRT _mm256_sqrt_ps
#define V_ABS(x) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (x))
#define V_NEG_ABS(x) _mm256_or_ps((x), _mm256_set1_ps(-0.0f))
#define V_CMP_GE(a, b) _mm256_cmp_ps((a), (b), _CMP_GE_OQ)
#define V_CMP_GT(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define V_CMP_LT(a, b) _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define V_ISNAN(x) _mm256_cmp_ps((x), (x), _CMP_UNORD_Q)
#define V_SELECT(m, t, f) _mm256_blendv_ps((f), (t), (m))
#define V_KEEP(m, x) _mm256_and_ps((m), (x))
#define V_ANY(m) (_mm256_movemask_ps(m) != 0)
#define V_ALL(m) (_mm256_movemask_ps(m) == 0xff)
/* SLEEF's AVX2 functions by name rather than its run-time dispatchers
 * (Sleef_expf8_u10): the dispatcher may choose its plain-AVX code on a CPU
 * that has AVX2, and the bits would then depend on the machine. */
#define SL(name, u) Sleef_##name##f8_##u##avx2
#define SIMD_TABLE act_simd_avx2
#define SIMD_TABLE2 act_simd_avx2_x2

#include "simd_sleef.inc"

#else /* not x86-64 with GCC: act_simd_cpu() is false, nothing runs this */

const act_simd_fn act_simd_avx2[ACT_VF_COUNT];
const act_simd_fn2 act_simd_avx2_x2[ACT_VF2_COUNT];

#endif

/*
 * simd_avx512.c — simd_sleef.inc's vector math 16 floats at a time with
 * SLEEF's AVX-512F functions (twice as fast as the AVX2 ones on Zen 4, the
 * same bits). Compiled for AVX-512F whatever the build's flags, so nothing
 * here may run before simd.c (compiled for the baseline) has found it on
 * the CPU.
 */
#include "simd.h"

#if ACT_SIMD_X86
/* Before any include, as in simd_avx2.c: sleef.h declares the __m512
 * functions only where __AVX512F__ is defined. */
#pragma GCC target("avx512f")
#include <immintrin.h>
#include <math.h>
#include <sleef.h>
#include <stdint.h>
#include <string.h>

#define VEC __m512
#define MASK __mmask16
#define LANES 16
#define V_LOAD _mm512_loadu_ps
#define V_STORE _mm512_storeu_ps
#define V_SET1 _mm512_set1_ps
#define V_ZERO _mm512_setzero_ps
#define V_ADD _mm512_add_ps
#define V_SUB _mm512_sub_ps
#define V_MUL _mm512_mul_ps
#define V_MIN _mm512_min_ps
#define V_FMA _mm512_fmadd_ps
#define V_FMS _mm512_fmsub_ps
#define V_FNMA _mm512_fnmadd_ps
#define V_DIV _mm512_div_ps
#define V_SQRT _mm512_sqrt_ps
#define V_ABS _mm512_abs_ps
/* The sign bit set through the integer unit: AVX-512F alone has no
 * floating-point OR (that is AVX-512DQ). */
#define V_NEG_ABS(x)                                                          \
    _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x),               \
                                        _mm512_set1_epi32(INT32_MIN)))
#define V_CMP_GE(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GE_OQ)
#define V_CMP_GT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_GT_OQ)
#define V_CMP_LT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ)
#define V_ISNAN(x) _mm512_cmp_ps_mask((x), (x), _CMP_UNORD_Q)
#define V_SELECT(m, t, f) _mm512_mask_blend_ps((m), (f), (t))
#define V_KEEP(m, x) _mm512_maskz_mov_ps((m), (x))
#define V_ANY(m) ((m) != 0)
#define V_ALL(m) ((m) == 0xffff)
#define SL(name, u) Sleef_##name##f16_##u##avx512f
#define SIMD_TABLE act_simd_avx512
#define SIMD_TABLE2 act_simd_avx512_x2

#include "simd_sleef.inc"

#else /* not x86-64 with GCC: act_simd_cpu() is false, nothing runs this */

const act_simd_fn act_simd_avx512[ACT_VF_COUNT];
const act_simd_fn2 act_simd_avx512_x2[ACT_VF2_COUNT];

#endif

/*
 * expr_kernels_avx2.c — expr_kernels.inc's float instance compiled for
 * AVX2, for programs whose `simd` is set: the operations without a vector
 * function in simd.h (add, mul, div, where, comparisons, powi...) run 8
 * lanes at a time instead of the baseline's 4, with the same bits.
 */
#include "expr_internal.h"
#include "simd.h"

#if ACT_SIMD_X86
/* AVX2 without FMA, and contraction off besides, so that no a * b + c
 * becomes one rounding: add, mul, div and sqrt round the same in any
 * width, and selections and comparisons are exact, so every result has
 * the baseline loop's bits (test_expr_simd.c compares them). */
#pragma GCC target("avx2")
#pragma GCC optimize("vect-cost-model=dynamic", "fp-contract=off")

#include <tgmath.h>

#define EXPR_KERNELS_ONE_ONLY /* run_one alone: no SFX(run) */
#define elem float
#define SFX(name) name##_f32_avx2
#include "expr_kernels.inc"
#undef SFX
#undef elem

void act_expr_run_one_f32_avx2(const expr_instr *in, float *const *regs, int n)
{
    run_one_f32_avx2(in, regs, n);
}

#else /* nothing calls it: act_simd_cpu() is false */

void act_expr_run_one_f32_avx2(const expr_instr *in, float *const *regs, int n)
{
    (void)in, (void)regs, (void)n;
}

#endif

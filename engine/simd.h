/*
 * simd.h — float32 vector math for the element-wise kernels (internal):
 * SLEEF's AVX2 + FMA functions over arrays (simd_sleef.c), which the
 * kernels of defined activations (expr_kernels.c) and the built-in
 * activations (activations_simd.inc) use when the context says so.
 */
#ifndef ACT_SIMD_H
#define ACT_SIMD_H

#include <stdbool.h>

typedef enum act_vfn {
    ACT_VF_EXP,
    ACT_VF_EXPM1,
    ACT_VF_LOG,
    ACT_VF_LOG1P,
    ACT_VF_SQRT,
    ACT_VF_SIN,
    ACT_VF_COS,
    ACT_VF_TAN,
    ACT_VF_TANH,
    ACT_VF_ERF,
    ACT_VF_ERFC,     /* SLEEF's 1.5-ulp variant: it has no 1.0 */
    ACT_VF_SIGMOID,  /* math_scalar.inc's split sigmoid */
    ACT_VF_SOFTPLUS, /* math_scalar.inc's softplus0 */
    ACT_VF_POW,      /* the only binary one */
    ACT_VF_COUNT
} act_vfn;

/* Whether this CPU has AVX2 and FMA (and the OS saves their registers),
 * which simd_sleef.c needs; and whether a new context uses it: when the
 * CPU has them, unless the environment sets ACTLUA_NO_SIMD (to anything
 * but "" or "0"). act_context_new stores the latter in ctx->simd. */
bool act_simd_cpu(void);
bool act_simd_default(void);

/* d[i] = f(a[i]) (or f(a[i], b[i])) for i < n, d possibly a or b, with
 * SLEEF's 1.0-ulp functions (erfc: 1.5): within a few ulp of the scalar C
 * library, and the same bits for an input wherever it sits (the last n % 8
 * go through the same vector code, padded). Call only when act_simd_cpu(). */
void act_simd_f32(act_vfn f, float *d, const float *a, const float *b, int n);

#endif /* ACT_SIMD_H */

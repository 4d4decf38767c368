/*
 * simd.h — float32 vector math for the element-wise kernels (internal):
 * SLEEF's vector functions over arrays (simd_sleef.inc, in an AVX2 + FMA
 * and an AVX-512F instance), which the kernels of defined activations
 * (expr_kernels.c) and the built-in activations (activations_simd.inc)
 * use when the context says so.
 */
#ifndef ACT_SIMD_H
#define ACT_SIMD_H

#include <stdbool.h>

/* Where the vector instances are compiled (elsewhere they are empty and
 * act_simd_cpu() is false). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ACT_SIMD_X86 1
#else
#define ACT_SIMD_X86 0
#endif

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
    ACT_VF_ERFC,     /* our own on SLEEF's expf, 4.5 ulp (simd_sleef.inc) */
    ACT_VF_SIGMOID,  /* math_scalar.inc's split sigmoid */
    ACT_VF_SOFTPLUS, /* math_scalar.inc's softplus0 */
    ACT_VF_POW,      /* the only binary one */
    ACT_VF_COUNT
} act_vfn;

/* The instruction sets the vector math has an instance for, in order. */
typedef enum act_simd_isa {
    ACT_SIMD_NONE,
    ACT_SIMD_AVX2,   /* AVX2 + FMA, 8 lanes (simd_avx2.c) */
    ACT_SIMD_AVX512, /* AVX-512F, 16 lanes (simd_avx512.c) */
} act_simd_isa;

/* Whether this CPU has AVX2 and FMA (and the OS saves their registers),
 * which the vector math needs; and whether a new context uses it: when the
 * CPU has them, unless the environment sets ACTLUA_NO_SIMD (to anything
 * but "" or "0"). act_context_new stores the latter in ctx->simd. */
bool act_simd_cpu(void);
bool act_simd_default(void);

/* The best instance this CPU can run; and the one act_simd_f32 runs: the
 * best, or AVX2 where ACTLUA_SIMD=avx2 (read by act_simd_default, so when
 * a context is created, and by the first act_simd_f32 before any). */
act_simd_isa act_simd_cpu_isa(void);
act_simd_isa act_simd_active_isa(void);

/* d[i] = f(a[i]) (or f(a[i], b[i])) for i < n, d possibly a or b, with
 * SLEEF's 1.0-ulp functions (erfc: our own, 4.5): within a few ulp of the C
 * library, and the same bits for an input wherever it sits (the last
 * n % lanes go through the same vector code, padded) and whichever
 * instance runs. Call only when act_simd_cpu(). */
void act_simd_f32(act_vfn f, float *d, const float *a, const float *b, int n);

/* The same through a given instance, which the CPU must have (tests). */
void act_simd_f32_isa(act_simd_isa isa, act_vfn f, float *d, const float *a,
                      const float *b, int n);

/* The functions with two results, d[i] and e[i] from a[i], which share
 * their costly part. */
typedef enum act_vfn2 {
    /* gelu's (erf form) parts: d = Phi(a), the normal distribution, and
     * e = e^(-a^2/2), both from a itself (a^2 split exactly), within a few
     * ulp (tests/c/test_activations_simd.c measures gelu and gelu'). */
    ACT_VF2_GELU,
    ACT_VF2_COUNT
} act_vfn2;

/* As act_simd_f32, for those: the same bits wherever an input sits and
 * whichever instance runs. Call only when act_simd_cpu(). */
void act_simd_f32x2(act_vfn2 f, float *d, float *e, const float *a, int n);
void act_simd_f32x2_isa(act_simd_isa isa, act_vfn2 f, float *d, float *e,
                        const float *a, int n);

/* The instances' tables (simd_avx2.c, simd_avx512.c). */
typedef void (*act_simd_fn)(float *d, const float *a, const float *b, int n);
typedef void (*act_simd_fn2)(float *d, float *e, const float *a, int n);
extern const act_simd_fn act_simd_avx2[ACT_VF_COUNT];
extern const act_simd_fn act_simd_avx512[ACT_VF_COUNT];
extern const act_simd_fn2 act_simd_avx2_x2[ACT_VF2_COUNT];
extern const act_simd_fn2 act_simd_avx512_x2[ACT_VF2_COUNT];

#endif /* ACT_SIMD_H */

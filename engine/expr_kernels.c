/*
 * expr_kernels.c — the block evaluator of compiled expressions
 * (expr_kernels.inc) instantiated for float and double, the choice of
 * expr_simd.c's vector kernels for float32, and the double arithmetic of
 * one operation that folding constants and A.fn use.
 */
#include "expr_internal.h"

#include <stdlib.h>
#include <string.h>
#include <tgmath.h>

/* As for the activation kernels: the ordinary cost model, so that GCC
 * vectorises the loops that can be (no result changes: no reassociation). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

#define elem float
#define SFX(name) name##_f32
#include "expr_kernels.inc"
#undef SFX
#undef elem

#define elem double
#define SFX(name) name##_f64
#include "expr_kernels.inc"
#undef SFX
#undef elem

void act_expr_run_f32(const expr_program *p, float *const *regs, int n)
{
    if (!p->simd) {
        run_f32(p, regs, n);
        return;
    }
    for (int i = 0; i < p->ninstr; i++) {
        const expr_instr *in = &p->code[i];
        if (!act_expr_simd_f32(in->op, regs[in->dst], regs[in->a],
                               in->b >= 0 ? regs[in->b] : NULL, n))
            run_one_f32(in, regs, n);
    }
}

void act_expr_run_f64(const expr_program *p, double *const *regs, int n)
{
    run_f64(p, regs, n);
}

bool act_expr_simd_cpu(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    /* libgcc's answer also requires the OS to save the AVX registers. */
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return false; /* expr_simd.c is compiled empty */
#endif
}

bool act_expr_simd_default(void)
{
    const char *off = getenv("ACTLUA_NO_SIMD");
    if (off && *off && strcmp(off, "0") != 0)
        return false;
    return act_expr_simd_cpu();
}

double act_expr_op_eval(act_expr_op op, double a, double b, double c)
{
    if (op == ACT_EXPR_POW && b == floor(b) && fabs(b) <= 64)
        return powi_f64(a, (int)b); /* as compiled programs compute it */
    return scalar_f64(op, a, b, c);
}

/*
 * expr_kernels.c — the block evaluator of compiled expressions
 * (expr_kernels.inc) instantiated for float and double, and the double
 * arithmetic of one operation that folding constants and A.fn use.
 */
#include "expr_internal.h"

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
    run_f32(p, regs, n);
}

void act_expr_run_f64(const expr_program *p, double *const *regs, int n)
{
    run_f64(p, regs, n);
}

double act_expr_op_eval(act_expr_op op, double a, double b, double c)
{
    if (op == ACT_EXPR_POW && b == floor(b) && fabs(b) <= 64)
        return powi_f64(a, (int)b); /* as compiled programs compute it */
    return scalar_f64(op, a, b, c);
}

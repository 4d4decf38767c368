/*
 * expr_kernels.c — the block evaluator of compiled expressions
 * (expr_kernels.inc) instantiated for float and double, float32's vector
 * math (simd.h) where it has the operation, and the double arithmetic of
 * one operation that folding constants and A.fn use.
 */
#include "expr_internal.h"
#include "simd.h"

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

/* The vector function of each operation that has one, plus one (0: none). */
static const unsigned char vector_fn[ACT_EXPR_OP_COUNT] = {
    [ACT_EXPR_EXP] = 1 + ACT_VF_EXP,         [ACT_EXPR_LOG] = 1 + ACT_VF_LOG,
    [ACT_EXPR_LOG1P] = 1 + ACT_VF_LOG1P,     [ACT_EXPR_EXPM1] = 1 + ACT_VF_EXPM1,
    [ACT_EXPR_SQRT] = 1 + ACT_VF_SQRT,       [ACT_EXPR_SIN] = 1 + ACT_VF_SIN,
    [ACT_EXPR_COS] = 1 + ACT_VF_COS,         [ACT_EXPR_TAN] = 1 + ACT_VF_TAN,
    [ACT_EXPR_TANH] = 1 + ACT_VF_TANH,       [ACT_EXPR_ERF] = 1 + ACT_VF_ERF,
    [ACT_EXPR_SIGMOID] = 1 + ACT_VF_SIGMOID, [ACT_EXPR_SOFTPLUS] = 1 + ACT_VF_SOFTPLUS,
    [ACT_EXPR_POW] = 1 + ACT_VF_POW,
};

void act_expr_run_f32(const expr_program *p, float *const *regs, int n)
{
    if (!p->simd) {
        run_f32(p, regs, n);
        return;
    }
    for (int i = 0; i < p->ninstr; i++) {
        const expr_instr *in = &p->code[i];
        int f = in->op < ACT_EXPR_OP_COUNT && !in->then ? vector_fn[in->op] : 0;
        if (f)
            act_simd_f32((act_vfn)(f - 1), regs[in->dst], regs[in->a],
                         in->b >= 0 ? regs[in->b] : NULL, n);
        else
            act_expr_run_one_f32_avx2(in, regs, n);
    }
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

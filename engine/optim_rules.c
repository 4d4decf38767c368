/*
 * optim_rules.c — the optimizers' update rules (SGD, Adam, AdamW, RMSprop,
 * Adagrad: PyTorch's single-tensor algorithms) over one parameter's
 * contiguous elements, instantiated for float and double from
 * optim_rules.inc so that each loop is a plain typed loop.
 */
#include "optim_internal.h"

#include <math.h>

/* GCC's -O2 vectorises only loops that need no scalar remainder (its "very
 * cheap" cost model); the update loops run over every parameter each step,
 * so they get the ordinary cost model. No reassociation: no result changes. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

/* Whether the parameter, its gradient and its first state buffer occupy
 * disjoint memory, as restrict-qualified loops require (a gradient set by
 * hand could be the parameter itself). */
static bool disjoint(const act_optim_update *u, size_t es)
{
    uintptr_t r[3] = {(uintptr_t)u->p, (uintptr_t)u->g, (uintptr_t)u->s[0]};
    uintptr_t bytes = (uintptr_t)u->n * es;
    for (int i = 0; i < 3; i++)
        for (int j = i + 1; j < 3; j++)
            if (r[i] && r[j] && r[i] < r[j] + bytes && r[j] < r[i] + bytes)
                return false;
    return true;
}

#define T float
#define FN(name) name##_f32
#include "optim_rules.inc"
#undef T
#undef FN

#define T double
#define FN(name) name##_f64
#include "optim_rules.inc"
#undef T
#undef FN

void act_optim_apply(act_optim_kind kind, act_dtype dtype,
                     const act_optim_options *o, const act_optim_update *u)
{
    if (dtype == ACT_DTYPE_F64)
        apply_f64(kind, o, u);
    else
        apply_f32(kind, o, u);
}

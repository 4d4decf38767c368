/*
 * optim_rules.c — the optimizers' update rules (SGD, Adam, AdamW, RMSprop,
 * Adagrad: PyTorch's single-tensor algorithms) over one parameter's
 * contiguous elements, instantiated for float and double from
 * optim_rules.inc so that each loop is a plain typed loop.
 */
#include "optim_internal.h"

#include <math.h>

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

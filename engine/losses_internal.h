/*
 * losses_internal.h — what the two loss files share (internal): the loss
 * ids kept in an ACT_OP_LOSS node's i[0], typed element access, the
 * reduction, recording, and the gradient arriving from the reduction.
 */
#ifndef ACT_LOSSES_INTERNAL_H
#define ACT_LOSSES_INTERNAL_H

#include "autograd.h"
#include "grad_rules.h"

/* node->i[0] of ACT_OP_LOSS. Internal: nothing saves them. */
typedef enum act_loss_kind {
    ACT_LOSS_MSE = 0,
    ACT_LOSS_L1,
    ACT_LOSS_SMOOTH_L1,
    ACT_LOSS_HUBER,
    ACT_LOSS_BCE,
    ACT_LOSS_BCE_WITH_LOGITS,
    ACT_LOSS_KL_DIV,
    ACT_LOSS_BCE_NAIVE,
    ACT_LOSS_CROSS_ENTROPY, /* losses_class.c from here on */
    ACT_LOSS_NLL,
    ACT_LOSS_KIND_COUNT
} act_loss_kind;

/* Element i of a contiguous float32 or float64 buffer, as double, and the
 * reverse: the losses read and write their operands in place, whatever
 * their dtype, and compute in double. */
static inline double act_loss_get(const void *p, act_dtype dtype, int64_t i)
{
    return dtype == ACT_DTYPE_F64 ? ((const double *)p)[i]
                                  : (double)((const float *)p)[i];
}
static inline void act_loss_put(void *p, act_dtype dtype, int64_t i, double v)
{
    if (dtype == ACT_DTYPE_F64)
        ((double *)p)[i] = v;
    else
        ((float *)p)[i] = (float)v;
}

/* ACT_E_ARG unless reduction is valid for fn (batchmean only for kl_div). */
act_status act_loss_check_reduction(act_context *ctx, const char *fn, int arg,
                                    act_reduction reduction,
                                    bool batchmean_ok);

/* What one element's gradient is multiplied by under reduction, for n
 * elements and a batch (input's dim 0) of `batch`. */
double act_loss_scale(act_reduction reduction, int64_t n, double batch);

/* The result of a reduction (not "none") whose elements sum to `sum`, as a
 * 0-d tensor of dtype: the sum, or the sum over n elements or over the
 * batch. */
act_status act_loss_reduced(act_context *ctx, act_reduction reduction,
                            act_dtype dtype, double sum, int64_t n,
                            double batch, act_tensor **out);

/* act_record for a loss over (input, target) — target NULL when it takes
 * no gradient (class indices) — filling i[0], i[1] and f[1] (the scale). On
 * failure frees y. */
act_status act_loss_record(act_context *ctx, act_loss_kind kind,
                           act_reduction reduction, double scale,
                           const act_tensor *input, const act_tensor *target,
                           act_tensor *y, act_node **node);

/* The gradient arriving at element i of the unreduced losses: gy[i] for
 * "none", else gy's one value times the reduction's scale. */
typedef struct act_loss_upstream {
    act_tensor *gc; /* gy, contiguous (owned) */
    const void *g;
    act_dtype dtype;
    bool each;
    double scale;
} act_loss_upstream;

act_status act_loss_upstream_init(act_context *ctx, const act_node *node,
                                  const act_tensor *gy, act_loss_upstream *u);
static inline double act_loss_upstream_at(const act_loss_upstream *u,
                                          int64_t i)
{
    return u->each ? act_loss_get(u->g, u->dtype, i)
                   : act_loss_get(u->g, u->dtype, 0) * u->scale;
}

/* A new zeroed tensor of input k's dtype and shape (for gradients). */
act_status act_loss_grad_alloc(act_context *ctx, const act_node *node, int k,
                               act_tensor **out);

/* ACT_OP_LOSS's backward for cross_entropy and nll (losses_class.c). */
act_status act_loss_class_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx);

#endif /* ACT_LOSSES_INTERNAL_H */

/*
 * grad_rules.h — the backward functions op_table.c points to, one per op
 * family, each defined in the grad_*.c file of its area (internal).
 */
#ifndef ACT_GRAD_RULES_H
#define ACT_GRAD_RULES_H

#include "autograd.h"

/* ---------------------------------------------- grad_elementwise.c */

/* The recording half, called by the forward functions once y is computed:
 * each records y's node when an input requires grad (saving what its
 * backward reads) and, on failure, frees y. */
act_status act_unary_record(act_context *ctx, act_unary_op op,
                            const act_tensor *x, act_tensor *y);
act_status act_clamp_record(act_context *ctx, const act_tensor *x, double lo,
                            double hi, act_tensor *y);
/* One operand may be a scalar form's constant: scalar_k (0 or 1, -1 for
 * none) says which, s is its value. Comparisons record nothing. */
act_status act_binary_record(act_context *ctx, act_binary_op op,
                             const act_tensor *a, const act_tensor *b,
                             int scalar_k, double s, act_tensor *y);
act_status act_where_record(act_context *ctx, const act_tensor *cond,
                            const act_tensor *a, const act_tensor *b,
                            act_tensor *y);

/* ACT_OP_UNARY: i[0] the act_unary_op; saved[0] the input or the output
 * (unary_saves), nothing for neg and sign. */
act_status act_unary_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);
/* ACT_OP_BINARY: i[0] the act_binary_op; i[1] which operand (0, 1) is a
 * scalar form's constant, whose value is f[0], or -1; i[2], i[3] the saved
 * slots of a and b, or -1 when not saved. */
act_status act_binary_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* ACT_OP_CLAMP: f[0], f[1] the bounds; saved[0] the input. */
act_status act_clamp_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);
/* ACT_OP_WHERE: inputs (cond, a, b), cond's edge empty; saved[0] cond. */
act_status act_where_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);
/* ACT_OP_TO_DTYPE: the gradient itself (the walker converts the dtype). */
act_status act_copy_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx);

/* -------------------------------------------------- grad_reduce.c */

/* ACT_OP_REDUCE's i[0]. */
typedef enum act_reduce_kind {
    ACT_REDUCE_SUM = 0,
    ACT_REDUCE_MEAN,
    ACT_REDUCE_VAR,
    ACT_REDUCE_STD,
    ACT_REDUCE_LSE
} act_reduce_kind;

/* "sum", "mean", "var", "std", "logsumexp": a REDUCE node's name (for
 * act_tensor_grad_fn, which now says "reduce"). */
const char *act_reduce_kind_name(act_reduce_kind kind);

/* The recording halves, called by reduce.c and reduce_index.c once the
 * result is computed; on failure they free it. dim is as the caller gave
 * it (checked). For max/min, v is the values and ix the indices (saved
 * along a dim; the caller keeps its own reference). */
act_status act_reduce_record(act_context *ctx, act_reduce_kind op,
                             const act_tensor *x, int dim, bool keepdim,
                             int64_t correction, act_tensor *y);
act_status act_extreme_record(act_context *ctx, bool is_max,
                              const act_tensor *x, int dim, bool keepdim,
                              act_tensor *v, const act_tensor *ix);

/* ACT_OP_REDUCE: i[0] the act_reduce_kind, i[1] the dim (normalised) or
 * ACT_ALL_DIMS, i[2] keepdim, i[3] the correction; saved: x for var, x
 * and the output for std and logsumexp. */
act_status act_reduce_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* ACT_OP_EXTREME (max/min values): i[0] is_max, i[1] the dim or
 * ACT_ALL_DIMS, i[2] keepdim; saved: the indices along a dim, or x and the
 * value over all dims. */
act_status act_extreme_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx);

/* ------------------------ activations.c, softmax.c, prelu.c */

/* ACT_OP_ACTIVATION: i[0] the activation id, i[1] 1 for rrelu in training;
 * f[] the parameters; saved[0] x or y (the descriptor's
 * derivative_from_y), or rrelu's slopes in training. */
act_status act_activation_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx);
/* ACT_OP_PRELU: inputs (x, weight); saved the contiguous x and weight. */
act_status act_prelu_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);
/* ACT_OP_SOFTMAX: i[0] 0 softmax, 1 log_softmax, 2 softmin; i[1] the dim
 * (normalised); saved[0] the (contiguous) output. */
act_status act_softmax_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx);
/* ACT_OP_GLU: i[0] the dim (normalised); saved[0] the contiguous input. */
act_status act_glu_backward(act_context *ctx, const act_node *node,
                            const act_tensor *gy, act_tensor **gx);

#endif /* ACT_GRAD_RULES_H */

/*
 * grad_rules.h — the backward functions op_table.c points to, one per op
 * family, each defined in the grad_*.c file of its area (internal).
 */
#ifndef ACT_GRAD_RULES_H
#define ACT_GRAD_RULES_H

#include "autograd.h"

/* ---------------------------------------------- grad_elementwise.c */

/* a^b in the element-wise kernels and their gradients, with the exponents
 * of everyday formulas (x^2, x^3) as products, as PyTorch does: pow()
 * costs some twenty times a multiplication. Within an ulp of pow(). The
 * includer has <tgmath.h>, so pow is the element type's. */
#define ACT_POW(a, b)                                                         \
    ((b) == 2 ? (a) * (a)                                                     \
     : (b) == 1 ? (a)                                                         \
     : (b) == 3 ? (a) * (a) * (a)                                             \
     : pow((a), (b)))

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
/* y = f(x) for element-wise activation id with checked parameters p: x
 * and y of one shape and dtype, y contiguous, y == x allowed (in place);
 * nothing recorded. False, with nothing done, for an activation it cannot
 * run so (not element-wise, rrelu in training). For fused ops. */
bool act_activation_apply(const act_context *ctx, int id, const double *p,
                          const act_tensor *x, act_tensor *y);
/* Its rule on its own: *gx = gy * f'(s), a new tensor of s's dtype and the
 * input's shape (ndim, shape), for element-wise activation id with kernel
 * parameters p; s is the saved x or y, or with `slopes` rrelu's slopes.
 * step gives zeros of `dtype`. With `into` (contiguous, of that shape; gy
 * itself allowed), the result is written there instead when it has s's
 * dtype, and *gx is a new reference to it. For fused ops that end in an
 * activation. */
act_status act_activation_grad(act_context *ctx, int id, const double *p,
                               bool slopes, const act_tensor *s,
                               act_dtype dtype, int ndim,
                               const int64_t *shape, const act_tensor *gy,
                               act_tensor *into, act_tensor **gx);
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

/* ------------------------------------------------------ grad_views.c */

/* ACT_OP_VIEW (view, reshape, squeeze, unsqueeze): gy reshaped to the
 * input's shape. */
act_status act_view_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx);
/* ACT_OP_PERMUTE (transpose, permute): i[0..ndim-1] the permutation (out
 * dim i is the input's dim i[i]); gy permuted back. */
act_status act_permute_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx);
/* ACT_OP_SLICE (narrow, slice): i[0] the dim, i[1] the start (normalised),
 * i[2] the step; gy placed in zeros of the input's shape. */
act_status act_slice_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);
/* ACT_OP_SELECT: i[0] the dim, i[1] the index (normalised). */
act_status act_select_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* ACT_OP_EXPAND: gy summed back to the input's shape. */
act_status act_expand_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);

/* ------------------------------------------------------ grad_index.c */

/* The recording half of cat and stack (op), called once y is computed
 * from the n tensors ts joined along dim d (normalised); on failure frees
 * y. Lists longer than ACT_NODE_MAX_IN become a tree of nodes. */
act_status act_join_record(act_context *ctx, act_op op, int n,
                           const act_tensor *const *ts, int d, act_tensor *y);

/* ACT_OP_GATHER: i[0] the dim (normalised; 0 for a 0-d input); saved[0]
 * the index. gy scatter-added into zeros at the index. */
act_status act_gather_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* ACT_OP_INDEX_SELECT: i[0] the dim; saved[0] the index. gy index-added
 * into zeros (repeated indices accumulate). */
act_status act_index_select_backward(act_context *ctx, const act_node *node,
                                     const act_tensor *gy, act_tensor **gx);
/* ACT_OP_CAT, ACT_OP_STACK: i[0] the dim (normalised); the inputs are the
 * pieces, or groups of them for lists longer than ACT_NODE_MAX_IN (an
 * input of the output's rank takes a narrow of gy, a stacked piece a
 * select). */
act_status act_cat_backward(act_context *ctx, const act_node *node,
                            const act_tensor *gy, act_tensor **gx);
act_status act_stack_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx);

/* ------------------------------------ matmul.c, linear.c, grad_matmul.c */

/* A matrix as act_gemm_* reads it: its first element, and whether it is
 * stored row-major (trans false) or column-major (trans true) with leading
 * dimension ld. Its transpose is the same memory with trans flipped. */
typedef struct act_gemm_mat {
    const void *data;
    bool trans;
    int64_t ld;
} act_gemm_mat;

/* Describes the rows x cols matrix whose element (i, j) is at data + i rs
 * + j cs elements, when BLAS can read it in place (unit steps along one
 * side, a leading dimension >= that side's extent); false when it must be
 * copied first. rows and cols must be >= 1 (matmul.c). */
bool act_gemm_mat_of(const void *data, int64_t rows, int64_t cols,
                     int64_t rs, int64_t cs, act_gemm_mat *out);
/* C = op(A) . op(B) + beta C in dtype (float32 or float64): op(A) m x k,
 * op(B) k x n, C m x n row-major with leading dimension ldc (matmul.c). */
void act_gemm_typed(act_dtype dtype, int64_t m, int64_t n, int64_t k,
                    const act_gemm_mat *a, const act_gemm_mat *b, double beta,
                    void *c, int64_t ldc);

/* t (of 1 or more dims, no extent 0) as the matrix [rows, last dim] that
 * its leading dims flatten into, as act_gemm_* reads it: in place when the
 * strides allow, else through a contiguous copy left in *copy for the
 * caller to free (NULL when none was made) (linear.c). */
act_status act_gemm_rows(act_context *ctx, const char *fn, const act_tensor *t,
                         act_gemm_mat *out, act_tensor **copy);

/* ACT_OP_MATMUL: inputs (a, b); i[0] the saved slot of a (kept when b
 * wants a gradient), i[1] that of b (when a does), or -1. Broadcast batches
 * are summed by accumulating gemms (beta = 1), never materialised. */
act_status act_matmul_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* ACT_OP_LINEAR: inputs (x, weight, bias or NULL); i[0] the saved slot of
 * the x that was read (kept when weight wants a gradient; a contiguous copy
 * if x had to be copied), i[1] that of weight (when x does), or -1. */
act_status act_linear_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx);
/* Its rule with the saved x and weight at slots xi and wi (each read only
 * when the other input wants a gradient), for fused ops that begin with a
 * linear layer: gx from the inputs (x, weight, bias or NULL) of node. */
act_status act_linear_grads(act_context *ctx, const act_node *node, int xi,
                            int wi, const act_tensor *gy, act_tensor **gx);
/* ACT_OP_LINEAR_ACT (linear_act.c): inputs (x, weight, bias or NULL); i[0]
 * and i[1] as linear's, i[2] the activation id, i[3] the saved slot of the
 * activation's s (its output or its input, the linear layer's output);
 * f[] the activation's parameters. */
act_status act_linear_act_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx);

/* ------------------------------------------ losses.c, losses_class.c */

/* ACT_OP_LOSS: inputs (input, target), target's edge empty for class
 * indices; i[0] the loss (losses_internal.h), i[1] the act_reduction, f[1]
 * the reduction's scale per element. Element-wise losses: f[0] beta, delta
 * or log_target; i[2] 1 with a pos_weight; saved the float64 input and
 * target (and pos_weight, expanded). cross_entropy and nll: f[0] the label
 * smoothing, i[2] 1 for probability targets; saved the target (int64
 * indices or float64 probabilities), and cross_entropy's log_softmax. */
act_status act_loss_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx);
/* "mse", "cross_entropy", ...: a LOSS node's name, from its i[0]; "loss"
 * for an invalid value. */
const char *act_loss_kind_name(int kind);

/* ------------------------------------------ expr_run.c, expr_custom.c */

/* ACT_OP_EXPR: inputs x and the parameter tensors (expr_run.c says where
 * each is); backward runs the derivative program once. */
act_status act_expr_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx);
/* ACT_OP_WITH_DERIVATIVE: input x; saved f'(x); gx = gy * f'(x). */
act_status act_with_derivative_backward(act_context *ctx, const act_node *node,
                                        const act_tensor *gy, act_tensor **gx);
/* Both: drops the act_expr in node->i[0]. */
void act_expr_release(act_node *node);

#endif /* ACT_GRAD_RULES_H */

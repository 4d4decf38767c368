/*
 * autograd.h — what an op needs to take part in reverse-mode autodiff
 * (internal). An op computes its result as usual, then calls act_record;
 * when some input requires a gradient that returns a node, on which the op
 * saves what its backward needs (act_node_save) and its parameters (f[],
 * i[]). The backward function, found through act_op_table, turns the
 * gradient of the output into gradients of the inputs.
 *
 *     act_node *node;
 *     st = act_record(ctx, ACT_OP_UNARY, 1, &x, y, &node);
 *     if (st == ACT_OK && node) {
 *         node->i[0] = op;
 *         st = act_node_save(ctx, node, y);  // sigmoid: from the output
 *     }
 *     if (st != ACT_OK) { act_tensor_free(y); return st; }
 */
#ifndef ACT_AUTOGRAD_H
#define ACT_AUTOGRAD_H

#include "act_internal.h"

/* Rows of act_op_table (op_table.c). Ids are internal: nothing saves them.
 * A family that shares one backward (all unary functions) is one row, with
 * the member in node->i[0]. */
typedef enum act_op {
    ACT_OP_UNARY = 0,  /* i[0]: act_unary_op */
    ACT_OP_BINARY,     /* i[0]: act_binary_op (comparisons never record) */
    ACT_OP_CLAMP,      /* f[0], f[1]: bounds */
    ACT_OP_WHERE,      /* inputs: cond (no grad), a, b */
    ACT_OP_TO_DTYPE,   /* also contiguous and clone copies */
    ACT_OP_REDUCE,     /* i[0]: which (sum, mean, ...), i[1]: dim or ACT_ALL_DIMS, i[2]: keepdim, i[3]: correction */
    ACT_OP_EXTREME,    /* max/min values: saved indices */
    ACT_OP_MATMUL,
    ACT_OP_LINEAR,     /* x, weight, bias (bias optional) */
    ACT_OP_VIEW,       /* view, reshape, squeeze, unsqueeze, flatten */
    ACT_OP_PERMUTE,    /* transpose and permute: i[0..ndim-1] the permutation */
    ACT_OP_SLICE,      /* narrow/slice: i[0] dim, i[1] start, i[2] step */
    ACT_OP_SELECT,     /* i[0] dim, i[1] index */
    ACT_OP_EXPAND,
    ACT_OP_GATHER,     /* i[0] dim; saved index */
    ACT_OP_INDEX_SELECT, /* i[0] dim; saved index */
    ACT_OP_CAT,        /* i[0] dim; inputs are the pieces */
    ACT_OP_STACK,      /* i[0] dim */
    ACT_OP_ACTIVATION, /* i[0]: activation id; f[]: its parameters */
    ACT_OP_PRELU,      /* x, alpha */
    ACT_OP_SOFTMAX,    /* i[0]: which (softmax, log_softmax, softmin), i[1]: dim */
    ACT_OP_GLU,        /* i[0]: dim */
    ACT_OP_LOSS,       /* i[0]: which loss, i[1]: reduction; f[]: its parameters */
    ACT_OP_EXPR,       /* a defined activation: i[0] its act_expr (expr_run.c) */
    ACT_OP_WITH_DERIVATIVE, /* i[0]: the act_expr naming it; saved: f'(x) */
    ACT_OP_LINEAR_ACT, /* linear then an element-wise activation, one node */
    ACT_OP_COUNT
} act_op;

#define ACT_NODE_MAX_IN 4
#define ACT_NODE_MAX_SAVED 8

typedef struct act_node act_node;

/* What a node knows of one input: the dtype and shape its gradient must
 * have. Where the gradient goes is in the node (next[], leaf[]). */
typedef struct act_edge {
    act_dtype dtype;
    int ndim;
    int64_t shape[ACT_MAX_DIMS];
} act_edge;

/* The fields that freeing a node and the backward walk read come first, in
 * two cache lines: a node is often freed long after it was made. */
struct act_node {
    int64_t refs;       /* the output tensor, and each node that reads it */
    act_context *ctx;   /* the owner: its pool and live count hold this node */
    act_tensor *grad;   /* the output's gradient, during a backward */
    uint64_t seq;       /* creation order: a topological order for free */
    uint64_t epoch;     /* marks nodes visited by the current backward */
    act_op op;
    int ninputs;
    int nsaved;
    bool released;      /* saved tensors freed by a backward */
    /* Input k's gradient goes to next[k], its grad_fn (a non-leaf), or to
     * leaf[k], the input itself (a leaf that requires grad); both are NULL
     * when it wants none. */
    act_node *next[ACT_NODE_MAX_IN];
    act_tensor *leaf[ACT_NODE_MAX_IN];
    act_tensor *saved[ACT_NODE_MAX_SAVED]; /* see act_node_save */
    uint64_t saved_version[ACT_NODE_MAX_SAVED];
    act_edge in[ACT_NODE_MAX_IN];
    double f[8];        /* op parameters */
    int64_t i[ACT_MAX_DIMS + 4];
    act_dtype out_dtype;
    int out_ndim;
    int64_t out_shape[ACT_MAX_DIMS];
};

/* Computes gradients of the inputs from gy, the output's gradient. For each
 * k with act_node_wants(node, k), sets gx[k] to a new reference (a tensor
 * of input k's shape; the dtype is converted by the caller if it differs),
 * or leaves it NULL when the gradient is zero. Must not modify gy, unless
 * nothing else holds it (gy->refs == 1 and gy->storage->refs == 1): the
 * walk frees it right after, so a rule may then reuse its buffer. */
typedef act_status (*act_backward_fn)(act_context *ctx, const act_node *node,
                                      const act_tensor *gy, act_tensor **gx);

typedef struct act_op_info {
    const char *name;
    act_backward_fn backward; /* NULL: the op has no gradient (an error) */
    /* Releases what the node holds besides tensors (when it is freed);
     * NULL for most ops. */
    void (*release)(act_node *node);
} act_op_info;

extern const act_op_info act_op_table[ACT_OP_COUNT];

static inline bool act_node_wants(const act_node *node, int k)
{
    return node->next[k] != NULL || node->leaf[k] != NULL;
}

/* Whether an op over these inputs must be recorded: grad mode is on and
 * some input requires grad. */
bool act_grad_needed(const act_context *ctx, int n,
                     const act_tensor *const *inputs);

/* When act_grad_needed, makes out's node: out becomes a non-leaf that
 * requires grad, and *node is returned for the op to complete (NULL when
 * nothing is recorded). Inputs may be NULL (an absent optional input). On
 * failure out is unchanged; the caller frees it. */
act_status act_record(act_context *ctx, act_op op, int n,
                      const act_tensor *const *inputs, act_tensor *out,
                      act_node **node);

/* Saves t (as a detached alias sharing its storage, with the storage's
 * version, so that an in-place change before backward is reported). */
act_status act_node_save(act_context *ctx, act_node *node,
                         const act_tensor *t);

/* Drops a reference; frees the node and, iteratively, every node only it
 * kept alive (a chain of 100,000 ops must not overflow the C stack). */
void act_node_unref(act_node *node);
/* Frees what the node saved (a backward that does not retain the graph). */
void act_node_release_saved(act_node *n);
/* The name a user knows a node's op by ("mul", "sigmoid", "mse"). */
const char *act_node_name(const act_node *n);

/* For in-place operations: refuses (ACT_E_STATE) a tensor that requires
 * grad while grad mode is on, and otherwise bumps its storage's version. */
act_status act_prepare_inplace(act_context *ctx, const char *fn,
                               act_tensor *t);
/* The same for an op that reads src into t (copy_, add_): src must not
 * require grad either, or its gradient would be silently lost. */
act_status act_prepare_inplace_from(act_context *ctx, const char *fn,
                                    act_tensor *t, const act_tensor *src);

/* Sums a gradient over broadcast dims so that it has the given shape: the
 * backward of every broadcasting op. Returns a new reference (g itself,
 * retained, when the shapes already agree). */
act_status act_sum_to_shape(act_context *ctx, const act_tensor *g, int ndim,
                            const int64_t *shape, act_tensor **out);

#endif /* ACT_AUTOGRAD_H */

/*
 * tape.c — reverse-mode autodiff's records: grad mode and the tensors'
 * autograd state, recording nodes as ops run and saving what they need,
 * freeing nodes (iteratively), in-place checks, and summing a gradient
 * back to a broadcast shape. The walk is backward.c; the per-op gradient
 * rules live in grad_*.c.
 */
#include "autograd.h"
#include "grad_rules.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------ public state */

bool act_grad_enabled(const act_context *ctx) { return ctx->grad_enabled; }

bool act_set_grad_enabled(act_context *ctx, bool enabled)
{
    bool old = ctx->grad_enabled;
    ctx->grad_enabled = enabled;
    return old;
}

bool act_tensor_requires_grad(const act_tensor *t) { return t->requires_grad; }
bool act_tensor_is_leaf(const act_tensor *t) { return t->grad_fn == NULL; }
act_tensor *act_tensor_grad(const act_tensor *t) { return t->grad; }

act_status act_tensor_set_requires_grad(act_context *ctx, act_tensor *t,
                                        bool requires_grad)
{
    if (t->grad_fn)
        return act_fail(ctx, ACT_E_STATE, "requires_grad", 1,
                        "only leaf tensors can be set; this one was made by "
                        "'%s' (detach it first)",
                        act_tensor_grad_fn(t));
    if (requires_grad && !act_is_float(t->dtype))
        return act_fail(ctx, ACT_E_DTYPE, "requires_grad", 1,
                        "only float tensors can require grad, not %s",
                        act_dtype_name(t->dtype));
    t->requires_grad = requires_grad;
    return ACT_OK;
}

#define same_shape act_same_shape

act_status act_tensor_set_grad(act_context *ctx, act_tensor *t,
                               act_tensor *grad)
{
    if (grad && !same_shape(t->ndim, t->shape, grad->ndim, grad->shape)) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, "set_grad", 2,
                        "a gradient of shape %s for a tensor of shape %s",
                        act_shape_str(a, sizeof a, grad->ndim, grad->shape),
                        act_shape_str(b, sizeof b, t->ndim, t->shape));
    }
    act_tensor_retain(grad);
    act_tensor_free(t->grad);
    t->grad = grad;
    return ACT_OK;
}

/* The name a user knows an op by ("mul", "sigmoid", "mse"), not its row. */
const char *act_node_name(const act_node *n)
{
    switch (n->op) {
    case ACT_OP_UNARY: return act_unary_name((act_unary_op)n->i[0]);
    case ACT_OP_BINARY: return act_binary_name((act_binary_op)n->i[0]);
    case ACT_OP_REDUCE: return act_reduce_kind_name((act_reduce_kind)n->i[0]);
    case ACT_OP_EXTREME: return n->i[0] ? "max" : "min";
    case ACT_OP_ACTIVATION: return act_activation_get((int)n->i[0])->name;
    case ACT_OP_LOSS: return act_loss_kind_name((int)n->i[0]);
    case ACT_OP_EXPR:
    case ACT_OP_WITH_DERIVATIVE:
        return act_expr_name((const act_expr *)(intptr_t)n->i[0]);
    case ACT_OP_SOFTMAX: {
        static const char *const names[] = {"softmax", "log_softmax", "softmin"};
        return n->i[0] >= 0 && n->i[0] < 3 ? names[n->i[0]] : "softmax";
    }
    default: return act_op_table[n->op].name;
    }
}

const char *act_tensor_grad_fn(const act_tensor *t)
{
    return t->grad_fn ? act_node_name(t->grad_fn) : NULL;
}

act_status act_detach(act_context *ctx, const act_tensor *t, act_tensor **out)
{
    return act_tensor_alias(ctx, "detach", t, out);
}

/* --------------------------------------------------------- recording */

bool act_grad_needed(const act_context *ctx, int n,
                     const act_tensor *const *inputs)
{
    if (!ctx->grad_enabled)
        return false;
    for (int k = 0; k < n; k++)
        if (inputs[k] && inputs[k]->requires_grad)
            return true;
    return false;
}

act_status act_record(act_context *ctx, act_op op, int n,
                      const act_tensor *const *inputs, act_tensor *out,
                      act_node **node)
{
    *node = NULL;
    if (!act_grad_needed(ctx, n, inputs))
        return ACT_OK;
    if (n > ACT_NODE_MAX_IN)
        return act_fail(ctx, ACT_E_STATE, act_op_table[op].name, 0,
                        "internal: %d inputs, a node holds at most %d", n,
                        ACT_NODE_MAX_IN);
    /* Not zeroed whole (a node is ~700 bytes and every op of a training
     * step makes one): the head up to the saved tensors is, f[] and i[]
     * are, and the rest is set below or only read up to a count (in[] to
     * ninputs, saved[] to nsaved). */
    act_node *nd = act_pool_get(ctx, sizeof *nd, false);
    if (!nd)
        return act_fail(ctx, ACT_E_NOMEM, act_op_table[op].name, 0,
                        "out of memory for an autograd node");
    memset(nd, 0, offsetof(act_node, saved));
    memset(nd->f, 0, sizeof nd->f);
    memset(nd->i, 0, sizeof nd->i);
    nd->refs = 1; /* out's grad_fn */
    nd->ctx = ctx;
    ctx->live_bytes += sizeof *nd;
    nd->seq = ctx->next_seq++;
    nd->op = op;
    nd->ninputs = n;
    for (int k = 0; k < n; k++) {
        const act_tensor *t = inputs[k];
        act_edge *e = &nd->in[k];
        e->ndim = 0;
        if (!t)
            continue;
        e->dtype = t->dtype;
        e->ndim = t->ndim;
        memcpy(e->shape, t->shape, sizeof e->shape);
        if (!t->requires_grad)
            continue;
        if (t->grad_fn) {
            nd->next[k] = t->grad_fn;
            t->grad_fn->refs++;
        } else {
            nd->leaf[k] = act_tensor_retain((act_tensor *)t);
        }
    }
    nd->out_dtype = out->dtype;
    nd->out_ndim = out->ndim;
    memcpy(nd->out_shape, out->shape, sizeof nd->out_shape);
    out->requires_grad = true;
    out->grad_fn = nd;
    *node = nd;
    return ACT_OK;
}

act_status act_node_save(act_context *ctx, act_node *node, const act_tensor *t)
{
    if (node->nsaved == ACT_NODE_MAX_SAVED)
        return act_fail(ctx, ACT_E_STATE, act_op_table[node->op].name, 0,
                        "internal: too many saved tensors");
    act_tensor *saved;
    if (t->grad_fn == node) {
        /* The node's own output: an alias without autograd state, or the
         * output and its node would hold each other. */
        act_status st = act_tensor_alias(ctx, act_op_table[node->op].name, t,
                                         &saved);
        if (st != ACT_OK)
            return st;
    } else {
        /* An input holds nothing that leads back here (its grad_fn is an
         * older node): kept as it is, with no header to make. Backward runs
         * with grad mode off, so its autograd state is never used. */
        saved = act_tensor_retain((act_tensor *)t);
    }
    node->saved[node->nsaved] = saved;
    node->saved_version[node->nsaved] = t->storage->version;
    node->nsaved++;
    return ACT_OK;
}

void act_node_release_saved(act_node *n)
{
    for (int k = 0; k < n->nsaved; k++) {
        act_tensor_free(n->saved[k]);
        n->saved[k] = NULL;
    }
}

void act_node_unref(act_node *node)
{
    /* A worklist instead of recursion; it grows only when a node's last
     * reference goes, and falls back to one-at-a-time if it cannot grow. */
    act_node *local[64];
    act_node **stack = local;
    size_t top = 0, cap = 64;
    stack[top++] = node;
    while (top > 0) {
        act_node *n = stack[--top];
        if (--n->refs > 0)
            continue;
        for (int k = 0; k < n->ninputs; k++) {
            act_tensor_free(n->leaf[k]);
            act_node *child = n->next[k];
            if (!child)
                continue;
            if (top == cap) {
                size_t ncap = cap * 2;
                act_node **grown = stack == local ? malloc(ncap * sizeof *grown)
                                                  : realloc(stack, ncap * sizeof *grown);
                if (grown && stack == local)
                    memcpy(grown, local, sizeof local);
                if (!grown) { /* keep going with what we have: leak-free */
                    act_node_unref(child);
                    continue;
                }
                stack = grown;
                cap = ncap;
            }
            stack[top++] = child;
        }
        act_node_release_saved(n);
        if (act_op_table[n->op].release)
            act_op_table[n->op].release(n);
        act_tensor_free(n->grad);
        n->ctx->live_bytes -= sizeof *n;
        act_pool_put(n->ctx, n, sizeof *n);
    }
    if (stack != local)
        free(stack);
}

act_status act_prepare_inplace(act_context *ctx, const char *fn, act_tensor *t)
{
    return act_prepare_inplace_from(ctx, fn, t, NULL);
}

act_status act_prepare_inplace_from(act_context *ctx, const char *fn,
                                    act_tensor *t, const act_tensor *src)
{
    if (ctx->grad_enabled && src && src->requires_grad)
        return act_fail(ctx, ACT_E_STATE, fn, 2,
                        "in-place operation with a source that requires grad: "
                        "the gradient could not flow back to it (use the "
                        "out-of-place form)");
    if (ctx->grad_enabled && t->requires_grad)
        return act_fail(ctx, ACT_E_STATE, fn, 1,
                        "in-place operation on a tensor that requires grad "
                        "(use the out-of-place form, or run it without "
                        "gradient recording)");
    t->storage->version++;
    return ACT_OK;
}

/* ------------------------------------------------------ sum to shape */

act_status act_sum_to_shape(act_context *ctx, const act_tensor *g, int ndim,
                            const int64_t *shape, act_tensor **out)
{
    if (same_shape(g->ndim, g->shape, ndim, shape)) {
        *out = act_tensor_retain((act_tensor *)g);
        return ACT_OK;
    }
    act_tensor *cur = act_tensor_retain((act_tensor *)g), *next;
    act_status st = ACT_OK;
    /* Leading dims that broadcasting added, then extent-1 dims it stretched. */
    while (st == ACT_OK && cur->ndim > ndim) {
        st = act_sum(ctx, cur, 0, false, &next);
        if (st == ACT_OK)
            act_tensor_free(cur), cur = next;
    }
    for (int d = 0; st == ACT_OK && d < ndim; d++) {
        if (shape[d] == 1 && cur->shape[d] != 1) {
            st = act_sum(ctx, cur, d, true, &next);
            if (st == ACT_OK)
                act_tensor_free(cur), cur = next;
        }
    }
    if (st != ACT_OK) {
        act_tensor_free(cur);
        return st;
    }
    *out = cur;
    return ACT_OK;
}

/*
 * tape.c — reverse-mode autodiff: recording nodes as ops run, the backward
 * walk (iterative, in reverse creation order, so deep chains cannot
 * overflow the C stack), gradient accumulation into nodes and leaves, and
 * releasing the graph. The per-op gradient rules live in grad_*.c.
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

static bool same_shape(int na, const int64_t *a, int nb, const int64_t *b)
{
    return na == nb && (na == 0 || memcmp(a, b, sizeof(int64_t) * (size_t)na) == 0);
}

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
static const char *node_name(const act_node *n)
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
    return t->grad_fn ? node_name(t->grad_fn) : NULL;
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

static void release_saved(act_node *n)
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
        release_saved(n);
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

/* ----------------------------------------------------------- backward */

typedef act_node_list node_list;

static bool list_push(node_list *l, act_node *n)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        act_node **items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = n;
    return true;
}

/* A list buffer kept in the context from the last backward (empty, its
 * capacity kept), so that a training step's walk allocates nothing; taken
 * out while in use, so a nested walk would simply start a new one. */
static node_list take_list(node_list *kept)
{
    node_list l = *kept;
    *kept = (node_list){0};
    l.n = 0;
    return l;
}

static void keep_list(node_list *kept, node_list *l)
{
    free(kept->items);
    *kept = *l;
    kept->n = 0;
}

static int by_seq_descending(const void *a, const void *b)
{
    const act_node *x = *(act_node *const *)a, *y = *(act_node *const *)b;
    return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0;
}

static bool descending(const node_list *l)
{
    for (size_t i = 1; i < l->n; i++)
        if (l->items[i - 1]->seq < l->items[i]->seq)
            return false;
    return true;
}

/* Fails unless n can run: its saved values are there and unchanged. */
static act_status check_node(act_context *ctx, const act_node *n)
{
    if (n->released)
        return act_fail(ctx, ACT_E_STATE, "backward", 0,
                        "trying to backward through the graph a second time "
                        "(through '%s'): its saved values were freed by the "
                        "first backward; pass retain_graph = true to that one",
                        node_name(n));
    for (int k = 0; k < n->nsaved; k++)
        if (n->saved[k]->storage->version != n->saved_version[k])
            return act_fail(ctx, ACT_E_STATE, "backward", 0,
                            "a tensor that '%s' saved for the gradient was "
                            "modified in place after it was used",
                            node_name(n));
    return ACT_OK;
}

/* Every node reachable from root, checked, newest first. */
static act_status collect(act_context *ctx, act_node *root, node_list *out)
{
    node_list stack = take_list(&ctx->walk_stack);
    act_status st = ACT_OK;
    uint64_t epoch = ++ctx->epoch;
    root->epoch = epoch;
    if (!list_push(&stack, root))
        st = act_fail(ctx, ACT_E_NOMEM, "backward", 0, "out of memory");
    while (st == ACT_OK && stack.n > 0) {
        act_node *n = stack.items[--stack.n];
        st = check_node(ctx, n);
        if (st == ACT_OK && !list_push(out, n))
            st = act_fail(ctx, ACT_E_NOMEM, "backward", 0, "out of memory");
        for (int k = 0; st == ACT_OK && k < n->ninputs; k++) {
            act_node *c = n->next[k];
            if (c && c->epoch != epoch) {
                c->epoch = epoch;
                if (!list_push(&stack, c))
                    st = act_fail(ctx, ACT_E_NOMEM, "backward", 0, "out of memory");
            }
        }
    }
    keep_list(&ctx->walk_stack, &stack);
    /* A chain (each node's one recorded input made just before it) comes
     * out of the depth-first walk already in order. */
    if (st == ACT_OK && !descending(out))
        qsort(out->items, out->n, sizeof *out->items, by_seq_descending);
    return st;
}

/* Adds g into *slot: takes g if the slot is empty, else replaces the slot
 * with slot + g (never in place: the slot may be shared). */
static act_status accumulate_node(act_context *ctx, act_tensor **slot,
                                  act_tensor *g)
{
    if (!*slot) {
        *slot = act_tensor_retain(g);
        return ACT_OK;
    }
    act_tensor *sum;
    act_status st = act_binary(ctx, ACT_BINARY_ADD, *slot, g, &sum);
    if (st == ACT_OK) {
        act_tensor_free(*slot);
        *slot = sum;
    }
    return st;
}

/* A leaf's grad: the first gradient is kept (copied unless no one else
 * holds it), later ones are added in place, so t.grad stays one tensor.
 * Takes over the caller's reference to g. */
static act_status accumulate_leaf(act_context *ctx, act_tensor *leaf,
                                  act_tensor *g)
{
    act_status st = ACT_OK;
    if (leaf->grad) {
        st = act_binary_(ctx, ACT_BINARY_ADD, leaf->grad, g);
    } else if (g->refs == 1 && g->storage->refs == 1 &&
               act_tensor_is_contiguous(g)) {
        /* A fresh gradient that only this walk holds (the usual case: the
         * rule allocated it) becomes the grad itself, with no copy. */
        leaf->grad = g;
        return ACT_OK;
    } else {
        st = act_clone(ctx, g, &leaf->grad);
    }
    act_tensor_free(g);
    return st;
}

/* Hands g, input k's gradient (the caller's reference, taken over), to
 * that input: its node's or its leaf's gradient. */
static act_status send(act_context *ctx, act_node *n, int k, act_tensor *g)
{
    const act_edge *e = &n->in[k];
    if (!same_shape(g->ndim, g->shape, e->ndim, e->shape)) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        act_status st = act_fail(ctx, ACT_E_STATE, "backward", 0,
                                 "internal: '%s' gave a gradient of shape %s "
                                 "for an input of shape %s",
                                 act_op_table[n->op].name,
                                 act_shape_str(a, sizeof a, g->ndim, g->shape),
                                 act_shape_str(b, sizeof b, e->ndim, e->shape));
        act_tensor_free(g);
        return st;
    }
    if (g->dtype != e->dtype) {
        act_tensor *gc;
        act_status st = act_to_dtype(ctx, g, e->dtype, &gc);
        act_tensor_free(g);
        if (st != ACT_OK)
            return st;
        g = gc;
    }
    if (n->leaf[k])
        return accumulate_leaf(ctx, n->leaf[k], g);
    act_status st = accumulate_node(ctx, &n->next[k]->grad, g);
    act_tensor_free(g);
    return st;
}

static act_status run_node(act_context *ctx, act_node *n)
{
    const act_op_info *info = &act_op_table[n->op];
    if (!info->backward)
        return act_fail(ctx, ACT_E_STATE, "backward", 0,
                        "the op '%s' has no gradient", node_name(n));
    act_tensor *gx[ACT_NODE_MAX_IN] = {NULL};
    act_status st = info->backward(ctx, n, n->grad, gx);
    for (int k = 0; k < n->ninputs; k++) {
        if (st == ACT_OK && gx[k] && act_node_wants(n, k))
            st = send(ctx, n, k, gx[k]);
        else
            act_tensor_free(gx[k]);
    }
    return st;
}

/* The starting gradient: ones for a one-element t, else the given one. */
static act_status seed(act_context *ctx, const act_tensor *t,
                       const act_tensor *grad, act_tensor **out)
{
    char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
    if (!grad) {
        if (act_tensor_numel(t) != 1)
            return act_fail(ctx, ACT_E_SHAPE, "backward", 1,
                            "a tensor of shape %s is not a scalar: pass the "
                            "gradient of its elements",
                            act_shape_str(a, sizeof a, t->ndim, t->shape));
        return act_ones(ctx, t->dtype, t->ndim, t->shape, out);
    }
    if (!same_shape(grad->ndim, grad->shape, t->ndim, t->shape))
        return act_fail(ctx, ACT_E_SHAPE, "backward", 2,
                        "the gradient has shape %s but the tensor has %s",
                        act_shape_str(a, sizeof a, grad->ndim, grad->shape),
                        act_shape_str(b, sizeof b, t->ndim, t->shape));
    if (!act_is_float(grad->dtype))
        return act_fail(ctx, ACT_E_DTYPE, "backward", 2,
                        "the gradient must be a float tensor, not %s",
                        act_dtype_name(grad->dtype));
    return act_to_dtype_nograd(ctx, grad, t->dtype, out);
}

/* After a backward that released every node it walked, their edges go
 * too: a released node can never run again (walking into one is an error
 * either way), so the nodes and leaves it reads from need not stay alive
 * through it. The graph of a training step is then freed when its backward
 * ends, except the nodes that live outputs still hold, and the next step
 * reuses that memory while it is in cache. Every node of the walk is held
 * while the edges go, so that none is freed under the list. */
static void drop_edges(const node_list *order)
{
    for (size_t i = 0; i < order->n; i++)
        order->items[i]->refs++;
    for (size_t i = 0; i < order->n; i++) {
        act_node *n = order->items[i];
        for (int k = 0; k < n->ninputs; k++) {
            if (n->next[k])
                act_node_unref(n->next[k]);
            act_tensor_free(n->leaf[k]);
            n->next[k] = NULL;
            n->leaf[k] = NULL;
        }
    }
    for (size_t i = 0; i < order->n; i++)
        act_node_unref(order->items[i]);
}

act_status act_backward(act_context *ctx, act_tensor *t, const act_tensor *grad,
                        bool retain_graph)
{
    if (!t->requires_grad)
        return act_fail(ctx, ACT_E_STATE, "backward", 1,
                        "the tensor does not require grad: no tensor it was "
                        "computed from has requires_grad set");
    act_tensor *g0;
    act_status st = seed(ctx, t, grad, &g0);
    if (st != ACT_OK)
        return st;
    bool was_enabled = act_set_grad_enabled(ctx, false);
    if (!t->grad_fn) { /* a leaf: its own gradient */
        st = accumulate_leaf(ctx, t, g0); /* takes g0 over */
        act_set_grad_enabled(ctx, was_enabled);
        return st;
    }
    node_list order = take_list(&ctx->walk_order);
    st = collect(ctx, t->grad_fn, &order);
    if (st == ACT_OK) {
        t->grad_fn->grad = g0;
        g0 = NULL;
    }
    for (size_t i = 0; i < order.n; i++) {
        act_node *n = order.items[i];
        if (st == ACT_OK && n->grad)
            st = run_node(ctx, n);
        /* Each node's gradient and (unless retained) saved values go as
         * soon as it has passed them on. */
        act_tensor_free(n->grad);
        n->grad = NULL;
        if (st == ACT_OK && !retain_graph) {
            release_saved(n);
            n->released = true;
        }
    }
    if (st == ACT_OK && !retain_graph)
        drop_edges(&order);
    keep_list(&ctx->walk_order, &order);
    act_tensor_free(g0);
    act_set_grad_enabled(ctx, was_enabled);
    return st;
}

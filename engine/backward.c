/*
 * backward.c — the backward walk: every node reachable from the output,
 * checked first, then run in reverse creation order (iteratively, so deep
 * chains cannot overflow the C stack), each gradient accumulated into its
 * input's node or leaf; then the graph is released, and let go of when it
 * was not retained. Recording is tape.c.
 */
#include "autograd.h"
#include "grad_rules.h"

#include <stdlib.h>

#define same_shape act_same_shape

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
                        act_node_name(n));
    for (int k = 0; k < n->nsaved; k++)
        if (n->saved[k]->storage->version != n->saved_version[k])
            return act_fail(ctx, ACT_E_STATE, "backward", 0,
                            "a tensor that '%s' saved for the gradient was "
                            "modified in place after it was used",
                            act_node_name(n));
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
                        "the op '%s' has no gradient", act_node_name(n));
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
    /* The given gradient itself when it can serve as is: the rules never
     * write into a gradient someone else holds (they check the counts),
     * and a leaf's grad copies it, so the caller's tensor stays as it
     * was, and a large backward saves a pass over memory. (Unless it is
     * the grad of a leaf the walk adds into: act_backward copies it then.) */
    if (grad->dtype == t->dtype && act_tensor_is_contiguous(grad)) {
        *out = act_tensor_retain((act_tensor *)grad);
        return ACT_OK;
    }
    return act_to_dtype_nograd(ctx, grad, t->dtype, out);
}

/* Whether g shares memory with the grad of a leaf the walk reaches: the
 * walk adds into that grad in place, and would change g under the rules
 * that still read it (y = x + x; y:backward(x.grad)). */
static bool is_a_leaf_grad(const node_list *order, const act_tensor *g)
{
    for (size_t i = 0; i < order->n; i++) {
        const act_node *n = order->items[i];
        for (int k = 0; k < n->ninputs; k++) {
            const act_tensor *leaf = n->leaf[k];
            if (leaf && leaf->grad && leaf->grad->storage == g->storage)
                return true;
        }
    }
    return false;
}

/* Replaces *g (a reference) with a copy of it. */
static act_status own_copy(act_context *ctx, act_tensor **g)
{
    act_tensor *c;
    act_status st = act_clone_nograd(ctx, *g, &c);
    act_tensor_free(*g);
    *g = st == ACT_OK ? c : NULL;
    return st;
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
    if (st == ACT_OK && g0 == grad && is_a_leaf_grad(&order, g0))
        st = own_copy(ctx, &g0);
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
            act_node_release_saved(n);
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

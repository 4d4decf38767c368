/*
 * grad_index.c — autograd for the indexing ops (index.c): gather and
 * index_select send each output element's gradient back to the input
 * element it was read from, adding where an index repeats (scatter-add,
 * index_add); cat and stack hand each input its part of the gradient as a
 * view (narrow, select), which copies nothing. Also how cat and stack
 * record a list longer than a node's inputs.
 */
#include "autograd.h"
#include "grad_rules.h"

#include <stdlib.h>

/* ---------------------------------------------------------- recording */

/*
 * Recording a join. A node has at most ACT_NODE_MAX_IN inputs, so a longer
 * list is split into that many consecutive groups, each recorded (the same
 * way, recursively: the depth is log4 of the count) as joined into a
 * header over its part of y; y's node then joins the groups. The headers
 * copy nothing and are dropped once recorded: their nodes live on in y's.
 * join_backward tells a group from a stacked piece by its rank.
 */

/* Extent along d of ts[0..n) joined by op (cat skips 1-d empty pieces). */
static int64_t joined_extent(act_op op, int n, const act_tensor *const *ts,
                             int d)
{
    if (op == ACT_OP_STACK)
        return n;
    int64_t len = 0;
    for (int i = 0; i < n; i++) {
        const act_tensor *t = ts[i];
        len += t->ndim == 1 && t->shape[0] == 0 ? 0 : t->shape[d];
    }
    return len;
}

static act_status join_node(act_context *ctx, act_op op, int n,
                            const act_tensor *const *ts, int d, act_tensor *y)
{
    act_node *node;
    act_status st = act_record(ctx, op, n, ts, y, &node);
    if (st == ACT_OK && node)
        node->i[0] = d;
    return st;
}

static act_status join_record(act_context *ctx, act_op op, int n,
                              const act_tensor *const *ts, int d,
                              act_tensor *y)
{
    if (!act_grad_needed(ctx, n, ts))
        return ACT_OK;
    if (n <= ACT_NODE_MAX_IN)
        return join_node(ctx, op, n, ts, d, y);
    const act_tensor *groups[ACT_NODE_MAX_IN];
    act_tensor *own[ACT_NODE_MAX_IN] = {NULL};
    int per = (n + ACT_NODE_MAX_IN - 1) / ACT_NODE_MAX_IN, g = 0;
    int64_t start = 0;
    act_status st = ACT_OK;
    for (int lo = 0; st == ACT_OK && lo < n; lo += per, g++) {
        int m = n - lo < per ? n - lo : per;
        int64_t len = joined_extent(op, m, ts + lo, d);
        groups[g] = ts[lo];
        if (m > 1 && (st = act_tensor_alias(ctx, act_op_table[op].name, y,
                                            &own[g])) == ACT_OK) {
            own[g]->offset += start * y->strides[d];
            own[g]->shape[d] = len;
            groups[g] = own[g];
            st = join_record(ctx, op, m, ts + lo, d, own[g]);
        }
        start += len;
    }
    if (st == ACT_OK)
        st = join_node(ctx, op, g, groups, d, y);
    for (int i = 0; i < ACT_NODE_MAX_IN; i++)
        act_tensor_free(own[i]);
    return st;
}

act_status act_join_record(act_context *ctx, act_op op, int n,
                           const act_tensor *const *ts, int d, act_tensor *y)
{
    act_status st = join_record(ctx, op, n, ts, d, y);
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

/* ------------------------------------------------------------ indices */

/* Advances a row-major odometer over shape. */
static void next_index(int64_t *idx, int ndim, const int64_t *shape)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return;
        idx[d] = 0;
    }
}

/* The saved index's values, row-major, in a new array the caller frees.
 * The forward checked them and the version check guards in-place changes;
 * they are checked again because a write through act_tensor_data would
 * slip past both, and a bad one here would write out of bounds. */
static act_status saved_indices(act_context *ctx, const act_node *node,
                                const act_tensor *index, int64_t extent,
                                int64_t **out)
{
    int64_t n = act_tensor_numel(index);
    int64_t *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (!v)
        return act_fail(ctx, ACT_E_NOMEM, "backward", 0,
                        "cannot allocate room for %lld indices", (long long)n);
    int64_t idx[ACT_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        const void *p = act_elem_ptr(index, idx);
        int64_t i = index->dtype == ACT_DTYPE_I64
                        ? *(const int64_t *)p
                        : (int64_t)act_load(index->dtype, p);
        if (i < 0 || i >= extent) {
            free(v);
            return act_fail(ctx, ACT_E_STATE, "backward", 0,
                            "the index that '%s' saved now holds %lld, out of "
                            "range for extent %lld (was it modified?)",
                            act_op_table[node->op].name, (long long)i,
                            (long long)extent);
        }
        v[k] = i;
        next_index(idx, index->ndim, index->shape);
    }
    *out = v;
    return ACT_OK;
}

/* The extent indexed along dim d of input 0; a 0-d input counts as one
 * element (gather and index_select treat it as [1], as PyTorch does). */
static int64_t indexed_extent(const act_node *node, int d)
{
    const act_edge *e = &node->in[0];
    return e->ndim > 0 ? e->shape[d] : 1;
}

/* ------------------------------------------------------------- gather */

/* The scatter-add kernel: gx (contiguous, zeroed) gets gy's element k added
 * at gy's own position with dim d replaced by v[k]. gy (contiguous) has the
 * index's shape. */
static void scatter_add(act_tensor *gx, int d, const int64_t *v,
                        const act_tensor *gy)
{
    int64_t n = act_tensor_numel(gy), idx[ACT_MAX_DIMS] = {0};
    bool f32 = gx->dtype == ACT_DTYPE_F32;
    char *to = act_tensor_data(gx);
    const char *from = act_tensor_data(gy);
    for (int64_t k = 0; k < n; k++) {
        int64_t off = 0;
        for (int i = 0; i < gx->ndim; i++)
            off += (i == d ? v[k] : idx[i]) * gx->strides[i];
        if (f32)
            ((float *)to)[off] += ((const float *)from)[k];
        else
            ((double *)to)[off] += ((const double *)from)[k];
        next_index(idx, gy->ndim, gy->shape);
    }
}

/* i[0] the dim; saved[0] the index. */
act_status act_gather_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    int d = (int)node->i[0];
    const act_edge *e = &node->in[0];
    int64_t *v = NULL;
    act_tensor *gc = NULL, *r = NULL;
    act_status st = saved_indices(ctx, node, node->saved[0],
                                  indexed_extent(node, d), &v);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, gy, &gc);
    if (st == ACT_OK)
        st = act_zeros(ctx, gy->dtype, e->ndim, e->shape, &r);
    if (st == ACT_OK) {
        scatter_add(r, d, v, gc);
        gx[0] = r;
    }
    free(v);
    act_tensor_free(gc);
    return st;
}

/* ------------------------------------------------------- index_select */

/* The index_add kernel: seeing gx as [outer, n, inner] and gy as [outer,
 * m, inner] (both contiguous), gx[o, v[k], :] += gy[o, k, :]. The rows are
 * contiguous runs, the common case of an embedding's gradient. */
#define INDEX_ADD(NAME, T)                                                    \
    static void NAME(T *gx, const T *gy, const int64_t *v, int64_t outer,     \
                     int64_t n, int64_t m, int64_t inner)                     \
    {                                                                         \
        for (int64_t o = 0; o < outer; o++)                                   \
            for (int64_t k = 0; k < m; k++) {                                 \
                T *to = gx + (o * n + v[k]) * inner;                          \
                const T *from = gy + (o * m + k) * inner;                     \
                for (int64_t j = 0; j < inner; j++)                           \
                    to[j] += from[j];                                         \
            }                                                                 \
    }
INDEX_ADD(index_add_f32, float)
INDEX_ADD(index_add_f64, double)

/* i[0] the dim; saved[0] the index (0-d or 1-d). */
act_status act_index_select_backward(act_context *ctx, const act_node *node,
                                     const act_tensor *gy, act_tensor **gx)
{
    int d = (int)node->i[0];
    const act_edge *e = &node->in[0];
    int64_t outer = 1, inner = 1, n = indexed_extent(node, d);
    for (int k = 0; k < e->ndim; k++)
        if (k < d)
            outer *= e->shape[k];
        else if (k > d)
            inner *= e->shape[k];
    int64_t *v = NULL, m = act_tensor_numel(node->saved[0]);
    act_tensor *gc = NULL, *r = NULL;
    act_status st = saved_indices(ctx, node, node->saved[0], n, &v);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, gy, &gc);
    if (st == ACT_OK)
        st = act_zeros(ctx, gy->dtype, e->ndim, e->shape, &r);
    if (st == ACT_OK) {
        if (r->dtype == ACT_DTYPE_F32)
            index_add_f32(act_tensor_data(r), act_tensor_data(gc), v, outer, n,
                          m, inner);
        else
            index_add_f64(act_tensor_data(r), act_tensor_data(gc), v, outer, n,
                          m, inner);
        gx[0] = r;
    }
    free(v);
    act_tensor_free(gc);
    return st;
}

/* --------------------------------------------------------- cat, stack */

/*
 * Both join their inputs along dim i[0]; input k's part of gy starts where
 * the previous inputs' parts end. An input of the output's rank (a piece of
 * a cat, or a group of pieces that a long list was split into, see
 * index.c) takes a narrow as long as its extent along the dim; an input of
 * one rank less (a piece of a stack) takes one index, by select. An input
 * that cat skipped (1-d and empty, whatever the others' rank) takes
 * nothing and gets no gradient.
 */
static act_status join_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx)
{
    int d = (int)node->i[0];
    int64_t start = 0;
    for (int k = 0; k < node->ninputs; k++) {
        const act_edge *e = &node->in[k];
        act_status st = ACT_OK;
        if (e->ndim == node->out_ndim) {
            if (act_node_wants(node, k))
                st = act_narrow(ctx, gy, d, start, e->shape[d], &gx[k]);
            start += e->shape[d];
        } else if (e->ndim + 1 == node->out_ndim && node->op == ACT_OP_STACK) {
            if (act_node_wants(node, k))
                st = act_select(ctx, gy, d, start, &gx[k]);
            start++;
        }
        if (st != ACT_OK)
            return st; /* the caller frees the gx[] already made */
    }
    return ACT_OK;
}

act_status act_cat_backward(act_context *ctx, const act_node *node,
                            const act_tensor *gy, act_tensor **gx)
{
    return join_backward(ctx, node, gy, gx);
}

act_status act_stack_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    return join_backward(ctx, node, gy, gx);
}

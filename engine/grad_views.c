/*
 * grad_views.c — autograd for the views (views.c). A view moves no
 * element, so its gradient only re-describes or places gy: reshaped or
 * permuted back, summed over expanded dims, or written into zeros of the
 * input's shape where a slice or a selected index took its elements.
 */
#include "autograd.h"
#include "grad_rules.h"

/* view, reshape, squeeze, unsqueeze, flatten: gy in the input's shape (a
 * view of gy when its strides allow, else a copy). */
act_status act_view_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx)
{
    const act_edge *e = &node->in[0];
    return act_reshape(ctx, gy, e->ndim, e->shape, &gx[0]);
}

/* transpose, permute: gy permuted by the inverse permutation. */
act_status act_permute_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx)
{
    int inverse[ACT_MAX_DIMS];
    for (int i = 0; i < gy->ndim; i++)
        inverse[node->i[i]] = i;
    return act_permute(ctx, gy, gy->ndim, inverse, &gx[0]);
}

/* expand: the stretched and prepended dims summed away. */
act_status act_expand_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    const act_edge *e = &node->in[0];
    return act_sum_to_shape(ctx, gy, e->ndim, e->shape, &gx[0]);
}

/* Zeros of the input's shape with gy copied into the part `part` sees;
 * part is one of slice or select, made over the zeros by the caller's
 * parameters. The copy does not record: backward runs with grad mode off
 * and the zeros do not require grad. */
typedef act_status (*part_fn)(act_context *ctx, const act_node *node,
                              const act_tensor *z, act_tensor **out);

static act_status placed(act_context *ctx, const act_node *node,
                         const act_tensor *gy, part_fn part, act_tensor **gx)
{
    const act_edge *e = &node->in[0];
    act_tensor *z = NULL, *v = NULL;
    act_status st = act_zeros(ctx, gy->dtype, e->ndim, e->shape, &z);
    if (st == ACT_OK)
        st = part(ctx, node, z, &v);
    if (st == ACT_OK)
        st = act_copy_(ctx, v, gy);
    act_tensor_free(v);
    if (st != ACT_OK) {
        act_tensor_free(z);
        return st;
    }
    gx[0] = z;
    return ACT_OK;
}

/* The slice of z the forward took: i[0] the dim, i[1] the start, i[2] the
 * step, and as many elements as the output has along the dim. */
static act_status slice_part(act_context *ctx, const act_node *node,
                             const act_tensor *z, act_tensor **out)
{
    int dim = (int)node->i[0];
    int64_t start = node->i[1], step = node->i[2], n = node->out_shape[dim];
    int64_t stop = n > 0 ? start + (n - 1) * step + 1 : start;
    return act_slice(ctx, z, dim, start, stop, step, out);
}

static act_status select_part(act_context *ctx, const act_node *node,
                              const act_tensor *z, act_tensor **out)
{
    return act_select(ctx, z, (int)node->i[0], node->i[1], out);
}

/* narrow, slice: gy in the sliced positions, zero elsewhere. */
act_status act_slice_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    return placed(ctx, node, gy, slice_part, gx);
}

/* select: gy at the selected index, zero elsewhere. */
act_status act_select_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    return placed(ctx, node, gy, select_part, gx);
}

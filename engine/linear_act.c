/*
 * linear_act.c — act_linear_activate: a linear layer and the element-wise
 * activation after it as one autograd node. The values are act_linear's
 * (called with recording off) and the activation's own kernel, run in
 * place on the layer's output when its derivative needs only y, so what is
 * fused is the bookkeeping: one output tensor and one node instead of two,
 * and a backward that runs the activation's derivative and the layer's
 * gradients without a node, a gradient slot and a send in between.
 */
#include "act_internal.h"
#include "autograd.h"
#include "grad_rules.h"

/* Refuses what cannot be fused; p receives the checked parameters. */
static act_status check_activation(act_context *ctx, int id,
                                   const double *params, double *p)
{
    act_status st = act_activation_params(ctx, id, params, p);
    if (st != ACT_OK)
        return st;
    const act_activation_info *info = act_activation_get(id);
    if (info->form != ACT_FORM_ELEMENTWISE)
        return act_fail(ctx, ACT_E_ARG, "linear_activate", 4,
                        "%s is not element-wise: apply it on its own",
                        info->name);
    if (id == ACT_ACTIVATION_RRELU && p[2] != 0)
        return act_fail(ctx, ACT_E_ARG, "linear_activate", 4,
                        "rrelu in training draws random slopes: apply it on "
                        "its own");
    return ACT_OK;
}

/* Records y: the layer's saved x and weight as act_linear saves them, and
 * the activation's s (y itself or z, the layer's output). */
static act_status record(act_context *ctx, const act_tensor *x,
                         const act_tensor *w, const act_tensor *b, int id,
                         const double *p, const act_tensor *z, act_tensor *y)
{
    const act_tensor *in[3] = {x, w, b};
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_LINEAR_ACT, 3, in, y, &node);
    if (st != ACT_OK || !node)
        return st;
    node->i[0] = node->i[1] = -1;
    node->i[2] = id;
    for (int k = 0; k < ACT_ACTIVATION_MAX_PARAMS; k++)
        node->f[k] = p[k];
    node->i[3] = node->nsaved;
    st = act_node_save(ctx, node,
                       act_activation_get(id)->derivative_from_y ? y : z);
    if (st == ACT_OK && act_node_wants(node, 1)) {
        node->i[0] = node->nsaved;
        st = act_node_save(ctx, node, x);
    }
    if (st == ACT_OK && act_node_wants(node, 0)) {
        node->i[1] = node->nsaved;
        st = act_node_save(ctx, node, w);
    }
    return st;
}

act_status act_linear_activate(act_context *ctx, const act_tensor *x,
                               const act_tensor *weight,
                               const act_tensor *bias, int id,
                               const double *params, act_tensor **out)
{
    double p[ACT_ACTIVATION_MAX_PARAMS];
    act_status st = check_activation(ctx, id, params, p);
    if (st != ACT_OK)
        return st;
    const act_tensor *in[3] = {x, weight, bias};
    bool grad = act_grad_needed(ctx, 3, in);
    bool was = act_set_grad_enabled(ctx, false);
    act_tensor *z = NULL, *y = NULL;
    st = act_linear(ctx, x, weight, bias, &z);
    act_set_grad_enabled(ctx, was);
    if (st == ACT_OK && act_activation_get(id)->derivative_from_y &&
        act_activation_apply(ctx, id, p, z, z)) {
        y = z; /* z is needed no more: the activation runs in place */
        z = NULL;
    } else if (st == ACT_OK) {
        st = act_tensor_alloc(ctx, "linear_activate", z->dtype, z->ndim,
                              z->shape, false, &y);
        if (st == ACT_OK && !act_activation_apply(ctx, id, p, z, y))
            st = act_fail(ctx, ACT_E_ARG, "linear_activate", 4,
                          "internal: no kernel for activation %d", id);
    }
    if (st == ACT_OK && grad)
        st = record(ctx, x, weight, bias, id, p, z, y);
    act_tensor_free(z); /* the node holds it if it needs it */
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

act_status act_linear_act_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx)
{
    /* gy is the node's own gradient slot, freed after this: when nothing
     * else holds it, the activation's gradient overwrites it in place. */
    act_tensor *mine = (act_tensor *)gy, *gz;
    bool reuse = mine->refs == 1 && mine->storage->refs == 1 &&
                 act_tensor_is_contiguous(mine);
    act_status st = act_activation_grad(ctx, (int)node->i[2], node->f, false,
                                        node->saved[node->i[3]],
                                        node->out_dtype, node->out_ndim,
                                        node->out_shape, gy,
                                        reuse ? mine : NULL, &gz);
    if (st != ACT_OK)
        return st;
    st = act_linear_grads(ctx, node, (int)node->i[0], (int)node->i[1], gz, gx);
    act_tensor_free(gz);
    return st;
}

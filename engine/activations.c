/*
 * activations.c — applying a registered activation: act_activate checks the
 * parameters, runs the element-wise kernel in one pass (along-dim ones go
 * to softmax.c), draws rrelu's slopes in training, and records a node whose
 * backward computes gx = gy * f'(x or y) in one more pass.
 */
#include "activations_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <string.h>

static int dtype_index(act_dtype dtype) { return dtype == ACT_DTYPE_F64; }

/* What the kernels see: rrelu in evaluation is leaky_relu with the mean
 * of its bounds as the slope (worked out in double, as in PyTorch). */
static act_kernel_aux kernel_aux(const act_context *ctx, int id, const double *p)
{
    act_kernel_aux k;
    memcpy(k.p, p, sizeof k.p);
    if (id == ACT_ACTIVATION_RRELU)
        k.p[0] = (p[0] + p[1]) / 2;
    k.simd = ctx->simd;
    return k;
}

/* body over out and the inputs, all of out's shape. */
static void run(act_tensor *out, int nin, const act_tensor *const *in,
                act_loop_fn body, const void *aux)
{
    const act_tensor *args[ACT_ITER_MAX] = {out};
    for (int i = 0; i < nin; i++)
        args[i + 1] = in[i];
    act_iter it;
    act_iter_init(&it, out->ndim, out->shape, nin + 1, args);
    act_iter_run(&it, body, aux);
}

static bool rrelu_training(int id, const double *p)
{
    return id == ACT_ACTIVATION_RRELU && p[2] != 0;
}

/* y = f(x); *saved is what the backward will need (a new reference). */
static act_status forward(act_context *ctx, int id, const act_tensor *x,
                          const double *p, act_generator *gen, act_tensor *y,
                          act_tensor **saved)
{
    int di = dtype_index(x->dtype);
    if (rrelu_training(id, p)) {
        act_tensor *noise;
        act_status st = act_uniform(ctx, x->dtype, x->ndim, x->shape, p[0],
                                    p[1], gen, &noise);
        if (st != ACT_OK)
            return st;
        run(y, 2, (const act_tensor *const[]){noise, x},
            act_rrelu_train_kernel[di], NULL);
        *saved = noise;
        return ACT_OK;
    }
    act_kernel_aux k = kernel_aux(ctx, id, p);
    run(y, 1, &x, act_activation_kernel_table[id].forward[di], &k);
    *saved = act_tensor_retain(
        act_activation_defs[id].info.derivative_from_y ? y : (act_tensor *)x);
    return ACT_OK;
}

static act_status record(act_context *ctx, int id, const act_tensor *x,
                         const double *p, act_tensor *y, const act_tensor *saved)
{
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_ACTIVATION, 1, &x, y, &node);
    if (st != ACT_OK || !node)
        return st;
    node->i[0] = id;
    node->i[1] = rrelu_training(id, p); /* saved[0]: the slopes used */
    memcpy(node->f, p, sizeof(double) * ACT_ACTIVATION_MAX_PARAMS);
    return act_node_save(ctx, node, saved);
}

act_status act_activate_gen(act_context *ctx, int id, const act_tensor *x,
                            const double *params, act_generator *gen,
                            act_tensor **out)
{
    double p[ACT_ACTIVATION_MAX_PARAMS];
    act_status st = act_activation_params(ctx, id, params, p);
    if (st != ACT_OK)
        return st;
    const act_activation_info *info = &act_activation_defs[id].info;
    if ((st = act_require_float(ctx, info->name, 2, x)) != ACT_OK)
        return st;
    if (info->form == ACT_FORM_ALONG_DIM)
        return act_activation_along_dim(ctx, id, x, (int)p[0], 3, out);
    if (info->form != ACT_FORM_ELEMENTWISE)
        return act_fail(ctx, ACT_E_ARG, info->name, 1,
                        "%s takes a weight tensor: call act_prelu", info->name);
    act_tensor *y, *saved = NULL;
    st = act_tensor_alloc(ctx, info->name, x->dtype, x->ndim, x->shape, false, &y);
    if (st != ACT_OK)
        return st;
    st = forward(ctx, id, x, p, gen, y, &saved);
    if (st == ACT_OK)
        st = record(ctx, id, x, p, y, saved);
    act_tensor_free(saved);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

act_status act_activate(act_context *ctx, int id, const act_tensor *x,
                        const double *params, act_tensor **out)
{
    return act_activate_gen(ctx, id, x, params, NULL, out);
}

bool act_activation_apply(const act_context *ctx, int id, const double *p,
                          const act_tensor *x, act_tensor *y)
{
    if (id < 0 || id >= ACT_ACTIVATION_COUNT ||
        act_activation_defs[id].info.form != ACT_FORM_ELEMENTWISE ||
        rrelu_training(id, p))
        return false;
    act_loop_fn body = act_activation_kernel_table[id].forward[dtype_index(x->dtype)];
    if (!body)
        return false;
    act_kernel_aux k = kernel_aux(ctx, id, p);
    run(y, 1, &x, body, &k);
    return true;
}

act_status act_activation_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx)
{
    if (!act_node_wants(node, 0))
        return ACT_OK;
    const act_edge *e = &node->in[0];
    return act_activation_grad(ctx, (int)node->i[0], node->f, node->i[1] != 0,
                               node->saved[0], e->dtype, e->ndim, e->shape,
                               gy, NULL, &gx[0]);
}

act_status act_activation_grad(act_context *ctx, int id, const double *p,
                               bool slopes, const act_tensor *s,
                               act_dtype dtype, int ndim,
                               const int64_t *shape, const act_tensor *gy,
                               act_tensor *into, act_tensor **gx)
{
    const char *fn = act_activation_defs[id].info.name;
    /* step's gradient is 0 everywhere, even where gy is inf or NaN. */
    if (id == ACT_ACTIVATION_STEP)
        return act_zeros(ctx, dtype, ndim, shape, gx);
    act_tensor *owned = NULL, *g = NULL;
    act_status st = ACT_OK;
    if (gy->dtype != s->dtype) {
        st = act_to_dtype(ctx, gy, s->dtype, &owned);
        gy = owned;
    }
    if (st == ACT_OK && into && !owned && into->dtype == s->dtype)
        g = act_tensor_retain(into);
    else if (st == ACT_OK)
        st = act_tensor_alloc(ctx, fn, s->dtype, ndim, shape, false, &g);
    if (st == ACT_OK) {
        int di = dtype_index(s->dtype);
        act_kernel_aux k = kernel_aux(ctx, id, p);
        act_loop_fn body = slopes ? act_mul_saved_kernel[di]
                                  : act_activation_kernel_table[id].derivative[di];
        run(g, 2, (const act_tensor *const[]){gy, s}, body, &k);
        *gx = g;
    }
    act_tensor_free(owned);
    return st;
}

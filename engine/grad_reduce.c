/*
 * grad_reduce.c — autograd for the reductions: what they save when they
 * record, and their gradients. Sum and mean spread the output's gradient
 * back over the reduced elements as a stride-0 view (no copy); var, std
 * and logsumexp weight it by the saved input; max and min send it to the
 * elements they picked: scattered to the saved indices along a dim, shared
 * evenly among ties over all dims (PyTorch's rules).
 */
#include "autograd.h"
#include "grad_rules.h"

#include <math.h>

/* ---------------------------------------------------------- recording */

act_status act_reduce_record(act_context *ctx, act_reduce_kind op,
                             const act_tensor *x, int dim, bool keepdim,
                             int64_t correction, act_tensor *y)
{
    act_node *node;
    act_status s = act_record(ctx, ACT_OP_REDUCE, 1, &x, y, &node);
    if (s == ACT_OK && node) {
        node->i[0] = op;
        /* As act_reduce_plan reads it: a 0-d tensor's dim 0 is all of it. */
        node->i[1] = dim == ACT_ALL_DIMS || x->ndim == 0
                         ? ACT_ALL_DIMS
                         : act_norm_dim(dim, x->ndim);
        node->i[2] = keepdim;
        node->i[3] = correction;
        /* Sum and mean need only the shapes; var x; std and logsumexp x
         * and y. */
        if (op != ACT_REDUCE_SUM && op != ACT_REDUCE_MEAN)
            s = act_node_save(ctx, node, x);
        if (s == ACT_OK && (op == ACT_REDUCE_STD || op == ACT_REDUCE_LSE))
            s = act_node_save(ctx, node, y);
    }
    if (s != ACT_OK)
        act_tensor_free(y);
    return s;
}

act_status act_extreme_record(act_context *ctx, bool is_max,
                              const act_tensor *x, int dim, bool keepdim,
                              act_tensor *v, const act_tensor *ix)
{
    act_node *node;
    act_status s = act_record(ctx, ACT_OP_EXTREME, 1, &x, v, &node);
    if (s == ACT_OK && node) {
        bool all = dim == ACT_ALL_DIMS || x->ndim == 0;
        node->i[0] = is_max;
        node->i[1] = all ? ACT_ALL_DIMS : act_norm_dim(dim, x->ndim);
        node->i[2] = keepdim;
        /* Along a dim the indices say where the gradient goes; over all
         * dims every element equal to the extreme shares it. */
        if (!all)
            s = act_node_save(ctx, node, ix);
        else if ((s = act_node_save(ctx, node, x)) == ACT_OK)
            s = act_node_save(ctx, node, v);
    }
    if (s != ACT_OK)
        act_tensor_free(v);
    return s;
}

const char *act_reduce_kind_name(act_reduce_kind kind)
{
    static const char *const names[] = {"sum", "mean", "var", "std",
                                        "logsumexp"};
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind]
                                                         : "reduce";
}

/* ---------------------------------------------------------- helpers */

/* Whether dim i of the input was reduced. */
static bool reduced(const act_node *node, int i)
{
    return node->i[1] == ACT_ALL_DIMS || node->i[1] == i;
}

/* How many input elements went into each output element. */
static int64_t reduced_count(const act_node *node)
{
    int64_t n = 1;
    for (int i = 0; i < node->in[0].ndim; i++)
        if (reduced(node, i))
            n *= node->in[0].shape[i];
    return n;
}

/* g, of the output's shape, seen with the input's: a view whose reduced
 * dims have stride 0 (the output's kept or dropped extent-1 dims line up
 * with them). Broadcasting reads it as PyTorch's unsqueeze + expand. */
static act_status spread(act_context *ctx, const act_node *node,
                         const act_tensor *g, act_tensor **out)
{
    const act_edge *e = &node->in[0];
    act_tensor *v;
    act_status st = act_tensor_alias(ctx, "backward", g, &v);
    if (st != ACT_OK)
        return st;
    bool keep = node->i[2] != 0;
    for (int i = 0, j = 0; i < e->ndim; i++) {
        bool r = reduced(node, i);
        v->shape[i] = e->shape[i];
        v->strides[i] = r ? 0 : g->strides[j];
        if (!r || keep)
            j++;
    }
    v->ndim = e->ndim;
    *out = v;
    return ACT_OK;
}

/* ------------------------------------------------------ sum, mean, ... */

static act_status mean_grad(act_context *ctx, const act_node *node,
                            const act_tensor *gy, act_tensor **gx)
{
    act_tensor *scaled; /* divided before it is spread: fewer elements */
    act_status st = act_binary_scalar(ctx, ACT_BINARY_DIV, gy,
                                      (double)reduced_count(node), &scaled);
    if (st != ACT_OK)
        return st;
    st = spread(ctx, node, scaled, &gx[0]);
    act_tensor_free(scaled);
    return st;
}

/* out = g / (2 y) * c, and 0 where the deviation y is 0: std's gradient
 * before it goes through var's (PyTorch masks it so, rather than give
 * 0 * inf = NaN for a constant input). g and y have the output's shape. */
static act_status std_scale(act_context *ctx, const act_tensor *g,
                            const act_tensor *y, double c, act_tensor **out)
{
    act_tensor *gc = NULL, *yc = NULL, *r = NULL;
    act_status st = act_contiguous_nograd(ctx, g, &gc);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, y, &yc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "backward", g->dtype, g->ndim, g->shape,
                              false, &r);
    if (st == ACT_OK) {
        size_t es = act_dtype_size(g->dtype);
        const char *gp = act_tensor_data(gc), *yp = act_tensor_data(yc);
        char *rp = act_tensor_data(r);
        for (int64_t i = 0, n = act_tensor_numel(r); i < n; i++) {
            double s = act_load(g->dtype, yp + i * es);
            double gi = act_load(g->dtype, gp + i * es);
            act_store(g->dtype, rp + i * es, s == 0 ? 0.0 : gi / (2 * s) * c);
        }
        *out = r;
    }
    act_tensor_free(gc);
    act_tensor_free(yc);
    return st;
}

/* var: gx = 2 / (n - correction) * gy * (x - mean(x)); std: the same with
 * gy / (2 std), as PyTorch's var_backward and std_backward. */
static act_status var_grad(act_context *ctx, const act_node *node,
                           const act_tensor *gy, act_tensor **gx)
{
    const act_tensor *x = node->saved[0];
    double n = (double)reduced_count(node);
    double c = 2.0 / fmax(0.0, n - (double)node->i[3]);
    act_tensor *scale = NULL, *mean = NULL, *diff = NULL, *view = NULL;
    act_status st =
        node->i[0] == ACT_REDUCE_VAR
            ? act_binary_scalar(ctx, ACT_BINARY_MUL, gy, c, &scale)
            : std_scale(ctx, gy, node->saved[1], c, &scale);
    if (st == ACT_OK)
        st = act_mean(ctx, x, (int)node->i[1], true, &mean);
    if (st == ACT_OK)
        st = act_binary(ctx, ACT_BINARY_SUB, x, mean, &diff);
    if (st == ACT_OK)
        st = spread(ctx, node, scale, &view);
    if (st == ACT_OK)
        st = act_binary_(ctx, ACT_BINARY_MUL, diff, view);
    act_tensor_free(scale);
    act_tensor_free(mean);
    act_tensor_free(view);
    if (st == ACT_OK)
        gx[0] = diff;
    else
        act_tensor_free(diff);
    return st;
}

/* gx = gy * exp(x - logsumexp(x)): the softmax of x, weighted; computed in
 * one buffer. */
static act_status lse_grad(act_context *ctx, const act_node *node,
                           const act_tensor *gy, act_tensor **gx)
{
    act_tensor *y = NULL, *g = NULL, *d = NULL;
    act_status st = spread(ctx, node, node->saved[1], &y);
    if (st == ACT_OK)
        st = spread(ctx, node, gy, &g);
    if (st == ACT_OK)
        st = act_binary(ctx, ACT_BINARY_SUB, node->saved[0], y, &d);
    if (st == ACT_OK)
        st = act_unary_(ctx, ACT_UNARY_EXP, d);
    if (st == ACT_OK)
        st = act_binary_(ctx, ACT_BINARY_MUL, d, g);
    act_tensor_free(y);
    act_tensor_free(g);
    if (st == ACT_OK)
        gx[0] = d;
    else
        act_tensor_free(d);
    return st;
}

act_status act_reduce_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    switch ((act_reduce_kind)node->i[0]) {
    case ACT_REDUCE_SUM: return spread(ctx, node, gy, &gx[0]);
    case ACT_REDUCE_MEAN: return mean_grad(ctx, node, gy, gx);
    case ACT_REDUCE_VAR:
    case ACT_REDUCE_STD: return var_grad(ctx, node, gy, gx);
    case ACT_REDUCE_LSE: return lse_grad(ctx, node, gy, gx);
    }
    return act_fail(ctx, ACT_E_STATE, "backward", 0,
                    "internal: unknown reduction %d", (int)node->i[0]);
}

/* ------------------------------------------------------------ max, min */

/* Along dim d: gx is zero but for gx[o, ix[o, j], j] = gy[o, j], seeing
 * the input as [outer, n, inner] (ix and gy as [outer, inner]). */
static void scatter(const act_node *node, const act_tensor *gc,
                    const act_tensor *ixc, act_tensor *r)
{
    const act_edge *e = &node->in[0];
    int d = (int)node->i[1];
    int64_t outer = 1, n = e->shape[d], inner = 1;
    for (int i = 0; i < e->ndim; i++)
        if (i < d)
            outer *= e->shape[i];
        else if (i > d)
            inner *= e->shape[i];
    size_t es = act_dtype_size(r->dtype);
    const char *gp = act_tensor_data(gc);
    const int64_t *ix = act_tensor_data(ixc);
    char *rp = act_tensor_data(r);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            int64_t at = o * inner + j, to = (o * n + ix[at]) * inner + j;
            act_store(r->dtype, rp + to * es, act_load(r->dtype, gp + at * es));
        }
}

static act_status extreme_dim_grad(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx)
{
    act_tensor *gc = NULL, *ixc = NULL, *r = NULL;
    act_status st = act_contiguous_nograd(ctx, gy, &gc);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, node->saved[0], &ixc);
    if (st == ACT_OK)
        st = act_zeros(ctx, gy->dtype, node->in[0].ndim, node->in[0].shape, &r);
    if (st == ACT_OK) {
        scatter(node, gc, ixc, r);
        gx[0] = r;
    }
    act_tensor_free(gc);
    act_tensor_free(ixc);
    return st;
}

/* Whether element v is one of the extremes m (NaN matches NaN: a NaN
 * maximum came from the NaNs). */
static bool picked(double v, double m)
{
    return m == m ? v == m : v != v;
}

/* Over all dims: gy / count to each of the count elements equal to the
 * extreme, as PyTorch's evenly_distribute_backward. */
static act_status extreme_all_grad(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx)
{
    double g, m;
    act_tensor *xc = NULL, *r = NULL;
    act_status st = act_tensor_item(ctx, gy, &g);
    if (st == ACT_OK)
        st = act_tensor_item(ctx, node->saved[1], &m);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, node->saved[0], &xc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "backward", gy->dtype, xc->ndim, xc->shape,
                              false, &r);
    if (st == ACT_OK) {
        size_t es = act_dtype_size(xc->dtype);
        const char *xp = act_tensor_data(xc);
        char *rp = act_tensor_data(r);
        int64_t n = act_tensor_numel(xc), count = 0;
        for (int64_t i = 0; i < n; i++)
            count += picked(act_load(xc->dtype, xp + i * es), m);
        for (int64_t i = 0; i < n; i++)
            act_store(r->dtype, rp + i * es,
                      picked(act_load(xc->dtype, xp + i * es), m)
                          ? g / (double)count
                          : 0.0);
        gx[0] = r;
    }
    act_tensor_free(xc);
    return st;
}

act_status act_extreme_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx)
{
    return node->i[1] == ACT_ALL_DIMS ? extreme_all_grad(ctx, node, gy, gx)
                                      : extreme_dim_grad(ctx, node, gy, gx);
}

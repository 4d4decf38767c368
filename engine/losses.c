/*
 * losses.c — the element-wise losses (mse, l1, smooth_l1, huber, bce,
 * bce_naive, bce_with_logits, kl_div), each one fused pass for the values and the
 * reduction and one for the gradients of input and target; and what every
 * loss shares: reductions, float64 working copies, recording, and the
 * ACT_OP_LOSS backward. Arithmetic is in double whatever the dtype.
 */
#include "losses_internal.h"
#include "grad_rules.h"

#include <math.h>
#include <string.h>

static const char *const loss_names[ACT_LOSS_KIND_COUNT] = {
    [ACT_LOSS_MSE] = "mse",
    [ACT_LOSS_L1] = "l1",
    [ACT_LOSS_SMOOTH_L1] = "smooth_l1",
    [ACT_LOSS_HUBER] = "huber",
    [ACT_LOSS_BCE] = "bce",
    [ACT_LOSS_BCE_WITH_LOGITS] = "bce_with_logits",
    [ACT_LOSS_KL_DIV] = "kl_div",
    [ACT_LOSS_BCE_NAIVE] = "bce_naive",
    [ACT_LOSS_CROSS_ENTROPY] = "cross_entropy",
    [ACT_LOSS_NLL] = "nll",
};

const char *act_loss_kind_name(int kind)
{
    return kind >= 0 && kind < ACT_LOSS_KIND_COUNT ? loss_names[kind] : "loss";
}

/* ------------------------------------------------------------ reductions */

static const char *const reduction_names[ACT_REDUCTION_COUNT] = {
    [ACT_REDUCTION_MEAN] = "mean",
    [ACT_REDUCTION_SUM] = "sum",
    [ACT_REDUCTION_NONE] = "none",
    [ACT_REDUCTION_BATCHMEAN] = "batchmean",
};

const char *act_reduction_name(act_reduction reduction)
{
    return (unsigned)reduction < ACT_REDUCTION_COUNT ? reduction_names[reduction]
                                                     : NULL;
}

bool act_reduction_from_name(const char *name, act_reduction *out)
{
    for (int r = 0; name && r < ACT_REDUCTION_COUNT; r++)
        if (strcmp(name, reduction_names[r]) == 0) {
            *out = (act_reduction)r;
            return true;
        }
    return false;
}

act_status act_loss_check_reduction(act_context *ctx, const char *fn, int arg,
                                    act_reduction reduction, bool batchmean_ok)
{
    if ((unsigned)reduction >= ACT_REDUCTION_COUNT)
        return act_fail(ctx, ACT_E_ARG, fn, arg, "invalid reduction %d",
                        (int)reduction);
    if (reduction == ACT_REDUCTION_BATCHMEAN && !batchmean_ok)
        return act_fail(ctx, ACT_E_ARG, fn, arg,
                        "reduction \"batchmean\" is only for kl_div (expected "
                        "\"mean\", \"sum\" or \"none\")");
    return ACT_OK;
}

double act_loss_scale(act_reduction reduction, int64_t n, double batch)
{
    switch (reduction) {
    case ACT_REDUCTION_MEAN: return 1.0 / (double)n;
    case ACT_REDUCTION_BATCHMEAN: return 1.0 / batch;
    default: return 1.0;
    }
}

act_status act_loss_reduced(act_context *ctx, act_reduction reduction,
                            act_dtype dtype, double sum, int64_t n,
                            double batch, act_tensor **out)
{
    /* 0 / 0 for an empty mean is NaN, as in PyTorch. */
    double value = reduction == ACT_REDUCTION_SUM ? sum
                   : reduction == ACT_REDUCTION_MEAN ? sum / (double)n
                                                     : sum / batch;
    return act_scalar(ctx, dtype, value, out);
}

/* A contiguous float64 copy of t made without recording (t itself when it
 * already is one). */
static act_status f64_copy(act_context *ctx, const act_tensor *t,
                          act_tensor **out)
{
    return t->dtype == ACT_DTYPE_F64 ? act_contiguous_nograd(ctx, t, out)
                                     : act_to_dtype_nograd(ctx, t, ACT_DTYPE_F64, out);
}

act_status act_loss_record(act_context *ctx, act_loss_kind kind,
                           act_reduction reduction, double scale,
                           const act_tensor *input, const act_tensor *target,
                           act_tensor *y, act_node **node)
{
    const act_tensor *in[2] = {input, target};
    act_status st = act_record(ctx, ACT_OP_LOSS, 2, in, y, node);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    if (*node) {
        (*node)->i[0] = kind;
        (*node)->i[1] = reduction;
        (*node)->f[1] = scale;
    }
    return ACT_OK;
}

act_status act_loss_upstream_init(act_context *ctx, const act_node *node,
                                  const act_tensor *gy, act_loss_upstream *u)
{
    u->each = node->i[1] == ACT_REDUCTION_NONE;
    u->scale = node->f[1];
    u->dtype = gy->dtype;
    u->gc = NULL;
    act_status st = act_contiguous_nograd(ctx, gy, &u->gc);
    u->g = st == ACT_OK ? act_tensor_data(u->gc) : NULL;
    return st;
}

act_status act_loss_grad_alloc(act_context *ctx, const act_node *node, int k,
                               act_tensor **out)
{
    return act_tensor_alloc(ctx, loss_names[node->i[0]], node->in[k].dtype,
                            node->in[k].ndim, node->in[k].shape, true, out);
}

/* ---------------------------------------------- element-wise formulas */

/* One loss with its parameter (beta, delta, log_target) and pos_weight. */
typedef struct {
    act_loss_kind kind;
    double param;
    const double *w; /* bce_with_logits' pos_weight per element, or NULL */
} pointwise;

/* log(1 + e^-|x|) + max(-x, 0) = log(1 + e^-x), never overflowing. */
static inline double softplus_neg(double x)
{
    return log1p(exp(-fabs(x))) + (x < 0 ? -x : 0);
}

static inline double sigmoid(double x)
{
    double e = exp(-fabs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

static inline double sign(double d) { return (double)((d > 0) - (d < 0)); }

/* PyTorch's BCE clamps each log at -100 so that p = 0 or 1 stays finite. */
static inline double clamped_log(double v)
{
    double l = log(v);
    return l < -100 ? -100 : l;
}

static double loss_value(const pointwise *p, double x, double y, int64_t i)
{
    double d = x - y, ad = fabs(d), b = p->param;
    switch (p->kind) {
    case ACT_LOSS_MSE: return d * d;
    case ACT_LOSS_L1: return ad;
    case ACT_LOSS_SMOOTH_L1: return ad < b ? 0.5 * d * d / b : ad - 0.5 * b;
    case ACT_LOSS_HUBER: return ad <= b ? 0.5 * d * d : b * (ad - 0.5 * b);
    case ACT_LOSS_BCE:
        /* log(1 - p), not log1p(-p): PyTorch's values to the last bit. */
        return -(y * clamped_log(x) + (1 - y) * clamped_log(1 - x));
    case ACT_LOSS_BCE_NAIVE: /* unclamped: 0 log 0 is NaN, as in the article */
        return -(y * log(x) + (1 - y) * log(1 - x));
    case ACT_LOSS_BCE_WITH_LOGITS: {
        double lw = p->w ? 1 + (p->w[i] - 1) * y : 1;
        return (1 - y) * x + lw * softplus_neg(x);
    }
    case ACT_LOSS_KL_DIV:
        if (b != 0) /* log_target */
            return exp(y) * (y - x);
        return (y == 0 ? 0 : y * log(y)) - y * x; /* xlogy(y, y) - y x */
    default: return NAN;
    }
}

/* d loss / d x and d loss / d y at one element. */
static void loss_grad(const pointwise *p, double x, double y, int64_t i,
                      double *dx, double *dy)
{
    double d = x - y, b = p->param, g;
    switch (p->kind) {
    case ACT_LOSS_MSE: g = 2 * d; break;
    case ACT_LOSS_L1: g = sign(d); break;
    case ACT_LOSS_SMOOTH_L1: /* beta 0 is l1: d / 0 must not be reached */
        g = b == 0 ? sign(d) : d < -b ? -1 : d > b ? 1 : d / b;
        break;
    case ACT_LOSS_HUBER: g = d < -b ? -b : d > b ? b : d; break;
    case ACT_LOSS_BCE: {
        double v = (1 - x) * x;
        /* PyTorch's EPSILON is the float 1e-12f, which these match. */
        const double eps = (double)1e-12f;
        *dx = (x - y) / (v > eps ? v : eps);
        *dy = clamped_log(1 - x) - clamped_log(x);
        return;
    }
    case ACT_LOSS_BCE_NAIVE:
        /* What autograd composes from y log h + (1 - y) log(1 - h): the
         * same terms, so NaN and inf arise where they would there. */
        *dx = -(y * (1 / x) + (1 - y) * (-1 / (1 - x)));
        *dy = -(log(x) - log(1 - x));
        return;
    case ACT_LOSS_BCE_WITH_LOGITS: {
        double w = p->w ? p->w[i] : 1, lw = 1 + (w - 1) * y;
        *dx = lw * sigmoid(x) - w * y;
        *dy = -x + (w - 1) * softplus_neg(x);
        return;
    }
    case ACT_LOSS_KL_DIV:
        if (b != 0) {
            *dx = -exp(y);
            *dy = exp(y) * (y - x + 1);
        } else {
            *dx = -y;
            *dy = log(y) + 1 - x;
        }
        return;
    default: g = NAN;
    }
    *dx = g;
    *dy = -g;
}

/* ------------------------------------------------------ the forward */

static act_status check_pair(act_context *ctx, const char *fn,
                             const act_tensor *x, const act_tensor *y)
{
    act_status st = act_require_float(ctx, fn, 1, x);
    if (st == ACT_OK)
        st = act_require_float(ctx, fn, 2, y);
    if (st != ACT_OK)
        return st;
    if (x->ndim != y->ndim ||
        memcmp(x->shape, y->shape, sizeof(int64_t) * (size_t)x->ndim) != 0) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, fn, 0,
                        "input %s and target %s differ (losses do not "
                        "broadcast: reshape one of them)",
                        act_shape_str(a, sizeof a, x->ndim, x->shape),
                        act_shape_str(b, sizeof b, y->ndim, y->shape));
    }
    return ACT_OK;
}

/* BCE takes probabilities: PyTorch refuses anything outside [0, 1]. */
static act_status check_probabilities(act_context *ctx, const act_tensor *x)
{
    const void *p = act_tensor_data(x);
    int64_t n = act_tensor_numel(x);
    for (int64_t i = 0; i < n; i++) {
        double v = act_loss_get(p, x->dtype, i);
        if (!(v >= 0 && v <= 1))
            return act_fail(ctx, ACT_E_ARG, "bce", 1,
                            "the input holds %g, outside [0, 1]: bce takes "
                            "probabilities (use bce_with_logits for logits)",
                            v != v ? NAN : v);
    }
    return ACT_OK;
}

/* pos_weight broadcast to x's shape as a float64 working copy. */
static act_status pos_weight_f64(act_context *ctx, const act_tensor *pw,
                                 const act_tensor *x, act_tensor **out)
{
    const char *fn = "bce_with_logits";
    act_status st = act_require_float(ctx, fn, 3, pw);
    if (st != ACT_OK)
        return st;
    if (pw->requires_grad && act_grad_enabled(ctx))
        return act_fail(ctx, ACT_E_UNSUPPORTED, fn, 3,
                        "pos_weight requires grad, but it is held constant "
                        "(detach it)");
    /* Right-aligned, each extent must be x's or 1. */
    bool fits = pw->ndim <= x->ndim;
    for (int d = 1; fits && d <= pw->ndim; d++) {
        int64_t e = pw->shape[pw->ndim - d];
        fits = e == 1 || e == x->shape[x->ndim - d];
    }
    if (!fits) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, fn, 3,
                        "pos_weight %s does not broadcast to the input's "
                        "shape %s (one weight per class: the last dim)",
                        act_shape_str(a, sizeof a, pw->ndim, pw->shape),
                        act_shape_str(b, sizeof b, x->ndim, x->shape));
    }
    act_tensor *e = NULL;
    bool was = act_set_grad_enabled(ctx, false);
    st = act_expand(ctx, pw, x->ndim, x->shape, &e);
    act_set_grad_enabled(ctx, was);
    if (st == ACT_OK)
        st = f64_copy(ctx, e, out);
    act_tensor_free(e);
    return st;
}

/* The operands as the loop reads them: input and target contiguous (in
 * their own dtypes: no copy when they already are), pos_weight expanded
 * to float64 (NULL without one). */
typedef struct {
    act_tensor *x, *y, *w;
} operands;

static void operands_free(operands *k)
{
    act_tensor_free(k->x);
    act_tensor_free(k->y);
    act_tensor_free(k->w);
}

/* The per-element losses into out (for "none"), or their sum. */
static double loss_pass(const pointwise *p, const operands *k, void *out,
                        act_dtype out_dtype)
{
    const void *xs = act_tensor_data(k->x), *ys = act_tensor_data(k->y);
    act_dtype xt = k->x->dtype, yt = k->y->dtype;
    int64_t n = act_tensor_numel(k->x);
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = loss_value(p, act_loss_get(xs, xt, i), act_loss_get(ys, yt, i), i);
        if (out)
            act_loss_put(out, out_dtype, i, v);
        else
            sum += v;
    }
    return sum;
}

static act_status loss_pointwise(act_context *ctx, act_loss_kind kind,
                                 const act_tensor *input,
                                 const act_tensor *target,
                                 const act_tensor *pos_weight,
                                 act_reduction reduction, double param,
                                 act_tensor **out)
{
    const char *fn = loss_names[kind];
    int red_arg = kind == ACT_LOSS_BCE_WITH_LOGITS ? 4 : 3;
    act_status st = check_pair(ctx, fn, input, target);
    if (st == ACT_OK)
        st = act_loss_check_reduction(ctx, fn, red_arg, reduction,
                                      kind == ACT_LOSS_KL_DIV);
    if (st != ACT_OK)
        return st;
    operands k = {0};
    if ((st = act_contiguous_nograd(ctx, input, &k.x)) == ACT_OK &&
        (st = act_contiguous_nograd(ctx, target, &k.y)) == ACT_OK && pos_weight)
        st = pos_weight_f64(ctx, pos_weight, input, &k.w);
    if (st == ACT_OK && kind == ACT_LOSS_BCE)
        st = check_probabilities(ctx, k.x);
    act_dtype dtype = act_promote(input->dtype, target->dtype);
    act_tensor *y = NULL;
    if (st == ACT_OK && reduction == ACT_REDUCTION_NONE)
        st = act_tensor_alloc(ctx, fn, dtype, input->ndim, input->shape, false, &y);
    int64_t n = act_tensor_numel(input);
    double batch = input->ndim ? (double)input->shape[0] : 1;
    if (st == ACT_OK) {
        pointwise p = {kind, param, k.w ? act_tensor_data(k.w) : NULL};
        double sum = loss_pass(&p, &k, y ? act_tensor_data(y) : NULL, dtype);
        if (!y)
            st = act_loss_reduced(ctx, reduction, dtype, sum, n, batch, &y);
    }
    act_node *node = NULL;
    if (st == ACT_OK)
        st = act_loss_record(ctx, kind, reduction,
                             act_loss_scale(reduction, n, batch), input,
                             target, y, &node);
    if (st == ACT_OK && node) {
        node->f[0] = param;
        node->i[2] = k.w != NULL;
        if ((st = act_node_save(ctx, node, k.x)) == ACT_OK &&
            (st = act_node_save(ctx, node, k.y)) == ACT_OK && k.w)
            st = act_node_save(ctx, node, k.w);
        if (st != ACT_OK)
            act_tensor_free(y);
    }
    operands_free(&k);
    if (st == ACT_OK)
        *out = y;
    return st;
}

act_status act_mse_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_MSE, input, target, NULL, reduction,
                          0, out);
}

act_status act_l1_loss(act_context *ctx, const act_tensor *input,
                       const act_tensor *target, act_reduction reduction,
                       act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_L1, input, target, NULL, reduction, 0,
                          out);
}

act_status act_smooth_l1_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target,
                              act_reduction reduction, double beta,
                              act_tensor **out)
{
    if (!(beta >= 0))
        return act_fail(ctx, ACT_E_ARG, "smooth_l1", 4,
                        "beta must be >= 0, got %g", beta);
    return loss_pointwise(ctx, ACT_LOSS_SMOOTH_L1, input, target, NULL,
                          reduction, beta, out);
}

act_status act_huber_loss(act_context *ctx, const act_tensor *input,
                          const act_tensor *target, act_reduction reduction,
                          double delta, act_tensor **out)
{
    if (!(delta > 0))
        return act_fail(ctx, ACT_E_ARG, "huber", 4,
                        "delta must be > 0, got %g", delta);
    return loss_pointwise(ctx, ACT_LOSS_HUBER, input, target, NULL, reduction,
                          delta, out);
}

act_status act_bce_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_BCE, input, target, NULL, reduction,
                          0, out);
}

act_status act_bce_naive_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target, act_reduction reduction,
                              act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_BCE_NAIVE, input, target, NULL,
                          reduction, 0, out);
}

act_status act_bce_with_logits_loss(act_context *ctx, const act_tensor *input,
                                    const act_tensor *target,
                                    const act_tensor *pos_weight,
                                    act_reduction reduction, act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_BCE_WITH_LOGITS, input, target,
                          pos_weight, reduction, 0, out);
}

act_status act_kl_div_loss(act_context *ctx, const act_tensor *input,
                           const act_tensor *target, act_reduction reduction,
                           bool log_target, act_tensor **out)
{
    return loss_pointwise(ctx, ACT_LOSS_KL_DIV, input, target, NULL,
                          reduction, log_target ? 1 : 0, out);
}

/* ----------------------------------------------------- the backward */

static act_status pointwise_backward(act_context *ctx, const act_node *node,
                                     const act_tensor *gy, act_tensor **gx)
{
    const act_tensor *xt = node->saved[0], *yt = node->saved[1];
    pointwise p = {(act_loss_kind)node->i[0], node->f[0],
                   node->i[2] ? act_tensor_data(node->saved[2]) : NULL};
    act_loss_upstream u;
    act_status st = act_loss_upstream_init(ctx, node, gy, &u);
    act_tensor *g[2] = {NULL, NULL};
    for (int k = 0; k < 2 && st == ACT_OK; k++)
        if (act_node_wants(node, k))
            st = act_loss_grad_alloc(ctx, node, k, &g[k]);
    if (st == ACT_OK) {
        const void *xs = act_tensor_data(xt), *ys = act_tensor_data(yt);
        void *g0 = g[0] ? act_tensor_data(g[0]) : NULL;
        void *g1 = g[1] ? act_tensor_data(g[1]) : NULL;
        int64_t n = act_tensor_numel(xt);
        for (int64_t i = 0; i < n; i++) {
            double dx, dy, up = act_loss_upstream_at(&u, i);
            loss_grad(&p, act_loss_get(xs, xt->dtype, i),
                      act_loss_get(ys, yt->dtype, i), i, &dx, &dy);
            if (g0)
                act_loss_put(g0, g[0]->dtype, i, up * dx);
            if (g1)
                act_loss_put(g1, g[1]->dtype, i, up * dy);
        }
        gx[0] = g[0];
        gx[1] = g[1];
    } else {
        act_tensor_free(g[0]);
        act_tensor_free(g[1]);
    }
    act_tensor_free(u.gc);
    return st;
}

act_status act_loss_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx)
{
    if (node->i[0] >= ACT_LOSS_CROSS_ENTROPY)
        return act_loss_class_backward(ctx, node, gy, gx);
    return pointwise_backward(ctx, node, gy, gx);
}

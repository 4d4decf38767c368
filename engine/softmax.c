/*
 * softmax.c — the activations that work along a dim: softmax, log_softmax
 * and softmin, shifted by each row's extreme so that no logit overflows,
 * and glu; forward and backward. Inputs are made contiguous and seen as
 * [outer, n, inner] with the dim in the middle; arithmetic is in double,
 * but for float32 with the context's simd set (softmax_f32.c: a last dim,
 * or glu).
 */
#include "activations_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <math.h>

/* node->i[0] of ACT_OP_SOFTMAX. */
enum {
    KIND_SOFTMAX = ACT_SOFTMAX_KIND_SOFTMAX,
    KIND_LOG_SOFTMAX = ACT_SOFTMAX_KIND_LOG,
    KIND_SOFTMIN = ACT_SOFTMAX_KIND_SOFTMIN,
};
static const char *const kind_names[] = {"softmax", "log_softmax", "softmin"};

typedef struct {
    int64_t outer, n, inner;
} span;

/* The dim d of shape as [outer, n, inner]; a 0-d tensor is one element. */
static span span_of(int ndim, const int64_t *shape, int d)
{
    span s = {1, 1, 1};
    for (int i = 0; i < ndim; i++) {
        if (i < d)
            s.outer *= shape[i];
        else if (i == d)
            s.n = shape[i];
        else
            s.inner *= shape[i];
    }
    return s;
}

static inline double get(const void *p, int64_t i, bool f32)
{
    return f32 ? (double)((const float *)p)[i] : ((const double *)p)[i];
}

static inline void put(void *p, int64_t i, double v, bool f32)
{
    if (f32)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

/* sigmoid and 1 - sigmoid without overflow (as activations_math.inc). */
static inline double sig(double x)
{
    double e = exp(-fabs(x));
    return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/* A contiguous version of t in `dtype`, made without recording (internal
 * copies are not part of the graph). */
static act_status plain_copy(act_context *ctx, const act_tensor *t,
                             act_dtype dtype, act_tensor **out)
{
    bool was = act_set_grad_enabled(ctx, false);
    act_status st = t->dtype == dtype ? act_contiguous(ctx, t, out)
                                      : act_to_dtype(ctx, t, dtype, out);
    act_set_grad_enabled(ctx, was);
    return st;
}

/* Whether softmax_f32.c's rows run: float32 in a context with simd, the
 * dim the last (or followed by ones only). */
static bool fast_rows(const act_context *ctx, act_dtype dtype, span s)
{
    return ctx->simd && dtype == ACT_DTYPE_F32 && s.inner == 1;
}

/* ------------------------------------------------------------ softmax */

static void softmax_rows(int kind, const void *x, void *y, span s, bool f32)
{
    if (s.n == 0)
        return;
    for (int64_t o = 0; o < s.outer; o++) {
        for (int64_t j = 0; j < s.inner; j++) {
            int64_t b = o * s.n * s.inner + j, step = s.inner;
            /* The maximum (softmin: the minimum); NaN fails every
             * comparison, and then poisons the sum, as it should. */
            double m = get(x, b, f32);
            for (int64_t k = 1; k < s.n; k++) {
                double v = get(x, b + k * step, f32);
                if (kind == KIND_SOFTMIN ? v < m : v > m)
                    m = v;
            }
            double sum = 0;
            for (int64_t k = 0; k < s.n; k++) {
                double v = get(x, b + k * step, f32);
                double e = exp(kind == KIND_SOFTMIN ? m - v : v - m);
                sum += e;
                if (kind != KIND_LOG_SOFTMAX)
                    put(y, b + k * step, e, f32);
            }
            if (kind == KIND_LOG_SOFTMAX) {
                double lse = log(sum);
                for (int64_t k = 0; k < s.n; k++)
                    put(y, b + k * step, (get(x, b + k * step, f32) - m) - lse,
                        f32);
            } else {
                for (int64_t k = 0; k < s.n; k++)
                    put(y, b + k * step, get(y, b + k * step, f32) / sum, f32);
            }
        }
    }
}

/* softmax: gx = y (gy - sum gy y); softmin: its negative;
 * log_softmax: gx = gy - e^y sum gy. */
static void softmax_grad_rows(int kind, const void *y, const void *gy, void *gx,
                              span s, bool f32)
{
    for (int64_t o = 0; o < s.outer; o++) {
        for (int64_t j = 0; j < s.inner; j++) {
            int64_t b = o * s.n * s.inner + j, step = s.inner;
            double acc = 0;
            for (int64_t k = 0; k < s.n; k++) {
                int64_t i = b + k * step;
                acc += kind == KIND_LOG_SOFTMAX ? get(gy, i, f32)
                                                : get(gy, i, f32) * get(y, i, f32);
            }
            for (int64_t k = 0; k < s.n; k++) {
                int64_t i = b + k * step;
                double yi = get(y, i, f32), g = get(gy, i, f32), v;
                if (kind == KIND_LOG_SOFTMAX)
                    v = g - exp(yi) * acc;
                else
                    v = (kind == KIND_SOFTMIN ? -yi : yi) * (g - acc);
                put(gx, i, v, f32);
            }
        }
    }
}

static act_status softmax_family(act_context *ctx, int kind,
                                 const act_tensor *x, int dim, int dim_arg,
                                 act_tensor **out)
{
    const char *fn = kind_names[kind];
    int d = 0;
    act_status st = act_require_float(ctx, fn, 1, x);
    if (st == ACT_OK) /* a 0-d tensor takes dim 0 or -1, as in PyTorch */
        st = act_check_dim(ctx, fn, dim_arg, dim, x->ndim ? x->ndim : 1, &d);
    act_tensor *xc = NULL, *y = NULL;
    if (st == ACT_OK)
        st = plain_copy(ctx, x, x->dtype, &xc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, fn, x->dtype, x->ndim, x->shape, false, &y);
    span sp = span_of(x->ndim, x->shape, d);
    if (st == ACT_OK && fast_rows(ctx, x->dtype, sp))
        act_softmax_rows_f32(kind, act_tensor_data(xc), act_tensor_data(y),
                             sp.outer, sp.n);
    else if (st == ACT_OK)
        softmax_rows(kind, act_tensor_data(xc), act_tensor_data(y), sp,
                     x->dtype == ACT_DTYPE_F32);
    act_tensor_free(xc);
    act_node *node = NULL;
    if (st == ACT_OK)
        st = act_record(ctx, ACT_OP_SOFTMAX, 1, &x, y, &node);
    if (st == ACT_OK && node) {
        node->i[0] = kind;
        node->i[1] = d;
        st = act_node_save(ctx, node, y);
    }
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

act_status act_softmax(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out)
{
    return softmax_family(ctx, KIND_SOFTMAX, x, dim, 2, out);
}

act_status act_log_softmax(act_context *ctx, const act_tensor *x, int dim,
                           act_tensor **out)
{
    return softmax_family(ctx, KIND_LOG_SOFTMAX, x, dim, 2, out);
}

act_status act_softmin(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out)
{
    return softmax_family(ctx, KIND_SOFTMIN, x, dim, 2, out);
}

act_status act_softmax_backward(act_context *ctx, const act_node *node,
                                const act_tensor *gy, act_tensor **gx)
{
    if (!act_node_wants(node, 0))
        return ACT_OK;
    const act_tensor *y = node->saved[0]; /* contiguous: softmax made it */
    act_tensor *gyc = NULL, *g = NULL;
    act_status st = plain_copy(ctx, gy, y->dtype, &gyc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, kind_names[node->i[0]], y->dtype, y->ndim,
                              y->shape, false, &g);
    span sp = span_of(y->ndim, y->shape, (int)node->i[1]);
    if (st == ACT_OK && fast_rows(ctx, y->dtype, sp))
        act_softmax_grad_rows_f32((int)node->i[0], act_tensor_data(y),
                                  act_tensor_data(gyc), act_tensor_data(g),
                                  sp.outer, sp.n);
    else if (st == ACT_OK)
        softmax_grad_rows((int)node->i[0], act_tensor_data(y),
                          act_tensor_data(gyc), act_tensor_data(g), sp,
                          y->dtype == ACT_DTYPE_F32);
    if (st == ACT_OK)
        gx[0] = g;
    act_tensor_free(gyc);
    return st;
}

/* ---------------------------------------------------------------- glu */

/* y[o, k, j] = a sigmoid(b), a = x[o, k, j], b = x[o, h + k, j]. */
static void glu_rows(const void *x, void *y, span s, bool f32)
{
    int64_t h = s.n / 2;
    for (int64_t o = 0; o < s.outer; o++)
        for (int64_t k = 0; k < h; k++)
            for (int64_t j = 0; j < s.inner; j++) {
                double a = get(x, (o * s.n + k) * s.inner + j, f32);
                double b = get(x, (o * s.n + h + k) * s.inner + j, f32);
                put(y, (o * h + k) * s.inner + j, a * sig(b), f32);
            }
}

/* ga = gy sigmoid(b), gb = gy a sigmoid(b) sigmoid(-b). */
static void glu_grad_rows(const void *x, const void *gy, void *gx, span s,
                          bool f32)
{
    int64_t h = s.n / 2;
    for (int64_t o = 0; o < s.outer; o++)
        for (int64_t k = 0; k < h; k++)
            for (int64_t j = 0; j < s.inner; j++) {
                int64_t ia = (o * s.n + k) * s.inner + j;
                int64_t ib = (o * s.n + h + k) * s.inner + j;
                double a = get(x, ia, f32), b = get(x, ib, f32);
                double g = get(gy, (o * h + k) * s.inner + j, f32);
                put(gx, ia, g * sig(b), f32);
                put(gx, ib, g * a * sig(b) * sig(-b), f32);
            }
}

static act_status glu(act_context *ctx, const act_tensor *x, int dim,
                      int dim_arg, act_tensor **out)
{
    int d = 0;
    act_status st = act_require_float(ctx, "glu", 1, x);
    if (st == ACT_OK && x->ndim == 0)
        st = act_fail(ctx, ACT_E_SHAPE, "glu", 1,
                      "a 0-d tensor has no dim to split in halves");
    if (st == ACT_OK)
        st = act_check_dim(ctx, "glu", dim_arg, dim, x->ndim, &d);
    if (st == ACT_OK && x->shape[d] % 2 != 0)
        st = act_fail(ctx, ACT_E_SHAPE, "glu", dim_arg,
                      "the dim to split has an odd extent (%lld): it must "
                      "split into two halves",
                      (long long)x->shape[d]);
    if (st != ACT_OK)
        return st;
    int64_t shape[ACT_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++)
        shape[i] = i == d ? x->shape[i] / 2 : x->shape[i];
    act_tensor *xc = NULL, *y = NULL;
    st = plain_copy(ctx, x, x->dtype, &xc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "glu", x->dtype, x->ndim, shape, false, &y);
    act_node *node = NULL;
    if (st == ACT_OK) {
        span sp = span_of(x->ndim, x->shape, d);
        if (ctx->simd && x->dtype == ACT_DTYPE_F32)
            act_glu_rows_f32(act_tensor_data(xc), act_tensor_data(y), sp.outer,
                             sp.n / 2 * sp.inner);
        else
            glu_rows(act_tensor_data(xc), act_tensor_data(y), sp,
                     x->dtype == ACT_DTYPE_F32);
        st = act_record(ctx, ACT_OP_GLU, 1, &x, y, &node);
    }
    if (st == ACT_OK && node) {
        node->i[0] = d;
        st = act_node_save(ctx, node, xc);
    }
    act_tensor_free(xc);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

act_status act_glu(act_context *ctx, const act_tensor *x, int dim,
                   act_tensor **out)
{
    return glu(ctx, x, dim, 2, out);
}

act_status act_glu_backward(act_context *ctx, const act_node *node,
                            const act_tensor *gy, act_tensor **gx)
{
    if (!act_node_wants(node, 0))
        return ACT_OK;
    const act_tensor *x = node->saved[0]; /* contiguous: glu made it so */
    act_tensor *gyc = NULL, *g = NULL;
    act_status st = plain_copy(ctx, gy, x->dtype, &gyc);
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "glu", x->dtype, x->ndim, x->shape, false, &g);
    span sp = span_of(x->ndim, x->shape, (int)node->i[0]);
    if (st == ACT_OK && ctx->simd && x->dtype == ACT_DTYPE_F32)
        act_glu_grad_rows_f32(act_tensor_data(x), act_tensor_data(gyc),
                              act_tensor_data(g), sp.outer, sp.n / 2 * sp.inner);
    else if (st == ACT_OK)
        glu_grad_rows(act_tensor_data(x), act_tensor_data(gyc),
                      act_tensor_data(g), sp, x->dtype == ACT_DTYPE_F32);
    if (st == ACT_OK)
        gx[0] = g;
    act_tensor_free(gyc);
    return st;
}

/* ---------------------------------------------------- from the registry */

act_status act_activation_along_dim(act_context *ctx, int id,
                                    const act_tensor *x, int dim, int dim_arg,
                                    act_tensor **out)
{
    switch (id) {
    case ACT_ACTIVATION_SOFTMAX:
        return softmax_family(ctx, KIND_SOFTMAX, x, dim, dim_arg, out);
    case ACT_ACTIVATION_LOG_SOFTMAX:
        return softmax_family(ctx, KIND_LOG_SOFTMAX, x, dim, dim_arg, out);
    case ACT_ACTIVATION_SOFTMIN:
        return softmax_family(ctx, KIND_SOFTMIN, x, dim, dim_arg, out);
    case ACT_ACTIVATION_GLU:
        return glu(ctx, x, dim, dim_arg, out);
    default:
        return act_fail(ctx, ACT_E_ARG, "activate", 1,
                        "internal: activation %d does not work along a dim", id);
    }
}

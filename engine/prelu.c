/*
 * prelu.c — the parametric ReLU, x > 0 ? x : weight_c x, with one weight or
 * one per channel (dim 1, as PyTorch), and its backward to both x and the
 * weight. Inputs are made contiguous and seen as [outer, C, inner].
 * float64 and float32 have loops of their own that the compiler
 * vectorises; float32's y and x's gradient are the double arithmetic
 * rounded (a float product rounded once is), its weight gradient is summed
 * in double over 8 partial sums, so its last bits may differ from one
 * sequential sum.
 */
#include "activations_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <stdlib.h>

/* As in activations_kernels.c: the ordinary cost model, and selects
 * instead of branches (only exception flags may differ), so that the
 * float32 loops vectorise; no reassociation, so no result changes. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif

static inline void put(void *p, int64_t i, double v, bool f32)
{
    if (f32)
        ((float *)p)[i] = (float)v;
    else
        ((double *)p)[i] = v;
}

/* x as [outer, channels, inner]: channels is 1 for a single weight. */
typedef struct {
    int64_t outer, channels, inner;
} layout;

static layout layout_of(const act_tensor *x, int64_t nweights)
{
    int64_t numel = act_tensor_numel(x);
    layout l = {1, 1, numel};
    if (nweights != 1) {
        l.outer = x->shape[0];
        l.channels = nweights;
        l.inner = 1;
        for (int i = 2; i < x->ndim; i++)
            l.inner *= x->shape[i];
    }
    return l;
}

/* A contiguous copy (or t itself), made without recording. */
static act_status plain(act_context *ctx, const act_tensor *t, act_dtype dtype,
                        act_tensor **out)
{
    bool was = act_set_grad_enabled(ctx, false);
    act_status st = t->dtype == dtype ? act_contiguous(ctx, t, out)
                                      : act_to_dtype(ctx, t, dtype, out);
    act_set_grad_enabled(ctx, was);
    return st;
}

static act_status check(act_context *ctx, const act_tensor *x,
                        const act_tensor *w)
{
    act_status st = act_require_float(ctx, "prelu", 1, x);
    if (st == ACT_OK)
        st = act_require_float(ctx, "prelu", 2, w);
    if (st != ACT_OK)
        return st;
    if (w->dtype != x->dtype)
        return act_fail(ctx, ACT_E_DTYPE, "prelu", 2,
                        "the weight is %s but x is %s: they must agree",
                        act_dtype_name(w->dtype), act_dtype_name(x->dtype));
    int64_t n = act_tensor_numel(w);
    char buf[ACT_SHAPE_BUF];
    if (w->ndim > 1)
        return act_fail(ctx, ACT_E_SHAPE, "prelu", 2,
                        "the weight must be a scalar or 1-d, got shape %s",
                        act_shape_str(buf, sizeof buf, w->ndim, w->shape));
    if (n == 1)
        return ACT_OK;
    if (x->ndim < 2)
        return act_fail(ctx, ACT_E_SHAPE, "prelu", 2,
                        "a weight of %lld elements needs channels in x's dim "
                        "1, but x has shape %s (give one weight)",
                        (long long)n,
                        act_shape_str(buf, sizeof buf, x->ndim, x->shape));
    if (n != x->shape[1])
        return act_fail(ctx, ACT_E_SHAPE, "prelu", 2,
                        "%lld weights for %lld channels: x has shape %s and "
                        "its channels are dim 1",
                        (long long)n, (long long)x->shape[1],
                        act_shape_str(buf, sizeof buf, x->ndim, x->shape));
    return ACT_OK;
}

static void prelu_rows_f64(const double *restrict x, const double *w,
                           double *restrict y, layout l)
{
    int64_t i = 0;
    for (int64_t o = 0; o < l.outer; o++)
        for (int64_t c = 0; c < l.channels; c++, i += l.inner) {
            double a = w[c];
            for (int64_t j = 0; j < l.inner; j++)
                y[i + j] = x[i + j] > 0 ? x[i + j] : a * x[i + j];
        }
}

static void prelu_rows_f32(const float *restrict x, const float *w,
                           float *restrict y, layout l)
{
    int64_t i = 0;
    for (int64_t o = 0; o < l.outer; o++)
        for (int64_t c = 0; c < l.channels; c++, i += l.inner) {
            float a = w[c];
            for (int64_t j = 0; j < l.inner; j++)
                y[i + j] = x[i + j] > 0 ? x[i + j] : a * x[i + j];
        }
}

act_status act_prelu(act_context *ctx, const act_tensor *x,
                     const act_tensor *weight, act_tensor **out)
{
    act_status st = check(ctx, x, weight);
    if (st != ACT_OK)
        return st;
    act_tensor *xc = NULL, *wc = NULL, *y = NULL;
    if ((st = plain(ctx, x, x->dtype, &xc)) == ACT_OK &&
        (st = plain(ctx, weight, x->dtype, &wc)) == ACT_OK &&
        (st = act_tensor_alloc(ctx, "prelu", x->dtype, x->ndim, x->shape,
                               false, &y)) == ACT_OK)
    {
        layout l = layout_of(x, act_tensor_numel(weight));
        if (x->dtype == ACT_DTYPE_F32)
            prelu_rows_f32(act_tensor_data(xc), act_tensor_data(wc),
                           act_tensor_data(y), l);
        else
            prelu_rows_f64(act_tensor_data(xc), act_tensor_data(wc),
                           act_tensor_data(y), l);
    }
    act_node *node = NULL;
    if (st == ACT_OK)
        st = act_record(ctx, ACT_OP_PRELU, 2,
                        (const act_tensor *const[]){x, weight}, y, &node);
    if (st == ACT_OK && node && (st = act_node_save(ctx, node, xc)) == ACT_OK)
        st = act_node_save(ctx, node, wc);
    act_tensor_free(xc);
    act_tensor_free(wc);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

/* gx = x > 0 ? gy : w_c gy; gw_c = sum of gy x over channel c's x <= 0. */
static void prelu_grad_rows_f64(const double *restrict x, const double *w,
                                const double *restrict gy, double *restrict gx,
                                double *gw, layout l)
{
    int64_t i = 0;
    for (int64_t o = 0; o < l.outer; o++)
        for (int64_t c = 0; c < l.channels; c++) {
            double a = w[c], acc = 0;
            for (int64_t j = 0; j < l.inner; j++, i++) {
                double v = x[i], g = gy[i];
                if (gx)
                    gx[i] = v > 0 ? g : a * g;
                if (!(v > 0))
                    acc += g * v;
            }
            gw[c] += acc;
        }
}

/* float32: gx as above; gw_c summed in double over 8 partial sums (a
 * fixed order, so the bits do not depend on the machine). */
static void prelu_grad_rows_f32(const float *restrict x, const float *w,
                                const float *restrict gy, float *restrict gx,
                                double *gw, layout l)
{
    int64_t i = 0;
    for (int64_t o = 0; o < l.outer; o++)
        for (int64_t c = 0; c < l.channels; c++, i += l.inner) {
            const float *v = x + i, *g = gy + i;
            float a = w[c];
            if (gx)
                for (int64_t j = 0; j < l.inner; j++)
                    gx[i + j] = v[j] > 0 ? g[j] : a * g[j];
            double acc[8] = {0}, sum = 0;
            int64_t j = 0;
            for (; j + 8 <= l.inner; j += 8)
                for (int k = 0; k < 8; k++) {
                    double vd = v[j + k], p = vd * g[j + k];
                    acc[k] += vd > 0 ? 0.0 : p;
                }
            for (; j < l.inner; j++)
                sum += v[j] > 0 ? 0.0 : (double)g[j] * v[j];
            for (int k = 0; k < 8; k++)
                sum += acc[k];
            gw[c] += sum;
        }
}

act_status act_prelu_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    const act_tensor *x = node->saved[0], *w = node->saved[1];
    const act_edge *we = &node->in[1];
    bool f32 = x->dtype == ACT_DTYPE_F32;
    int64_t nw = act_tensor_numel(w);
    act_tensor *gyc = NULL, *g = NULL, *gw = NULL;
    double *acc = calloc((size_t)(nw ? nw : 1), sizeof *acc);
    act_status st = acc ? ACT_OK
                        : act_fail(ctx, ACT_E_NOMEM, "prelu", 0, "out of memory");
    if (st == ACT_OK)
        st = plain(ctx, gy, x->dtype, &gyc);
    if (st == ACT_OK && act_node_wants(node, 0))
        st = act_tensor_alloc(ctx, "prelu", x->dtype, x->ndim, x->shape, false, &g);
    if (st == ACT_OK && act_node_wants(node, 1))
        st = act_tensor_alloc(ctx, "prelu", x->dtype, we->ndim, we->shape, false, &gw);
    if (st == ACT_OK) {
        if (f32)
            prelu_grad_rows_f32(act_tensor_data(x), act_tensor_data(w),
                                act_tensor_data(gyc), g ? act_tensor_data(g) : NULL,
                                acc, layout_of(x, nw));
        else
            prelu_grad_rows_f64(act_tensor_data(x), act_tensor_data(w),
                                act_tensor_data(gyc), g ? act_tensor_data(g) : NULL,
                                acc, layout_of(x, nw));
        for (int64_t c = 0; gw && c < nw; c++)
            put(act_tensor_data(gw), c, acc[c], f32);
        gx[0] = g;
        gx[1] = gw;
        g = gw = NULL;
    }
    free(acc);
    act_tensor_free(gyc);
    act_tensor_free(g);
    act_tensor_free(gw);
    return st;
}

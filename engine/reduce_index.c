/*
 * reduce_index.c — the reductions that pick an element: max and min with
 * their indices, argmax and argmin; the first extreme on ties, the first
 * NaN if there is one (as PyTorch); max and min values are recorded for
 * autograd (grad_reduce.c). The contiguous input is seen as
 * [outer, n, inner] and reduced over n, as in reduce.c.
 */
#include "grad_rules.h"
#include "reduce_internal.h"

/* Where element k of a row (or row k of a column) is a new extreme with
 * chance 1/k, a branch on it is mispredicted often in the first few and
 * rarely after. So the first MASKED elements update with a mask and a
 * select (2-3x faster there, but blind to NaN), the rest with a branch. */
#define MASKED 16

/* True when v should replace the current extreme b: strictly more extreme
 * (so the first of equals wins), or NaN (so NaN propagates, at the first
 * NaN's index, as PyTorch). Callers stop replacing once b is NaN. */
INLINE bool beats(double v, double b, bool is_max)
{
    return is_max ? !(v <= b) : !(v >= b);
}

/* The branch-free update of (*b, *bi) by v at index k, for non-NaN b;
 * returns whether v is NaN, which it does not handle. */
INLINE bool masked_step(double v, int64_t k, bool is_max, double *b,
                        int64_t *bi)
{
    bool take = is_max ? v > *b : v < *b;
    int64_t m = -(int64_t)take;
    *bi = (*bi & ~m) | (k & m);
    *b = take ? v : *b;
    return v != v;
}

/* One exact step; true when it reached a NaN, after which nothing beats. */
INLINE bool branch_step(double v, int64_t k, bool is_max, double *b,
                        int64_t *bi)
{
    if (!beats(v, *b, is_max))
        return false;
    *b = v, *bi = k;
    return v != v;
}

/* The exact update by x[i, n): eight elements at a time, one test (which
 * vectorises) says whether any beats b, and only then are they looked at in
 * order. */
INLINE void row_arg_branch(const void *x, int64_t i, int64_t n, bool is_max,
                           double *b, int64_t *bi, bool f32)
{
    if (*b != *b)
        return;
    for (; i + 8 <= n; i += 8) {
        bool none = true;
        for (int k = 0; k < 8; k++)
            none &= !beats(ld(x, i + k, f32), *b, is_max);
        if (none)
            continue;
        for (int64_t k = i; k < i + 8; k++)
            if (branch_step(ld(x, k, f32), k, is_max, b, bi))
                return;
    }
    for (; i < n; i++)
        if (branch_step(ld(x, i, f32), i, is_max, b, bi))
            return;
}

INLINE int64_t row_arg(const void *x, int64_t n, bool is_max, double *best,
                       bool f32)
{
    double b = ld(x, 0, f32);
    int64_t bi = 0, i = 1, im = n < MASKED ? n : MASKED;
    bool nan = b != b;
    for (; i < im; i++)
        nan |= masked_step(ld(x, i, f32), i, is_max, &b, &bi);
    if (nan) /* start again, exactly */
        b = ld(x, 0, f32), bi = 0, i = 1;
    row_arg_branch(x, i, n, is_max, &b, &bi, f32);
    *best = b;
    return bi;
}

INLINE void cols_arg_init(const void *x, int64_t w, void *vals, int64_t *idx,
                          bool f32)
{
    for (int64_t j = 0; j < w; j++) {
        st(vals, j, ld(x, j, f32), f32);
        idx[j] = 0;
    }
}

/* Rows k0 <= k < k1 of w columns against the extremes so far, kept in the
 * result itself (vals, idx), without a branch; says whether it saw NaN. */
INLINE bool cols_arg_masked(const void *x, int64_t k0, int64_t k1,
                            int64_t stride, int64_t w, bool is_max,
                            void *restrict vals, int64_t *restrict idx,
                            bool f32)
{
    bool nan = false;
    for (int64_t k = k0; k < k1; k++) {
        const void *r = adv(x, k * stride, f32);
        for (int64_t j = 0; j < w; j++) {
            double b = ld(vals, j, f32);
            nan |= masked_step(ld(r, j, f32), k, is_max, &b, &idx[j]);
            st(vals, j, b, f32);
        }
    }
    return nan;
}

/* The same with a branch, and with NaN propagating (at its first row). */
INLINE void cols_arg_branch(const void *x, int64_t k0, int64_t k1,
                            int64_t stride, int64_t w, bool is_max,
                            void *restrict vals, int64_t *restrict idx,
                            bool f32)
{
    for (int64_t k = k0; k < k1; k++) {
        const void *r = adv(x, k * stride, f32);
        for (int64_t j = 0; j < w; j++) {
            double v = ld(r, j, f32), b = ld(vals, j, f32);
            if (beats(v, b, is_max) && b == b) {
                st(vals, j, v, f32);
                idx[j] = k;
            }
        }
    }
}

INLINE void cols_arg(const void *x, int64_t n, int64_t stride, int64_t w,
                     bool is_max, void *restrict vals, int64_t *restrict idx,
                     bool f32)
{
    int64_t km = n < MASKED ? n : MASKED;
    cols_arg_init(x, w, vals, idx, f32);
    if (cols_arg_masked(x, 1, km, stride, w, is_max, vals, idx, f32)) {
        cols_arg_init(x, w, vals, idx, f32); /* a NaN: start again */
        km = 1;
    }
    cols_arg_branch(x, km, n, stride, w, is_max, vals, idx, f32);
}

/* n > 0 here: an empty dim was refused before. */
INLINE void arg_kernel(const void *x, const plan *p, bool is_max, void *vals,
                       int64_t *idx, bool f32)
{
    int64_t n = p->n, inner = p->inner;
    if (inner == 1) {
        for (int64_t o = 0; o < p->outer; o++) {
            double b;
            idx[o] = row_arg(adv(x, o * n, f32), n, is_max, &b, f32);
            st(vals, o, b, f32);
        }
        return;
    }
    for (int64_t o = 0; o < p->outer; o++)
        for (int64_t j0 = 0; j0 < inner; j0 += CHUNK) {
            int64_t w = inner - j0 < CHUNK ? inner - j0 : CHUNK;
            int64_t at = o * inner + j0;
            cols_arg(adv(x, o * n * inner + j0, f32), n, inner, w, is_max,
                     (void *)adv(vals, at, f32), idx + at, f32);
        }
}

static void arg_run(const void *x, const plan *p, bool is_max, void *vals,
                    int64_t *idx, bool f32)
{
    if (f32 && is_max)
        arg_kernel(x, p, true, vals, idx, true);
    else if (f32)
        arg_kernel(x, p, false, vals, idx, true);
    else if (is_max)
        arg_kernel(x, p, true, vals, idx, false);
    else
        arg_kernel(x, p, false, vals, idx, false);
}

/* ----------------------------------------------------------- plumbing */

/* Values and indices are both computed; the ones the caller did not ask
 * for (NULL) are dropped. */
static act_status reduce_arg(act_context *ctx, const char *fn, bool is_max,
                             const act_tensor *x, int dim, bool keepdim,
                             act_tensor **values, act_tensor **indices)
{
    plan p;
    int64_t g[3];
    act_tensor *xc, *v, *ix;
    act_status s = act_reduce_plan(ctx, fn, x, dim, keepdim, g, &p.ndim,
                                   p.shape);
    if (s != ACT_OK)
        return s;
    p.outer = g[0], p.n = g[1], p.inner = g[2];
    if (p.n == 0) {
        char sb[ACT_SHAPE_BUF];
        act_shape_str(sb, sizeof sb, x->ndim, x->shape);
        if (dim == ACT_ALL_DIMS)
            return act_fail(ctx, ACT_E_ARG, fn, 1,
                            "cannot take the %s of an empty tensor (shape %s)",
                            fn, sb);
        return act_fail(ctx, ACT_E_ARG, fn, 1,
                        "cannot take the %s along dim %d of a tensor of shape "
                        "%s: it is empty",
                        fn, dim, sb);
    }
    if ((s = act_contiguous_nograd(ctx, x, &xc)) != ACT_OK)
        return s;
    s = act_tensor_alloc(ctx, fn, x->dtype, p.ndim, p.shape, false, &v);
    if (s == ACT_OK &&
        (s = act_tensor_alloc(ctx, fn, ACT_DTYPE_I64, p.ndim, p.shape, false,
                              &ix)) != ACT_OK)
        act_tensor_free(v);
    if (s != ACT_OK) {
        act_tensor_free(xc);
        return s;
    }
    arg_run(act_tensor_data(xc), &p, is_max, act_tensor_data(v),
            act_tensor_data(ix), x->dtype == ACT_DTYPE_F32);
    act_tensor_free(xc);
    if (!values) { /* argmax, argmin: not differentiable */
        act_tensor_free(v);
    } else if ((s = act_extreme_record(ctx, is_max, x, dim, keepdim, v,
                                       ix)) != ACT_OK) {
        act_tensor_free(ix);
        return s;
    } else {
        *values = v;
    }
    if (indices)
        *indices = ix;
    else
        act_tensor_free(ix);
    return ACT_OK;
}

act_status act_max(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **values, act_tensor **indices)
{
    return reduce_arg(ctx, "max", true, x, dim, keepdim, values, indices);
}

act_status act_min(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **values, act_tensor **indices)
{
    return reduce_arg(ctx, "min", false, x, dim, keepdim, values, indices);
}

act_status act_argmax(act_context *ctx, const act_tensor *x, int dim,
                      bool keepdim, act_tensor **out)
{
    return reduce_arg(ctx, "argmax", true, x, dim, keepdim, NULL, out);
}

act_status act_argmin(act_context *ctx, const act_tensor *x, int dim,
                      bool keepdim, act_tensor **out)
{
    return reduce_arg(ctx, "argmin", false, x, dim, keepdim, NULL, out);
}

/*
 * reduce.c — reductions: sum, mean, var/std, logsumexp, max/min with their
 * indices, argmax/argmin. The (contiguous) input is seen as [outer, n, inner]
 * and reduced over n: with inner = 1 each result is one tight loop over a
 * row; otherwise the n rows are read in memory order into small buffers.
 */
#include "act_internal.h"

#include <math.h>

/* Each kernel is written once over a `f32` flag and forced inline into two
 * callers that pass a constant, so the flag folds away and every loop is
 * compiled for its element type. */
#define INLINE static inline __attribute__((always_inline))

/* Inner columns are reduced CHUNK at a time: the accumulators (a few KiB)
 * stay in L1 while each of the n rows is read as one contiguous run. */
#define CHUNK 1024

/* x as [outer, n, inner] reduced over n, and the result's shape. */
typedef struct {
    int64_t outer, n, inner;
    int ndim;
    int64_t shape[ACT_MAX_DIMS];
} plan;

/* ------------------------------------------------------------- elements */

INLINE double ld(const void *x, int64_t i, bool f32)
{
    return f32 ? (double)((const float *)x)[i] : ((const double *)x)[i];
}

INLINE void st(void *y, int64_t i, double v, bool f32)
{
    if (f32)
        ((float *)y)[i] = (float)v;
    else
        ((double *)y)[i] = v;
}

INLINE const void *adv(const void *x, int64_t i, bool f32)
{
    return (const char *)x + i * (f32 ? 4 : 8);
}

/* --------------------------------------------------------------- sums */

/* Eight partial sums break the single accumulator's dependency chain, so
 * the loop runs at the adder's throughput without -ffast-math, and the
 * order stays fixed, so results are reproducible. They are named scalars
 * because GCC keeps an indexed array of them in memory (3x slower). */
#define LANES8(ACC, TERM)                                                     \
    do {                                                                      \
        ACC##0 += TERM(0), ACC##1 += TERM(1), ACC##2 += TERM(2);              \
        ACC##3 += TERM(3), ACC##4 += TERM(4), ACC##5 += TERM(5);              \
        ACC##6 += TERM(6), ACC##7 += TERM(7);                                 \
    } while (0)
#define SUM8(ACC) \
    (((ACC##0 + ACC##1) + (ACC##2 + ACC##3)) + ((ACC##4 + ACC##5) + (ACC##6 + ACC##7)))

INLINE double row_sum(const void *x, int64_t n, bool f32)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    double t = 0;
    int64_t i = 0;
#define TERM(k) ld(x, i + k, f32)
    for (; i + 8 <= n; i += 8)
        LANES8(s, TERM);
#undef TERM
    for (; i < n; i++)
        t += ld(x, i, f32);
    return SUM8(s) + t;
}

INLINE double sq(double d)
{
    return d * d;
}

/* The sum of squared deviations from `mean`: the second pass of a two-pass
 * variance, which keeps its accuracy where E[x²] - E[x]² cancels away. */
INLINE double row_ssd(const void *x, int64_t n, double mean, bool f32)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    double t = 0;
    int64_t i = 0;
#define TERM(k) sq(ld(x, i + k, f32) - mean)
    for (; i + 8 <= n; i += 8)
        LANES8(s, TERM);
#undef TERM
    for (; i < n; i++)
        t += sq(ld(x, i, f32) - mean);
    return SUM8(s) + t;
}

/* acc[j] = sum over k < n of x[k * stride + j], for j < w. Four rows per
 * sweep: a quarter of the loads and stores of acc, and independent adds. */
INLINE void cols_sum(const void *x, int64_t n, int64_t stride, int64_t w,
                     double *restrict acc, bool f32)
{
    for (int64_t j = 0; j < w; j++)
        acc[j] = 0;
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const void *r0 = adv(x, k * stride, f32), *r1 = adv(r0, stride, f32);
        const void *r2 = adv(r1, stride, f32), *r3 = adv(r2, stride, f32);
        for (int64_t j = 0; j < w; j++)
            acc[j] += (ld(r0, j, f32) + ld(r1, j, f32)) +
                      (ld(r2, j, f32) + ld(r3, j, f32));
    }
    for (; k < n; k++) {
        const void *r = adv(x, k * stride, f32);
        for (int64_t j = 0; j < w; j++)
            acc[j] += ld(r, j, f32);
    }
}

INLINE void cols_ssd(const void *x, int64_t n, int64_t stride, int64_t w,
                     const double *restrict mean, double *restrict acc,
                     bool f32)
{
    for (int64_t j = 0; j < w; j++)
        acc[j] = 0;
    int64_t k = 0;
    for (; k + 4 <= n; k += 4) {
        const void *r0 = adv(x, k * stride, f32), *r1 = adv(r0, stride, f32);
        const void *r2 = adv(r1, stride, f32), *r3 = adv(r2, stride, f32);
        for (int64_t j = 0; j < w; j++) {
            double m = mean[j];
            acc[j] += (sq(ld(r0, j, f32) - m) + sq(ld(r1, j, f32) - m)) +
                      (sq(ld(r2, j, f32) - m) + sq(ld(r3, j, f32) - m));
        }
    }
    for (; k < n; k++) {
        const void *r = adv(x, k * stride, f32);
        for (int64_t j = 0; j < w; j++)
            acc[j] += sq(ld(r, j, f32) - mean[j]);
    }
}

/* Sum (div = 1, exact) or mean (div = n, so an empty mean is 0/0 = NaN). */
INLINE void sum_kernel(const void *x, const plan *p, double div, void *y,
                       bool f32)
{
    int64_t n = p->n, inner = p->inner;
    if (inner == 1) {
        for (int64_t o = 0; o < p->outer; o++)
            st(y, o, row_sum(adv(x, o * n, f32), n, f32) / div, f32);
        return;
    }
    double acc[CHUNK];
    for (int64_t o = 0; o < p->outer; o++)
        for (int64_t j0 = 0; j0 < inner; j0 += CHUNK) {
            int64_t w = inner - j0 < CHUNK ? inner - j0 : CHUNK;
            cols_sum(adv(x, o * n * inner + j0, f32), n, inner, w, acc, f32);
            for (int64_t j = 0; j < w; j++)
                st(y, o * inner + j0 + j, acc[j] / div, f32);
        }
}

/* ssd / max(0, n - correction), as PyTorch: a zero denominator gives inf
 * (or NaN for 0/0). An empty dim gives NaN whatever the correction. */
INLINE double var_finish(double ssd, int64_t n, double denom, bool take_sqrt)
{
    double v = n == 0 ? NAN : ssd / denom;
    return take_sqrt ? sqrt(v) : v;
}

INLINE void var_kernel(const void *x, const plan *p, double denom,
                       bool take_sqrt, void *y, bool f32)
{
    int64_t n = p->n, inner = p->inner;
    if (inner == 1) {
        for (int64_t o = 0; o < p->outer; o++) {
            const void *r = adv(x, o * n, f32);
            double mean = row_sum(r, n, f32) / (double)n;
            double v = var_finish(row_ssd(r, n, mean, f32), n, denom, take_sqrt);
            st(y, o, v, f32);
        }
        return;
    }
    double mean[CHUNK], acc[CHUNK];
    for (int64_t o = 0; o < p->outer; o++)
        for (int64_t j0 = 0; j0 < inner; j0 += CHUNK) {
            int64_t w = inner - j0 < CHUNK ? inner - j0 : CHUNK;
            const void *r = adv(x, o * n * inner + j0, f32);
            cols_sum(r, n, inner, w, mean, f32);
            for (int64_t j = 0; j < w; j++)
                mean[j] /= (double)n;
            cols_ssd(r, n, inner, w, mean, acc, f32);
            for (int64_t j = 0; j < w; j++)
                st(y, o * inner + j0 + j,
                   var_finish(acc[j], n, denom, take_sqrt), f32);
        }
}

/* ---------------------------------------------------------- logsumexp */

/* The shift: the largest element, ignoring NaN (which the sum of
 * exponentials propagates anyway). An infinite maximum shifts by 0, as
 * PyTorch does, so that all -inf gives log 0 = -inf and a +inf gives +inf
 * instead of inf - inf = NaN. */
INLINE double lse_shift(double m)
{
    return isinf(m) ? 0.0 : m;
}

/* float32 takes expf: its error is far below float32's rounding of the
 * result and it costs about half of exp. */
INLINE double lse_term(double v, double m, bool f32)
{
    return f32 ? (double)expf((float)(v - m)) : exp(v - m);
}

INLINE double row_lse(const void *x, int64_t n, bool f32)
{
    double m = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double v = ld(x, i, f32);
        m = v > m ? v : m;
    }
    m = lse_shift(m);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += lse_term(ld(x, i, f32), m, f32);
    return log(s) + m;
}

INLINE void lse_kernel(const void *x, const plan *p, void *y, bool f32)
{
    int64_t n = p->n, inner = p->inner;
    if (inner == 1) {
        for (int64_t o = 0; o < p->outer; o++)
            st(y, o, row_lse(adv(x, o * n, f32), n, f32), f32);
        return;
    }
    double m[CHUNK], s[CHUNK];
    for (int64_t o = 0; o < p->outer; o++)
        for (int64_t j0 = 0; j0 < inner; j0 += CHUNK) {
            int64_t w = inner - j0 < CHUNK ? inner - j0 : CHUNK;
            const void *r = adv(x, o * n * inner + j0, f32);
            for (int64_t j = 0; j < w; j++)
                m[j] = -INFINITY, s[j] = 0;
            for (int64_t k = 0; k < n; k++) {
                const void *rk = adv(r, k * inner, f32);
                for (int64_t j = 0; j < w; j++) {
                    double v = ld(rk, j, f32);
                    m[j] = v > m[j] ? v : m[j];
                }
            }
            for (int64_t j = 0; j < w; j++)
                m[j] = lse_shift(m[j]);
            for (int64_t k = 0; k < n; k++) {
                const void *rk = adv(r, k * inner, f32);
                for (int64_t j = 0; j < w; j++)
                    s[j] += lse_term(ld(rk, j, f32), m[j], f32);
            }
            for (int64_t j = 0; j < w; j++)
                st(y, o * inner + j0 + j, log(s[j]) + m[j], f32);
        }
}

/* ----------------------------------------------------- max, min, arg* */

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

/* ----------------------------------------------- one copy per dtype */

static void sum_run(const void *x, const plan *p, double div, void *y, bool f32)
{
    if (f32)
        sum_kernel(x, p, div, y, true);
    else
        sum_kernel(x, p, div, y, false);
}

static void var_run(const void *x, const plan *p, double denom, bool take_sqrt,
                    void *y, bool f32)
{
    if (f32)
        var_kernel(x, p, denom, take_sqrt, y, true);
    else
        var_kernel(x, p, denom, take_sqrt, y, false);
}

static void lse_run(const void *x, const plan *p, void *y, bool f32)
{
    if (f32)
        lse_kernel(x, p, y, true);
    else
        lse_kernel(x, p, y, false);
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

/* Checks x (argument 1) and dim (argument 2) and works out the plan. With
 * ACT_ALL_DIMS keepdim keeps every dim with extent 1 (NumPy's keepdims). A
 * 0-d tensor also takes dim 0 or -1, as in PyTorch. */
static act_status make_plan(act_context *ctx, const char *fn,
                            const act_tensor *x, int dim, bool keepdim,
                            plan *p)
{
    act_status s = act_require_float(ctx, fn, 1, x);
    if (s != ACT_OK)
        return s;
    int d = -1;
    bool all = dim == ACT_ALL_DIMS || (x->ndim == 0 && (dim == 0 || dim == -1));
    if (!all && (s = act_check_dim(ctx, fn, 2, dim, x->ndim, &d)) != ACT_OK)
        return s;
    p->outer = p->n = p->inner = 1;
    p->ndim = 0;
    for (int i = 0; i < x->ndim; i++) {
        bool reduced = all || i == d;
        if (reduced)
            p->n *= x->shape[i];
        else if (i < d)
            p->outer *= x->shape[i];
        else
            p->inner *= x->shape[i];
        if (keepdim || !reduced)
            p->shape[p->ndim++] = reduced ? 1 : x->shape[i];
    }
    return ACT_OK;
}

/* x made contiguous and the result allocated; nothing held on failure. */
static act_status begin(act_context *ctx, const char *fn, const act_tensor *x,
                        const plan *p, act_tensor **xc, act_tensor **y)
{
    act_status s = act_contiguous(ctx, x, xc);
    if (s != ACT_OK)
        return s;
    s = act_tensor_alloc(ctx, fn, x->dtype, p->ndim, p->shape, false, y);
    if (s != ACT_OK)
        act_tensor_free(*xc);
    return s;
}

typedef enum { R_SUM, R_MEAN, R_VAR, R_STD, R_LSE } reduce_op;

static act_status reduce(act_context *ctx, const char *fn, reduce_op op,
                         const act_tensor *x, int dim, int64_t correction,
                         bool keepdim, act_tensor **out)
{
    plan p;
    act_tensor *xc, *y;
    act_status s = make_plan(ctx, fn, x, dim, keepdim, &p);
    if (s != ACT_OK || (s = begin(ctx, fn, x, &p, &xc, &y)) != ACT_OK)
        return s;
    const void *xd = act_tensor_data(xc);
    void *yd = act_tensor_data(y);
    bool f32 = x->dtype == ACT_DTYPE_F32;
    /* In double, so that no correction can overflow the subtraction. */
    double denom = fmax(0.0, (double)p.n - (double)correction);
    switch (op) {
    case R_SUM: sum_run(xd, &p, 1.0, yd, f32); break;
    case R_MEAN: sum_run(xd, &p, (double)p.n, yd, f32); break;
    case R_VAR: var_run(xd, &p, denom, false, yd, f32); break;
    case R_STD: var_run(xd, &p, denom, true, yd, f32); break;
    case R_LSE: lse_run(xd, &p, yd, f32); break;
    }
    act_tensor_free(xc);
    *out = y;
    return ACT_OK;
}

act_status act_sum(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **out)
{
    return reduce(ctx, "sum", R_SUM, x, dim, 0, keepdim, out);
}

act_status act_mean(act_context *ctx, const act_tensor *x, int dim,
                    bool keepdim, act_tensor **out)
{
    return reduce(ctx, "mean", R_MEAN, x, dim, 0, keepdim, out);
}

act_status act_var(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out)
{
    return reduce(ctx, "var", R_VAR, x, dim, correction, keepdim, out);
}

act_status act_std(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out)
{
    return reduce(ctx, "std", R_STD, x, dim, correction, keepdim, out);
}

act_status act_logsumexp(act_context *ctx, const act_tensor *x, int dim,
                         bool keepdim, act_tensor **out)
{
    return reduce(ctx, "logsumexp", R_LSE, x, dim, 0, keepdim, out);
}

/* Values and indices are both computed; the ones the caller did not ask
 * for (NULL) are dropped. */
static act_status reduce_arg(act_context *ctx, const char *fn, bool is_max,
                             const act_tensor *x, int dim, bool keepdim,
                             act_tensor **values, act_tensor **indices)
{
    plan p;
    act_tensor *xc, *v, *ix;
    act_status s = make_plan(ctx, fn, x, dim, keepdim, &p);
    if (s != ACT_OK)
        return s;
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
    if ((s = begin(ctx, fn, x, &p, &xc, &v)) != ACT_OK)
        return s;
    s = act_tensor_alloc(ctx, fn, ACT_DTYPE_I64, p.ndim, p.shape, false, &ix);
    if (s != ACT_OK) {
        act_tensor_free(v);
        act_tensor_free(xc);
        return s;
    }
    arg_run(act_tensor_data(xc), &p, is_max, act_tensor_data(v),
            act_tensor_data(ix), x->dtype == ACT_DTYPE_F32);
    act_tensor_free(xc);
    if (values)
        *values = v;
    else
        act_tensor_free(v);
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

/*
 * reduce.c — the summing reductions: sum, mean, var/std, logsumexp (each
 * recorded for autograd through grad_reduce.c), and the checks every
 * reduction shares (max/min and their indices are in reduce_index.c). The
 * contiguous input is seen as [outer, n, inner] and reduced over n: with
 * inner = 1 each result is one tight loop over a row; otherwise the n rows
 * are read in memory order into small buffers.
 */
#include "grad_rules.h"
#include "reduce_internal.h"

#include <math.h>

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

/* ----------------------------------------------------------- plumbing */

/* Checks x (argument 1) and dim (argument 2) of the reduction `fn` and sees
 * x as [outer, n, inner] reduced over n (geom), giving a result of `shape`.
 * With ACT_ALL_DIMS keepdim keeps every dim with extent 1 (NumPy's
 * keepdims). A 0-d tensor also takes dim 0 or -1, as in PyTorch. Shared
 * with reduce_index.c through act_internal.h. */
act_status act_reduce_plan(act_context *ctx, const char *fn,
                           const act_tensor *x, int dim, bool keepdim,
                           int64_t geom[3], int *ndim, int64_t *shape)
{
    act_status s = act_require_float(ctx, fn, 1, x);
    if (s != ACT_OK)
        return s;
    int d = -1;
    bool all = dim == ACT_ALL_DIMS || (x->ndim == 0 && (dim == 0 || dim == -1));
    if (!all && (s = act_check_dim(ctx, fn, 2, dim, x->ndim, &d)) != ACT_OK)
        return s;
    geom[0] = geom[1] = geom[2] = 1;
    *ndim = 0;
    for (int i = 0; i < x->ndim; i++) {
        bool reduced = all || i == d;
        geom[reduced ? 1 : i < d ? 0 : 2] *= x->shape[i];
        if (keepdim || !reduced)
            shape[(*ndim)++] = reduced ? 1 : x->shape[i];
    }
    return ACT_OK;
}

static act_status make_plan(act_context *ctx, const char *fn,
                            const act_tensor *x, int dim, bool keepdim,
                            plan *p)
{
    int64_t g[3];
    act_status s = act_reduce_plan(ctx, fn, x, dim, keepdim, g, &p->ndim,
                                   p->shape);
    p->outer = g[0], p->n = g[1], p->inner = g[2];
    return s;
}

/* x made contiguous and the result allocated; nothing held on failure. */
static act_status begin(act_context *ctx, const char *fn, const act_tensor *x,
                        const plan *p, act_tensor **xc, act_tensor **y)
{
    act_status s = act_contiguous_nograd(ctx, x, xc);
    if (s != ACT_OK)
        return s;
    s = act_tensor_alloc(ctx, fn, x->dtype, p->ndim, p->shape, false, y);
    if (s != ACT_OK)
        act_tensor_free(*xc);
    return s;
}

static act_status reduce(act_context *ctx, const char *fn, act_reduce_kind op,
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
    case ACT_REDUCE_SUM: sum_run(xd, &p, 1.0, yd, f32); break;
    case ACT_REDUCE_MEAN: sum_run(xd, &p, (double)p.n, yd, f32); break;
    case ACT_REDUCE_VAR: var_run(xd, &p, denom, false, yd, f32); break;
    case ACT_REDUCE_STD: var_run(xd, &p, denom, true, yd, f32); break;
    case ACT_REDUCE_LSE: lse_run(xd, &p, yd, f32); break;
    }
    act_tensor_free(xc);
    s = act_reduce_record(ctx, op, x, dim, keepdim, correction, y);
    if (s == ACT_OK)
        *out = y;
    return s;
}

act_status act_sum(act_context *ctx, const act_tensor *x, int dim, bool keepdim,
                   act_tensor **out)
{
    return reduce(ctx, "sum", ACT_REDUCE_SUM, x, dim, 0, keepdim, out);
}

act_status act_mean(act_context *ctx, const act_tensor *x, int dim,
                    bool keepdim, act_tensor **out)
{
    return reduce(ctx, "mean", ACT_REDUCE_MEAN, x, dim, 0, keepdim, out);
}

act_status act_var(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out)
{
    return reduce(ctx, "var", ACT_REDUCE_VAR, x, dim, correction, keepdim, out);
}

act_status act_std(act_context *ctx, const act_tensor *x, int dim,
                   int64_t correction, bool keepdim, act_tensor **out)
{
    return reduce(ctx, "std", ACT_REDUCE_STD, x, dim, correction, keepdim, out);
}

act_status act_logsumexp(act_context *ctx, const act_tensor *x, int dim,
                         bool keepdim, act_tensor **out)
{
    return reduce(ctx, "logsumexp", ACT_REDUCE_LSE, x, dim, 0, keepdim, out);
}

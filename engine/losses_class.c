/*
 * losses_class.c — the classification losses: cross_entropy (a max-shifted
 * log_softmax fused with the negative log-likelihood; class indices or
 * probabilities as targets; label smoothing) and nll, forward and backward.
 * The input is seen as [rows, C, inner]: [C], [N,C] or [N,C,d...].
 */
#include "losses_internal.h"

#include <math.h>
#include <string.h>

typedef struct {
    int64_t rows, c, inner;
} span;

/* Slots in node->i beyond the shared i[0] (kind) and i[1] (reduction). */
enum { I_PROBS = 2 };

/* The input's span and the target's form: probabilities (the input's shape,
 * float) or class indices (the input's shape without the class dim). */
static act_status plan(act_context *ctx, const char *fn, bool probs_ok,
                       const act_tensor *x, const act_tensor *t, span *s,
                       bool *probs)
{
    act_status st = act_require_float(ctx, fn, 1, x);
    if (st != ACT_OK)
        return st;
    if (x->ndim == 0)
        return act_fail(ctx, ACT_E_SHAPE, fn, 1,
                        "the input is 0-d: it needs a class dim ([C] or "
                        "[N,C])");
    int cd = x->ndim == 1 ? 0 : 1, ni = 0;
    int64_t ishape[ACT_MAX_DIMS];
    *s = (span){x->ndim == 1 ? 1 : x->shape[0], x->shape[cd], 1};
    for (int d = 0; d < x->ndim; d++) {
        if (d > 1)
            s->inner *= x->shape[d];
        if (d != cd)
            ishape[ni++] = x->shape[d];
    }
    bool same = t->ndim == x->ndim &&
                !memcmp(t->shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    bool index_shape = t->ndim == ni &&
                       !memcmp(t->shape, ishape, sizeof(int64_t) * (size_t)ni);
    char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF], c[ACT_SHAPE_BUF];
    act_shape_str(a, sizeof a, x->ndim, x->shape);
    act_shape_str(b, sizeof b, t->ndim, t->shape);
    act_shape_str(c, sizeof c, ni, ishape);
    if (probs_ok && same) {
        if (!act_is_float(t->dtype))
            return act_fail(ctx, ACT_E_DTYPE, fn, 2,
                            "a target of the input's shape %s holds "
                            "probabilities and must be float, not %s (class "
                            "indices have shape %s)",
                            a, act_dtype_name(t->dtype), c);
        *probs = true;
        return ACT_OK;
    }
    *probs = false;
    if (index_shape)
        return ACT_OK;
    if (probs_ok)
        return act_fail(ctx, ACT_E_SHAPE, fn, 0,
                        "input %s and target %s differ: the target must be "
                        "class indices of shape %s or probabilities of shape "
                        "%s",
                        a, b, c, a);
    return act_fail(ctx, ACT_E_SHAPE, fn, 0,
                    "input %s and target %s differ: the target must be class "
                    "indices of shape %s",
                    a, b, c);
}

/* The class indices as a contiguous int64 tensor, every value checked to
 * be an integer in [0, c): int64 indices are used as they are, float ones
 * converted. */
static act_status class_indices(act_context *ctx, const char *fn,
                                const act_tensor *t, int64_t c,
                                act_tensor **out)
{
    bool i64 = t->dtype == ACT_DTYPE_I64;
    act_tensor *tc = NULL, *idx = NULL;
    act_status st = act_contiguous_nograd(ctx, t, &tc);
    if (st == ACT_OK && i64)
        idx = act_tensor_retain(tc);
    else if (st == ACT_OK)
        st = act_tensor_alloc(ctx, fn, ACT_DTYPE_I64, t->ndim, t->shape, false,
                              &idx);
    int64_t n = act_tensor_numel(t);
    for (int64_t i = 0; st == ACT_OK && i < n; i++) {
        int64_t v;
        if (i64) {
            v = ((const int64_t *)act_tensor_data(tc))[i];
        } else {
            double d = act_loss_get(act_tensor_data(tc), tc->dtype, i);
            if (!(d == floor(d) && fabs(d) < 9.0e15)) {
                st = act_fail(ctx, ACT_E_ARG, fn, 2,
                              "target value %.17g is not a class index (an "
                              "integer)",
                              d != d ? NAN : d);
                break;
            }
            v = (int64_t)d;
            ((int64_t *)act_tensor_data(idx))[i] = v;
        }
        if (v < 0 || v >= c)
            st = act_fail(ctx, ACT_E_INDEX, fn, 2,
                          "target index %lld is out of range for %lld classes "
                          "(expected 0 to %lld)",
                          (long long)v, (long long)c, (long long)c - 1);
    }
    act_tensor_free(tc);
    if (st != ACT_OK) {
        act_tensor_free(idx);
        return st;
    }
    *out = idx;
    return ACT_OK;
}

/* A contiguous float32 or float64 buffer. */
typedef struct {
    const void *p;
    act_dtype dtype;
} buf;

static inline double at(buf b, int64_t i) { return act_loss_get(b.p, b.dtype, i); }

/* logp = log_softmax of x along the class dim, max-shifted. */
static void log_softmax_rows(buf x, double *logp, span s)
{
    for (int64_t r = 0; r < s.rows; r++)
        for (int64_t j = 0; j < s.inner; j++) {
            int64_t base = r * s.c * s.inner + j;
            double m = -INFINITY, sum = 0;
            for (int64_t k = 0; k < s.c; k++) {
                double v = at(x, base + k * s.inner);
                if (v > m || v != v)
                    m = v;
            }
            if (m == -INFINITY) /* every logit -inf: let NaN say so */
                m = 0;
            for (int64_t k = 0; k < s.c; k++)
                sum += exp(at(x, base + k * s.inner) - m);
            double lse = log(sum);
            for (int64_t k = 0; k < s.c; k++)
                logp[base + k * s.inner] = (at(x, base + k * s.inner) - m) - lse;
        }
}

/* The loss of each (row, position) into out (for "none"), or their sum.
 * With indices ix: -(1 - ls) logp[t] - ls mean_c logp (nll: -logp[t],
 * ls = 0); with probabilities pt: -sum_c ((1 - ls) t_c + ls / C) logp_c. */
static double row_losses(buf logp, const int64_t *ix, const buf *pt, double ls,
                         span s, void *out, act_dtype out_dtype)
{
    double cn = (double)s.c, total = 0;
    for (int64_t r = 0; r < s.rows; r++)
        for (int64_t j = 0; j < s.inner; j++) {
            int64_t base = r * s.c * s.inner + j, q = r * s.inner + j;
            double acc = 0, all = 0, l;
            for (int64_t k = 0; k < s.c; k++) {
                double lp = at(logp, base + k * s.inner);
                if (pt)
                    acc += ((1 - ls) * at(*pt, base + k * s.inner) + ls / cn) * lp;
                else if (ls != 0)
                    all += lp;
            }
            if (pt)
                l = -acc;
            else
                l = -(1 - ls) * at(logp, base + ix[q] * s.inner) -
                    (ls != 0 ? ls * all / cn : 0);
            if (out)
                act_loss_put(out, out_dtype, q, l);
            else
                total += l;
        }
    return total;
}

/* The shape of the per-row losses: the input's without the class dim. */
static int row_shape(const act_tensor *x, int64_t *shape)
{
    int n = 0, cd = x->ndim == 1 ? 0 : 1;
    for (int d = 0; d < x->ndim; d++)
        if (d != cd)
            shape[n++] = x->shape[d];
    return n;
}

/* Checks, and the operands as the loops read them: xc the contiguous
 * input, tt the indices or the contiguous probabilities. */
static act_status class_operands(act_context *ctx, const char *fn, bool ce,
                                 const act_tensor *input,
                                 const act_tensor *target,
                                 act_reduction reduction, double ls, span *s,
                                 bool *probs, act_tensor **xc, act_tensor **tt)
{
    act_status st = plan(ctx, fn, ce, input, target, s, probs);
    if (st == ACT_OK)
        st = act_loss_check_reduction(ctx, fn, 3, reduction, false);
    if (st == ACT_OK && !(ls >= 0 && ls <= 1))
        st = act_fail(ctx, ACT_E_ARG, fn, 4,
                      "label_smoothing must be in [0, 1], got %g",
                      ls != ls ? NAN : ls);
    if (st == ACT_OK)
        st = act_contiguous_nograd(ctx, input, xc);
    if (st == ACT_OK)
        st = *probs ? act_contiguous_nograd(ctx, target, tt)
                    : class_indices(ctx, fn, target, s->c, tt);
    return st;
}

static act_status class_loss(act_context *ctx, act_loss_kind kind,
                             const act_tensor *input, const act_tensor *target,
                             act_reduction reduction, double ls,
                             act_tensor **out)
{
    const char *fn = act_loss_kind_name(kind);
    bool ce = kind == ACT_LOSS_CROSS_ENTROPY, probs = false;
    span s = {0, 0, 0};
    act_tensor *xc = NULL, *logp = NULL, *tt = NULL, *y = NULL;
    act_status st = class_operands(ctx, fn, ce, input, target, reduction, ls,
                                   &s, &probs, &xc, &tt);
    /* cross_entropy works from log_softmax(x) in double; nll's input is
     * the log-probabilities already. */
    if (st == ACT_OK && ce &&
        (st = act_tensor_alloc(ctx, fn, ACT_DTYPE_F64, input->ndim,
                               input->shape, false, &logp)) == ACT_OK)
        log_softmax_rows((buf){act_tensor_data(xc), xc->dtype},
                         act_tensor_data(logp), s);
    act_dtype dtype = probs ? act_promote(input->dtype, target->dtype) : input->dtype;
    int64_t shape[ACT_MAX_DIMS];
    int ndim = row_shape(input, shape);
    if (st == ACT_OK && reduction == ACT_REDUCTION_NONE)
        st = act_tensor_alloc(ctx, fn, dtype, ndim, shape, false, &y);
    if (st == ACT_OK) {
        const act_tensor *lp = ce ? logp : xc;
        buf pt = {probs ? act_tensor_data(tt) : NULL, tt->dtype};
        double sum = row_losses((buf){act_tensor_data(lp), lp->dtype},
                                probs ? NULL : act_tensor_data(tt),
                                probs ? &pt : NULL, ls, s,
                                y ? act_tensor_data(y) : NULL, dtype);
        if (!y)
            st = act_loss_reduced(ctx, reduction, dtype, sum, s.rows * s.inner,
                                  1, &y);
    }
    act_node *node = NULL;
    if (st == ACT_OK)
        st = act_loss_record(ctx, kind, reduction,
                             act_loss_scale(reduction, s.rows * s.inner, 1),
                             input, probs ? target : NULL, y, &node);
    if (st == ACT_OK && node) {
        node->f[0] = ls;
        node->i[I_PROBS] = probs;
        /* The target; and logp for cross_entropy (nll's gradient needs
         * only the indices). */
        st = act_node_save(ctx, node, tt);
        if (st == ACT_OK && ce)
            st = act_node_save(ctx, node, logp);
        if (st != ACT_OK)
            act_tensor_free(y);
    }
    act_tensor_free(xc);
    act_tensor_free(logp);
    act_tensor_free(tt);
    if (st == ACT_OK)
        *out = y;
    return st;
}

act_status act_cross_entropy_loss(act_context *ctx, const act_tensor *input,
                                  const act_tensor *target,
                                  act_reduction reduction,
                                  double label_smoothing, act_tensor **out)
{
    return class_loss(ctx, ACT_LOSS_CROSS_ENTROPY, input, target, reduction,
                      label_smoothing, out);
}

act_status act_nll_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out)
{
    return class_loss(ctx, ACT_LOSS_NLL, input, target, reduction, 0, out);
}

/* ------------------------------------------------------------ backward */

/* cross_entropy: gx = up (softmax sum_c t'_c - t'), t' the smoothed
 * target (one-hot (1 - ls) + ls / C for indices); gt = -up (1 - ls) logp.
 * nll: gx = -up at the target's class, 0 elsewhere. g[0], g[1]: the
 * gradients of input and target, or NULL. */
static void class_grad_rows(const double *logp, const int64_t *ix,
                            const buf *pt, double ls, span s,
                            const act_loss_upstream *u, act_tensor *const *g)
{
    double cn = (double)s.c;
    void *gx = g[0] ? act_tensor_data(g[0]) : NULL;
    void *gt = g[1] ? act_tensor_data(g[1]) : NULL;
    for (int64_t r = 0; r < s.rows; r++)
        for (int64_t j = 0; j < s.inner; j++) {
            int64_t base = r * s.c * s.inner + j, q = r * s.inner + j;
            double up = act_loss_upstream_at(u, q), tsum = 1;
            if (!logp) {
                if (gx)
                    act_loss_put(gx, g[0]->dtype, base + ix[q] * s.inner, -up);
                continue;
            }
            if (pt) {
                tsum = 0;
                for (int64_t k = 0; k < s.c; k++)
                    tsum += (1 - ls) * at(*pt, base + k * s.inner) + ls / cn;
            }
            for (int64_t k = 0; k < s.c; k++) {
                int64_t i = base + k * s.inner;
                double t = pt ? (1 - ls) * at(*pt, i) + ls / cn
                              : (k == ix[q] ? 1 - ls : 0) + ls / cn;
                if (gx)
                    act_loss_put(gx, g[0]->dtype, i, up * (exp(logp[i]) * tsum - t));
                if (gt)
                    act_loss_put(gt, g[1]->dtype, i, -up * (1 - ls) * logp[i]);
            }
        }
}

act_status act_loss_class_backward(act_context *ctx, const act_node *node,
                                   const act_tensor *gy, act_tensor **gx)
{
    const act_tensor *tt = node->saved[0];
    const act_tensor *logp = node->nsaved > 1 ? node->saved[1] : NULL;
    bool probs = node->i[I_PROBS] != 0;
    const act_edge *x = &node->in[0];
    span s = {x->ndim == 1 ? 1 : x->shape[0], x->shape[x->ndim == 1 ? 0 : 1], 1};
    for (int d = 2; d < x->ndim; d++)
        s.inner *= x->shape[d];
    act_loss_upstream u;
    act_status st = act_loss_upstream_init(ctx, node, gy, &u);
    act_tensor *g[2] = {NULL, NULL};
    for (int k = 0; k < 2 && st == ACT_OK; k++)
        if (act_node_wants(node, k))
            st = act_loss_grad_alloc(ctx, node, k, &g[k]);
    if (st == ACT_OK) {
        buf pt = {act_tensor_data(tt), tt->dtype};
        class_grad_rows(logp ? act_tensor_data(logp) : NULL,
                        probs ? NULL : act_tensor_data(tt), probs ? &pt : NULL,
                        node->f[0], s, &u, g);
        gx[0] = g[0];
        gx[1] = g[1];
    } else {
        act_tensor_free(g[0]);
        act_tensor_free(g[1]);
    }
    act_tensor_free(u.gc);
    return st;
}

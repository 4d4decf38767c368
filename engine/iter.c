/*
 * iter.c — broadcasting and the strided iterator. Element-wise kernels see
 * only inner rows (pointer + stride per operand); this file walks the outer
 * dims, after merging every dim pair that all operands lay out contiguously,
 * so a contiguous operation is a single row.
 */
#include "act_internal.h"

#include <string.h>

act_status act_broadcast_shapes(act_context *ctx, const char *fn, int na,
                                const int64_t *sa, int nb, const int64_t *sb,
                                int *nout, int64_t *out)
{
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int ia = na - n + i, ib = nb - n + i;
        int64_t ea = ia >= 0 ? sa[ia] : 1, eb = ib >= 0 ? sb[ib] : 1;
        if (ea != eb && ea != 1 && eb != 1) {
            char ba[ACT_SHAPE_BUF], bb[ACT_SHAPE_BUF];
            return act_fail(ctx, ACT_E_SHAPE, fn, 2,
                            "shapes %s and %s cannot be broadcast: %lld ≠ %lld "
                            "in dim %d from the end",
                            act_shape_str(ba, sizeof ba, na, sa),
                            act_shape_str(bb, sizeof bb, nb, sb),
                            (long long)ea, (long long)eb, n - i);
        }
        out[i] = ea == 1 ? eb : ea;
    }
    *nout = n;
    return ACT_OK;
}

/* The common case in one pass: every operand contiguous and of exactly
 * `shape`, so the whole operation is one row; false otherwise. */
static bool init_flat(act_iter *it, int ndim, const int64_t *shape, int nargs,
                      const act_tensor *const *args)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    for (int a = 0; a < nargs; a++) {
        const act_tensor *t = args[a];
        if (t->ndim != ndim || !act_tensor_is_contiguous(t) ||
            (ndim && memcmp(t->shape, shape, sizeof *shape * (size_t)ndim)))
            return false;
    }
    it->ndim = 1;
    it->nargs = nargs;
    it->shape[0] = n;
    for (int a = 0; a < nargs; a++) {
        const act_tensor *t = args[a];
        it->elsize[a] = (int64_t)act_dtype_size(t->dtype);
        it->data[a] = (char *)t->storage->data + t->offset * it->elsize[a];
        it->strides[a][0] = 1;
    }
    return true;
}

void act_iter_init(act_iter *it, int ndim, const int64_t *shape, int nargs,
                   const act_tensor *const *args)
{
    if (init_flat(it, ndim, shape, nargs, args))
        return;
    memset(it, 0, sizeof *it);
    it->nargs = nargs;
    for (int a = 0; a < nargs; a++) {
        const act_tensor *t = args[a];
        it->elsize[a] = (int64_t)act_dtype_size(t->dtype);
        it->data[a] = (char *)t->storage->data + t->offset * it->elsize[a];
        for (int i = 0; i < ndim; i++) {
            int ti = t->ndim - ndim + i;
            bool stretched = ti < 0 || (t->shape[ti] == 1 && shape[i] != 1);
            it->strides[a][i] = stretched ? 0 : t->strides[ti];
        }
    }
    /* Drop extent-1 dims, then merge dim i into i+1 where every operand
     * steps through i as one run of i+1. */
    int n = 0;
    int64_t sh[ACT_MAX_DIMS], st[ACT_ITER_MAX][ACT_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 1)
            continue;
        sh[n] = shape[i];
        for (int a = 0; a < nargs; a++)
            st[a][n] = it->strides[a][i];
        n++;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        bool merge = m > 0;
        for (int a = 0; a < nargs && merge; a++)
            merge = st[a][i] * sh[i] == it->strides[a][m - 1];
        if (merge) {
            it->shape[m - 1] *= sh[i];
            for (int a = 0; a < nargs; a++)
                it->strides[a][m - 1] = st[a][i];
        } else {
            it->shape[m] = sh[i];
            for (int a = 0; a < nargs; a++)
                it->strides[a][m] = st[a][i];
            m++;
        }
    }
    /* An empty shape anywhere means no elements at all. */
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            m = 1, it->shape[0] = 0;
    if (m == 0) { /* a scalar: one row of one element */
        m = 1;
        it->shape[0] = 1;
        for (int a = 0; a < nargs; a++)
            it->strides[a][0] = 0;
    }
    it->ndim = m;
}

void act_iter_run(const act_iter *it, act_loop_fn body, const void *aux)
{
    int last = it->ndim - 1;
    int64_t inner = it->shape[last];
    if (inner == 0)
        return;
    int64_t inner_strides[ACT_ITER_MAX];
    char *ptrs[ACT_ITER_MAX];
    int64_t idx[ACT_MAX_DIMS] = {0};
    for (int a = 0; a < it->nargs; a++) {
        inner_strides[a] = it->strides[a][last];
        ptrs[a] = it->data[a];
    }
    for (;;) {
        body(inner, ptrs, inner_strides, aux);
        int d = last - 1;
        for (; d >= 0; d--) {
            for (int a = 0; a < it->nargs; a++)
                ptrs[a] += it->strides[a][d] * it->elsize[a];
            if (++idx[d] < it->shape[d])
                break;
            for (int a = 0; a < it->nargs; a++)
                ptrs[a] -= it->strides[a][d] * it->shape[d] * it->elsize[a];
            idx[d] = 0;
        }
        if (d < 0)
            return;
    }
}

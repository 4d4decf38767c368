/*
 * index.c — operations that pick or join elements by position: gather and
 * index_select read x where an index tensor says; cat and stack join a list
 * of tensors along an existing or a new dim. Every index value and every
 * shape is checked before the output exists, so a failure leaves nothing.
 * Each records itself for autograd; the gradients are in grad_index.c.
 */
#include "act_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ indices */

/* Advances a row-major odometer over shape. */
static void next_index(int64_t *idx, int ndim, const int64_t *shape)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return;
        idx[d] = 0;
    }
}

/* One index value, checked to be an integer in [0, extent). Float index
 * tensors are accepted because users build indices with float arithmetic;
 * a fractional value is then a mistake to report, not to truncate. */
static act_status index_value(act_context *ctx, const char *fn, int arg,
                              act_dtype dtype, const void *p, int dim,
                              int64_t extent, int64_t *out)
{
    if (dtype == ACT_DTYPE_I64) {
        int64_t i = *(const int64_t *)p;
        if (i < 0 || i >= extent)
            return act_fail(ctx, ACT_E_INDEX, fn, arg,
                            "index %lld is out of range for dim %d of "
                            "extent %lld",
                            (long long)i, dim, (long long)extent);
        *out = i;
        return ACT_OK;
    }
    double v = act_load(dtype, p);
    /* float32 needs 9 significant digits to show exactly what it holds. */
    int digits = dtype == ACT_DTYPE_F32 ? 9 : 17;
    if (v != floor(v)) /* NaN fails here too */
        return act_fail(ctx, ACT_E_ARG, fn, arg,
                        "index %.*g is not an integer", digits, v);
    /* Compared as doubles: converting an out-of-range double is undefined. */
    if (!(v >= 0 && v < (double)extent))
        return act_fail(ctx, ACT_E_INDEX, fn, arg,
                        "index %.*g is out of range for dim %d of extent %lld",
                        digits, v, dim, (long long)extent);
    *out = (int64_t)v;
    return ACT_OK;
}

/* Every value of `index`, row-major, checked against [0, extent), in a new
 * array the caller frees. */
static act_status load_indices(act_context *ctx, const char *fn, int arg,
                               const act_tensor *index, int dim,
                               int64_t extent, int64_t **out)
{
    int64_t n = act_tensor_numel(index);
    int64_t *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (!v)
        return act_fail(ctx, ACT_E_NOMEM, fn, arg,
                        "cannot allocate room for %lld indices", (long long)n);
    int64_t idx[ACT_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        act_status st = index_value(ctx, fn, arg, index->dtype,
                                    act_elem_ptr(index, idx), dim, extent,
                                    &v[k]);
        if (st != ACT_OK) {
            free(v);
            return st;
        }
        next_index(idx, index->ndim, index->shape);
    }
    *out = v;
    return ACT_OK;
}

/* --------------------------------------------------------------- views */

/* Headers on the caller's stack that borrow t's storage without taking a
 * reference: they must not outlive t and are never freed. They let cat,
 * stack and index_select copy through act_copy_ (which converts dtypes and
 * walks any strides) with no allocation, hence no failure, per piece. They
 * carry no autograd state: act_copy_ refuses a source that requires grad
 * (its gradient would be lost), but these copies are the inside of an op
 * that records itself as a whole. */
static act_tensor borrowed(const act_tensor *t)
{
    act_tensor v = *t;
    v.requires_grad = false;
    v.grad = NULL;
    v.grad_fn = NULL;
    return v;
}

static act_tensor narrowed(const act_tensor *t, int d, int64_t start,
                           int64_t length)
{
    act_tensor v = borrowed(t);
    v.offset += start * t->strides[d];
    v.shape[d] = length;
    return v;
}

static act_tensor selected(const act_tensor *t, int d, int64_t i)
{
    act_tensor v = borrowed(t);
    if (t->ndim == 0) /* index_select on a 0-d tensor picks the tensor */
        return v;
    v.offset += i * t->strides[d];
    for (int k = d; k < t->ndim - 1; k++) {
        v.shape[k] = t->shape[k + 1];
        v.strides[k] = t->strides[k + 1];
    }
    v.ndim--;
    return v;
}

/* gather and index_select treat a 0-d x as having one dim of extent 1, as
 * PyTorch does, so dim may be 0 or -1 for it. */
static act_status check_dim_or_0d(act_context *ctx, const char *fn, int dim,
                                  const act_tensor *x, int *out)
{
    if (x->ndim > 0)
        return act_check_dim(ctx, fn, 2, dim, x->ndim, out);
    if (dim != 0 && dim != -1)
        return act_fail(ctx, ACT_E_ARG, fn, 2,
                        "dim %d is out of range for a 0-d tensor (expected -1 "
                        "or 0)", dim);
    *out = 0;
    return ACT_OK;
}

/* ------------------------------------------------------------ records */

/* Records y as gather or index_select of x along d: the backward needs the
 * dim and the index (saved as it is, so that changing it in place before
 * the backward is reported). On failure frees y. */
static act_status record_indexed(act_context *ctx, act_op op,
                                 const act_tensor *x, int d,
                                 const act_tensor *index, act_tensor *y)
{
    act_node *node;
    act_status st = act_record(ctx, op, 1, &x, y, &node);
    if (st == ACT_OK && node) {
        node->i[0] = d;
        st = act_node_save(ctx, node, index);
    }
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

/* -------------------------------------------------------------- gather */

static act_status gather_check(act_context *ctx, const act_tensor *x, int d,
                               const act_tensor *index)
{
    char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
    if (index->ndim != x->ndim)
        return act_fail(ctx, ACT_E_SHAPE, "gather", 3,
                        "index has %d dims but x has %d (they must have the "
                        "same rank)",
                        index->ndim, x->ndim);
    for (int k = 0; k < x->ndim; k++)
        if (k != d && index->shape[k] > x->shape[k])
            return act_fail(ctx, ACT_E_SHAPE, "gather", 3,
                            "index of shape %s does not fit x of shape %s: "
                            "dim %d has extent %lld > %lld (only dim %d may "
                            "be larger)",
                            act_shape_str(a, sizeof a, index->ndim, index->shape),
                            act_shape_str(b, sizeof b, x->ndim, x->shape), k,
                            (long long)index->shape[k], (long long)x->shape[k],
                            d);
    return ACT_OK;
}

/* y (contiguous, index's shape) = x at the positions v says along dim d and
 * at the element's own position along every other dim. */
static void gather_copy(const act_tensor *x, int d, const int64_t *v,
                        act_tensor *y)
{
    size_t es = act_dtype_size(x->dtype);
    int64_t n = act_tensor_numel(y);
    int64_t idx[ACT_MAX_DIMS] = {0};
    const char *src = x->storage->data;
    char *dst = y->storage->data;
    for (int64_t k = 0; k < n; k++) {
        int64_t off = x->offset;
        for (int i = 0; i < x->ndim; i++)
            off += (i == d ? v[k] : idx[i]) * x->strides[i];
        memcpy(dst + (size_t)k * es, src + off * (int64_t)es, es);
        next_index(idx, y->ndim, y->shape);
    }
}

act_status act_gather(act_context *ctx, const act_tensor *x, int dim,
                      const act_tensor *index, act_tensor **out)
{
    int d;
    act_status st = check_dim_or_0d(ctx, "gather", dim, x, &d);
    if (st == ACT_OK)
        st = gather_check(ctx, x, d, index);
    int64_t *v = NULL;
    if (st == ACT_OK)
        st = load_indices(ctx, "gather", 3, index, d,
                          x->ndim > 0 ? x->shape[d] : 1, &v);
    act_tensor *y = NULL;
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "gather", x->dtype, index->ndim,
                              index->shape, false, &y);
    if (st == ACT_OK) {
        gather_copy(x, d, v, y);
        st = record_indexed(ctx, ACT_OP_GATHER, x, d, index, y);
    }
    if (st == ACT_OK)
        *out = y;
    free(v);
    return st;
}

/* -------------------------------------------------------- index_select */

static act_status index_select_check(act_context *ctx, const act_tensor *x,
                                     const act_tensor *index)
{
    char sb[ACT_SHAPE_BUF];
    if (index->ndim > 1)
        return act_fail(ctx, ACT_E_SHAPE, "index_select", 3,
                        "index must be 0-d or 1-d, got shape %s",
                        act_shape_str(sb, sizeof sb, index->ndim, index->shape));
    if (x->ndim == 0 && act_tensor_numel(index) != 1)
        return act_fail(ctx, ACT_E_SHAPE, "index_select", 3,
                        "a 0-d x takes exactly one index, got %lld",
                        (long long)act_tensor_numel(index));
    return ACT_OK;
}

/* Contiguous x: each picked entry is `inner` adjacent elements, one memcpy
 * per (outer position, index), the common case of an embedding lookup. */
static void select_contiguous(const act_tensor *x, int d, const int64_t *v,
                              int64_t m, act_tensor *y)
{
    size_t es = act_dtype_size(x->dtype);
    int64_t outer = 1, inner = 1, n = x->ndim > 0 ? x->shape[d] : 1;
    for (int k = 0; k < d; k++)
        outer *= x->shape[k];
    for (int k = d + 1; k < x->ndim; k++)
        inner *= x->shape[k];
    const char *src = act_tensor_data(x);
    char *dst = y->storage->data;
    size_t row = (size_t)inner * es;
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < m; k++)
            memcpy(dst + (size_t)(o * m + k) * row,
                   src + (size_t)(o * n + v[k]) * row, row);
}

act_status act_index_select(act_context *ctx, const act_tensor *x, int dim,
                            const act_tensor *index, act_tensor **out)
{
    int d;
    act_status st = check_dim_or_0d(ctx, "index_select", dim, x, &d);
    if (st == ACT_OK)
        st = index_select_check(ctx, x, index);
    int64_t *v = NULL, m = act_tensor_numel(index);
    if (st == ACT_OK)
        st = load_indices(ctx, "index_select", 3, index, d,
                          x->ndim > 0 ? x->shape[d] : 1, &v);
    int64_t shape[ACT_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    if (x->ndim > 0)
        shape[d] = m;
    act_tensor *y = NULL;
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "index_select", x->dtype, x->ndim, shape,
                              false, &y);
    if (st == ACT_OK && act_tensor_is_contiguous(x))
        select_contiguous(x, d, v, m, y);
    else /* one strided copy per picked entry; none if st failed */
        for (int64_t k = 0; st == ACT_OK && k < m; k++) {
            act_tensor to = selected(y, d, k), from = selected(x, d, v[k]);
            st = act_copy_(ctx, &to, &from);
        }
    free(v);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    st = record_indexed(ctx, ACT_OP_INDEX_SELECT, x, d, index, y);
    if (st == ACT_OK)
        *out = y;
    return st;
}

/* --------------------------------------------------------- cat, stack */

/* "1st", "2nd", ... for list position i (0-based): messages name list
 * members by ordinal, which reads right whatever base the caller counts
 * from. */
static const char *ordinal(int i, char buf[24])
{
    int n = i + 1;
    const char *suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                         : n % 10 == 1                    ? "st"
                         : n % 10 == 2                    ? "nd"
                         : n % 10 == 3                    ? "rd"
                                                          : "th";
    snprintf(buf, 24, "%d%s", n, suffix);
    return buf;
}

static act_status check_list(act_context *ctx, const char *fn, int n,
                             const act_tensor *const *ts)
{
    if (n < 1)
        return act_fail(ctx, ACT_E_ARG, fn, 1,
                        "at least one tensor is needed, got %d", n);
    if (!ts)
        return act_fail(ctx, ACT_E_ARG, fn, 2, "the list of tensors is NULL");
    for (int i = 0; i < n; i++)
        if (!ts[i])
        {
            char o[24];
            return act_fail(ctx, ACT_E_ARG, fn, 2, "the %s tensor is NULL",
                            ordinal(i, o));
        }
    return ACT_OK;
}

/* The dtypes promoted as for act_binary, except that a list of one dtype
 * keeps it: joining int64 indices gives int64 indices. */
static act_dtype join_dtype(int n, const act_tensor *const *ts)
{
    act_dtype dtype = ts[0]->dtype;
    for (int i = 1; i < n; i++)
        if (ts[i]->dtype != dtype)
            dtype = act_promote(dtype, ts[i]->dtype);
    return dtype;
}

/* PyTorch's legacy rule: a 1-d tensor of extent 0 joins anything (it is
 * what an empty list becomes), so cat skips it whatever the others' rank. */
static bool cat_skips(const act_tensor *t)
{
    return t->ndim == 1 && t->shape[0] == 0;
}

static act_status cat_fail_0d(act_context *ctx, int i)
{
    char o[24];
    return act_fail(ctx, ACT_E_SHAPE, "cat", 2,
                    "the %s tensor is 0-d and cannot be concatenated (stack "
                    "joins 0-d tensors)", ordinal(i, o));
}

/* Checks ts[i] against the reference ts[r] and adds its extent along d. */
static act_status cat_check_one(act_context *ctx, const act_tensor *const *ts,
                                int i, int r, int d, int64_t *total)
{
    const act_tensor *t = ts[i], *ref = ts[r];
    char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF], oi[24], orf[24];
    if (t->ndim == 0)
        return cat_fail_0d(ctx, i);
    if (t->ndim != ref->ndim)
        return act_fail(ctx, ACT_E_SHAPE, "cat", 2,
                        "the %s tensor has %d dims but the %s has %d (all "
                        "must have the same rank)", ordinal(i, oi), t->ndim,
                        ordinal(r, orf), ref->ndim);
    for (int k = 0; k < t->ndim; k++)
        if (k != d && t->shape[k] != ref->shape[k])
            return act_fail(ctx, ACT_E_SHAPE, "cat", 2,
                            "the %s tensor has shape %s but the %s has %s "
                            "(only the joined dim may differ)", ordinal(i, oi),
                            act_shape_str(a, sizeof a, t->ndim, t->shape),
                            ordinal(r, orf),
                            act_shape_str(b, sizeof b, ref->ndim, ref->shape));
    if (t->shape[d] > INT64_MAX - *total)
        return act_fail(ctx, ACT_E_NOMEM, "cat", 2,
                        "the joined extent of dim %d overflows", d);
    *total += t->shape[d];
    return ACT_OK;
}

/* Copies each joined tensor into its slice of y along d. */
static act_status cat_fill(act_context *ctx, int n,
                           const act_tensor *const *ts, int d, act_tensor *y)
{
    int64_t start = 0;
    for (int i = 0; i < n; i++) {
        if (cat_skips(ts[i]))
            continue;
        act_tensor part = narrowed(y, d, start, ts[i]->shape[d]);
        act_tensor from = borrowed(ts[i]);
        act_status st = act_copy_(ctx, &part, &from);
        if (st != ACT_OK)
            return st;
        start += ts[i]->shape[d];
    }
    return ACT_OK;
}

/* Records y (grad_index.c) and hands it to the caller. */
static act_status finish_join(act_context *ctx, act_op op, int n,
                              const act_tensor *const *ts, int d,
                              act_tensor *y, act_tensor **out)
{
    act_status st = act_join_record(ctx, op, n, ts, d, y);
    if (st == ACT_OK)
        *out = y;
    return st;
}

act_status act_cat(act_context *ctx, int n, const act_tensor *const *ts,
                   int dim, act_tensor **out)
{
    act_status st = check_list(ctx, "cat", n, ts);
    if (st != ACT_OK)
        return st;
    act_dtype dtype = join_dtype(n, ts);
    int r = 0;
    while (r < n && cat_skips(ts[r]))
        r++;
    int d;
    if (r == n) { /* only empty [0] tensors: their join is one */
        if ((st = act_check_dim(ctx, "cat", 3, dim, 1, &d)) != ACT_OK)
            return st;
        act_tensor *y;
        if ((st = act_tensor_alloc(ctx, "cat", dtype, 1, (int64_t[]){0},
                                   false, &y)) != ACT_OK)
            return st;
        return finish_join(ctx, ACT_OP_CAT, n, ts, d, y, out);
    }
    if (ts[r]->ndim == 0)
        return cat_fail_0d(ctx, r);
    if ((st = act_check_dim(ctx, "cat", 3, dim, ts[r]->ndim, &d)) != ACT_OK)
        return st;
    int64_t total = 0;
    for (int i = r; i < n; i++)
        if (!cat_skips(ts[i]) &&
            (st = cat_check_one(ctx, ts, i, r, d, &total)) != ACT_OK)
            return st;
    int64_t shape[ACT_MAX_DIMS];
    memcpy(shape, ts[r]->shape, sizeof shape);
    shape[d] = total;
    act_tensor *y;
    if ((st = act_tensor_alloc(ctx, "cat", dtype, ts[r]->ndim, shape, false,
                               &y)) != ACT_OK)
        return st;
    if ((st = cat_fill(ctx, n, ts, d, y)) != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    return finish_join(ctx, ACT_OP_CAT, n, ts, d, y, out);
}

act_status act_stack(act_context *ctx, int n, const act_tensor *const *ts,
                     int dim, act_tensor **out)
{
    act_status st = check_list(ctx, "stack", n, ts);
    if (st != ACT_OK)
        return st;
    const act_tensor *ref = ts[0];
    if (ref->ndim >= ACT_MAX_DIMS)
        return act_fail(ctx, ACT_E_ARG, "stack", 2,
                        "stacking adds a dim, and the tensors already have "
                        "the most a tensor can have (%d)", ACT_MAX_DIMS);
    int d;
    if ((st = act_check_dim(ctx, "stack", 3, dim, ref->ndim + 1, &d)) != ACT_OK)
        return st;
    for (int i = 1; i < n; i++) {
        const act_tensor *t = ts[i];
        if (t->ndim != ref->ndim ||
            memcmp(t->shape, ref->shape, sizeof(int64_t) * (size_t)t->ndim)) {
            char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF], o[24];
            return act_fail(ctx, ACT_E_SHAPE, "stack", 2,
                            "the %s tensor has shape %s but the 1st has %s "
                            "(all must have the same shape)", ordinal(i, o),
                            act_shape_str(a, sizeof a, t->ndim, t->shape),
                            act_shape_str(b, sizeof b, ref->ndim, ref->shape));
        }
    }
    int64_t shape[ACT_MAX_DIMS];
    for (int k = 0, j = 0; k <= ref->ndim; k++)
        shape[k] = k == d ? n : ref->shape[j++];
    act_tensor *y = NULL;
    st = act_tensor_alloc(ctx, "stack", join_dtype(n, ts), ref->ndim + 1,
                          shape, false, &y);
    for (int i = 0; st == ACT_OK && i < n; i++) {
        act_tensor part = selected(y, d, i), from = borrowed(ts[i]);
        st = act_copy_(ctx, &part, &from);
    }
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    return finish_join(ctx, ACT_OP_STACK, n, ts, d, y, out);
}

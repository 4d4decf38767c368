/*
 * tensor.c — tensor headers and their reference-counted storage: allocation
 * with overflow-checked sizes, references, accessors, and reading or writing
 * single elements. Every other file makes tensors through these functions.
 */
#include "act_internal.h"
#include "autograd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

act_status act_check_shape(act_context *ctx, const char *fn, int arg, int ndim,
                           const int64_t *shape, int64_t *numel)
{
    /* Every tensor made passes here: the common shape in one pass. With
     * extents from 1 to 2^20 and a product so far of at most 2^39, the
     * product stays below 2^59: no overflow, and small enough to allocate. */
    if (ndim >= 0 && ndim <= ACT_MAX_DIMS) {
        int64_t n = 1;
        int i = 0;
        for (; i < ndim; i++) {
            if (shape[i] < 1 || shape[i] > ((int64_t)1 << 20) ||
                n > ((int64_t)1 << 39))
                break;
            n *= shape[i];
        }
        if (i == ndim) {
            *numel = n;
            return ACT_OK;
        }
    }
    if (ndim < 0 || ndim > ACT_MAX_DIMS)
        return act_fail(ctx, ACT_E_ARG, fn, arg,
                        "a shape has 0 to %d dims, not %d", ACT_MAX_DIMS, ndim);
    int64_t n = 1;
    bool overflow = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return act_fail(ctx, ACT_E_ARG, fn, arg,
                            "extent %lld of dim %d is negative",
                            (long long)shape[i], i);
        if (shape[i] > 0 && n > INT64_MAX / shape[i])
            overflow = true;
        else
            n *= shape[i];
    }
    /* A zero extent anywhere makes the tensor empty, however large the rest. */
    for (int i = 0; i < ndim; i++)
        if (shape[i] == 0)
            n = 0, overflow = false;
    if (overflow || n > (int64_t)(PTRDIFF_MAX / 8)) {
        char sb[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_NOMEM, fn, arg,
                        "shape %s has too many elements to allocate",
                        act_shape_str(sb, sizeof sb, ndim, shape));
    }
    *numel = n;
    return ACT_OK;
}

void act_contiguous_strides(int ndim, const int64_t *shape, int64_t *strides)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        /* Only an empty tensor can overflow here; its strides are unused. */
        if (shape[i] > 1 && __builtin_mul_overflow(s, shape[i], &s))
            s = 1;
    }
}

/* Small tensors keep their elements in the storage's own block, right
 * after the header: one pool block instead of two per tensor. The offset
 * keeps the elements as aligned as the block itself. */
#define STORAGE_INLINE_OFFSET 64
#define STORAGE_INLINE_MAX 4096 /* bytes of block, header included */
_Static_assert(sizeof(act_storage) <= STORAGE_INLINE_OFFSET,
               "a storage header fits before its inline elements");

static inline bool storage_inline(const act_storage *s)
{
    return s->data == (const char *)s + STORAGE_INLINE_OFFSET;
}

/* A storage of nbytes (at least one element's worth, so data is never
 * NULL), zeroed when asked; NULL when out of memory. */
static act_storage *storage_new(act_context *ctx, size_t nbytes, size_t esize,
                                bool zero)
{
    size_t dbytes = nbytes ? nbytes : esize;
    act_storage *s;
    if (dbytes <= STORAGE_INLINE_MAX - STORAGE_INLINE_OFFSET) {
        s = act_pool_get(ctx, STORAGE_INLINE_OFFSET + dbytes, false);
        if (!s)
            return NULL;
        s->data = (char *)s + STORAGE_INLINE_OFFSET;
        if (zero)
            memset(s->data, 0, dbytes);
    } else {
        s = act_pool_get(ctx, sizeof *s, false);
        void *data = s ? act_pool_get(ctx, dbytes, zero) : NULL;
        if (!data) {
            act_pool_put(ctx, s, sizeof *s);
            return NULL;
        }
        s->data = data;
    }
    s->refs = 1;
    s->nbytes = nbytes;
    s->ctx = ctx;
    s->version = 0;
    return s;
}

static void storage_free(act_storage *s, size_t esize)
{
    act_context *owner = s->ctx;
    size_t dbytes = s->nbytes ? s->nbytes : esize;
    if (storage_inline(s)) {
        act_pool_put(owner, s, STORAGE_INLINE_OFFSET + dbytes);
        return;
    }
    act_pool_put(owner, s->data, dbytes);
    act_pool_put(owner, s, sizeof *s);
}

act_status act_tensor_alloc(act_context *ctx, const char *fn, act_dtype dtype,
                            int ndim, const int64_t *shape, bool zero,
                            act_tensor **out)
{
    int64_t numel;
    act_status st = act_check_shape(ctx, fn, 0, ndim, shape, &numel);
    if (st != ACT_OK)
        return st;
    size_t esize = act_dtype_size(dtype);
    if (esize == 0)
        return act_fail(ctx, ACT_E_DTYPE, fn, 0, "invalid dtype %d", (int)dtype);
    size_t nbytes = (size_t)numel * esize;
    act_tensor *t = act_pool_get(ctx, sizeof *t, false);
    act_storage *s = t ? storage_new(ctx, nbytes, esize, zero) : NULL;
    if (!s) {
        act_pool_put(ctx, t, sizeof *t);
        char sb[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_NOMEM, fn, 0,
                        "cannot allocate %zu bytes for a %s tensor of shape %s",
                        nbytes, act_dtype_name(dtype),
                        act_shape_str(sb, sizeof sb, ndim, shape));
    }
    t->refs = 1;
    t->dtype = dtype;
    t->ndim = ndim;
    if (ndim > 0) /* a scalar may come with shape == NULL */
        memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
    act_contiguous_strides(ndim, shape, t->strides);
    /* The unused dims are zero, as in a zeroed header. */
    size_t tail = (size_t)(ACT_MAX_DIMS - ndim) * sizeof *shape;
    memset(t->shape + ndim, 0, tail);
    memset(t->strides + ndim, 0, tail);
    t->offset = 0;
    t->storage = s;
    t->requires_grad = false;
    t->grad = NULL;
    t->grad_fn = NULL;
    ctx->live_bytes += nbytes + sizeof *s + sizeof *t;
    *out = t;
    return ACT_OK;
}

act_status act_tensor_alias(act_context *ctx, const char *fn,
                            const act_tensor *t, act_tensor **out)
{
    act_context *owner = t->storage->ctx;
    act_tensor *v = act_pool_get(owner, sizeof *v, false);
    if (!v)
        return act_fail(ctx, ACT_E_NOMEM, fn, 0, "out of memory for a view");
    *v = *t;
    v->refs = 1;
    v->requires_grad = false;
    v->grad = NULL;
    v->grad_fn = NULL;
    v->storage->refs++;
    if (owner)
        owner->live_bytes += sizeof *v;
    *out = v;
    return ACT_OK;
}

void act_tensor_free(act_tensor *t)
{
    if (!t || --t->refs > 0)
        return;
    act_tensor_free(t->grad); /* a gradient has no grad_fn: no recursion */
    if (t->grad_fn)
        act_node_unref(t->grad_fn);
    act_storage *s = t->storage;
    act_context *owner = s->ctx;
    if (owner)
        owner->live_bytes -= sizeof *t;
    if (--s->refs == 0) {
        if (owner)
            owner->live_bytes -= s->nbytes + sizeof *s;
        storage_free(s, act_dtype_size(t->dtype));
    }
    act_pool_put(owner, t, sizeof *t);
}

act_tensor *act_tensor_retain(act_tensor *t)
{
    if (t)
        t->refs++;
    return t;
}

act_dtype act_tensor_dtype(const act_tensor *t) { return t->dtype; }
int act_tensor_dim(const act_tensor *t) { return t->ndim; }
const int64_t *act_tensor_shape(const act_tensor *t) { return t->shape; }
const int64_t *act_tensor_strides(const act_tensor *t) { return t->strides; }
int64_t act_tensor_offset(const act_tensor *t) { return t->offset; }

int64_t act_tensor_size(const act_tensor *t, int d)
{
    int n = act_norm_dim(d, t->ndim);
    return n < 0 ? -1 : t->shape[n];
}

int64_t act_tensor_numel(const act_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

bool act_tensor_is_contiguous(const act_tensor *t)
{
    int64_t expected = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 0)
            return true;
        if (t->shape[i] != 1 && t->strides[i] != expected)
            return false;
        expected *= t->shape[i];
    }
    return true;
}

bool act_tensor_shares_storage(const act_tensor *a, const act_tensor *b)
{
    return a->storage == b->storage;
}

void *act_tensor_data(const act_tensor *t)
{
    return (char *)t->storage->data +
           t->offset * (int64_t)act_dtype_size(t->dtype);
}

bool act_may_overlap(const act_tensor *a, const act_tensor *b)
{
    return a->storage == b->storage;
}

double act_load(act_dtype dtype, const void *p)
{
    switch (dtype) {
    case ACT_DTYPE_F32: return *(const float *)p;
    case ACT_DTYPE_F64: return *(const double *)p;
    case ACT_DTYPE_I64: return (double)*(const int64_t *)p;
    default: return NAN;
    }
}

void act_store(act_dtype dtype, void *p, double v)
{
    switch (dtype) {
    case ACT_DTYPE_F32: *(float *)p = (float)v; break;
    case ACT_DTYPE_F64: *(double *)p = v; break;
    /* Callers check the range; this truncates toward zero. */
    case ACT_DTYPE_I64: *(int64_t *)p = (int64_t)v; break;
    default: break;
    }
}

static act_status check_index(act_context *ctx, const char *fn,
                              const act_tensor *t, const int64_t *index)
{
    for (int i = 0; i < t->ndim; i++) {
        if (index[i] < 0 || index[i] >= t->shape[i]) {
            char sb[ACT_SHAPE_BUF];
            return act_fail(ctx, ACT_E_INDEX, fn, 2,
                            "index %lld is out of range for dim %d of a "
                            "tensor of shape %s",
                            (long long)index[i], i,
                            act_shape_str(sb, sizeof sb, t->ndim, t->shape));
        }
    }
    return ACT_OK;
}

/* An int64 element takes only integral values that fit. */
static act_status check_int_value(act_context *ctx, const char *fn, int arg,
                                  double v)
{
    if (!(v == floor(v) && v >= -9223372036854775808.0 &&
          v < 9223372036854775808.0))
        return act_fail(ctx, ACT_E_ARG, fn, arg,
                        "%g is not an integer an int64 tensor can hold", v);
    return ACT_OK;
}

act_status act_tensor_get(act_context *ctx, const act_tensor *t,
                          const int64_t *index, double *out)
{
    act_status st = check_index(ctx, "get", t, index);
    if (st != ACT_OK)
        return st;
    *out = act_load(t->dtype, act_elem_ptr(t, index));
    return ACT_OK;
}

act_status act_tensor_set(act_context *ctx, act_tensor *t,
                          const int64_t *index, double value)
{
    act_status st = check_index(ctx, "set", t, index);
    if (st == ACT_OK && t->dtype == ACT_DTYPE_I64)
        st = check_int_value(ctx, "set", 3, value);
    if (st == ACT_OK)
        st = act_prepare_inplace(ctx, "set", t);
    if (st != ACT_OK)
        return st;
    act_store(t->dtype, act_elem_ptr(t, index), value);
    return ACT_OK;
}

act_status act_tensor_item(act_context *ctx, const act_tensor *t, double *out)
{
    if (act_tensor_numel(t) != 1) {
        char sb[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, "item", 1,
                        "a tensor with one element is needed, got shape %s "
                        "(%lld elements)",
                        act_shape_str(sb, sizeof sb, t->ndim, t->shape),
                        (long long)act_tensor_numel(t));
    }
    int64_t zero[ACT_MAX_DIMS] = {0};
    *out = act_load(t->dtype, act_elem_ptr(t, zero));
    return ACT_OK;
}

act_status act_tensor_to_doubles(act_context *ctx, const act_tensor *t,
                                 double *out)
{
    (void)ctx;
    int64_t n = act_tensor_numel(t);
    int64_t idx[ACT_MAX_DIMS] = {0};
    for (int64_t k = 0; k < n; k++) {
        out[k] = act_load(t->dtype, act_elem_ptr(t, idx));
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++idx[d] < t->shape[d])
                break;
            idx[d] = 0;
        }
    }
    return ACT_OK;
}

act_status act_from_doubles(act_context *ctx, act_dtype dtype, int ndim,
                            const int64_t *shape, const double *data,
                            act_tensor **out)
{
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, "tensor", dtype, ndim, shape, false, &t);
    if (st != ACT_OK)
        return st;
    int64_t n = act_tensor_numel(t);
    size_t es = act_dtype_size(dtype);
    for (int64_t k = 0; k < n; k++) {
        if (dtype == ACT_DTYPE_I64 &&
            check_int_value(ctx, "tensor", 4, data[k]) != ACT_OK) {
            act_tensor_free(t);
            return ACT_E_ARG;
        }
        act_store(dtype, (char *)t->storage->data + (size_t)k * es, data[k]);
    }
    *out = t;
    return ACT_OK;
}

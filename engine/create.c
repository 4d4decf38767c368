/*
 * create.c — tensors made from nothing: empty, zeros, ones, full, scalar,
 * arange, linspace, eye. (Random ones are in rng.c, from data in tensor.c.)
 */
#include "act_internal.h"

#include <math.h>

act_status act_empty(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_tensor **out)
{
    return act_tensor_alloc(ctx, "empty", dtype, ndim, shape, false, out);
}

act_status act_zeros(act_context *ctx, act_dtype dtype, int ndim,
                     const int64_t *shape, act_tensor **out)
{
    return act_tensor_alloc(ctx, "zeros", dtype, ndim, shape, true, out);
}

static act_status make_full(act_context *ctx, const char *fn, act_dtype dtype,
                            int ndim, const int64_t *shape, double value,
                            act_tensor **out)
{
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, fn, dtype, ndim, shape, false, &t);
    if (st != ACT_OK)
        return st;
    st = act_fill_(ctx, t, value);
    if (st != ACT_OK) {
        act_tensor_free(t);
        return st;
    }
    *out = t;
    return ACT_OK;
}

act_status act_ones(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, act_tensor **out)
{
    return make_full(ctx, "ones", dtype, ndim, shape, 1.0, out);
}

act_status act_full(act_context *ctx, act_dtype dtype, int ndim,
                    const int64_t *shape, double value, act_tensor **out)
{
    return make_full(ctx, "full", dtype, ndim, shape, value, out);
}

act_status act_scalar(act_context *ctx, act_dtype dtype, double value,
                      act_tensor **out)
{
    return make_full(ctx, "scalar", dtype, 0, NULL, value, out);
}

act_status act_arange(act_context *ctx, act_dtype dtype, double start,
                      double end, double step, act_tensor **out)
{
    if (!isfinite(start) || !isfinite(end) || !isfinite(step))
        return act_fail(ctx, ACT_E_ARG, "arange", 0,
                        "start, end and step must be finite, got %g, %g, %g",
                        start, end, step);
    if (step == 0)
        return act_fail(ctx, ACT_E_ARG, "arange", 3, "step must not be 0");
    double count = ceil((end - start) / step);
    if (count < 0)
        count = 0;
    if (count > 1e15)
        return act_fail(ctx, ACT_E_NOMEM, "arange", 0,
                        "%g elements are too many", count);
    int64_t n = (int64_t)count;
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, "arange", dtype, 1, &n, false, &t);
    if (st != ACT_OK)
        return st;
    char *p = t->storage->data;
    size_t es = act_dtype_size(dtype);
    for (int64_t i = 0; i < n; i++)
        act_store(dtype, p + (size_t)i * es, start + (double)i * step);
    *out = t;
    return ACT_OK;
}

act_status act_linspace(act_context *ctx, act_dtype dtype, double a, double b,
                        int64_t n, act_tensor **out)
{
    if (!isfinite(a) || !isfinite(b))
        return act_fail(ctx, ACT_E_ARG, "linspace", 0,
                        "the bounds must be finite, got %g and %g", a, b);
    if (n < 0)
        return act_fail(ctx, ACT_E_ARG, "linspace", 3,
                        "the number of points must be >= 0, got %lld",
                        (long long)n);
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, "linspace", dtype, 1, &n, false, &t);
    if (st != ACT_OK)
        return st;
    char *p = t->storage->data;
    size_t es = act_dtype_size(dtype);
    double step = n > 1 ? (b - a) / (double)(n - 1) : 0;
    /* PyTorch fills the second half from the end, so b is exact. */
    for (int64_t i = 0; i < n; i++) {
        double v = i < n / 2 ? a + step * (double)i
                             : b - step * (double)(n - 1 - i);
        act_store(dtype, p + (size_t)i * es, v);
    }
    *out = t;
    return ACT_OK;
}

act_status act_eye(act_context *ctx, act_dtype dtype, int64_t n, int64_t m,
                   act_tensor **out)
{
    int64_t shape[2] = {n, m};
    act_tensor *t;
    act_status st = act_tensor_alloc(ctx, "eye", dtype, 2, shape, true, &t);
    if (st != ACT_OK)
        return st;
    char *p = t->storage->data;
    size_t es = act_dtype_size(dtype);
    for (int64_t i = 0; i < n && i < m; i++)
        act_store(dtype, p + (size_t)(i * m + i) * es, 1.0);
    *out = t;
    return ACT_OK;
}

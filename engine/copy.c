/*
 * copy.c — moving elements between tensors: copy with broadcasting and
 * dtype conversion, fill, contiguous, clone and dtype conversion (recorded
 * for autograd, with _nograd twins for the engine's own temporaries). One
 * loop body per (destination, source) dtype pair, run through the iterator.
 */
#include "act_internal.h"
#include "autograd.h"

#include <math.h>
#include <string.h>

/* A float going to int64 must be finite and in range; the body counts the
 * elements that are not, and the caller reports them. */
typedef struct {
    int64_t bad;
} convert_aux;

#define IN_I64_RANGE(v) ((v) >= -9223372036854775808.0 && (v) < 9223372036854775808.0)

#define COPY_BODY(NAME, TD, TS, CHECK)                                        \
    static void NAME(int64_t n, char *const *p, const int64_t *s,             \
                     const void *aux)                                         \
    {                                                                         \
        TD *d = (TD *)p[0];                                                   \
        const TS *x = (const TS *)p[1];                                       \
        convert_aux *ca = (convert_aux *)aux;                                 \
        for (int64_t i = 0; i < n; i++) {                                     \
            TS v = x[i * s[1]];                                               \
            if (CHECK && !IN_I64_RANGE((double)v)) {                          \
                ca->bad++;                                                    \
                v = 0;                                                        \
            }                                                                 \
            d[i * s[0]] = (TD)v;                                              \
        }                                                                     \
    }

COPY_BODY(copy_f32_f32, float, float, 0)
COPY_BODY(copy_f32_f64, float, double, 0)
COPY_BODY(copy_f32_i64, float, int64_t, 0)
COPY_BODY(copy_f64_f32, double, float, 0)
COPY_BODY(copy_f64_f64, double, double, 0)
COPY_BODY(copy_f64_i64, double, int64_t, 0)
COPY_BODY(copy_i64_f32, int64_t, float, 1)
COPY_BODY(copy_i64_f64, int64_t, double, 1)
COPY_BODY(copy_i64_i64, int64_t, int64_t, 0)

static const act_loop_fn copy_bodies[ACT_DTYPE_COUNT][ACT_DTYPE_COUNT] = {
    [ACT_DTYPE_F32] = {copy_f32_f32, copy_f32_f64, copy_f32_i64},
    [ACT_DTYPE_F64] = {copy_f64_f32, copy_f64_f64, copy_f64_i64},
    [ACT_DTYPE_I64] = {copy_i64_f32, copy_i64_f64, copy_i64_i64},
};

/* The copy itself, once shapes are known to fit and src does not alias dst. */
static act_status copy_unchecked(act_context *ctx, const char *fn,
                                 act_tensor *dst, const act_tensor *src)
{
    /* Fast path: same dtype, both contiguous and of one shape. */
    if (dst->dtype == src->dtype && act_tensor_is_contiguous(dst) &&
        act_tensor_is_contiguous(src) &&
        act_tensor_numel(dst) == act_tensor_numel(src)) {
        memcpy(act_tensor_data(dst), act_tensor_data(src),
               (size_t)act_tensor_numel(dst) * act_dtype_size(dst->dtype));
        return ACT_OK;
    }
    act_iter it;
    const act_tensor *args[2] = {dst, src};
    act_iter_init(&it, dst->ndim, dst->shape, 2, args);
    convert_aux aux = {0};
    act_iter_run(&it, copy_bodies[dst->dtype][src->dtype], &aux);
    if (aux.bad)
        return act_fail(ctx, ACT_E_ARG, fn, 0,
                        "%lld values are NaN, infinite or out of int64's range",
                        (long long)aux.bad);
    return ACT_OK;
}

act_status act_copy_(act_context *ctx, act_tensor *dst, const act_tensor *src)
{
    int n;
    int64_t shape[ACT_MAX_DIMS];
    act_status st = act_broadcast_shapes(ctx, "copy_", dst->ndim, dst->shape,
                                         src->ndim, src->shape, &n, shape);
    if (st == ACT_OK && (n != dst->ndim ||
                         memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)n))) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        st = act_fail(ctx, ACT_E_SHAPE, "copy_", 2,
                      "a source of shape %s does not broadcast to the "
                      "destination's shape %s",
                      act_shape_str(a, sizeof a, src->ndim, src->shape),
                      act_shape_str(b, sizeof b, dst->ndim, dst->shape));
    }
    if (st == ACT_OK)
        st = act_prepare_inplace_from(ctx, "copy_", dst, src);
    if (st != ACT_OK)
        return st;
    if (!act_may_overlap(dst, src))
        return copy_unchecked(ctx, "copy_", dst, src);
    act_tensor *tmp;
    if ((st = act_clone_nograd(ctx, src, &tmp)) != ACT_OK)
        return st;
    st = copy_unchecked(ctx, "copy_", dst, tmp);
    act_tensor_free(tmp);
    return st;
}

#define FILL_BODY(NAME, T)                                                    \
    static void NAME(int64_t n, char *const *p, const int64_t *s,             \
                     const void *aux)                                         \
    {                                                                         \
        T *d = (T *)p[0];                                                     \
        T v = *(const T *)aux;                                                \
        for (int64_t i = 0; i < n; i++)                                       \
            d[i * s[0]] = v;                                                  \
    }
FILL_BODY(fill_f32, float)
FILL_BODY(fill_f64, double)
FILL_BODY(fill_i64, int64_t)

act_status act_fill_(act_context *ctx, act_tensor *dst, double value)
{
    act_status st = act_prepare_inplace(ctx, "fill_", dst);
    if (st != ACT_OK)
        return st;
    union { float f; double d; int64_t i; } v;
    act_loop_fn body;
    switch (dst->dtype) {
    case ACT_DTYPE_F32: v.f = (float)value; body = fill_f32; break;
    case ACT_DTYPE_F64: v.d = value; body = fill_f64; break;
    default:
        if (!(value == floor(value) && IN_I64_RANGE(value)))
            return act_fail(ctx, ACT_E_ARG, "fill_", 2,
                            "%.17g is not an integer an int64 tensor can hold",
                            value);
        v.i = (int64_t)value;
        body = fill_i64;
        break;
    }
    act_iter it;
    const act_tensor *args[1] = {dst};
    act_iter_init(&it, dst->ndim, dst->shape, 1, args);
    act_iter_run(&it, body, &v);
    return ACT_OK;
}

static act_status copy_to_new(act_context *ctx, const char *fn,
                              const act_tensor *t, act_dtype dtype,
                              act_tensor **out)
{
    act_tensor *c;
    act_status st = act_tensor_alloc(ctx, fn, dtype, t->ndim, t->shape, false, &c);
    if (st == ACT_OK && (st = copy_unchecked(ctx, fn, c, t)) != ACT_OK) {
        act_tensor_free(c);
        return st;
    }
    if (st == ACT_OK)
        *out = c;
    return st;
}

act_status act_contiguous_nograd(act_context *ctx, const act_tensor *t,
                                 act_tensor **out)
{
    if (act_tensor_is_contiguous(t)) {
        *out = act_tensor_retain((act_tensor *)t);
        return ACT_OK;
    }
    return copy_to_new(ctx, "contiguous", t, t->dtype, out);
}

act_status act_clone_nograd(act_context *ctx, const act_tensor *t,
                            act_tensor **out)
{
    return copy_to_new(ctx, "clone", t, t->dtype, out);
}

act_status act_to_dtype_nograd(act_context *ctx, const act_tensor *t,
                               act_dtype dtype, act_tensor **out)
{
    if ((unsigned)dtype >= ACT_DTYPE_COUNT)
        return act_fail(ctx, ACT_E_DTYPE, "to_dtype", 2, "invalid dtype %d",
                        (int)dtype);
    return copy_to_new(ctx, "to_dtype", t, dtype, out);
}

/* The public copies record a node whose backward hands the gradient back
 * (converted to t's dtype by the walker), then give c to the caller. A
 * copy to int64 is not differentiable: it records nothing. */
static act_status record_copy(act_context *ctx, const act_tensor *t,
                              act_tensor *c, act_tensor **out)
{
    act_node *node;
    act_status st = ACT_OK;
    if (c != t && act_is_float(c->dtype))
        st = act_record(ctx, ACT_OP_TO_DTYPE, 1, &t, c, &node);
    if (st != ACT_OK) {
        act_tensor_free(c);
        return st;
    }
    *out = c;
    return ACT_OK;
}

act_status act_contiguous(act_context *ctx, const act_tensor *t,
                          act_tensor **out)
{
    act_tensor *c;
    act_status st = act_contiguous_nograd(ctx, t, &c);
    return st != ACT_OK ? st : record_copy(ctx, t, c, out);
}

act_status act_clone(act_context *ctx, const act_tensor *t, act_tensor **out)
{
    act_tensor *c;
    act_status st = act_clone_nograd(ctx, t, &c);
    return st != ACT_OK ? st : record_copy(ctx, t, c, out);
}

act_status act_to_dtype(act_context *ctx, const act_tensor *t, act_dtype dtype,
                        act_tensor **out)
{
    act_tensor *c;
    act_status st = act_to_dtype_nograd(ctx, t, dtype, &c);
    return st != ACT_OK ? st : record_copy(ctx, t, c, out);
}

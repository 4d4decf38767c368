/*
 * context.c — the act_context: the state the engine would otherwise keep in
 * globals (generator, default dtype, the last error), status and dtype names,
 * and the helpers that record a failure with a message naming its cause.
 */
/* This file defines act.h's accessors: no inline stand-ins. */
#define ACT_OUT_OF_LINE_ACCESSORS
#include "act_internal.h"
#include "simd.h"

#include <stdlib.h>
#include <string.h>

act_context *act_context_new(void)
{
    act_context *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->default_dtype = ACT_DTYPE_F32;
    ctx->status = ACT_OK;
    ctx->grad_enabled = true;
    ctx->simd = act_simd_default();
    act_generator_seed(&ctx->gen, 0);
    return ctx;
}

void act_context_free(act_context *ctx)
{
    if (ctx) {
        act_pool_drain(ctx);
        free(ctx->walk_stack.items);
        free(ctx->walk_order.items);
    }
    free(ctx);
}

const char *act_context_error(const act_context *ctx) { return ctx->err_full; }
const char *act_context_error_detail(const act_context *ctx) { return ctx->err_detail; }
const char *act_context_error_function(const act_context *ctx) { return ctx->err_fn; }
int act_context_error_arg(const act_context *ctx) { return ctx->err_arg; }
act_status act_context_status(const act_context *ctx) { return ctx->status; }

act_dtype act_get_default_dtype(const act_context *ctx)
{
    return ctx->default_dtype;
}

act_status act_set_default_dtype(act_context *ctx, act_dtype dtype)
{
    if (!act_is_float(dtype))
        return act_fail(ctx, ACT_E_DTYPE, "set_default_dtype", 1,
                        "the default dtype must be float32 or float64, not %s",
                        act_dtype_name(dtype) ? act_dtype_name(dtype) : "?");
    ctx->default_dtype = dtype;
    return ACT_OK;
}

size_t act_context_live_bytes(const act_context *ctx)
{
    return ctx->live_bytes;
}

void act_context_empty_cache(act_context *ctx)
{
    act_pool_drain(ctx);
}

size_t act_context_cached_bytes(const act_context *ctx)
{
    return act_pool_bytes(ctx);
}

void act_manual_seed(act_context *ctx, uint64_t seed)
{
    act_generator_seed(&ctx->gen, seed);
}

act_generator *act_context_generator(act_context *ctx)
{
    return &ctx->gen;
}

act_status act_fail(act_context *ctx, act_status status, const char *fn,
                    int arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err_detail, sizeof ctx->err_detail, fmt, ap);
    va_end(ap);
    snprintf(ctx->err_fn, sizeof ctx->err_fn, "%s", fn ? fn : "");
    snprintf(ctx->err_full, sizeof ctx->err_full, "%s%s%s", ctx->err_fn,
             ctx->err_fn[0] ? ": " : "", ctx->err_detail);
    ctx->err_arg = arg;
    ctx->status = status;
    return status;
}

static const char *const status_names[ACT_STATUS_COUNT] = {
    [ACT_OK] = "ACT_OK",
    [ACT_E_ARG] = "ACT_E_ARG",
    [ACT_E_SHAPE] = "ACT_E_SHAPE",
    [ACT_E_DTYPE] = "ACT_E_DTYPE",
    [ACT_E_INDEX] = "ACT_E_INDEX",
    [ACT_E_NOMEM] = "ACT_E_NOMEM",
    [ACT_E_IO] = "ACT_E_IO",
    [ACT_E_FORMAT] = "ACT_E_FORMAT",
    [ACT_E_STATE] = "ACT_E_STATE",
    [ACT_E_UNSUPPORTED] = "ACT_E_UNSUPPORTED",
};
_Static_assert(sizeof status_names / sizeof *status_names == ACT_STATUS_COUNT,
               "one name per status");

const char *act_status_name(act_status status)
{
    if ((unsigned)status >= ACT_STATUS_COUNT)
        return "ACT_E_?";
    return status_names[status];
}

static const struct {
    const char *name;
    size_t size;
} dtype_info[ACT_DTYPE_COUNT] = {
    [ACT_DTYPE_F32] = {"float32", sizeof(float)},
    [ACT_DTYPE_F64] = {"float64", sizeof(double)},
    [ACT_DTYPE_I64] = {"int64", sizeof(int64_t)},
};

const char *act_dtype_name(act_dtype dtype)
{
    return (unsigned)dtype < ACT_DTYPE_COUNT ? dtype_info[dtype].name : NULL;
}

size_t act_dtype_size(act_dtype dtype)
{
    return (unsigned)dtype < ACT_DTYPE_COUNT ? dtype_info[dtype].size : 0;
}

bool act_dtype_from_name(const char *name, act_dtype *out)
{
    static const struct {
        const char *name;
        act_dtype dtype;
    } names[] = {
        {"float32", ACT_DTYPE_F32}, {"float", ACT_DTYPE_F32},
        {"float64", ACT_DTYPE_F64}, {"double", ACT_DTYPE_F64},
        {"int64", ACT_DTYPE_I64},   {"long", ACT_DTYPE_I64},
    };
    for (size_t i = 0; name && i < sizeof names / sizeof *names; i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].dtype;
            return true;
        }
    }
    return false;
}

act_dtype act_promote(act_dtype a, act_dtype b)
{
    if (a == ACT_DTYPE_F64 || b == ACT_DTYPE_F64)
        return ACT_DTYPE_F64;
    return ACT_DTYPE_F32;
}

act_status act_require_float(act_context *ctx, const char *fn, int arg,
                             const act_tensor *t)
{
    if (act_is_float(t->dtype))
        return ACT_OK;
    return act_fail(ctx, ACT_E_DTYPE, fn, arg,
                    "expected a float32 or float64 tensor, got %s (convert "
                    "it to a float dtype first)",
                    act_dtype_name(t->dtype));
}

act_status act_check_dim(act_context *ctx, const char *fn, int arg, int d,
                         int ndim, int *out)
{
    int n = act_norm_dim(d, ndim);
    if (n < 0) {
        if (ndim == 0)
            return act_fail(ctx, ACT_E_ARG, fn, arg,
                            "dim %d is out of range for a 0-d tensor", d);
        return act_fail(ctx, ACT_E_ARG, fn, arg,
                        "dim %d is out of range for a %d-d tensor "
                        "(expected %d to %d)",
                        d, ndim, -ndim, ndim - 1);
    }
    *out = n;
    return ACT_OK;
}

char *act_shape_str(char *buf, size_t size, int ndim, const int64_t *shape)
{
    size_t len = 0;
    len += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%lld",
                                i ? "," : "", (long long)shape[i]);
    if (len < size)
        len += (size_t)snprintf(buf + len, size - len, "]");
    if (len >= size && size > 4)
        memcpy(buf + size - 5, "...]", 5);
    return buf;
}

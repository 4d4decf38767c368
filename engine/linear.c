/*
 * linear.c — act_linear, y = x . weight^T + bias, fused: the bias is
 * written into the output rows first and one gemm adds the product onto it
 * (beta = 1), so a layer's forward is one pass over its output. The
 * backward is act_linear_backward (grad_matmul.c).
 */
#include "act_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <assert.h>
#include <string.h>

#define FN "linear"

/* ------------------------------------------------------------- checks */

static act_status check_dtypes(act_context *ctx, const act_tensor *x,
                               const act_tensor *w, const act_tensor *b)
{
    const act_tensor *ts[3] = {x, w, b};
    static const char *const names[3] = {"input", "weight", "bias"};
    for (int i = 0; i < 3; i++)
        if (ts[i] && !act_is_float(ts[i]->dtype))
            return act_fail(ctx, ACT_E_DTYPE, FN, i + 1,
                            "%s is %s; linear takes float32 or float64 "
                            "tensors", names[i], act_dtype_name(ts[i]->dtype));
    /* No promotion (as matmul): a silent float64 copy of a float32 weight
     * would hide a slow path. */
    for (int i = 1; i < 3; i++)
        if (ts[i] && ts[i]->dtype != x->dtype)
            return act_fail(ctx, ACT_E_DTYPE, FN, i + 1,
                            "input is %s and %s is %s; linear does not "
                            "convert between dtypes (convert one with "
                            "to_dtype)", act_dtype_name(x->dtype), names[i],
                            act_dtype_name(ts[i]->dtype));
    return ACT_OK;
}

static act_status check_shapes(act_context *ctx, const act_tensor *x,
                               const act_tensor *w, const act_tensor *b)
{
    /* Shapes are formatted only on failure: this runs on every step. */
    char sx[ACT_SHAPE_BUF], sw[ACT_SHAPE_BUF], sb[ACT_SHAPE_BUF];
    if (w->ndim != 2)
        return act_fail(ctx, ACT_E_SHAPE, FN, 2,
                        "weight must be 2-d [out_features, in_features], got "
                        "shape %s", act_shape_str(sw, sizeof sw, w->ndim, w->shape));
    if (x->ndim == 0)
        return act_fail(ctx, ACT_E_SHAPE, FN, 1,
                        "input is a scalar (0 dims); linear takes an input of "
                        "shape [*, in_features]");
    if (x->shape[x->ndim - 1] != w->shape[1])
        return act_fail(ctx, ACT_E_SHAPE, FN, 2,
                        "input %s and weight %s: input's last dim %lld ≠ "
                        "weight's in-features %lld",
                        act_shape_str(sx, sizeof sx, x->ndim, x->shape),
                        act_shape_str(sw, sizeof sw, w->ndim, w->shape),
                        (long long)x->shape[x->ndim - 1],
                        (long long)w->shape[1]);
    if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
        return act_fail(ctx, ACT_E_SHAPE, FN, 3,
                        "bias %s does not fit weight %s: a bias of shape "
                        "[%lld] (out-features) is needed",
                        act_shape_str(sb, sizeof sb, b->ndim, b->shape),
                        act_shape_str(sw, sizeof sw, w->ndim, w->shape),
                        (long long)w->shape[0]);
    return ACT_OK;
}

/* ------------------------------------------------------------ helpers */

/* Whether t's leading dims collapse into one run of rows, each `step`
 * elements after the previous (extent-1 dims place no constraint). */
static bool rows_collapse(const act_tensor *t, int64_t *step)
{
    int64_t want = -1;
    *step = 0; /* one row: its step is never used */
    for (int d = t->ndim - 2; d >= 0; d--) {
        if (t->shape[d] == 1)
            continue;
        if (want < 0)
            *step = t->strides[d];
        else if (t->strides[d] != want)
            return false;
        want = t->strides[d] * t->shape[d];
    }
    return true;
}

act_status act_gemm_rows(act_context *ctx, const char *fn, const act_tensor *t,
                         act_gemm_mat *out, act_tensor **copy)
{
    int64_t cols = t->shape[t->ndim - 1], rows = act_tensor_numel(t) / cols;
    int64_t step = 0;
    *copy = NULL;
    if (rows_collapse(t, &step) &&
        act_gemm_mat_of(act_tensor_data(t), rows, cols, step,
                        t->strides[t->ndim - 1], out))
        return ACT_OK;
    act_status st = act_contiguous_nograd(ctx, t, copy);
    if (st != ACT_OK)
        return st;
    bool ok = act_gemm_mat_of(act_tensor_data(*copy), rows, cols, cols, 1, out);
    assert(ok); /* a contiguous matrix is row-major */
    (void)ok;
    return ACT_OK;
}

/* Every row of y (contiguous [rows, n]) set to the bias, which may be a
 * strided view: its first row gathered, the others copied from it. */
static void preload_bias(act_tensor *y, const act_tensor *b, int64_t rows,
                         int64_t n)
{
    size_t es = act_dtype_size(y->dtype), row = (size_t)n * es;
    char *p = act_tensor_data(y);
    const char *src = act_tensor_data(b);
    int64_t s = b->strides[0];
    if (s == 1)
        memcpy(p, src, row);
    else
        for (int64_t j = 0; j < n; j++)
            memcpy(p + (size_t)j * es, src + (size_t)(j * s) * es, es);
    for (int64_t r = 1; r < rows; r++)
        memcpy(p + (size_t)r * row, p, row);
}

/* y = x_read . w^T + y (y already holds the bias, or beta is 0). */
static act_status product(act_context *ctx, const act_tensor *x,
                          const act_tensor *w, double beta, act_tensor *y,
                          act_tensor **x_copy)
{
    act_gemm_mat xm, wm;
    act_tensor *w_copy = NULL;
    act_status st = act_gemm_rows(ctx, FN, x, &xm, x_copy);
    if (st == ACT_OK)
        st = act_gemm_rows(ctx, FN, w, &wm, &w_copy);
    if (st == ACT_OK) {
        int64_t in = w->shape[1], n = w->shape[0];
        wm.trans = !wm.trans; /* op(B) = weight^T */
        act_gemm_typed(y->dtype, act_tensor_numel(y) / n, n, in, &xm, &wm,
                       beta, act_tensor_data(y), n);
    }
    act_tensor_free(w_copy);
    return st;
}

/* Records y. The gradient of x reads the weight and that of the weight
 * reads x (the x the gemm read, a copy when x had to be copied), so each
 * is saved only when the other wants a gradient. */
static act_status record(act_context *ctx, const act_tensor *x,
                         const act_tensor *w, const act_tensor *b,
                         const act_tensor *x_read, act_tensor *y)
{
    const act_tensor *in[3] = {x, w, b};
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_LINEAR, 3, in, y, &node);
    if (st != ACT_OK || !node)
        return st;
    node->i[0] = node->i[1] = -1;
    if (act_node_wants(node, 1)) {
        node->i[0] = node->nsaved;
        st = act_node_save(ctx, node, x_read);
    }
    if (st == ACT_OK && act_node_wants(node, 0)) {
        node->i[1] = node->nsaved;
        st = act_node_save(ctx, node, w);
    }
    return st;
}

/* -------------------------------------------------------------- linear */

act_status act_linear(act_context *ctx, const act_tensor *x,
                      const act_tensor *weight, const act_tensor *bias,
                      act_tensor **out)
{
    act_status st = check_dtypes(ctx, x, weight, bias);
    if (st == ACT_OK)
        st = check_shapes(ctx, x, weight, bias);
    if (st != ACT_OK)
        return st;
    int64_t shape[ACT_MAX_DIMS], n = weight->shape[0], in = weight->shape[1];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = n;
    act_tensor *y, *x_copy = NULL;
    /* With no in-features the product is 0: y is the bias, or zeros. */
    if ((st = act_tensor_alloc(ctx, FN, x->dtype, x->ndim, shape,
                               !bias && in == 0, &y)) != ACT_OK)
        return st;
    int64_t rows = n > 0 ? act_tensor_numel(y) / n : 0;
    if (rows > 0 && n > 0) {
        if (bias)
            preload_bias(y, bias, rows, n);
        if (in > 0)
            st = product(ctx, x, weight, bias ? 1.0 : 0.0, y, &x_copy);
    }
    if (st == ACT_OK)
        st = record(ctx, x, weight, bias, x_copy ? x_copy : x, y);
    act_tensor_free(x_copy);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

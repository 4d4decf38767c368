/*
 * views.c — operations that re-describe a tensor's elements without copying
 * them: view/reshape, transpose/permute, narrow/slice/select, expand,
 * squeeze/unsqueeze. Each makes a new header over the same storage (reshape
 * copies first when it must), then records itself for autograd (their backwards, in grad_views.c, need only
 * the shapes the edges keep). The public functions record; the static
 * helpers they share do not, so that no op is recorded twice.
 */
#include "act_internal.h"
#include "autograd.h"

#include <string.h>

/* Records v as `op` applied to t with parameters i[0..n), then hands v to
 * the caller; on failure frees v. */
static act_status finish(act_context *ctx, act_op op, const act_tensor *t,
                         act_tensor *v, int n, const int64_t *params,
                         act_tensor **out)
{
    act_node *node;
    act_status s = act_record(ctx, op, 1, &t, v, &node);
    if (s != ACT_OK) {
        act_tensor_free(v);
        return s;
    }
    for (int k = 0; node && k < n; k++)
        node->i[k] = params[k];
    *out = v;
    return ACT_OK;
}

/* Resolves one -1 extent and checks the element count against t's. */
static act_status infer_shape(act_context *ctx, const char *fn,
                              const act_tensor *t, int ndim,
                              const int64_t *shape, int64_t *out)
{
    if (ndim < 0 || ndim > ACT_MAX_DIMS)
        return act_fail(ctx, ACT_E_ARG, fn, 2, "a shape has 0 to %d dims, not %d",
                        ACT_MAX_DIMS, ndim);
    int infer = -1;
    int64_t known = 1;
    for (int i = 0; i < ndim; i++) {
        out[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0)
                return act_fail(ctx, ACT_E_ARG, fn, 2,
                                "only one extent may be -1 (dims %d and %d are)",
                                infer, i);
            infer = i;
        } else if (shape[i] < 0) {
            return act_fail(ctx, ACT_E_ARG, fn, 2,
                            "extent %lld of dim %d is negative",
                            (long long)shape[i], i);
        } else if (shape[i] != 0 && known > INT64_MAX / shape[i]) {
            known = -1; /* overflow: cannot match any real tensor */
            break;
        } else {
            known *= shape[i];
        }
    }
    int64_t numel = act_tensor_numel(t);
    if (infer >= 0 && known > 0 && numel % known == 0)
        out[infer] = numel / known;
    int64_t total = 1;
    for (int i = 0; i < ndim && known >= 0; i++)
        total *= out[i];
    if (known < 0 || (infer >= 0 && (known == 0 || numel % known != 0)) ||
        total != numel) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, fn, 2,
                        "shape %s does not fit a tensor of shape %s "
                        "(%lld elements)",
                        act_shape_str(a, sizeof a, ndim, shape),
                        act_shape_str(b, sizeof b, t->ndim, t->shape),
                        (long long)numel);
    }
    return ACT_OK;
}

/* Strides for `shape` over t's elements without a copy, if t's layout
 * allows it (PyTorch's computeStride): each run of t's dims that is
 * contiguous within itself may be split or merged freely. */
static bool view_strides(const act_tensor *t, int ndim, const int64_t *shape,
                         int64_t *strides)
{
    if (act_tensor_numel(t) == 0 || t->ndim == 0) {
        act_contiguous_strides(ndim, shape, strides);
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_base_stride = t->ndim ? t->strides[t->ndim - 1] : 1;
    int64_t tensor_numel = 1, view_numel = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        tensor_numel *= t->shape[d];
        if (d == 0 || (t->shape[d - 1] != 1 &&
                       t->strides[d - 1] != tensor_numel * chunk_base_stride)) {
            while (view_d >= 0 &&
                   (view_numel < tensor_numel || shape[view_d] == 1)) {
                strides[view_d] = view_numel * chunk_base_stride;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel)
                return false;
            if (d > 0) {
                chunk_base_stride = t->strides[d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

/* A header over t's storage with the given shape and strides. */
static act_status restride(act_context *ctx, const char *fn,
                           const act_tensor *t, int ndim, const int64_t *shape,
                           const int64_t *strides, act_tensor **out)
{
    act_tensor *v;
    act_status s = act_tensor_alias(ctx, fn, t, &v);
    if (s != ACT_OK)
        return s;
    v->ndim = ndim;
    memcpy(v->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(v->strides, strides, sizeof(int64_t) * (size_t)ndim);
    *out = v;
    return ACT_OK;
}

act_status act_view(act_context *ctx, const act_tensor *t, int ndim,
                    const int64_t *shape, act_tensor **out)
{
    int64_t sh[ACT_MAX_DIMS], st[ACT_MAX_DIMS];
    act_status s = infer_shape(ctx, "view", t, ndim, shape, sh);
    if (s != ACT_OK)
        return s;
    if (!view_strides(t, ndim, sh, st)) {
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF], c[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_SHAPE, "view", 2,
                        "a tensor of shape %s with strides %s cannot be viewed "
                        "as %s without a copy (use reshape or contiguous)",
                        act_shape_str(a, sizeof a, t->ndim, t->shape),
                        act_shape_str(b, sizeof b, t->ndim, t->strides),
                        act_shape_str(c, sizeof c, ndim, sh));
    }
    act_tensor *v;
    if ((s = restride(ctx, "view", t, ndim, sh, st, &v)) != ACT_OK)
        return s;
    return finish(ctx, ACT_OP_VIEW, t, v, 0, NULL, out);
}

/* A view when t's strides allow one, else a view of a contiguous copy; the
 * copy is not recorded on its own: the whole reshape is one VIEW node over
 * t, whose backward reshapes the gradient back either way. */
act_status act_reshape(act_context *ctx, const act_tensor *t, int ndim,
                       const int64_t *shape, act_tensor **out)
{
    int64_t sh[ACT_MAX_DIMS], st[ACT_MAX_DIMS];
    act_status s = infer_shape(ctx, "reshape", t, ndim, shape, sh);
    if (s != ACT_OK)
        return s;
    act_tensor *v;
    if (view_strides(t, ndim, sh, st)) {
        s = restride(ctx, "reshape", t, ndim, sh, st, &v);
    } else {
        act_tensor *c;
        if ((s = act_contiguous_nograd(ctx, t, &c)) != ACT_OK)
            return s;
        act_contiguous_strides(ndim, sh, st);
        s = restride(ctx, "reshape", c, ndim, sh, st, &v);
        act_tensor_free(c);
    }
    if (s != ACT_OK)
        return s;
    return finish(ctx, ACT_OP_VIEW, t, v, 0, NULL, out);
}

/* out dim i is t's dim p[i] (checked), recorded as a PERMUTE with p. */
static act_status permuted(act_context *ctx, const char *fn,
                           const act_tensor *t, const int *p, act_tensor **out)
{
    act_tensor *v;
    act_status s = act_tensor_alias(ctx, fn, t, &v);
    if (s != ACT_OK)
        return s;
    int64_t params[ACT_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++) {
        v->shape[i] = t->shape[p[i]];
        v->strides[i] = t->strides[p[i]];
        params[i] = p[i];
    }
    return finish(ctx, ACT_OP_PERMUTE, t, v, t->ndim, params, out);
}

act_status act_transpose(act_context *ctx, const act_tensor *t, int d0, int d1,
                         act_tensor **out)
{
    int a, b;
    act_status s = act_check_dim(ctx, "transpose", 2, d0, t->ndim, &a);
    if (s == ACT_OK)
        s = act_check_dim(ctx, "transpose", 3, d1, t->ndim, &b);
    if (s != ACT_OK)
        return s;
    int p[ACT_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++)
        p[i] = i == a ? b : i == b ? a : i;
    return permuted(ctx, "transpose", t, p, out);
}

act_status act_permute(act_context *ctx, const act_tensor *t, int ndim,
                       const int *perm, act_tensor **out)
{
    if (ndim != t->ndim)
        return act_fail(ctx, ACT_E_ARG, "permute", 2,
                        "a permutation of %d dims is needed, got %d", t->ndim,
                        ndim);
    bool seen[ACT_MAX_DIMS] = {false};
    int p[ACT_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        act_status s = act_check_dim(ctx, "permute", 2, perm[i], ndim, &p[i]);
        if (s != ACT_OK)
            return s;
        if (seen[p[i]])
            return act_fail(ctx, ACT_E_ARG, "permute", 2,
                            "dim %d appears twice in the permutation", perm[i]);
        seen[p[i]] = true;
    }
    return permuted(ctx, "permute", t, p, out);
}

/* Elements start, start + step, ... (length of them) of dim `dim`, all
 * checked to lie inside it; recorded as a SLICE (dim, start, step). */
static act_status sliced(act_context *ctx, const char *fn, const act_tensor *t,
                         int dim, int64_t start, int64_t length, int64_t step,
                         act_tensor **out)
{
    act_tensor *v;
    act_status s = act_tensor_alias(ctx, fn, t, &v);
    if (s != ACT_OK)
        return s;
    v->offset += start * t->strides[dim];
    v->shape[dim] = length;
    v->strides[dim] = t->strides[dim] * step;
    int64_t params[3] = {dim, start, step};
    return finish(ctx, ACT_OP_SLICE, t, v, 3, params, out);
}

act_status act_slice(act_context *ctx, const act_tensor *t, int d,
                     int64_t start, int64_t stop, int64_t step,
                     act_tensor **out)
{
    int dim;
    act_status s = act_check_dim(ctx, "slice", 2, d, t->ndim, &dim);
    if (s != ACT_OK)
        return s;
    if (step <= 0)
        return act_fail(ctx, ACT_E_ARG, "slice", 5, "step must be > 0, got %lld",
                        (long long)step);
    int64_t n = t->shape[dim];
    if (start < 0) start += n;
    if (stop < 0) stop += n;
    start = start < 0 ? 0 : start > n ? n : start;
    stop = stop < start ? start : stop > n ? n : stop;
    return sliced(ctx, "slice", t, dim, start, (stop - start + step - 1) / step,
                  step, out);
}

act_status act_narrow(act_context *ctx, const act_tensor *t, int d,
                      int64_t start, int64_t length, act_tensor **out)
{
    int dim;
    act_status s = act_check_dim(ctx, "narrow", 2, d, t->ndim, &dim);
    if (s != ACT_OK)
        return s;
    int64_t n = t->shape[dim];
    if (start < 0)
        start += n;
    if (start < 0 || start > n || length < 0 || length > n - start)
        return act_fail(ctx, ACT_E_INDEX, "narrow", 3,
                        "start %lld and length %lld do not fit dim %d of "
                        "extent %lld",
                        (long long)start, (long long)length, d, (long long)n);
    return sliced(ctx, "narrow", t, dim, start, length, 1, out);
}

act_status act_select(act_context *ctx, const act_tensor *t, int d,
                      int64_t index, act_tensor **out)
{
    int dim;
    act_status s = act_check_dim(ctx, "select", 2, d, t->ndim, &dim);
    if (s != ACT_OK)
        return s;
    int64_t n = t->shape[dim];
    int64_t i = index < 0 ? index + n : index;
    if (i < 0 || i >= n) {
        char sb[ACT_SHAPE_BUF];
        return act_fail(ctx, ACT_E_INDEX, "select", 3,
                        "index %lld is out of range for dim %d of a tensor of "
                        "shape %s",
                        (long long)index, dim,
                        act_shape_str(sb, sizeof sb, t->ndim, t->shape));
    }
    act_tensor *v;
    if ((s = act_tensor_alias(ctx, "select", t, &v)) != ACT_OK)
        return s;
    v->offset += i * t->strides[dim];
    for (int k = dim; k < t->ndim - 1; k++) {
        v->shape[k] = t->shape[k + 1];
        v->strides[k] = t->strides[k + 1];
    }
    v->ndim--;
    int64_t params[2] = {dim, i};
    return finish(ctx, ACT_OP_SELECT, t, v, 2, params, out);
}

act_status act_expand(act_context *ctx, const act_tensor *t, int ndim,
                      const int64_t *shape, act_tensor **out)
{
    char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
    if (ndim < t->ndim || ndim > ACT_MAX_DIMS)
        return act_fail(ctx, ACT_E_SHAPE, "expand", 2,
                        "cannot expand a tensor of shape %s to %s",
                        act_shape_str(a, sizeof a, t->ndim, t->shape),
                        act_shape_str(b, sizeof b, ndim, shape));
    int64_t sh[ACT_MAX_DIMS], st[ACT_MAX_DIMS];
    for (int i = 0; i < ndim; i++) {
        int ti = t->ndim - ndim + i;
        int64_t have = ti >= 0 ? t->shape[ti] : 1;
        int64_t want = shape[i] == -1 && ti >= 0 ? have : shape[i];
        if (want < 0 || (have != want && have != 1))
            return act_fail(ctx, ACT_E_SHAPE, "expand", 2,
                            "cannot expand a tensor of shape %s to %s: "
                            "dim %d has extent %lld, not 1",
                            act_shape_str(a, sizeof a, t->ndim, t->shape),
                            act_shape_str(b, sizeof b, ndim, shape), i,
                            (long long)have);
        sh[i] = want;
        st[i] = (ti >= 0 && have == want) ? t->strides[ti] : 0;
    }
    act_tensor *v;
    act_status s = restride(ctx, "expand", t, ndim, sh, st, &v);
    if (s != ACT_OK)
        return s;
    return finish(ctx, ACT_OP_EXPAND, t, v, 0, NULL, out);
}

act_status act_squeeze(act_context *ctx, const act_tensor *t, int d,
                       act_tensor **out)
{
    int dim = -1;
    act_status s;
    if (d != ACT_ALL_DIMS &&
        (s = act_check_dim(ctx, "squeeze", 2, d, t->ndim, &dim)) != ACT_OK)
        return s;
    act_tensor *v;
    if ((s = act_tensor_alias(ctx, "squeeze", t, &v)) != ACT_OK)
        return s;
    int n = 0;
    for (int i = 0; i < t->ndim; i++) {
        bool drop = t->shape[i] == 1 && (dim < 0 || i == dim);
        if (!drop) {
            v->shape[n] = t->shape[i];
            v->strides[n] = t->strides[i];
            n++;
        }
    }
    v->ndim = n;
    return finish(ctx, ACT_OP_VIEW, t, v, 0, NULL, out);
}

act_status act_unsqueeze(act_context *ctx, const act_tensor *t, int d,
                         act_tensor **out)
{
    if (t->ndim >= ACT_MAX_DIMS)
        return act_fail(ctx, ACT_E_ARG, "unsqueeze", 1,
                        "a tensor has at most %d dims", ACT_MAX_DIMS);
    int dim;
    act_status s = act_check_dim(ctx, "unsqueeze", 2, d, t->ndim + 1, &dim);
    act_tensor *v;
    if (s != ACT_OK || (s = act_tensor_alias(ctx, "unsqueeze", t, &v)) != ACT_OK)
        return s;
    for (int i = t->ndim; i > dim; i--) {
        v->shape[i] = t->shape[i - 1];
        v->strides[i] = t->strides[i - 1];
    }
    v->shape[dim] = 1;
    v->strides[dim] = dim + 1 < v->ndim + 1 && dim < t->ndim
                          ? t->strides[dim] * t->shape[dim]
                          : 1;
    v->ndim++;
    return finish(ctx, ACT_OP_VIEW, t, v, 0, NULL, out);
}

/*
 * matmul.c — act_matmul: checks ranks, dtypes and shapes, then hands each
 * operand to act_gemm_* as it lies in memory (row-major, or column-major with
 * the transpose flag, at any leading dimension). Only a view whose strides
 * fit neither layout (a strided column slice, an expanded dim) is copied.
 * Also the layout and gemm helpers that linear.c and grad_matmul.c share.
 */
#include "act_internal.h"
#include "autograd.h"
#include "blas.h"
#include "grad_rules.h"

#include <assert.h>

#define FN "matmul"

/* One operand as a batch of rows x cols matrices, strides in elements. */
typedef struct {
    const act_tensor *t; /* the tensor read: the argument or `copy` */
    act_tensor *copy;    /* a contiguous copy when one was needed, else NULL */
    int64_t batch, bstride, rows, cols, rs, cs;
    bool trans; /* stored column-major: gemm's trans flag */
    int64_t ld; /* gemm's leading dimension */
} operand;

static act_status check_rank(act_context *ctx, int arg, const act_tensor *t)
{
    const char *name = arg == 1 ? "a" : "b";
    if (t->ndim == 0)
        return act_fail(ctx, ACT_E_SHAPE, FN, arg,
                        "%s is a scalar (0 dims); matmul takes tensors of 1 to "
                        "3 dims (multiply by a scalar with mul)", name);
    if (t->ndim > 3)
        return act_fail(ctx, ACT_E_UNSUPPORTED, FN, arg,
                        "%s has %d dims; matmul takes tensors of 1 to 3 dims "
                        "(batches of more than one dim are not implemented)",
                        name, t->ndim);
    return ACT_OK;
}

/* matmul does not promote (as PyTorch): a silent float64 copy of a float32
 * weight would hide a slow path, so the caller converts explicitly. */
static act_status check_args(act_context *ctx, const act_tensor *a,
                             const act_tensor *b)
{
    act_status st;
    if ((st = act_require_float(ctx, FN, 1, a)) != ACT_OK ||
        (st = act_require_float(ctx, FN, 2, b)) != ACT_OK)
        return st;
    if (a->dtype != b->dtype)
        return act_fail(ctx, ACT_E_DTYPE, FN, 2,
                        "a is %s and b is %s; matmul does not convert between "
                        "dtypes (convert one with to_dtype)",
                        act_dtype_name(a->dtype), act_dtype_name(b->dtype));
    if ((st = check_rank(ctx, 1, a)) != ACT_OK)
        return st;
    return check_rank(ctx, 2, b);
}

/* Reads t's geometry. A 1-d a is one row, a 1-d b one column; the stride
 * along an extent-1 dim is never used, so it is set to 0. */
static void describe(operand *o, const act_tensor *t, bool left)
{
    int d = t->ndim;
    o->t = t;
    o->batch = d == 3 ? t->shape[0] : 1;
    o->bstride = o->batch > 1 ? t->strides[0] : 0;
    if (d == 1 && left) {
        o->rows = 1, o->rs = 0;
        o->cols = t->shape[0], o->cs = t->strides[0];
    } else if (d == 1) {
        o->rows = t->shape[0], o->rs = t->strides[0];
        o->cols = 1, o->cs = 0;
    } else {
        o->rows = t->shape[d - 2], o->rs = t->strides[d - 2];
        o->cols = t->shape[d - 1], o->cs = t->strides[d - 1];
    }
}

/*
 * Whether BLAS can read the matrix in place, and how. Row-major needs unit
 * column steps and a row step of at least max(1, cols); column-major the
 * mirror image. A row (column) vector fits either way, whatever its stride,
 * as long as the stride is positive: that is how a step-2 slice of a vector
 * avoids a copy. A stride of 0 (an expanded dim) fits neither: BLAS requires
 * ld >= max(1, ...), so such an operand is copied.
 */
bool act_gemm_mat_of(const void *data, int64_t rows, int64_t cols,
                     int64_t rs, int64_t cs, act_gemm_mat *out)
{
    out->data = data;
    if (cols == 1 || cs == 1) {
        int64_t need = cols > 1 ? cols : 1;
        int64_t ld = rows == 1 ? need : rs;
        if (ld >= need) {
            out->trans = false, out->ld = ld;
            return true;
        }
    }
    if (rows == 1 || rs == 1) {
        int64_t need = rows > 1 ? rows : 1;
        int64_t ld = cols == 1 ? need : cs;
        if (ld >= need) {
            out->trans = true, out->ld = ld;
            return true;
        }
    }
    return false;
}

void act_gemm_typed(act_dtype dtype, int64_t m, int64_t n, int64_t k,
                    const act_gemm_mat *a, const act_gemm_mat *b, double beta,
                    void *c, int64_t ldc)
{
    if (dtype == ACT_DTYPE_F32)
        act_gemm_f32(a->trans, b->trans, m, n, k, 1.0f, a->data, a->ld,
                     b->data, b->ld, (float)beta, c, ldc);
    else
        act_gemm_f64(a->trans, b->trans, m, n, k, 1.0, a->data, a->ld,
                     b->data, b->ld, beta, c, ldc);
}

static bool blas_layout(operand *o)
{
    act_gemm_mat mat;
    if (!act_gemm_mat_of(NULL, o->rows, o->cols, o->rs, o->cs, &mat))
        return false;
    o->trans = mat.trans, o->ld = mat.ld;
    return true;
}

/* Lays the operand out for BLAS, copying it only if it must. */
static act_status prepare(act_context *ctx, operand *o, bool left)
{
    if (blas_layout(o))
        return ACT_OK;
    act_status st = act_contiguous_nograd(ctx, o->t, &o->copy);
    if (st != ACT_OK)
        return st;
    describe(o, o->copy, left);
    bool ok = blas_layout(o);
    assert(ok); /* a contiguous matrix is row-major */
    (void)ok;
    return ACT_OK;
}

/* The broadcast batch: an extent of 1 stretches, also to 0 (NumPy). */
static int64_t batch_of(const operand *a, const operand *b)
{
    return a->batch == 1 ? b->batch : a->batch;
}

/* The result's shape, or a shape error naming both operands. */
static act_status result_shape(act_context *ctx, const operand *a,
                               const operand *b, int *ndim, int64_t *shape)
{
    char sa[ACT_SHAPE_BUF], sb[ACT_SHAPE_BUF];
    if (a->cols != b->rows)
        return act_fail(ctx, ACT_E_SHAPE, FN, 2,
                        "shapes %s and %s cannot be multiplied: %lld ≠ %lld",
                        act_shape_str(sa, sizeof sa, a->t->ndim, a->t->shape),
                        act_shape_str(sb, sizeof sb, b->t->ndim, b->t->shape),
                        (long long)a->cols, (long long)b->rows);
    if (a->batch != b->batch && a->batch != 1 && b->batch != 1)
        return act_fail(ctx, ACT_E_SHAPE, FN, 2,
                        "shapes %s and %s cannot be multiplied: batch sizes "
                        "%lld and %lld do not broadcast",
                        act_shape_str(sa, sizeof sa, a->t->ndim, a->t->shape),
                        act_shape_str(sb, sizeof sb, b->t->ndim, b->t->shape),
                        (long long)a->batch, (long long)b->batch);
    int n = 0;
    if (a->t->ndim == 3 || b->t->ndim == 3)
        shape[n++] = batch_of(a, b);
    if (a->t->ndim >= 2)
        shape[n++] = a->rows;
    if (b->t->ndim >= 2)
        shape[n++] = b->cols;
    *ndim = n;
    return ACT_OK;
}

static void gemm(act_dtype dtype, const operand *a, const operand *b,
                 int64_t m, int64_t ia, int64_t ib, void *c, int64_t ldc)
{
    int64_t n = b->cols, k = a->cols;
    if (dtype == ACT_DTYPE_F32)
        act_gemm_f32(a->trans, b->trans, m, n, k, 1.0f,
                     (const float *)act_tensor_data(a->t) + ia * a->bstride,
                     a->ld,
                     (const float *)act_tensor_data(b->t) + ib * b->bstride,
                     b->ld, 0.0f, c, ldc);
    else
        act_gemm_f64(a->trans, b->trans, m, n, k, 1.0,
                     (const double *)act_tensor_data(a->t) + ia * a->bstride,
                     a->ld,
                     (const double *)act_tensor_data(b->t) + ib * b->bstride,
                     b->ld, 0.0, c, ldc);
}

/*
 * One gemm per batch into out (contiguous [batch, m, n]). When b is shared
 * by every batch and a's batches follow each other as rows of one matrix (a
 * contiguous [B, m, k] times a weight), the batches are one gemm of B * m
 * rows, which BLAS runs far better than B small ones.
 */
static void run(act_dtype dtype, const operand *a, const operand *b,
                int64_t batch, act_tensor *out)
{
    int64_t m = a->rows, n = b->cols;
    char *c = act_tensor_data(out);
    size_t step = (size_t)(m * n) * act_dtype_size(dtype);
    if (batch > 1 && b->batch == 1 && !a->trans && a->bstride == m * a->ld) {
        gemm(dtype, a, b, batch * m, 0, 0, c, n);
        return;
    }
    for (int64_t i = 0; i < batch; i++)
        gemm(dtype, a, b, m, a->batch > 1 ? i : 0, b->batch > 1 ? i : 0,
             c + (size_t)i * step, n);
}

/* Records r = a . b. The gradient of a reads b and that of b reads a, so
 * each is saved only when the other wants a gradient: changing one in
 * place before the backward (an optimizer step on a weight) is then an
 * error only when its value is really needed. */
static act_status record(act_context *ctx, const act_tensor *a,
                         const act_tensor *b, act_tensor *r)
{
    const act_tensor *in[2] = {a, b};
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_MATMUL, 2, in, r, &node);
    if (st != ACT_OK || !node)
        return st;
    node->i[0] = node->i[1] = -1;
    if (act_node_wants(node, 1)) {
        node->i[0] = node->nsaved;
        st = act_node_save(ctx, node, a);
    }
    if (st == ACT_OK && act_node_wants(node, 0)) {
        node->i[1] = node->nsaved;
        st = act_node_save(ctx, node, b);
    }
    return st;
}

act_status act_matmul(act_context *ctx, const act_tensor *a,
                      const act_tensor *b, act_tensor **out)
{
    act_status st = check_args(ctx, a, b);
    if (st != ACT_OK)
        return st;
    operand oa = {0}, ob = {0};
    describe(&oa, a, true);
    describe(&ob, b, false);
    int ndim = 0;
    int64_t shape[3];
    if ((st = result_shape(ctx, &oa, &ob, &ndim, shape)) != ACT_OK)
        return st;
    int64_t k = oa.cols, batch = batch_of(&oa, &ob);
    act_tensor *r;
    /* An empty sum is 0: with k = 0 the zeroed result is the answer. */
    if ((st = act_tensor_alloc(ctx, FN, a->dtype, ndim, shape, k == 0, &r)) !=
        ACT_OK)
        return st;
    if (act_tensor_numel(r) > 0 && k > 0) {
        if ((st = prepare(ctx, &oa, true)) == ACT_OK &&
            (st = prepare(ctx, &ob, false)) == ACT_OK)
            run(a->dtype, &oa, &ob, batch, r);
    }
    act_tensor_free(oa.copy);
    act_tensor_free(ob.copy);
    if (st == ACT_OK)
        st = record(ctx, a, b, r);
    if (st != ACT_OK) {
        act_tensor_free(r);
        return st;
    }
    *out = r;
    return ACT_OK;
}

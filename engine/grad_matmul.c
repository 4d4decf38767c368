/*
 * grad_matmul.c — autograd for matmul and linear, straight onto act_gemm:
 * gA = gy . b^T and gB = a^T . gy read the saved operands in place through
 * the transpose flags, a broadcast batch is summed by accumulating gemms
 * (beta = 1) rather than materialised, and batches that lie one after
 * another become one gemm. Linear's three gradients are two gemms and a
 * column sum, with no copy when x and gy are contiguous.
 */
#include "autograd.h"
#include "grad_rules.h"

#include <assert.h>
#include <string.h>

/* The ordinary cost model, so that GCC vectorises the column sums (its -O2
 * "very cheap" model skips loops that need a remainder); no reassociation,
 * so no result changes. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

/* ------------------------------------------------------------- matmul */

/* The product in 3-d terms: a [ba, m, k] . b [bb, k, n] -> [batch, m, n].
 * A 1-d a is one row (m = 1), a 1-d b one column (n = 1), a 2-d side a
 * batch of one; the output's dims are these with the absent ones dropped,
 * so a contiguous gy is exactly [batch, m, n]. */
typedef struct {
    int64_t ba, bb, batch, m, k, n;
} dims;

static dims dims_of(const act_node *node)
{
    const act_edge *a = &node->in[0], *b = &node->in[1];
    dims d;
    d.ba = a->ndim == 3 ? a->shape[0] : 1;
    d.m = a->ndim >= 2 ? a->shape[a->ndim - 2] : 1;
    d.k = a->shape[a->ndim - 1];
    d.bb = b->ndim == 3 ? b->shape[0] : 1;
    d.n = b->ndim >= 2 ? b->shape[b->ndim - 1] : 1;
    d.batch = d.ba == 1 ? d.bb : d.ba;
    return d;
}

/* A saved operand as a batch of matrices BLAS reads, batch 0's layout in
 * mat (every batch has the same strides). */
typedef struct {
    act_tensor *copy; /* a contiguous copy when one was needed, else NULL */
    act_gemm_mat mat;
    int64_t batch, bstride;
    size_t es;
} operand;

/* Reads t's geometry as matmul.c does; false when BLAS cannot read it. */
static bool describe(operand *o, const act_tensor *t, bool left)
{
    int nd = t->ndim;
    int64_t rows, cols, rs, cs;
    if (nd == 1 && left)
        rows = 1, rs = 0, cols = t->shape[0], cs = t->strides[0];
    else if (nd == 1)
        rows = t->shape[0], rs = t->strides[0], cols = 1, cs = 0;
    else
        rows = t->shape[nd - 2], rs = t->strides[nd - 2],
        cols = t->shape[nd - 1], cs = t->strides[nd - 1];
    o->batch = nd == 3 ? t->shape[0] : 1;
    o->bstride = nd == 3 ? t->strides[0] : 0;
    o->es = act_dtype_size(t->dtype);
    return act_gemm_mat_of(act_tensor_data(t), rows, cols, rs, cs, &o->mat);
}

/* Lays out a saved operand (no extent 0), copying it only if it must. */
static act_status operand_of(act_context *ctx, const act_tensor *t, bool left,
                             operand *o)
{
    o->copy = NULL;
    if (describe(o, t, left))
        return ACT_OK;
    act_status st = act_contiguous_nograd(ctx, t, &o->copy);
    if (st != ACT_OK)
        return st;
    bool ok = describe(o, o->copy, left);
    assert(ok); /* a contiguous matrix is row-major */
    (void)ok;
    return ACT_OK;
}

/* Batch i of o (batch 0 when o's batch is broadcast), transposed when
 * flip. */
static act_gemm_mat at(const operand *o, int64_t i, bool flip)
{
    act_gemm_mat m = o->mat;
    if (o->batch > 1)
        m.data = (const char *)m.data + (size_t)(i * o->bstride) * o->es;
    m.trans = m.trans != flip;
    return m;
}

/* Rows of a contiguous buffer: a row-major matrix of leading dim ld,
 * starting `off` elements in. */
static act_gemm_mat rows_at(const act_tensor *t, int64_t off, int64_t ld)
{
    size_t es = act_dtype_size(t->dtype);
    return (act_gemm_mat){(const char *)act_tensor_data(t) + (size_t)off * es,
                          false, ld};
}

static char *elem(act_tensor *t, int64_t off)
{
    return (char *)act_tensor_data(t) + (size_t)off * act_dtype_size(t->dtype);
}

/* gA[i] = gy[i] . b[i]^T, [m, n] . [n, k]; summed over i into one [m, k]
 * when a's batch is broadcast. */
static void grad_a(const dims *d, const act_tensor *g, const operand *b,
                   act_tensor *ga)
{
    if (d->ba == d->batch && d->bb == 1) { /* batches stack: one gemm */
        act_gemm_mat gm = rows_at(g, 0, d->n), bt = at(b, 0, true);
        act_gemm_typed(ga->dtype, d->batch * d->m, d->k, d->n, &gm, &bt, 0,
                       act_tensor_data(ga), d->k);
        return;
    }
    for (int64_t i = 0; i < d->batch; i++) {
        act_gemm_mat gm = rows_at(g, i * d->m * d->n, d->n), bt = at(b, i, true);
        double beta = d->ba == 1 && i > 0 ? 1 : 0;
        act_gemm_typed(ga->dtype, d->m, d->k, d->n, &gm, &bt, beta,
                       elem(ga, d->ba > 1 ? i * d->m * d->k : 0), d->k);
    }
}

/* gB[i] = a[i]^T . gy[i], [k, m] . [m, n]; summed over i into one [k, n]
 * when b's batch is broadcast: one gemm over all batch rows when a's
 * batches follow each other as rows of one matrix. */
static void grad_b(const dims *d, const operand *a, const act_tensor *g,
                   act_tensor *gb)
{
    if (d->bb == 1 && d->ba == d->batch && !a->mat.trans &&
        (d->batch == 1 || a->bstride == d->m * a->mat.ld)) {
        act_gemm_mat at0 = at(a, 0, true), gm = rows_at(g, 0, d->n);
        act_gemm_typed(gb->dtype, d->k, d->n, d->batch * d->m, &at0, &gm, 0,
                       act_tensor_data(gb), d->n);
        return;
    }
    for (int64_t i = 0; i < d->batch; i++) {
        act_gemm_mat ai = at(a, i, true), gm = rows_at(g, i * d->m * d->n, d->n);
        double beta = d->bb == 1 && i > 0 ? 1 : 0;
        act_gemm_typed(gb->dtype, d->k, d->n, d->m, &ai, &gm, beta,
                       elem(gb, d->bb > 1 ? i * d->k * d->n : 0), d->n);
    }
}

/* A gradient of edge k's shape: computed by `fill` from the saved operand
 * `other`, or zeros when the sum it is made of is empty (`inner` or the
 * batch is 0). Nothing is computed for an empty gradient. */
static act_status matmul_grad(act_context *ctx, const act_node *node, int k,
                              const dims *d, const act_tensor *g,
                              int64_t inner, act_tensor **out)
{
    const act_edge *e = &node->in[k];
    bool empty_sum = inner == 0 || d->batch == 0;
    act_tensor *r;
    act_status st = act_tensor_alloc(ctx, "backward", g->dtype, e->ndim,
                                     e->shape, empty_sum, &r);
    if (st != ACT_OK || act_tensor_numel(r) == 0 || empty_sum) {
        if (st == ACT_OK)
            *out = r;
        return st;
    }
    operand o;
    const act_tensor *saved = node->saved[node->i[k == 0 ? 1 : 0]];
    if ((st = operand_of(ctx, saved, k == 1, &o)) == ACT_OK) {
        if (k == 0)
            grad_a(d, g, &o, r);
        else
            grad_b(d, &o, g, r);
    }
    act_tensor_free(o.copy);
    if (st != ACT_OK) {
        act_tensor_free(r);
        return st;
    }
    *out = r;
    return ACT_OK;
}

act_status act_matmul_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    dims d = dims_of(node);
    act_tensor *g;
    act_status st = act_contiguous_nograd(ctx, gy, &g);
    if (st != ACT_OK)
        return st;
    if (act_node_wants(node, 0))
        st = matmul_grad(ctx, node, 0, &d, g, d.n, &gx[0]);
    if (st == ACT_OK && act_node_wants(node, 1))
        st = matmul_grad(ctx, node, 1, &d, g, d.m, &gx[1]);
    act_tensor_free(g);
    return st;
}

/* ------------------------------------------------------------- linear */

/* gb[j] = sum over rows of g[r, j] (g contiguous [rows, n]), accumulated in
 * double a block of columns at a time: row-wise reads, no allocation. */
#define COLUMN_SUM(NAME, T)                                                   \
    ACT_AVX2_CLONE                                                            \
    static void NAME(const T *g, int64_t rows, int64_t n, T *out)             \
    {                                                                         \
        enum { BLOCK = 256 };                                                 \
        double acc[BLOCK];                                                    \
        for (int64_t j0 = 0; j0 < n; j0 += BLOCK) {                           \
            int64_t w = n - j0 < BLOCK ? n - j0 : BLOCK;                      \
            memset(acc, 0, (size_t)w * sizeof *acc); /* not all 2 KiB */      \
            for (int64_t r = 0; r < rows; r++)                                \
                for (int64_t j = 0; j < w; j++)                               \
                    acc[j] += g[r * n + j0 + j];                              \
            for (int64_t j = 0; j < w; j++)                                   \
                out[j0 + j] = (T)acc[j];                                      \
        }                                                                     \
    }
COLUMN_SUM(column_sum_f32, float)
COLUMN_SUM(column_sum_f64, double)

/* gx [*, in] = gy [rows, n] . weight [n, in]. */
static void linear_gx(const act_tensor *g, const act_gemm_mat *w, int64_t rows,
                      int64_t n, int64_t in, act_tensor *gx)
{
    act_gemm_mat gm = rows_at(g, 0, n);
    act_gemm_typed(gx->dtype, rows, in, n, &gm, w, 0, act_tensor_data(gx), in);
}

/* gW [n, in] = gy^T [n, rows] . x [rows, in]: the sum over every leading
 * dim of x in one gemm. */
static void linear_gw(const act_tensor *g, const act_gemm_mat *x, int64_t rows,
                      int64_t n, int64_t in, act_tensor *gw)
{
    act_gemm_mat gt = rows_at(g, 0, n);
    gt.trans = true;
    act_gemm_typed(gw->dtype, n, in, rows, &gt, x, 0, act_tensor_data(gw), in);
}

/* Gradient k (0 x, 1 weight) of linear: allocated in edge k's shape, zeros
 * when the sum that makes it is empty, else one gemm with the saved
 * operand the other input's gradient does not need (`saved`). */
static act_status linear_grad(act_context *ctx, const act_node *node, int k,
                              const act_tensor *saved, const act_tensor *g,
                              int64_t rows, int64_t n, int64_t in,
                              act_tensor **out)
{
    const act_edge *e = &node->in[k];
    bool empty_sum = (k == 0 ? n : rows) == 0;
    act_tensor *r, *copy = NULL;
    act_status st = act_tensor_alloc(ctx, "backward", g->dtype, e->ndim,
                                     e->shape, empty_sum, &r);
    if (st != ACT_OK)
        return st;
    if (act_tensor_numel(r) > 0 && !empty_sum) {
        act_gemm_mat m;
        if ((st = act_gemm_rows(ctx, "backward", saved, &m, &copy)) == ACT_OK) {
            if (k == 0)
                linear_gx(g, &m, rows, n, in, r);
            else
                linear_gw(g, &m, rows, n, in, r);
        }
        act_tensor_free(copy);
    }
    if (st != ACT_OK) {
        act_tensor_free(r);
        return st;
    }
    *out = r;
    return ACT_OK;
}

static act_status linear_gb(act_context *ctx, const act_tensor *g,
                            int64_t rows, int64_t n, act_tensor **out)
{
    act_tensor *r;
    act_status st = act_tensor_alloc(ctx, "backward", g->dtype, 1, &n, false, &r);
    if (st != ACT_OK)
        return st;
    if (g->dtype == ACT_DTYPE_F32)
        column_sum_f32(act_tensor_data(g), rows, n, act_tensor_data(r));
    else
        column_sum_f64(act_tensor_data(g), rows, n, act_tensor_data(r));
    *out = r;
    return ACT_OK;
}

act_status act_linear_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    return act_linear_grads(ctx, node, (int)node->i[0], (int)node->i[1], gy,
                            gx);
}

act_status act_linear_grads(act_context *ctx, const act_node *node, int xi,
                            int wi, const act_tensor *gy, act_tensor **gx)
{
    const act_edge *x = &node->in[0];
    int64_t in = x->shape[x->ndim - 1], n = node->out_shape[node->out_ndim - 1];
    int64_t rows = 1;
    for (int i = 0; i < x->ndim - 1; i++)
        rows *= x->shape[i];
    act_tensor *g;
    act_status st = act_contiguous_nograd(ctx, gy, &g);
    if (st != ACT_OK)
        return st;
    if (act_node_wants(node, 0))
        st = linear_grad(ctx, node, 0, node->saved[wi], g, rows, n, in, &gx[0]);
    if (st == ACT_OK && act_node_wants(node, 1))
        st = linear_grad(ctx, node, 1, node->saved[xi], g, rows, n, in, &gx[1]);
    if (st == ACT_OK && act_node_wants(node, 2))
        st = linear_gb(ctx, g, rows, n, &gx[2]);
    act_tensor_free(g);
    return st;
}

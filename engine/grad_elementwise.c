/*
 * grad_elementwise.c — autograd for the element-wise ops: what unary
 * functions, binary arithmetic, clamp and where save when they record, and
 * their gradients and those of copies. A derivative that would take several
 * engine ops (and their temporaries) is one fused loop over gy and the
 * saved operands, written as an expression as in elementwise.c; a broadcast
 * input gets its gradient summed back to its shape with act_sum_to_shape.
 */
#include "autograd.h"
#include "grad_rules.h"

#include <tgmath.h>

/* ---------------------------------------------------------- recording */

/* What each unary backward reads: the output where the derivative is
 * cheaper from it, else the input; neg's and sign's need neither. */
typedef enum { SAVE_NONE, SAVE_X, SAVE_Y } saved_kind;
static const saved_kind unary_saves[ACT_UNARY_COUNT] = {
    [ACT_UNARY_NEG] = SAVE_NONE,   [ACT_UNARY_ABS] = SAVE_X,
    [ACT_UNARY_EXP] = SAVE_Y,      [ACT_UNARY_LOG] = SAVE_X,
    [ACT_UNARY_LOG1P] = SAVE_X,    [ACT_UNARY_EXPM1] = SAVE_X,
    [ACT_UNARY_SQRT] = SAVE_Y,     [ACT_UNARY_SIN] = SAVE_X,
    [ACT_UNARY_COS] = SAVE_X,      [ACT_UNARY_TANH] = SAVE_Y,
    [ACT_UNARY_SIGMOID] = SAVE_Y,  [ACT_UNARY_SIGN] = SAVE_NONE,
};

act_status act_unary_record(act_context *ctx, act_unary_op op,
                            const act_tensor *x, act_tensor *y)
{
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_UNARY, 1, &x, y, &node);
    if (st == ACT_OK && node) {
        node->i[0] = op;
        if (unary_saves[op] != SAVE_NONE)
            st = act_node_save(ctx, node, unary_saves[op] == SAVE_X ? x : y);
    }
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

act_status act_clamp_record(act_context *ctx, const act_tensor *x, double lo,
                            double hi, act_tensor *y)
{
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_CLAMP, 1, &x, y, &node);
    if (st == ACT_OK && node) {
        node->f[0] = lo, node->f[1] = hi;
        st = act_node_save(ctx, node, x);
    }
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

/* Which operands the backward of op reads, given which inputs want a
 * gradient: bit 0 for a, bit 1 for b. */
static unsigned binary_needs(act_binary_op op, bool wa, bool wb)
{
    switch (op) {
    case ACT_BINARY_MUL: return (wb ? 1u : 0u) | (wa ? 2u : 0u);
    case ACT_BINARY_DIV: return (wb ? 1u : 0u) | 2u;
    case ACT_BINARY_POW:
    case ACT_BINARY_MINIMUM:
    case ACT_BINARY_MAXIMUM: return 3u;
    default: return 0u; /* add, sub */
    }
}

/* A scalar form's constant lives on its caller's stack: it never requires
 * grad, and saving it (an alias of its storage) would leave the node
 * pointing at a dead frame, so only its value is kept, in f[0]. */
act_status act_binary_record(act_context *ctx, act_binary_op op,
                             const act_tensor *a, const act_tensor *b,
                             int scalar_k, double s, act_tensor *y)
{
    if (op >= ACT_BINARY_EQ) /* comparisons: not differentiable */
        return ACT_OK;
    const act_tensor *in[2] = {a, b};
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_BINARY, 2, in, y, &node);
    if (st == ACT_OK && node) {
        node->i[0] = op;
        node->i[1] = scalar_k;
        node->f[0] = s;
        unsigned needs = binary_needs(op, act_node_wants(node, 0),
                                      act_node_wants(node, 1));
        for (int k = 0; k < 2; k++) {
            node->i[2 + k] = -1; /* where operand k was saved */
            if (st == ACT_OK && (needs >> k & 1u) && k != scalar_k) {
                node->i[2 + k] = node->nsaved;
                st = act_node_save(ctx, node, in[k]);
            }
        }
    }
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

/* cond takes no gradient: it is left out of the inputs, so that it cannot
 * make y require grad, and only saved. */
act_status act_where_record(act_context *ctx, const act_tensor *cond,
                            const act_tensor *a, const act_tensor *b,
                            act_tensor *y)
{
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_WHERE, 3,
                               (const act_tensor *const[]){NULL, a, b}, y,
                               &node);
    if (st == ACT_OK && node)
        st = act_node_save(ctx, node, cond);
    if (st != ACT_OK)
        act_tensor_free(y);
    return st;
}

/* ------------------------------------------------------------ kernels */

/* out = EXPR over g (the output's gradient) and s (what the op saved);
 * k is the aux array (clamp's bounds). */
#define GRAD2_BODY(NAME, T, EXPR)                                             \
    static void NAME(int64_t n, char *const *p, const int64_t *st,            \
                     const void *aux)                                         \
    {                                                                         \
        typedef T elem;                                                       \
        elem *out = (elem *)p[0];                                             \
        const elem *gs = (const elem *)p[1], *ss = (const elem *)p[2];        \
        const double *k = aux;                                                \
        (void)k;                                                              \
        if (st[0] == 1 && st[1] == 1 && st[2] == 1) {                         \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem g = gs[i], s = ss[i];                                    \
                out[i] = (EXPR);                                              \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem g = gs[i * st[1]], s = ss[i * st[2]];                    \
                out[i * st[0]] = (EXPR);                                      \
            }                                                                 \
        }                                                                     \
    }

/* out = EXPR over g and the binary op's operands a and b. */
#define GRAD3_BODY(NAME, T, EXPR)                                             \
    static void NAME(int64_t n, char *const *p, const int64_t *st,            \
                     const void *aux)                                         \
    {                                                                         \
        typedef T elem;                                                       \
        elem *out = (elem *)p[0];                                             \
        const elem *gs = (const elem *)p[1], *as = (const elem *)p[2],        \
                   *bs = (const elem *)p[3];                                  \
        for (int64_t i = 0; i < n; i++) {                                     \
            elem g = gs[i * st[1]], a = as[i * st[2]], b = bs[i * st[3]];     \
            out[i * st[0]] = (EXPR);                                          \
        }                                                                     \
    }

#define GRAD2(NAME, EXPR)                                                     \
    GRAD2_BODY(NAME##_f32, float, EXPR)                                       \
    GRAD2_BODY(NAME##_f64, double, EXPR)
#define GRAD3(NAME, EXPR)                                                     \
    GRAD3_BODY(NAME##_f32, float, EXPR)                                       \
    GRAD3_BODY(NAME##_f64, double, EXPR)

/* PyTorch's formulas. s is the output for exp, sqrt, tanh and sigmoid,
 * the input otherwise (unary_saves). abs' gradient is 0
 * at 0; expm1's comes from the input, e^x, which stays exact where
 * y + 1 would round to 0 in float32. */
GRAD2(abs, g * (elem)((s > 0) - (s < 0)))
GRAD2(exp, g * s)
GRAD2(log, g / s)
GRAD2(log1p, g / ((elem)1 + s))
GRAD2(expm1, g * exp(s))
GRAD2(sqrt, g / ((elem)2 * s))
GRAD2(sin, g * cos(s))
GRAD2(cos, g * -sin(s))
GRAD2(tanh, g * ((elem)1 - s * s))
GRAD2(sigmoid, g * (((elem)1 - s) * s))
/* Passes where lo <= x <= hi, bounds included (and not for NaN). */
GRAD2(clamp, s >= (elem)k[0] && s <= (elem)k[1] ? g : (elem)0)

/* d/db of a / b as -g (a / b) / b, which does not overflow where b² would. */
GRAD3(div_b, -g * ((a / b) / b))
/* pow: 0 for a zero exponent (where b a^(b-1) would be 0 * inf at a = 0),
 * and for the exponent 0 where a = 0 and b >= 0 (log 0 = -inf), as
 * PyTorch. */
GRAD3(pow_a, b == 0 ? (elem)0 : g * (b * ACT_POW(a, b - (elem)1)))
GRAD3(pow_b, g * (a == 0 && b >= 0 ? (elem)0 : ACT_POW(a, b) * log(a)))
/* The selected operand takes the gradient; a tie splits it in halves. */
GRAD3(maximum_a, a == b ? g / 2 : a < b ? (elem)0 : g)
GRAD3(maximum_b, a == b ? g / 2 : a > b ? (elem)0 : g)
GRAD3(minimum_a, a == b ? g / 2 : a > b ? (elem)0 : g)
GRAD3(minimum_b, a == b ? g / 2 : a < b ? (elem)0 : g)

typedef struct {
    act_loop_fn f32, f64;
} kernel_row;

#define ROW(NAME) {NAME##_f32, NAME##_f64}

/* neg and sign have no kernel: -gy and zeros. */
static const kernel_row unary_grads[ACT_UNARY_COUNT] = {
    [ACT_UNARY_ABS] = ROW(abs),         [ACT_UNARY_EXP] = ROW(exp),
    [ACT_UNARY_LOG] = ROW(log),         [ACT_UNARY_LOG1P] = ROW(log1p),
    [ACT_UNARY_EXPM1] = ROW(expm1),     [ACT_UNARY_SQRT] = ROW(sqrt),
    [ACT_UNARY_SIN] = ROW(sin),         [ACT_UNARY_COS] = ROW(cos),
    [ACT_UNARY_TANH] = ROW(tanh),       [ACT_UNARY_SIGMOID] = ROW(sigmoid),
};

static const kernel_row clamp_grad = ROW(clamp);
static const kernel_row div_b_grad = ROW(div_b);
/* [op][k]: the kernel giving input k's gradient. */
static const kernel_row pow_grads[2] = {ROW(pow_a), ROW(pow_b)};
static const kernel_row maximum_grads[2] = {ROW(maximum_a), ROW(maximum_b)};
static const kernel_row minimum_grads[2] = {ROW(minimum_a), ROW(minimum_b)};

/* out = row(g, ops...) over g's shape and dtype (the op's output's), the
 * n operands (1 or 2) broadcast to it and converted to g's dtype. */
static act_status map(act_context *ctx, const kernel_row *row,
                      const act_tensor *g, int n, const act_tensor *const *ops,
                      const void *aux, act_tensor **out)
{
    const act_tensor *args[ACT_ITER_MAX] = {NULL, g};
    act_tensor *owned[2] = {NULL, NULL}, *y = NULL;
    act_status st = ACT_OK;
    for (int k = 0; k < n && st == ACT_OK; k++) {
        args[2 + k] = ops[k];
        if (ops[k]->dtype != g->dtype)
            st = act_to_dtype_nograd(ctx, ops[k], g->dtype, &owned[k]),
            args[2 + k] = owned[k];
    }
    if (st == ACT_OK)
        st = act_tensor_alloc(ctx, "backward", g->dtype, g->ndim, g->shape,
                              false, &y);
    if (st == ACT_OK) {
        act_iter it;
        args[0] = y;
        act_iter_init(&it, g->ndim, g->shape, n + 2, args);
        act_iter_run(&it, g->dtype == ACT_DTYPE_F64 ? row->f64 : row->f32, aux);
        *out = y;
    }
    act_tensor_free(owned[0]);
    act_tensor_free(owned[1]);
    return st;
}

/* --------------------------------------------------------------- unary */

act_status act_unary_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    switch ((act_unary_op)node->i[0]) {
    case ACT_UNARY_NEG:
        return act_unary(ctx, ACT_UNARY_NEG, gy, &gx[0]);
    case ACT_UNARY_SIGN: /* zero almost everywhere, as PyTorch says */
        return act_zeros(ctx, gy->dtype, gy->ndim, gy->shape, &gx[0]);
    default:
        return map(ctx, &unary_grads[node->i[0]], gy, 1,
                   (const act_tensor *const *)node->saved, NULL, &gx[0]);
    }
}

act_status act_clamp_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    return map(ctx, &clamp_grad, gy, 1,
               (const act_tensor *const *)node->saved, node->f, &gx[0]);
}

/* -------------------------------------------------------------- binary */

/* raw (a gradient of the output's shape, consumed) summed over the dims
 * that broadcasting gave input k, into gx[k]. */
static act_status to_input(act_context *ctx, const act_node *node, int k,
                           act_status st, act_tensor *raw, act_tensor **gx)
{
    if (st == ACT_OK)
        st = act_sum_to_shape(ctx, raw, node->in[k].ndim, node->in[k].shape,
                              &gx[k]);
    act_tensor_free(raw);
    return st;
}

static bool is_scalar(const act_node *node, int k)
{
    return node->i[1] == k;
}

/* Operand k as a tensor: its saved alias, or the scalar form's constant
 * made a 0-d tensor of gy's dtype (*owned, for the caller to free). */
static act_status operand(act_context *ctx, const act_node *node, int k,
                          const act_tensor *gy, const act_tensor **t,
                          act_tensor **owned)
{
    *owned = NULL;
    if (!is_scalar(node, k)) {
        *t = node->saved[node->i[2 + k]];
        return ACT_OK;
    }
    act_status st = act_scalar(ctx, gy->dtype, node->f[0], owned);
    *t = *owned;
    return st;
}

/* out = gy op (operand k): mul's and div's gradients, with no tensor made
 * for a scalar constant. */
static act_status gy_op(act_context *ctx, const act_node *node,
                        act_binary_op op, int k, const act_tensor *gy,
                        act_tensor **out)
{
    if (is_scalar(node, k))
        return act_binary_scalar(ctx, op, gy, node->f[0], out);
    return act_binary(ctx, op, gy, node->saved[node->i[2 + k]], out);
}

/* gx[k] from a fused kernel over (gy, a, b). */
static act_status fused(act_context *ctx, const act_node *node,
                        const kernel_row *row, int k, const act_tensor *gy,
                        act_tensor **gx)
{
    const act_tensor *ab[2];
    act_tensor *owned[2] = {NULL, NULL}, *raw = NULL;
    act_status st = operand(ctx, node, 0, gy, &ab[0], &owned[0]);
    if (st == ACT_OK)
        st = operand(ctx, node, 1, gy, &ab[1], &owned[1]);
    if (st == ACT_OK)
        st = map(ctx, row, gy, 2, ab, NULL, &raw);
    act_tensor_free(owned[0]);
    act_tensor_free(owned[1]);
    return to_input(ctx, node, k, st, raw, gx);
}

static act_tensor *retained(const act_tensor *t)
{
    return act_tensor_retain((act_tensor *)t);
}

/* The gradient of input k for add, sub, mul and div. */
static act_status arith_grad(act_context *ctx, const act_node *node,
                             act_binary_op op, int k, const act_tensor *gy,
                             act_tensor **gx)
{
    act_tensor *raw = NULL;
    act_status st;
    switch (op) {
    case ACT_BINARY_ADD: /* gy itself, retained, for a same-shape input */
        return to_input(ctx, node, k, ACT_OK, retained(gy), gx);
    case ACT_BINARY_SUB:
        st = to_input(ctx, node, k, ACT_OK, retained(gy), gx);
        if (st != ACT_OK || k == 0)
            return st;
        raw = gx[k]; /* negated after the sum: fewer elements */
        gx[k] = NULL;
        st = act_unary(ctx, ACT_UNARY_NEG, raw, &gx[k]);
        act_tensor_free(raw);
        return st;
    case ACT_BINARY_MUL: /* gy b for a, gy a for b */
        st = gy_op(ctx, node, ACT_BINARY_MUL, 1 - k, gy, &raw);
        return to_input(ctx, node, k, st, raw, gx);
    default: /* div: gy / b for a, -gy a / b² for b */
        if (k == 1)
            return fused(ctx, node, &div_b_grad, 1, gy, gx);
        st = gy_op(ctx, node, ACT_BINARY_DIV, 1, gy, &raw);
        return to_input(ctx, node, k, st, raw, gx);
    }
}

act_status act_binary_backward(act_context *ctx, const act_node *node,
                               const act_tensor *gy, act_tensor **gx)
{
    act_binary_op op = (act_binary_op)node->i[0];
    act_status st = ACT_OK;
    for (int k = 0; k < 2 && st == ACT_OK; k++) {
        if (!act_node_wants(node, k))
            continue;
        switch (op) {
        case ACT_BINARY_POW:
            st = fused(ctx, node, &pow_grads[k], k, gy, gx);
            break;
        case ACT_BINARY_MAXIMUM:
            st = fused(ctx, node, &maximum_grads[k], k, gy, gx);
            break;
        case ACT_BINARY_MINIMUM:
            st = fused(ctx, node, &minimum_grads[k], k, gy, gx);
            break;
        default:
            st = arith_grad(ctx, node, op, k, gy, gx);
            break;
        }
    }
    return st;
}

/* ------------------------------------------------------- where, copies */

act_status act_where_backward(act_context *ctx, const act_node *node,
                              const act_tensor *gy, act_tensor **gx)
{
    act_tensor *zero = NULL;
    act_status st = act_zeros(ctx, gy->dtype, 0, NULL, &zero);
    const act_tensor *cond = node->saved[0];
    for (int k = 1; k <= 2 && st == ACT_OK; k++) {
        if (!act_node_wants(node, k))
            continue;
        act_tensor *raw = NULL;
        st = k == 1 ? act_where(ctx, cond, gy, zero, &raw)
                    : act_where(ctx, cond, zero, gy, &raw);
        st = to_input(ctx, node, k, st, raw, gx);
    }
    act_tensor_free(zero);
    return st;
}

act_status act_copy_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx)
{
    gx[0] = retained(gy);
    return ACT_OK;
}

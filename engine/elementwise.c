/*
 * elementwise.c — unary and binary element-wise functions with NumPy
 * broadcasting, clamp and where, in new-tensor, in-place and scalar forms;
 * the new-tensor forms record themselves for autograd (grad_elementwise.c).
 * Each function is written once as an expression over `x` (or `a`, `b`) and
 * instantiated for float and double through <tgmath.h>, so exp() is expf()
 * on floats. Rows with unit strides get a loop the compiler can vectorise.
 */
#include "act_internal.h"
#include "autograd.h"
#include "grad_rules.h"

#include <string.h>
#include <tgmath.h>

/* ------------------------------------------------------------ unary */

#define UNARY_BODY(NAME, T, EXPR)                                             \
    static void NAME(int64_t n, char *const *p, const int64_t *s,             \
                     const void *aux)                                         \
    {                                                                         \
        typedef T elem;                                                       \
        (void)sizeof(elem);                                                   \
        elem *y = (elem *)p[0];                                               \
        const elem *xs = (const elem *)p[1];                                  \
        const double *k = aux;                                                \
        (void)k;                                                              \
        if (s[0] == 1 && s[1] == 1) {                                         \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem x = xs[i];                                               \
                y[i] = (EXPR);                                                \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem x = xs[i * s[1]];                                        \
                y[i * s[0]] = (EXPR);                                         \
            }                                                                 \
        }                                                                     \
    }

#define UNARY(NAME, EXPR)                                                     \
    UNARY_BODY(NAME##_f32, float, EXPR)                                       \
    UNARY_BODY(NAME##_f64, double, EXPR)

/* Split so that exp never overflows: for x < 0, e^x / (1 + e^x). */
#define SIGMOID_EXPR                                                          \
    (x >= 0 ? (elem)1 / ((elem)1 + exp(-x)) : exp(x) / ((elem)1 + exp(x)))

UNARY(neg, -x)
UNARY(abs, fabs(x))
UNARY(exp, exp(x))
UNARY(log, log(x))
UNARY(log1p, log1p(x))
UNARY(expm1, expm1(x))
UNARY(sqrt, sqrt(x))
UNARY(sin, sin(x))
UNARY(cos, cos(x))
UNARY(tanh, tanh(x))
UNARY(sigmoid, SIGMOID_EXPR)
UNARY(sign, (elem)((x > 0) - (x < 0)))
/* k[0], k[1]: the bounds; NaN passes through as in PyTorch. */
UNARY(clamp, x < (elem)k[0] ? (elem)k[0] : x > (elem)k[1] ? (elem)k[1] : x)

typedef struct {
    const char *name;
    act_loop_fn f32, f64;
} kernel_row;

#define ROW(NAME) {#NAME, NAME##_f32, NAME##_f64}

static const kernel_row unary_table[ACT_UNARY_COUNT] = {
    [ACT_UNARY_NEG] = ROW(neg),         [ACT_UNARY_ABS] = ROW(abs),
    [ACT_UNARY_EXP] = ROW(exp),         [ACT_UNARY_LOG] = ROW(log),
    [ACT_UNARY_LOG1P] = ROW(log1p),     [ACT_UNARY_EXPM1] = ROW(expm1),
    [ACT_UNARY_SQRT] = ROW(sqrt),       [ACT_UNARY_SIN] = ROW(sin),
    [ACT_UNARY_COS] = ROW(cos),         [ACT_UNARY_TANH] = ROW(tanh),
    [ACT_UNARY_SIGMOID] = ROW(sigmoid), [ACT_UNARY_SIGN] = ROW(sign),
};
_Static_assert(sizeof unary_table / sizeof *unary_table == ACT_UNARY_COUNT,
               "one row per unary op");

/* ----------------------------------------------------------- binary */

#define BINARY_BODY(NAME, T, EXPR)                                            \
    static void NAME(int64_t n, char *const *p, const int64_t *s,             \
                     const void *aux)                                         \
    {                                                                         \
        typedef T elem;                                                       \
        elem *y = (elem *)p[0];                                               \
        const elem *as = (const elem *)p[1], *bs = (const elem *)p[2];        \
        if (s[0] == 1 && s[1] == 1 && s[2] == 1) {                            \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem a = as[i], b = bs[i];                                    \
                y[i] = (EXPR);                                                \
            }                                                                 \
        } else if (s[0] == 1 && s[1] == 1 && s[2] == 0) {                     \
            const elem b = bs[0];                                             \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem a = as[i];                                               \
                y[i] = (EXPR);                                                \
            }                                                                 \
        } else if (s[0] == 1 && s[1] == 0 && s[2] == 1) {                     \
            const elem a = as[0];                                             \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem b = bs[i];                                               \
                y[i] = (EXPR);                                                \
            }                                                                 \
        } else {                                                              \
            for (int64_t i = 0; i < n; i++) {                                 \
                elem a = as[i * s[1]], b = bs[i * s[2]];                      \
                y[i * s[0]] = (EXPR);                                         \
            }                                                                 \
        }                                                                     \
    }

#define BINARY(NAME, EXPR)                                                    \
    BINARY_BODY(NAME##_f32, float, EXPR)                                      \
    BINARY_BODY(NAME##_f64, double, EXPR)

/* min and max propagate NaN, as PyTorch's minimum/maximum. */
BINARY(add, a + b)
BINARY(sub, a - b)
BINARY(mul, a * b)
BINARY(div, a / b)
BINARY(pow, ACT_POW(a, b))
BINARY(minimum, a != a ? a : b != b ? b : a < b ? a : b)
BINARY(maximum, a != a ? a : b != b ? b : a > b ? a : b)
BINARY(eq, (elem)(a == b))
BINARY(ne, (elem)(a != b))
BINARY(lt, (elem)(a < b))
BINARY(le, (elem)(a <= b))
BINARY(gt, (elem)(a > b))
BINARY(ge, (elem)(a >= b))

static const kernel_row binary_table[ACT_BINARY_COUNT] = {
    [ACT_BINARY_ADD] = ROW(add),         [ACT_BINARY_SUB] = ROW(sub),
    [ACT_BINARY_MUL] = ROW(mul),         [ACT_BINARY_DIV] = ROW(div),
    [ACT_BINARY_POW] = ROW(pow),         [ACT_BINARY_MINIMUM] = ROW(minimum),
    [ACT_BINARY_MAXIMUM] = ROW(maximum), [ACT_BINARY_EQ] = ROW(eq),
    [ACT_BINARY_NE] = ROW(ne),           [ACT_BINARY_LT] = ROW(lt),
    [ACT_BINARY_LE] = ROW(le),           [ACT_BINARY_GT] = ROW(gt),
    [ACT_BINARY_GE] = ROW(ge),
};
_Static_assert(sizeof binary_table / sizeof *binary_table == ACT_BINARY_COUNT,
               "one row per binary op");

/* where: p[1] is the condition, already in the output's dtype. */
#define WHERE_BODY(NAME, T)                                                   \
    static void NAME(int64_t n, char *const *p, const int64_t *s,             \
                     const void *aux)                                         \
    {                                                                         \
        T *y = (T *)p[0];                                                     \
        const T *c = (const T *)p[1], *a = (const T *)p[2],                   \
                *b = (const T *)p[3];                                         \
        for (int64_t i = 0; i < n; i++)                                       \
            y[i * s[0]] = c[i * s[1]] != 0 ? a[i * s[2]] : b[i * s[3]];       \
    }
WHERE_BODY(where_f32, float)
WHERE_BODY(where_f64, double)

const char *act_unary_name(act_unary_op op)
{
    return (unsigned)op < ACT_UNARY_COUNT ? unary_table[op].name : NULL;
}

const char *act_binary_name(act_binary_op op)
{
    return (unsigned)op < ACT_BINARY_COUNT ? binary_table[op].name : NULL;
}

static act_loop_fn pick(const kernel_row *row, act_dtype dtype)
{
    return dtype == ACT_DTYPE_F64 ? row->f64 : row->f32;
}

/* Runs body over out and the inputs, all broadcast to out's shape. */
static void run(act_tensor *out, int nin, const act_tensor *const *in,
                act_loop_fn body, const void *aux)
{
    const act_tensor *args[ACT_ITER_MAX] = {out};
    for (int i = 0; i < nin; i++)
        args[i + 1] = in[i];
    act_iter it;
    act_iter_init(&it, out->ndim, out->shape, nin + 1, args);
    act_iter_run(&it, body, aux);
}

/* t itself when it has dtype, else a converted copy; *owned tells the
 * caller to free it. */
static act_status as_dtype(act_context *ctx, const act_tensor *t,
                           act_dtype dtype, const act_tensor **out,
                           act_tensor **owned)
{
    *owned = NULL;
    *out = t;
    if (t->dtype == dtype)
        return ACT_OK;
    act_status st = act_to_dtype_nograd(ctx, t, dtype, owned);
    *out = *owned;
    return st;
}

/* --------------------------------------------------------- unary API */

static act_status check_unary(act_context *ctx, act_unary_op op,
                              const act_tensor *x)
{
    if ((unsigned)op >= ACT_UNARY_COUNT)
        return act_fail(ctx, ACT_E_ARG, "unary", 1, "invalid op %d", (int)op);
    return act_require_float(ctx, unary_table[op].name, 1, x);
}

act_status act_unary(act_context *ctx, act_unary_op op, const act_tensor *x,
                     act_tensor **out)
{
    act_status st = check_unary(ctx, op, x);
    act_tensor *y;
    if (st != ACT_OK || (st = act_tensor_alloc(ctx, unary_table[op].name,
                                               x->dtype, x->ndim, x->shape,
                                               false, &y)) != ACT_OK)
        return st;
    run(y, 1, &x, pick(&unary_table[op], x->dtype), NULL);
    if ((st = act_unary_record(ctx, op, x, y)) == ACT_OK)
        *out = y;
    return st;
}

act_status act_unary_(act_context *ctx, act_unary_op op, act_tensor *x)
{
    act_status st = check_unary(ctx, op, x);
    if (st == ACT_OK)
        st = act_prepare_inplace(ctx, unary_table[op].name, x);
    if (st == ACT_OK)
        run(x, 1, (const act_tensor *const[]){x},
            pick(&unary_table[op], x->dtype), NULL);
    return st;
}

static act_status check_clamp(act_context *ctx, const char *fn,
                              const act_tensor *x, double lo, double hi)
{
    if (lo != lo || hi != hi || lo > hi)
        return act_fail(ctx, ACT_E_ARG, fn, 2,
                        "the bounds must be ordered numbers, got min %g and "
                        "max %g",
                        lo, hi);
    return act_require_float(ctx, fn, 1, x);
}

act_status act_clamp(act_context *ctx, const act_tensor *x, double lo,
                     double hi, act_tensor **out)
{
    act_status st = check_clamp(ctx, "clamp", x, lo, hi);
    act_tensor *y;
    if (st != ACT_OK || (st = act_tensor_alloc(ctx, "clamp", x->dtype, x->ndim,
                                               x->shape, false, &y)) != ACT_OK)
        return st;
    double bounds[2] = {lo, hi};
    run(y, 1, &x, x->dtype == ACT_DTYPE_F64 ? clamp_f64 : clamp_f32, bounds);
    if ((st = act_clamp_record(ctx, x, lo, hi, y)) == ACT_OK)
        *out = y;
    return st;
}

act_status act_clamp_(act_context *ctx, act_tensor *x, double lo, double hi)
{
    act_status st = check_clamp(ctx, "clamp_", x, lo, hi);
    double bounds[2] = {lo, hi};
    if (st == ACT_OK)
        st = act_prepare_inplace(ctx, "clamp_", x);
    if (st == ACT_OK)
        run(x, 1, (const act_tensor *const[]){x},
            x->dtype == ACT_DTYPE_F64 ? clamp_f64 : clamp_f32, bounds);
    return st;
}

/* -------------------------------------------------------- binary API */

/* act_binary, where one operand may be a scalar form's stack constant
 * (scalar_k 0 or 1, value s; -1 for none), which recording must know. */
static act_status binary_impl(act_context *ctx, act_binary_op op,
                              const act_tensor *a, const act_tensor *b,
                              int scalar_k, double s, act_tensor **out)
{
    if ((unsigned)op >= ACT_BINARY_COUNT)
        return act_fail(ctx, ACT_E_ARG, "binary", 1, "invalid op %d", (int)op);
    const char *fn = binary_table[op].name;
    int n;
    int64_t shape[ACT_MAX_DIMS];
    act_status st = act_broadcast_shapes(ctx, fn, a->ndim, a->shape, b->ndim,
                                         b->shape, &n, shape);
    if (st != ACT_OK)
        return st;
    act_dtype dtype = act_promote(a->dtype, b->dtype);
    const act_tensor *in[2];
    act_tensor *owned_a = NULL, *owned_b = NULL, *y = NULL;
    if ((st = as_dtype(ctx, a, dtype, &in[0], &owned_a)) == ACT_OK &&
        (st = as_dtype(ctx, b, dtype, &in[1], &owned_b)) == ACT_OK &&
        (st = act_tensor_alloc(ctx, fn, dtype, n, shape, false, &y)) == ACT_OK) {
        run(y, 2, in, pick(&binary_table[op], dtype), NULL);
        if ((st = act_binary_record(ctx, op, a, b, scalar_k, s, y)) == ACT_OK)
            *out = y;
    }
    act_tensor_free(owned_a);
    act_tensor_free(owned_b);
    return st;
}

act_status act_binary(act_context *ctx, act_binary_op op, const act_tensor *a,
                      const act_tensor *b, act_tensor **out)
{
    return binary_impl(ctx, op, a, b, -1, 0.0, out);
}

act_status act_binary_(act_context *ctx, act_binary_op op, act_tensor *a,
                       const act_tensor *b)
{
    if ((unsigned)op >= ACT_BINARY_COUNT)
        return act_fail(ctx, ACT_E_ARG, "binary_", 1, "invalid op %d", (int)op);
    const char *fn = binary_table[op].name;
    act_status st = act_require_float(ctx, fn, 1, a);
    int n;
    int64_t shape[ACT_MAX_DIMS];
    if (st == ACT_OK)
        st = act_broadcast_shapes(ctx, fn, a->ndim, a->shape, b->ndim,
                                  b->shape, &n, shape);
    if (st == ACT_OK &&
        (n != a->ndim || memcmp(shape, a->shape, sizeof(int64_t) * (size_t)n))) {
        char sa[ACT_SHAPE_BUF], sb[ACT_SHAPE_BUF];
        st = act_fail(ctx, ACT_E_SHAPE, fn, 2,
                      "in place, %s must broadcast to %s, the shape being "
                      "written",
                      act_shape_str(sb, sizeof sb, b->ndim, b->shape),
                      act_shape_str(sa, sizeof sa, a->ndim, a->shape));
    }
    if (st == ACT_OK)
        st = act_prepare_inplace_from(ctx, fn, a, b);
    if (st != ACT_OK)
        return st;
    /* b is read while a is written: a view of the same storage with another
     * layout (a += a:t()) must be copied first. */
    const act_tensor *in[2] = {a, b};
    act_tensor *owned = NULL;
    bool same_layout = b->storage == a->storage && b->offset == a->offset &&
                       b->ndim == a->ndim &&
                       !memcmp(b->strides, a->strides,
                               sizeof(int64_t) * (size_t)a->ndim);
    if (b->dtype != a->dtype || (act_may_overlap(a, b) && !same_layout))
        st = act_to_dtype_nograd(ctx, b, a->dtype, &owned), in[1] = owned;
    if (st == ACT_OK)
        run(a, 2, in, pick(&binary_table[op], a->dtype), NULL);
    act_tensor_free(owned);
    return st;
}

/* A rank-0 tensor over a number on the stack: scalar forms allocate
 * nothing for their constant. */
typedef struct {
    act_tensor t;
    act_storage s;
    union { float f; double d; } v;
} stack_scalar;

static const act_tensor *stack_scalar_init(stack_scalar *sc, act_dtype dtype,
                                           double value)
{
    memset(sc, 0, sizeof *sc);
    if (dtype == ACT_DTYPE_F64)
        sc->v.d = value;
    else
        sc->v.f = (float)value;
    sc->s.refs = 1;
    sc->s.data = &sc->v;
    sc->s.nbytes = act_dtype_size(dtype);
    sc->t.refs = 1;
    sc->t.dtype = dtype;
    sc->t.storage = &sc->s;
    return &sc->t;
}

static act_status scalar_form(act_context *ctx, act_binary_op op,
                              const act_tensor *a, double s, bool s_first,
                              act_tensor **out)
{
    stack_scalar sc;
    const act_tensor *st = stack_scalar_init(&sc, act_promote(a->dtype, a->dtype), s);
    return s_first ? binary_impl(ctx, op, st, a, 0, s, out)
                   : binary_impl(ctx, op, a, st, 1, s, out);
}

act_status act_binary_scalar(act_context *ctx, act_binary_op op,
                             const act_tensor *a, double s, act_tensor **out)
{
    return scalar_form(ctx, op, a, s, false, out);
}

act_status act_scalar_binary(act_context *ctx, act_binary_op op, double s,
                             const act_tensor *a, act_tensor **out)
{
    return scalar_form(ctx, op, a, s, true, out);
}

act_status act_binary_scalar_(act_context *ctx, act_binary_op op,
                              act_tensor *a, double s)
{
    stack_scalar sc;
    return act_binary_(ctx, op, a,
                       stack_scalar_init(&sc, act_promote(a->dtype, a->dtype), s));
}

act_status act_where(act_context *ctx, const act_tensor *cond,
                     const act_tensor *a, const act_tensor *b,
                     act_tensor **out)
{
    int n1, n;
    int64_t s1[ACT_MAX_DIMS], shape[ACT_MAX_DIMS];
    act_status st = act_broadcast_shapes(ctx, "where", cond->ndim, cond->shape,
                                         a->ndim, a->shape, &n1, s1);
    if (st == ACT_OK)
        st = act_broadcast_shapes(ctx, "where", n1, s1, b->ndim, b->shape, &n,
                                  shape);
    if (st != ACT_OK)
        return st;
    act_dtype dtype = act_promote(a->dtype, b->dtype);
    const act_tensor *in[3];
    act_tensor *owned[3] = {NULL, NULL, NULL}, *y = NULL;
    if ((st = as_dtype(ctx, cond, dtype, &in[0], &owned[0])) == ACT_OK &&
        (st = as_dtype(ctx, a, dtype, &in[1], &owned[1])) == ACT_OK &&
        (st = as_dtype(ctx, b, dtype, &in[2], &owned[2])) == ACT_OK &&
        (st = act_tensor_alloc(ctx, "where", dtype, n, shape, false, &y)) == ACT_OK) {
        run(y, 3, in, dtype == ACT_DTYPE_F64 ? where_f64 : where_f32, NULL);
        if ((st = act_where_record(ctx, cond, a, b, y)) == ACT_OK)
            *out = y;
    }
    for (int i = 0; i < 3; i++)
        act_tensor_free(owned[i]);
    return st;
}

/*
 * test_grad_elementwise.c — gradients of the element-wise ops (unary,
 * binary with broadcasting and dtype promotion, scalar forms, clamp, where,
 * copies) against float64 central differences and hand-computed values,
 * and the autograd rules they live by: accumulation, released graphs,
 * in-place checks, deep chains, no_grad.
 */
#define TEST_SEED 99
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

/* A float64 leaf of uniform values in [lo, hi) that requires grad. */
static act_tensor *rand_leaf(int ndim, const int64_t *shape, double lo,
                             double hi)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, ndim, shape, lo, hi, NULL, &t),
                     ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* Values of magnitude in [0.3, 1.8) and random sign: away from 0. */
static act_tensor *signed_leaf(int ndim, const int64_t *shape)
{
    act_tensor *m = rand_leaf(ndim, shape, 0.3, 1.8), *s = NULL, *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, ndim, shape, -1, 1, NULL, &s),
                     ACT_OK);
    assert_int_equal(act_unary_(ctx, ACT_UNARY_SIGN, s), ACT_OK);
    assert_int_equal(act_set_grad_enabled(ctx, false), true);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, m, s, &t), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    act_tensor_free(m);
    act_tensor_free(s);
    return t;
}

static void assert_close(const double *got, const double *want, int n,
                         double tol)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol)) {
            print_error("element %d: got %.17g, want %.17g\n", i, got[i], want[i]);
            fail();
        }
}

static void gradcheck(act_grad_fn fn, void *user, int n, act_tensor *const *in)
{
    bool passed = false;
    char report[256];
    assert_int_equal(act_gradcheck(ctx, fn, user, n, in, 1e-6, 1e-7, 1e-5,
                                   &passed, report, sizeof report),
                     ACT_OK);
    if (!passed) {
        print_error("gradcheck: %s\n", report);
        fail();
    }
}

static void free_all(int n, act_tensor *const *ts)
{
    for (int i = 0; i < n; i++)
        act_tensor_free(ts[i]);
}

/* -------------------------------------------------------------- unary */

static act_status unary_fn(act_context *c, int n, act_tensor *const *in,
                           void *user, act_tensor **out)
{
    return act_unary(c, *(act_unary_op *)user, in[0], out);
}

static void test_unary_gradcheck(void **state)
{
    static const int64_t shape[2] = {3, 4};
    for (int op = 0; op < ACT_UNARY_COUNT; op++) {
        act_tensor *x;
        switch (op) {
        case ACT_UNARY_LOG:
        case ACT_UNARY_SQRT: x = rand_leaf(2, shape, 0.3, 3.0); break;
        case ACT_UNARY_LOG1P: x = rand_leaf(2, shape, -0.6, 3.0); break;
        case ACT_UNARY_ABS:
        case ACT_UNARY_SIGN: x = signed_leaf(2, shape); break; /* off the kink */
        default: x = rand_leaf(2, shape, -2.5, 2.5); break;
        }
        act_unary_op u = (act_unary_op)op;
        gradcheck(unary_fn, &u, 1, &x);
        act_tensor_free(x);
    }
}

static void test_unary_by_hand(void **state)
{
    /* sign's gradient is zero (a tensor of zeros, as PyTorch); sigmoid's
     * at 0 is 1/4; abs' at 0 is 0. */
    act_tensor *x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){3},
                            (double[]){-2, 0, 3}, true), *y = NULL;
    assert_int_equal(act_unary(ctx, ACT_UNARY_SIGN, x, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "sign");
    backward_sum(y);
    assert_grad_tol(x, (double[]){0, 0, 0}, 3, 0);
    assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    assert_int_equal(act_unary(ctx, ACT_UNARY_SIGMOID, x, &y), ACT_OK);
    backward_sum(y);
    double s2 = 1 / (1 + exp(2.0)), s3 = 1 / (1 + exp(-3.0));
    assert_grad_tol(x, (double[]){s2 * (1 - s2), 0.25, s3 * (1 - s3)}, 3, 1e-7);
    assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    assert_int_equal(act_unary(ctx, ACT_UNARY_ABS, x, &y), ACT_OK);
    backward_sum(y);
    assert_grad_tol(x, (double[]){-1, 0, 1}, 3, 0); /* 0 at the kink */
    act_tensor_free(x);
    /* tanh and sigmoid at ±1000: gradients 0, not NaN. */
    x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){-1000, 1000}, true);
    for (int op = ACT_UNARY_TANH; op <= ACT_UNARY_SIGMOID; op++) {
        assert_int_equal(act_unary(ctx, (act_unary_op)op, x, &y), ACT_OK);
        backward_sum(y);
        assert_grad_tol(x, (double[]){0, 0}, 2, 0);
        assert_int_equal(act_tensor_set_grad(ctx, x, NULL), ACT_OK);
    }
    act_tensor_free(x);
}

/* ------------------------------------------------------------- binary */

typedef struct {
    act_binary_op op;
    int form; /* 0: a op b, 1: a op s, 2: s op a */
    double s;
} binary_case;

static act_status binary_fn(act_context *c, int n, act_tensor *const *in,
                            void *user, act_tensor **out)
{
    const binary_case *bc = user;
    switch (bc->form) {
    case 1: return act_binary_scalar(c, bc->op, in[0], bc->s, out);
    case 2: return act_scalar_binary(c, bc->op, bc->s, in[0], out);
    default: return act_binary(c, bc->op, in[0], in[1], out);
    }
}

/* Operands for op: positive bases for pow; distinct values elsewhere (no
 * ties for minimum/maximum, no zero divisor). */
static act_tensor *operand(act_binary_op op, int k, int ndim,
                           const int64_t *shape)
{
    if (op == ACT_BINARY_POW)
        return k == 0 ? rand_leaf(ndim, shape, 0.5, 2.0)
                      : rand_leaf(ndim, shape, -1.5, 2.5);
    if (op == ACT_BINARY_DIV && k == 1)
        return signed_leaf(ndim, shape);
    return rand_leaf(ndim, shape, -2.0, 2.0);
}

static void test_binary_gradcheck_broadcast(void **state)
{
    /* Same shape, b broadcast to a, a broadcast to b, both broadcast to a
     * shape neither has, and a 0-d side. */
    static const struct {
        int na, nb;
        int64_t sa[3], sb[3];
    } shapes[] = {
        {2, 2, {2, 3}, {2, 3}},
        {2, 1, {2, 3}, {3}},
        {1, 3, {4}, {2, 3, 4}},
        {3, 2, {2, 1, 3}, {4, 1}},
        {0, 2, {0}, {2, 2}},
    };
    for (int op = ACT_BINARY_ADD; op <= ACT_BINARY_MAXIMUM; op++)
        for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
            binary_case bc = {(act_binary_op)op, 0, 0};
            act_tensor *in[2] = {operand(bc.op, 0, shapes[i].na, shapes[i].sa),
                                 operand(bc.op, 1, shapes[i].nb, shapes[i].sb)};
            gradcheck(binary_fn, &bc, 2, in);
            free_all(2, in);
        }
}

/* A float32 constant with operand()'s values. */
static act_tensor *constant_f32(act_binary_op op, int k, int ndim,
                                const int64_t *shape)
{
    act_tensor *src = operand(op, k, ndim, shape), *c = NULL;
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_to_dtype(ctx, src, ACT_DTYPE_F32, &c), ACT_OK);
    act_set_grad_enabled(ctx, true);
    act_tensor_free(src);
    return c;
}

static void test_binary_gradcheck_promotion(void **state)
{
    /* A float32 constant against a float64 leaf, both orders: the result
     * and the gradient are float64. */
    for (int op = ACT_BINARY_ADD; op <= ACT_BINARY_MAXIMUM; op++)
        for (int k = 0; k < 2; k++) {
            binary_case bc = {(act_binary_op)op, 0, 0};
            act_tensor *leaf = operand(bc.op, k, 2, (int64_t[]){2, 3});
            act_tensor *c = constant_f32(bc.op, 1 - k, 1, (int64_t[]){3});
            act_tensor *in[2] = {k == 0 ? leaf : c, k == 0 ? c : leaf};
            gradcheck(binary_fn, &bc, 2, in);
            free_all(2, in);
        }
}

static void test_binary_promotion_grad_dtypes(void **state)
{
    /* a (float32, [2,3]) * b (float64, [3]): a's gradient is float32, b's
     * float64, each the other operand summed over the broadcast. */
    act_tensor *a = make_rg(ACT_DTYPE_F32, 2, (int64_t[]){2, 3},
                            (double[]){1, 2, 3, 4, 5, 6}, true);
    act_tensor *b = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){3},
                            (double[]){0.5, -1, 2}, true), *y = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, a, b, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), ACT_DTYPE_F64);
    assert_string_equal(act_tensor_grad_fn(y), "mul");
    backward_sum(y);
    assert_int_equal(act_tensor_dtype(act_tensor_grad(a)), ACT_DTYPE_F32);
    assert_int_equal(act_tensor_dtype(act_tensor_grad(b)), ACT_DTYPE_F64);
    assert_grad_tol(a, (double[]){0.5, -1, 2, 0.5, -1, 2}, 6, 0);
    assert_grad_tol(b, (double[]){5, 7, 9}, 3, 0);
    free_all(2, (act_tensor *[]){a, b});
}

static void test_scalar_forms_gradcheck(void **state)
{
    static const int64_t shape[2] = {2, 3};
    for (int op = ACT_BINARY_ADD; op <= ACT_BINARY_MAXIMUM; op++)
        for (int form = 1; form <= 2; form++) {
            /* the tensor is the base of pow (s op a: the exponent) and the
             * divisor of s / a. */
            int k = form == 1 ? 0 : 1;
            binary_case bc = {(act_binary_op)op, form, op == ACT_BINARY_POW ? 1.7 : 0.25};
            act_tensor *x = operand(bc.op, k, 2, shape);
            gradcheck(binary_fn, &bc, 1, &x);
            act_tensor_free(x);
        }
}

static void test_scalar_form_saves_no_reference(void **state)
{
    /* The constant lives on the stack of act_binary_scalar: the node keeps
     * its value, so backward works long after (and ASan sees no stale
     * read). */
    act_tensor *x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){2, 3}, true);
    act_tensor *y = NULL, *z = NULL;
    assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_DIV, x, 4, &y), ACT_OK);
    assert_int_equal(act_scalar_binary(ctx, ACT_BINARY_POW, 2, y, &z), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(z), "pow");
    act_tensor_free(y);
    backward_sum(z);
    /* d/dx 2^(x/4) = 2^(x/4) ln 2 / 4 */
    assert_grad_tol(x, (double[]){pow(2, 0.5) * log(2) / 4, pow(2, 0.75) * log(2) / 4},
                    2, 1e-6);
    act_tensor_free(x);
}

static void test_pow_at_zero(void **state)
{
    /* PyTorch: d/da is 0 where b == 0; d/db is 0 where a == 0 and b >= 0. */
    act_tensor *a = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){4},
                            (double[]){0, 0, 0, 3}, true);
    act_tensor *b = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){4},
                            (double[]){0, 2, 1, 0}, true), *y = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_POW, a, b, &y), ACT_OK);
    backward_sum(y);
    assert_grad_tol(a, (double[]){0, 0, 1, 0}, 4, 0);
    assert_grad_tol(b, (double[]){0, 0, 0, log(3)}, 4, 1e-15);
    free_all(2, (act_tensor *[]){a, b});
}

static void test_minimum_maximum_ties(void **state)
{
    /* A tie splits the gradient in halves; otherwise the selected input
     * takes it all. b broadcasts: its gradient sums over rows. */
    act_tensor *a = make_rg(ACT_DTYPE_F64, 2, (int64_t[]){2, 3},
                            (double[]){1, 5, 2, 4, 0, 2}, true);
    act_tensor *b = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){3},
                            (double[]){1, 3, 2}, true), *y = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_MAXIMUM, a, b, &y), ACT_OK);
    backward_sum(y);
    assert_grad_tol(a, (double[]){0.5, 1, 0.5, 1, 0, 0.5}, 6, 0);
    assert_grad_tol(b, (double[]){0.5, 1, 1}, 3, 0);
    assert_int_equal(act_tensor_set_grad(ctx, a, NULL), ACT_OK);
    assert_int_equal(act_tensor_set_grad(ctx, b, NULL), ACT_OK);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MINIMUM, a, b, &y), ACT_OK);
    backward_sum(y);
    assert_grad_tol(a, (double[]){0.5, 0, 0.5, 0, 1, 0.5}, 6, 0);
    assert_grad_tol(b, (double[]){1.5, 1, 1}, 3, 0);
    free_all(2, (act_tensor *[]){a, b});
}

static void test_comparisons_do_not_record(void **state)
{
    act_tensor *a = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    for (int op = ACT_BINARY_EQ; op < ACT_BINARY_COUNT; op++) {
        act_tensor *y = NULL;
        assert_int_equal(act_binary_scalar(ctx, (act_binary_op)op, a, 1.5, &y),
                         ACT_OK);
        assert_null(act_tensor_grad_fn(y));
        assert_false(act_tensor_requires_grad(y));
        act_tensor_free(y);
    }
    act_tensor_free(a);
}

/* ------------------------------------------------------ clamp, where */

static act_status clamp_fn(act_context *c, int n, act_tensor *const *in,
                           void *user, act_tensor **out)
{
    const double *b = user;
    return act_clamp(c, in[0], b[0], b[1], out);
}

static void test_clamp(void **state)
{
    /* Away from the bounds for the numeric check (the kinks). */
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){6},
                            (double[]){-2, -0.7, -0.2, 0.3, 0.9, 3}, true);
    double bounds[2] = {-0.5, 0.5};
    gradcheck(clamp_fn, bounds, 1, &x);
    double inf_lo[2] = {-INFINITY, 0.5};
    gradcheck(clamp_fn, inf_lo, 1, &x);
    act_tensor_free(x);
    /* At the bounds the gradient passes (lo <= x <= hi), as PyTorch. */
    x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){4}, (double[]){-1, -0.5, 0.5, 1}, true);
    act_tensor *y = NULL;
    assert_int_equal(act_clamp(ctx, x, -0.5, 0.5, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "clamp");
    backward_sum(y);
    assert_grad_tol(x, (double[]){0, 1, 1, 0}, 4, 0);
    act_tensor_free(x);
}

static act_status where_fn(act_context *c, int n, act_tensor *const *in,
                           void *user, act_tensor **out)
{
    return act_where(c, user, in[0], in[1], out);
}

static void test_where(void **state)
{
    /* cond [2,3] (int64, no gradient), a [3], b [2,1]: each gradient is
     * gy where its side was chosen, summed over its broadcast. */
    act_tensor *cond = make_rg(ACT_DTYPE_I64, 2, (int64_t[]){2, 3},
                               (double[]){1, 0, 1, 0, 0, 1}, false);
    act_tensor *in[2] = {rand_leaf(1, (int64_t[]){3}, -1, 1),
                         rand_leaf(2, (int64_t[]){2, 1}, -1, 1)};
    gradcheck(where_fn, cond, 2, in);
    act_tensor *y = NULL;
    assert_int_equal(act_where(ctx, cond, in[0], in[1], &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "where");
    backward_sum(y);
    assert_grad_tol(in[0], (double[]){1, 0, 2}, 3, 0);
    assert_grad_tol(in[1], (double[]){1, 2}, 2, 0);
    free_all(2, in);
    /* A float condition that requires grad does not make the result
     * require grad: the condition has no gradient. */
    act_tensor *c = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 0}, true);
    act_tensor *a = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 2}, false);
    assert_int_equal(act_where(ctx, c, a, a, &y), ACT_OK);
    assert_false(act_tensor_requires_grad(y));
    free_all(4, (act_tensor *[]){y, c, a, cond});
}

/* ------------------------------------------------------------- copies */

typedef act_status (*copy_op)(act_context *, const act_tensor *, act_tensor **);

static act_status to_f64(act_context *c, const act_tensor *t, act_tensor **out)
{
    return act_to_dtype(c, t, ACT_DTYPE_F64, out);
}

/* copy(x) * x: the copy's gradient adds to the product's. */
static act_status copy_fn(act_context *c, int n, act_tensor *const *in,
                          void *user, act_tensor **out)
{
    act_tensor *y = NULL;
    act_status st = (*(copy_op *)user)(c, in[0], &y);
    if (st == ACT_OK)
        st = act_binary(c, ACT_BINARY_MUL, y, in[0], out);
    act_tensor_free(y);
    return st;
}

static void test_copies_of_a_transposed_view(void **state)
{
    static const copy_op ops[] = {act_contiguous, act_clone, to_f64};
    act_tensor *base = NULL, *t = NULL;
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F64, 2, (int64_t[]){3, 4}, -1, 1,
                                 NULL, &base),
                     ACT_OK);
    assert_int_equal(act_transpose(ctx, base, 0, 1, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    assert_false(act_tensor_is_contiguous(t));
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        copy_op op = ops[i];
        act_tensor *y = NULL;
        assert_int_equal(op(ctx, t, &y), ACT_OK);
        assert_string_equal(act_tensor_grad_fn(y), "copy");
        act_tensor_free(y);
        gradcheck(copy_fn, &op, 1, &t);
    }
    free_all(2, (act_tensor *[]){t, base});
}

static void test_copy_dtype_and_contiguous_identity(void **state)
{
    /* float64 -> float32: the gradient comes back as float64. */
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){3}, (double[]){1, 2, 3}, true);
    act_tensor *y = NULL, *z = NULL;
    assert_int_equal(act_to_dtype(ctx, x, ACT_DTYPE_F32, &y), ACT_OK);
    assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_MUL, y, 3, &z), ACT_OK);
    act_tensor_free(y);
    backward_sum(z);
    assert_int_equal(act_tensor_dtype(act_tensor_grad(x)), ACT_DTYPE_F64);
    assert_grad_tol(x, (double[]){3, 3, 3}, 3, 0);
    /* A contiguous tensor is its own contiguous(): nothing is recorded. */
    assert_int_equal(act_contiguous(ctx, x, &y), ACT_OK);
    assert_ptr_equal(y, x);
    assert_true(act_tensor_is_leaf(y));
    act_tensor_free(y);
    /* To int64: not differentiable, records nothing. */
    assert_int_equal(act_to_dtype(ctx, x, ACT_DTYPE_I64, &y), ACT_OK);
    assert_false(act_tensor_requires_grad(y));
    assert_null(act_tensor_grad_fn(y));
    free_all(2, (act_tensor *[]){y, x});
}

/* ----------------------------------------------------- autograd rules */

static void test_accumulate_and_released_graph(void **state)
{
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){3, -1}, true);
    act_tensor *y = NULL, *s = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, x, x, &y), ACT_OK);
    assert_int_equal(act_sum(ctx, y, ACT_ALL_DIMS, false, &s), ACT_OK);
    assert_int_equal(act_backward(ctx, s, NULL, true), ACT_OK);
    assert_grad_tol(x, (double[]){6, -2}, 2, 0);
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_OK);
    assert_grad_tol(x, (double[]){12, -4}, 2, 0); /* doubled */
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "second time"));
    free_all(3, (act_tensor *[]){s, y, x});
}

static void test_modified_in_place(void **state)
{
    /* mul saves its inputs: changing one before backward is caught. */
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){3, -1}, true);
    act_tensor *w = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){2, 2}, false);
    act_tensor *y = NULL, *s = NULL;
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, x, w, &y), ACT_OK);
    assert_int_equal(act_sum(ctx, y, ACT_ALL_DIMS, false, &s), ACT_OK);
    assert_true(act_set_grad_enabled(ctx, false));
    assert_int_equal(act_fill_(ctx, w, 5), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "modified in place"));
    free_all(4, (act_tensor *[]){s, y, w, x});
    /* exp saves its output. */
    x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){0, 1}, true);
    assert_int_equal(act_unary(ctx, ACT_UNARY_EXP, x, &y), ACT_OK);
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_unary_(ctx, ACT_UNARY_NEG, y), ACT_OK);
    act_set_grad_enabled(ctx, true);
    w = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 1}, false);
    assert_int_equal(act_backward(ctx, y, w, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "modified in place"));
    free_all(3, (act_tensor *[]){w, y, x});
}

static void test_in_place_refused(void **state)
{
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    act_tensor *y = NULL;
    assert_int_equal(act_unary_(ctx, ACT_UNARY_EXP, x), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "requires grad"));
    assert_int_equal(act_binary_(ctx, ACT_BINARY_ADD, x, x), ACT_E_STATE);
    assert_int_equal(act_binary_scalar_(ctx, ACT_BINARY_MUL, x, 2), ACT_E_STATE);
    /* A non-leaf made from it requires grad as well. */
    assert_int_equal(act_unary(ctx, ACT_UNARY_EXP, x, &y), ACT_OK);
    assert_int_equal(act_binary_scalar_(ctx, ACT_BINARY_MUL, y, 2), ACT_E_STATE);
    /* Without recording it is allowed. */
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_binary_scalar_(ctx, ACT_BINARY_ADD, x, 1), ACT_OK);
    act_set_grad_enabled(ctx, true);
    double v[2];
    values(x, v);
    assert_close(v, (double[]){2, 3}, 2, 0);
    free_all(2, (act_tensor *[]){y, x});
}

static void test_deep_chain(void **state)
{
    /* 100,000 nodes: the walk and the release are iterative. */
    act_tensor *x = make_rg(ACT_DTYPE_F64, 0, NULL, (double[]){0.5}, true);
    act_tensor *y = act_tensor_retain(x);
    for (int i = 0; i < 100000; i++) {
        act_tensor *next = NULL;
        assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_ADD, y, 1e-3, &next),
                         ACT_OK);
        act_tensor_free(y);
        y = next;
    }
    assert_string_equal(act_tensor_grad_fn(y), "add");
    assert_int_equal(act_backward(ctx, y, NULL, false), ACT_OK);
    assert_grad_tol(x, (double[]){1}, 1, 0);
    free_all(2, (act_tensor *[]){y, x});
}

static void test_no_grad_records_nothing(void **state)
{
    act_tensor *x = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    act_tensor *w = make_rg(ACT_DTYPE_F64, 1, (int64_t[]){2}, (double[]){1, 0}, false);
    act_tensor *y[6] = {NULL};
    assert_true(act_set_grad_enabled(ctx, false));
    assert_int_equal(act_unary(ctx, ACT_UNARY_EXP, x, &y[0]), ACT_OK);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, x, x, &y[1]), ACT_OK);
    assert_int_equal(act_scalar_binary(ctx, ACT_BINARY_SUB, 1, x, &y[2]), ACT_OK);
    assert_int_equal(act_clamp(ctx, x, 0, 1, &y[3]), ACT_OK);
    assert_int_equal(act_where(ctx, w, x, x, &y[4]), ACT_OK);
    assert_int_equal(act_clone(ctx, x, &y[5]), ACT_OK);
    assert_false(act_set_grad_enabled(ctx, true));
    for (int i = 0; i < 6; i++) {
        assert_null(act_tensor_grad_fn(y[i]));
        assert_false(act_tensor_requires_grad(y[i]));
    }
    free_all(6, y);
    free_all(2, (act_tensor *[]){w, x});
}

static void test_names(void **state)
{
    act_tensor *x = make_rg(ACT_DTYPE_F32, 1, (int64_t[]){2}, (double[]){1, 2}, true);
    act_tensor *y = NULL;
    assert_int_equal(act_scalar_binary(ctx, ACT_BINARY_SUB, 1, x, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "sub");
    act_tensor_free(y);
    assert_int_equal(act_unary(ctx, ACT_UNARY_LOG1P, x, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "log1p");
    assert_false(act_tensor_is_leaf(y));
    /* 1 - x: the gradient is -1 */
    act_tensor_free(y);
    assert_int_equal(act_scalar_binary(ctx, ACT_BINARY_SUB, 1, x, &y), ACT_OK);
    backward_sum(y);
    assert_grad_tol(x, (double[]){-1, -1}, 2, 0);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unary_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unary_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_gradcheck_broadcast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_gradcheck_promotion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binary_promotion_grad_dtypes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_forms_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalar_form_saves_no_reference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pow_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_minimum_maximum_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comparisons_do_not_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clamp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_where, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copies_of_a_transposed_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_dtype_and_contiguous_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accumulate_and_released_graph, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modified_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_place_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deep_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_grad_records_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

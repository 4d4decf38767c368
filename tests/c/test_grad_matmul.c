/*
 * test_grad_matmul.c — gradients of matmul (every shape it takes: dot,
 * matrix-vector, batched with a broadcast batch, strided and expanded
 * operands) and of the fused act_linear (with and without bias, 1-d to
 * 4-d inputs, strided operands) against float64 central differences;
 * linear's values against matmul + add, its errors by their words, and
 * what the two save for their backward.
 */
#define TEST_SEED 5
#include "test_support.h"

/* ------------------------------------------------------------ helpers */

static act_tensor *rand_t(act_dtype dt, int ndim, const int64_t *shape)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, dt, ndim, shape, -1, 1, NULL, &t), ACT_OK);
    return t;
}

/* A float64 leaf of random values that requires grad. */
static act_tensor *leaf(int ndim, const int64_t *shape)
{
    act_tensor *t = rand_t(F64, ndim, shape);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* A [rows, cols] leaf stored column-major: the transpose of a fresh
 * [cols, rows] tensor. */
static act_tensor *transposed_leaf(int64_t rows, int64_t cols)
{
    act_tensor *base = rand_t(F64, 2, (int64_t[]){cols, rows}), *t = NULL;
    assert_int_equal(act_transpose(ctx, base, 0, 1, &t), ACT_OK);
    act_tensor_free(base);
    assert_true(act_tensor_is_leaf(t));
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* sum(y) backward, then frees y. */
static act_status backward_sum_status(act_tensor *y)
{
    act_tensor *s = NULL;
    assert_int_equal(act_sum(ctx, y, ALL, false, &s), ACT_OK);
    act_status st = act_backward(ctx, s, NULL, false);
    act_tensor_free(s);
    act_tensor_free(y);
    return st;
}

/* Elements of a and b (same numel) agree within tol relative to the
 * largest magnitude in a. */
static void assert_close(const act_tensor *a, const act_tensor *b, double tol)
{
    int64_t n = act_tensor_numel(a);
    assert_int_equal(act_tensor_numel(b), n);
    double va[4096], vb[4096], scale = 1;
    assert_true(n <= 4096);
    assert_int_equal(act_tensor_to_doubles(ctx, a, va), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, b, vb), ACT_OK);
    for (int64_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(va[i]));
    for (int64_t i = 0; i < n; i++)
        if (!(fabs(va[i] - vb[i]) <= tol * scale)) {
            print_error("element %lld: %.17g vs %.17g\n", (long long)i, va[i],
                        vb[i]);
            fail();
        }
}

/* -------------------------------------------------------------- matmul */

/* How fn prepares a before the product: as given, or expanded from a
 * batch of 1 to `batch` (a stride-0 batch BLAS reads in place). */
typedef struct {
    int64_t expand_batch; /* 0: none */
} mm_spec;

static act_status matmul_fn(act_context *c, int n, act_tensor *const *in,
                            void *user, act_tensor **out)
{
    const mm_spec *s = user;
    if (!s || !s->expand_batch)
        return act_matmul(c, in[0], in[1], out);
    act_tensor *e = NULL;
    int64_t shape[3] = {s->expand_batch, -1, -1};
    act_status st = act_expand(c, in[0], 3, shape, &e);
    if (st == ACT_OK)
        st = act_matmul(c, e, in[1], out);
    act_tensor_free(e);
    return st;
}

typedef struct {
    int na;
    int64_t a[3];
    int nb;
    int64_t b[3];
} shapes;

static void test_matmul_gradcheck_shapes(void **state)
{
    static const shapes cases[] = {
        {1, {3}, 1, {3}},               /* dot */
        {2, {2, 3}, 1, {3}},            /* matrix . vector */
        {1, {3}, 2, {3, 4}},            /* vector . matrix */
        {2, {2, 3}, 2, {3, 4}},
        {3, {2, 2, 3}, 3, {2, 3, 4}},   /* batched */
        {3, {1, 2, 3}, 3, {3, 3, 2}},   /* a's batch of 1 broadcast */
        {3, {3, 2, 3}, 3, {1, 3, 2}},   /* b's batch of 1 broadcast */
        {2, {2, 3}, 3, {4, 3, 2}},      /* a 2-d a against a batch */
        {3, {4, 2, 3}, 2, {3, 2}},      /* a batch against a 2-d b */
        {1, {3}, 3, {4, 3, 2}},         /* [k] . [b,k,n] -> [b,n] */
        {3, {4, 2, 3}, 1, {3}},         /* [b,m,k] . [k] -> [b,m] */
        {3, {5, 6, 7}, 2, {7, 9}},      /* large enough for BLAS */
        {3, {2, 9, 8}, 3, {2, 8, 10}},
        {2, {9, 8}, 3, {3, 8, 10}},     /* BLAS, summed over the batch */
        {3, {0, 2, 3}, 2, {3, 4}},      /* an empty batch: gB is zeros */
        {2, {2, 0}, 2, {0, 3}},         /* k = 0: empty gradients */
        {2, {2, 3}, 2, {3, 0}},         /* n = 0: gA is zeros */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const shapes *c = &cases[i];
        act_tensor *in[2] = {leaf(c->na, c->a), leaf(c->nb, c->b)};
        check_grads(matmul_fn, NULL, 2, in);
        act_tensor_free(in[0]);
        act_tensor_free(in[1]);
    }
}

static void test_matmul_gradcheck_strided(void **state)
{
    /* column-major operands, read in place through the trans flags */
    act_tensor *in[2] = {transposed_leaf(3, 4), transposed_leaf(4, 5)};
    check_grads(matmul_fn, NULL, 2, in);
    act_tensor_free(in[0]);
    act_tensor_free(in[1]);
    /* a step-2 slice of columns (copied), against a strided vector */
    act_tensor *base = rand_t(F64, 2, (int64_t[]){3, 8}), *a = NULL;
    act_tensor *vbase = rand_t(F64, 1, (int64_t[]){8}), *v = NULL;
    assert_int_equal(act_slice(ctx, base, 1, 0, 8, 2, &a), ACT_OK);
    assert_int_equal(act_slice(ctx, vbase, 0, 1, 8, 2, &v), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, a, true), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, v, true), ACT_OK);
    act_tensor *av[2] = {a, v}, *va[2] = {v, transposed_leaf(4, 3)};
    check_grads(matmul_fn, NULL, 2, av);
    check_grads(matmul_fn, NULL, 2, va);
    act_tensor_free(va[1]);
    act_tensor_free(a);
    act_tensor_free(v);
    act_tensor_free(base);
    act_tensor_free(vbase);
    /* an expanded batch (stride 0): the gradient is summed back by expand */
    act_tensor *e[2] = {leaf(3, (int64_t[]){1, 2, 3}), leaf(3, (int64_t[]){4, 3, 2})};
    mm_spec s = {4};
    check_grads(matmul_fn, &s, 2, e);
    act_tensor_free(e[1]);
    e[1] = leaf(2, (int64_t[]){3, 5});
    check_grads(matmul_fn, &s, 2, e);
    act_tensor_free(e[0]);
    act_tensor_free(e[1]);
}

static void test_matmul_one_side(void **state)
{
    /* Only one operand requires grad: the other is held constant, and only
     * the one gradient is computed. */
    act_tensor *a = leaf(3, (int64_t[]){2, 3, 4}), *b = rand_t(F64, 2, (int64_t[]){4, 2});
    act_tensor *ab[2] = {a, b};
    check_grads(matmul_fn, NULL, 2, ab);
    act_tensor *y = NULL;
    assert_int_equal(act_matmul(ctx, a, b, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "matmul");
    assert_int_equal(backward_sum_status(y), ACT_OK);
    assert_null(act_tensor_grad(b));
    assert_non_null(act_tensor_grad(a));
    assert_int_equal(act_tensor_set_grad(ctx, a, NULL), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, a, false), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, b, true), ACT_OK);
    check_grads(matmul_fn, NULL, 2, ab);
    act_tensor_free(a);
    act_tensor_free(b);
}

static void test_matmul_by_hand(void **state)
{
    /* [1,2;3,4] . [5;6] = [17;39]; weighted by [1, 10]: gA = w b^T =
     * [5,6;50,60], gb = A^T w = [31, 42]. */
    act_tensor *a = make(F64, 2, (int64_t[]){2, 2}, (double[]){1, 2, 3, 4}, true);
    act_tensor *b = make(F32, 1, (int64_t[]){2}, (double[]){5, 6}, false);
    act_tensor *w = make(F64, 1, (int64_t[]){2}, (double[]){1, 10}, false);
    act_tensor *b64 = NULL, *y = NULL, *p = NULL;
    assert_int_equal(act_to_dtype(ctx, b, F64, &b64), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, b64, true), ACT_OK);
    assert_int_equal(act_matmul(ctx, a, b64, &y), ACT_OK);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, y, w, &p), ACT_OK);
    act_tensor_free(y);
    assert_int_equal(backward_sum_status(p), ACT_OK);
    assert_grad(a, (double[]){5, 6, 50, 60}, 4);
    assert_grad(b64, (double[]){31, 42}, 2);
    act_tensor_free(a);
    act_tensor_free(b);
    act_tensor_free(b64);
    act_tensor_free(w);
}

static void test_saved_operands(void **state)
{
    /* matmul saves x only for W's gradient and W only for x's: with a
     * constant x, W may change in place (an optimizer step, grad mode
     * off) before the backward; x may not. */
    for (int round = 0; round < 2; round++) {
        act_tensor *x = make(F64, 2, (int64_t[]){1, 2}, (double[]){1, 2}, false);
        act_tensor *w = make(F64, 2, (int64_t[]){2, 2}, (double[]){1, 0, 0, 1}, true);
        act_tensor *y = NULL;
        assert_int_equal(act_matmul(ctx, x, w, &y), ACT_OK);
        act_set_grad_enabled(ctx, false);
        assert_int_equal(act_binary_scalar_(ctx, ACT_BINARY_MUL,
                                            round == 0 ? w : x, 2),
                         ACT_OK);
        act_set_grad_enabled(ctx, true);
        if (round == 0) {
            assert_int_equal(backward_sum_status(y), ACT_OK);
            assert_grad(w, (double[]){1, 1, 2, 2}, 4);
        } else {
            assert_int_equal(backward_sum_status(y), ACT_E_STATE);
            assert_non_null(strstr(act_context_error(ctx), "'matmul'"));
            assert_non_null(strstr(act_context_error(ctx), "modified in place"));
        }
        act_tensor_free(x);
        act_tensor_free(w);
    }
}

/* -------------------------------------------------------------- linear */

/* in[0] x, in[1] weight, in[2] bias (or n == 2: none). transpose_x: x's
 * dims 0 and -1 are swapped first (a 4-d x that cannot be flattened in
 * place). */
static act_status linear_fn(act_context *c, int n, act_tensor *const *in,
                            void *user, act_tensor **out)
{
    const bool *transpose_x = user;
    const act_tensor *b = n > 2 ? in[2] : NULL;
    if (!transpose_x || !*transpose_x)
        return act_linear(c, in[0], in[1], b, out);
    act_tensor *t = NULL;
    act_status st = act_transpose(c, in[0], 0, -1, &t);
    if (st == ACT_OK)
        st = act_linear(c, t, in[1], b, out);
    act_tensor_free(t);
    return st;
}

typedef struct {
    int nx;
    int64_t x[4];
    int64_t out;
} lin_case;

static void test_linear_gradcheck(void **state)
{
    static const lin_case cases[] = {
        {2, {4, 3}, 5},
        {1, {3}, 2},          /* 1-d x */
        {3, {2, 3, 4}, 3},    /* 3-d x: W's gradient sums over 2 dims */
        {4, {2, 1, 2, 3}, 2},
        {3, {2, 7, 16}, 12},  /* large enough for BLAS */
        {2, {0, 3}, 2},       /* no rows: gW and gb are zeros */
        {2, {3, 0}, 2},       /* no in-features: y is the bias */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const lin_case *c = &cases[i];
        int64_t in_f = c->x[c->nx - 1];
        act_tensor *in[3] = {leaf(c->nx, c->x),
                             leaf(2, (int64_t[]){c->out, in_f}),
                             leaf(1, (int64_t[]){c->out})};
        check_grads(linear_fn, NULL, 3, in); /* with bias */
        check_grads(linear_fn, NULL, 2, in); /* without */
        for (int k = 0; k < 3; k++)
            act_tensor_free(in[k]);
    }
}

static void test_linear_gradcheck_strided(void **state)
{
    /* x and W column-major, the bias a step-2 slice. */
    act_tensor *bbase = rand_t(F64, 1, (int64_t[]){9}), *b = NULL;
    assert_int_equal(act_slice(ctx, bbase, 0, 0, 9, 2, &b), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, b, true), ACT_OK);
    act_tensor *in[3] = {transposed_leaf(4, 3), transposed_leaf(5, 3), b};
    check_grads(linear_fn, NULL, 3, in);
    act_tensor_free(in[0]);
    act_tensor_free(in[1]);
    /* a 4-d x transposed inside fn: its rows do not collapse, so linear
     * copies it, and W's gradient reads the copy it saved */
    bool transpose_x = true;
    in[0] = leaf(4, (int64_t[]){3, 2, 2, 4}); /* [4,2,2,3] when transposed */
    in[1] = leaf(2, (int64_t[]){5, 3});
    in[2] = b;
    check_grads(linear_fn, &transpose_x, 3, in);
    act_tensor_free(in[0]);
    act_tensor_free(in[1]);
    act_tensor_free(b);
    act_tensor_free(bbase);
}

static void test_linear_by_hand(void **state)
{
    /* x = [[1,2]], W = [[1,0],[0,1],[1,1]], b = [0.5,0,-1]: y = [[1.5,2,2]].
     * sum(y): gW rows are x, gb ones, gx the column sums of W. */
    act_tensor *x = make(F64, 2, (int64_t[]){1, 2}, (double[]){1, 2}, true);
    act_tensor *w = make(F64, 2, (int64_t[]){3, 2}, (double[]){1, 0, 0, 1, 1, 1}, true);
    act_tensor *b = make(F64, 1, (int64_t[]){3}, (double[]){0.5, 0, -1}, true);
    act_tensor *y = NULL;
    assert_int_equal(act_linear(ctx, x, w, b, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "linear");
    double v[3];
    assert_int_equal(act_tensor_to_doubles(ctx, y, v), ACT_OK);
    assert_true(v[0] == 1.5 && v[1] == 2 && v[2] == 2);
    assert_int_equal(backward_sum_status(y), ACT_OK);
    assert_grad(x, (double[]){2, 2}, 2);
    assert_grad(w, (double[]){1, 2, 1, 2, 1, 2}, 6);
    assert_grad(b, (double[]){1, 1, 1}, 3);
    act_tensor_free(x);
    /* A 3-d x [2,1,2]: W's and b's gradients sum over both leading dims
     * and add onto what the first backward left. */
    x = make(F64, 3, (int64_t[]){2, 1, 2}, (double[]){1, 2, 3, 4}, false);
    assert_int_equal(act_linear(ctx, x, w, b, &y), ACT_OK);
    assert_int_equal(act_tensor_dim(y), 3);
    assert_int_equal(act_tensor_size(y, 2), 3);
    assert_int_equal(backward_sum_status(y), ACT_OK);
    assert_grad(w, (double[]){5, 8, 5, 8, 5, 8}, 6);
    assert_grad(b, (double[]){3, 3, 3}, 3);
    act_tensor_free(x);
    act_tensor_free(w);
    act_tensor_free(b);
}

/* linear(x, W, b) against matmul(x, W^T) + b, computed independently. */
static void compare_with_matmul(act_dtype dt, int nx, const int64_t *xs,
                                int64_t out, bool bias)
{
    int64_t in_f = xs[nx - 1];
    act_tensor *x = rand_t(dt, nx, xs), *w = rand_t(dt, 2, (int64_t[]){out, in_f});
    act_tensor *b = bias ? rand_t(dt, 1, &out) : NULL;
    act_tensor *y = NULL, *wt = NULL, *p = NULL, *ref = NULL;
    assert_int_equal(act_linear(ctx, x, w, b, &y), ACT_OK);
    assert_int_equal(act_tensor_dtype(y), dt);
    assert_int_equal(act_transpose(ctx, w, 0, 1, &wt), ACT_OK);
    if (nx <= 3) {
        assert_int_equal(act_matmul(ctx, x, wt, &p), ACT_OK);
    } else { /* matmul takes up to 3 dims: flatten the leading ones */
        act_tensor *x2 = NULL, *p2 = NULL;
        assert_int_equal(act_reshape(ctx, x, 2, (int64_t[]){-1, in_f}, &x2), ACT_OK);
        assert_int_equal(act_matmul(ctx, x2, wt, &p2), ACT_OK);
        int64_t ys[ACT_MAX_DIMS];
        memcpy(ys, act_tensor_shape(y), sizeof(int64_t) * (size_t)nx);
        assert_int_equal(act_reshape(ctx, p2, nx, ys, &p), ACT_OK);
        act_tensor_free(x2);
        act_tensor_free(p2);
    }
    if (b)
        assert_int_equal(act_binary(ctx, ACT_BINARY_ADD, p, b, &ref), ACT_OK);
    else
        ref = act_tensor_retain(p);
    assert_int_equal(act_tensor_dim(y), act_tensor_dim(ref));
    for (int d = 0; d < nx; d++)
        assert_int_equal(act_tensor_size(y, d), act_tensor_size(ref, d));
    assert_close(y, ref, dt == F32 ? 1e-5 : 1e-13);
    act_tensor *all[] = {x, w, b, y, wt, p, ref};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        act_tensor_free(all[i]);
}

static void test_linear_matches_matmul(void **state)
{
    for (int dt = F32; dt <= F64; dt++)
        for (int bias = 0; bias < 2; bias++) {
            compare_with_matmul((act_dtype)dt, 2, (int64_t[]){3, 4}, 5, bias);
            compare_with_matmul((act_dtype)dt, 1, (int64_t[]){4}, 3, bias);
            compare_with_matmul((act_dtype)dt, 3, (int64_t[]){2, 3, 4}, 2, bias);
            compare_with_matmul((act_dtype)dt, 4, (int64_t[]){2, 2, 3, 5}, 4, bias);
            compare_with_matmul((act_dtype)dt, 2, (int64_t[]){33, 40}, 50, bias);
            compare_with_matmul((act_dtype)dt, 2, (int64_t[]){1, 64}, 1, bias);
        }
}

static void test_linear_empty(void **state)
{
    /* No in-features: y is the bias in every row, or zeros. */
    act_tensor *x = rand_t(F32, 2, (int64_t[]){3, 0}), *w = rand_t(F32, 2, (int64_t[]){2, 0});
    act_tensor *b = make(F32, 1, (int64_t[]){2}, (double[]){7, -1}, false), *y = NULL;
    double v[6];
    assert_int_equal(act_linear(ctx, x, w, b, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, v), ACT_OK);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == (i % 2 ? -1 : 7));
    act_tensor_free(y);
    assert_int_equal(act_linear(ctx, x, w, NULL, &y), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, y, v), ACT_OK);
    for (int i = 0; i < 6; i++)
        assert_true(v[i] == 0);
    act_tensor_free(y);
    act_tensor_free(x);
    act_tensor_free(w);
    act_tensor_free(b);
}

static void expect_error(act_tensor *x, act_tensor *w, act_tensor *b,
                         act_status st, int arg, const char *msg)
{
    act_tensor *y = NULL;
    assert_int_equal(act_linear(ctx, x, w, b, &y), st);
    assert_null(y);
    assert_int_equal(act_context_error_arg(ctx), arg);
    if (!strstr(act_context_error(ctx), msg)) {
        print_error("message: %s\nwanted: %s\n", act_context_error(ctx), msg);
        fail();
    }
}

static void test_linear_errors(void **state)
{
    act_tensor *x = rand_t(F32, 2, (int64_t[]){4, 3});
    act_tensor *w52 = rand_t(F32, 2, (int64_t[]){5, 2}), *w53 = rand_t(F32, 2, (int64_t[]){5, 3});
    act_tensor *w1 = rand_t(F32, 1, (int64_t[]){3}), *s = rand_t(F32, 0, NULL);
    act_tensor *b4 = rand_t(F32, 1, (int64_t[]){4}), *b15 = rand_t(F32, 2, (int64_t[]){1, 5});
    act_tensor *w64 = rand_t(F64, 2, (int64_t[]){5, 3}), *b64 = rand_t(F64, 1, (int64_t[]){5});
    act_tensor *xi = NULL;
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_I64, 2, (int64_t[]){4, 3}, &xi), ACT_OK);
    expect_error(x, w52, NULL, ACT_E_SHAPE, 2,
                 "linear: input [4,3] and weight [5,2]: input's last dim 3 ≠ "
                 "weight's in-features 2");
    assert_string_equal(act_context_error_function(ctx), "linear");
    expect_error(x, w1, NULL, ACT_E_SHAPE, 2,
                 "weight must be 2-d [out_features, in_features], got shape [3]");
    expect_error(s, w53, NULL, ACT_E_SHAPE, 1, "input is a scalar (0 dims)");
    expect_error(x, w53, b4, ACT_E_SHAPE, 3,
                 "bias [4] does not fit weight [5,3]: a bias of shape [5]");
    expect_error(x, w53, b15, ACT_E_SHAPE, 3, "bias [1,5] does not fit");
    expect_error(x, w64, NULL, ACT_E_DTYPE, 2,
                 "input is float32 and weight is float64");
    expect_error(x, w53, b64, ACT_E_DTYPE, 3,
                 "input is float32 and bias is float64");
    expect_error(xi, w53, NULL, ACT_E_DTYPE, 1, "input is int64");
    act_tensor *all[] = {x, w52, w53, w1, s, b4, b15, w64, b64, xi};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        act_tensor_free(all[i]);
}

static void test_linear_records(void **state)
{
    /* Recorded only when an input requires grad and grad mode is on.
     * linear saves x only for W's gradient and W only for x's: with a
     * constant x (an MLP's first layer) W may change in place before the
     * backward, x may not. */
    act_tensor *x = rand_t(F64, 2, (int64_t[]){2, 3}), *w = leaf(2, (int64_t[]){4, 3});
    act_tensor *c = rand_t(F64, 2, (int64_t[]){4, 3}), *y = NULL;
    assert_int_equal(act_linear(ctx, x, c, NULL, &y), ACT_OK);
    assert_null(act_tensor_grad_fn(y));
    act_tensor_free(y);
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_linear(ctx, x, w, NULL, &y), ACT_OK);
    assert_null(act_tensor_grad_fn(y));
    act_tensor_free(y);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(act_linear(ctx, x, w, NULL, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "linear");
    /* W changed in place after the forward: not saved (x is constant) */
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_fill_(ctx, w, 3), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(backward_sum_status(y), ACT_OK);
    double want[12], xv[6];
    assert_int_equal(act_tensor_to_doubles(ctx, x, xv), ACT_OK);
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 3; k++)
            want[r * 3 + k] = xv[k] + xv[3 + k];
    assert_grad(w, want, 12);
    /* x changed in place after the forward: caught */
    assert_int_equal(act_linear(ctx, x, w, NULL, &y), ACT_OK);
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_fill_(ctx, x, 0), ACT_OK);
    act_set_grad_enabled(ctx, true);
    assert_int_equal(backward_sum_status(y), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "'linear'"));
    act_tensor_free(x);
    act_tensor_free(w);
    act_tensor_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_matmul_gradcheck_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matmul_gradcheck_strided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matmul_one_side, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matmul_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_saved_operands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_gradcheck_strided, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_matches_matmul, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_linear_records, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

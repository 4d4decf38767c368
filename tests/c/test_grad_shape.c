/*
 * test_grad_shape.c — gradients of the views (view, reshape, transpose,
 * permute, narrow, slice, select, expand, squeeze, unsqueeze) and of the
 * indexing ops (gather, index_select, cat, stack) against float64 central
 * differences, over several shapes and dims (negative ones included) and
 * non-contiguous inputs; repeated indices accumulating, gradients of
 * several views meeting in their base leaf, and what gets recorded.
 */
#define TEST_SEED 11
#include "test_support.h"
#include "autograd.h" /* to look inside a node: what reshape recorded */

/* ------------------------------------------------------------ helpers */

/* A float64 leaf of random values that requires grad. */
static act_tensor *leaf(int ndim, const int64_t *shape)
{
    act_tensor *t = NULL;
    assert_int_equal(act_uniform(ctx, F64, ndim, shape, -2, 2, NULL, &t), ACT_OK);
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* A non-contiguous float64 leaf of the given 2-d shape: the transpose of a
 * [cols, rows] tensor (a leaf, since its base does not require grad). */
static act_tensor *transposed_leaf(int64_t rows, int64_t cols)
{
    act_tensor *base = NULL, *t = NULL;
    assert_int_equal(act_uniform(ctx, F64, 2, (int64_t[]){cols, rows}, -2, 2,
                                 NULL, &base),
                     ACT_OK);
    assert_int_equal(act_transpose(ctx, base, 0, 1, &t), ACT_OK);
    act_tensor_free(base);
    assert_false(act_tensor_is_contiguous(t));
    assert_true(act_tensor_is_leaf(t));
    assert_int_equal(act_tensor_set_requires_grad(ctx, t, true), ACT_OK);
    return t;
}

/* ----------------------------------------------------- the ops checked */

typedef enum {
    VIEW, RESHAPE, TRANSPOSE, PERMUTE, NARROW, SLICE, SELECT, EXPAND,
    SQUEEZE, UNSQUEEZE, GATHER, INDEX_SELECT, CAT, STACK
} kind;

typedef struct {
    kind k;
    int dim, ndim;          /* dim; ndim of shape or perm */
    int64_t shape[ACT_MAX_DIMS];
    int perm[ACT_MAX_DIMS];
    int64_t a, b, c;        /* start/stop/step, index, length */
    const act_tensor *index; /* gather, index_select */
    bool transpose_first;   /* apply the op to in[0] transposed (0, -1) */
} spec;

static act_status apply(act_context *c, const spec *s, int n,
                        act_tensor *const *in, act_tensor **out)
{
    const act_tensor *x = in[0];
    switch (s->k) {
    case VIEW: return act_view(c, x, s->ndim, s->shape, out);
    case RESHAPE: return act_reshape(c, x, s->ndim, s->shape, out);
    case TRANSPOSE: return act_transpose(c, x, (int)s->a, (int)s->b, out);
    case PERMUTE: return act_permute(c, x, s->ndim, s->perm, out);
    case NARROW: return act_narrow(c, x, s->dim, s->a, s->b, out);
    case SLICE: return act_slice(c, x, s->dim, s->a, s->b, s->c, out);
    case SELECT: return act_select(c, x, s->dim, s->a, out);
    case EXPAND: return act_expand(c, x, s->ndim, s->shape, out);
    case SQUEEZE: return act_squeeze(c, x, s->dim, out);
    case UNSQUEEZE: return act_unsqueeze(c, x, s->dim, out);
    case GATHER: return act_gather(c, x, s->dim, s->index, out);
    case INDEX_SELECT: return act_index_select(c, x, s->dim, s->index, out);
    case CAT: return act_cat(c, n, (const act_tensor *const *)in, s->dim, out);
    default: return act_stack(c, n, (const act_tensor *const *)in, s->dim, out);
    }
}

static act_status op_fn(act_context *c, int n, act_tensor *const *in,
                        void *user, act_tensor **out)
{
    const spec *s = user;
    if (!s->transpose_first)
        return apply(c, s, n, in, out);
    act_tensor *t = NULL;
    act_status st = act_transpose(c, in[0], 0, -1, &t);
    if (st == ACT_OK) {
        act_tensor *args[1] = {t};
        st = apply(c, s, 1, args, out);
    }
    act_tensor_free(t);
    return st;
}

static void check_op(const spec *s, int n, act_tensor **in)
{
    check_grads(op_fn, (void *)s, n, in);
}

/* ------------------------------------------------------------- views */

static void test_view_reshape_gradcheck(void **state)
{
    act_tensor *x = leaf(3, (int64_t[]){2, 3, 4});
    spec specs[] = {
        {.k = VIEW, .ndim = 2, .shape = {6, 4}},
        {.k = VIEW, .ndim = 1, .shape = {-1}},
        {.k = VIEW, .ndim = 3, .shape = {4, -1, 2}},
        {.k = RESHAPE, .ndim = 4, .shape = {2, 2, 3, 2}},
        /* transposed first: reshape must copy, view of a split dim not */
        {.k = RESHAPE, .ndim = 2, .shape = {3, 8}, .transpose_first = true},
        {.k = VIEW, .ndim = 4, .shape = {4, 3, 1, 2}, .transpose_first = true},
        {.k = SQUEEZE, .dim = ALL},
        {.k = UNSQUEEZE, .dim = -1},
        {.k = UNSQUEEZE, .dim = 1, .transpose_first = true},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
    /* squeeze of the extent-1 dims, one at a time and all */
    x = leaf(4, (int64_t[]){3, 1, 2, 1});
    spec sq[] = {{.k = SQUEEZE, .dim = 1}, {.k = SQUEEZE, .dim = -1},
                 {.k = SQUEEZE, .dim = ALL}, {.k = SQUEEZE, .dim = 0}};
    for (size_t i = 0; i < sizeof sq / sizeof *sq; i++)
        check_op(&sq[i], 1, &x);
    act_tensor_free(x);
    /* a non-contiguous leaf, reshaped (a copy) and viewed */
    x = transposed_leaf(4, 3);
    spec nc[] = {{.k = RESHAPE, .ndim = 1, .shape = {12}},
                 {.k = VIEW, .ndim = 3, .shape = {2, 2, 3}},
                 {.k = UNSQUEEZE, .dim = 0}};
    for (size_t i = 0; i < sizeof nc / sizeof *nc; i++)
        check_op(&nc[i], 1, &x);
    act_tensor_free(x);
}

static void test_permute_transpose_gradcheck(void **state)
{
    act_tensor *x = leaf(3, (int64_t[]){2, 3, 4});
    spec specs[] = {
        {.k = TRANSPOSE, .a = 0, .b = 2},
        {.k = TRANSPOSE, .a = -1, .b = -2},
        {.k = TRANSPOSE, .a = 1, .b = 1},
        {.k = PERMUTE, .ndim = 3, .perm = {2, 0, 1}},
        {.k = PERMUTE, .ndim = 3, .perm = {-1, 0, -2}},
        {.k = PERMUTE, .ndim = 3, .perm = {1, 2, 0}, .transpose_first = true},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
}

static void test_slice_narrow_select_gradcheck(void **state)
{
    act_tensor *x = leaf(3, (int64_t[]){3, 5, 4});
    spec specs[] = {
        {.k = NARROW, .dim = 1, .a = 1, .b = 3},
        {.k = NARROW, .dim = -1, .a = -2, .b = 2},
        {.k = NARROW, .dim = 0, .a = 1, .b = 0}, /* empty */
        {.k = SLICE, .dim = 1, .a = 0, .b = 5, .c = 2},
        {.k = SLICE, .dim = -1, .a = -3, .b = 100, .c = 2},
        {.k = SLICE, .dim = 1, .a = 1, .b = -1, .c = 3},
        {.k = SELECT, .dim = 0, .a = -1},
        {.k = SELECT, .dim = 2, .a = 1},
        {.k = SELECT, .dim = -2, .a = 3, .transpose_first = true},
        {.k = SLICE, .dim = 0, .a = 1, .b = 4, .c = 2, .transpose_first = true},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
    x = transposed_leaf(5, 3);
    spec nc[] = {{.k = NARROW, .dim = 0, .a = 2, .b = 3},
                 {.k = SELECT, .dim = 1, .a = -1}};
    for (size_t i = 0; i < sizeof nc / sizeof *nc; i++)
        check_op(&nc[i], 1, &x);
    act_tensor_free(x);
}

static void test_expand_gradcheck(void **state)
{
    act_tensor *x = leaf(2, (int64_t[]){3, 1});
    spec specs[] = {
        {.k = EXPAND, .ndim = 3, .shape = {2, 3, 4}},
        {.k = EXPAND, .ndim = 2, .shape = {-1, 5}},
        {.k = EXPAND, .ndim = 2, .shape = {3, 1}},
        {.k = EXPAND, .ndim = 3, .shape = {2, -1, -1}},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
    x = leaf(0, NULL); /* a scalar broadcast to a matrix */
    spec s = {.k = EXPAND, .ndim = 2, .shape = {2, 3}};
    check_op(&s, 1, &x);
    act_tensor_free(x);
}

/* ---------------------------------------------------------- indexing */

static act_tensor *indices(act_dtype dt, int ndim, const int64_t *shape,
                           const double *v)
{
    return make(dt, ndim, shape, v, false);
}

static void test_gather_gradcheck(void **state)
{
    act_tensor *x = leaf(2, (int64_t[]){3, 4});
    /* repeated indices along each row and down each column */
    act_tensor *i1 = indices(ACT_DTYPE_I64, 2, (int64_t[]){3, 3},
                             (double[]){0, 0, 3, 1, 1, 1, 2, 0, 2});
    act_tensor *i0 = indices(ACT_DTYPE_F32, 2, (int64_t[]){4, 2},
                             (double[]){2, 2, 0, 2, 1, 1, 2, 0});
    spec specs[] = {
        {.k = GATHER, .dim = 1, .index = i1},
        {.k = GATHER, .dim = -1, .index = i1},
        {.k = GATHER, .dim = 0, .index = i0},
        /* [4,3] after the transpose: along dim 0, values up to 3 fit */
        {.k = GATHER, .dim = 0, .index = i1, .transpose_first = true},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
    x = leaf(3, (int64_t[]){2, 3, 2});
    act_tensor *i3 = indices(ACT_DTYPE_I64, 3, (int64_t[]){2, 2, 2},
                             (double[]){1, 1, 0, 2, 2, 2, 1, 0});
    spec s3 = {.k = GATHER, .dim = -2, .index = i3};
    check_op(&s3, 1, &x);
    act_tensor_free(x);
    act_tensor_free(i0);
    act_tensor_free(i1);
    act_tensor_free(i3);
}

static void test_gather_accumulates_by_hand(void **state)
{
    /* x[0] read three times, x[2] once: gradients [3, 0, 1, 0] for sum;
     * weighted by [1, 2, 3, 4]: x[0] gets 1 + 2 + 4, x[2] gets 3. */
    act_tensor *x = make(F64, 1, (int64_t[]){4}, (double[]){5, 6, 7, 8}, true);
    act_tensor *ix = indices(ACT_DTYPE_I64, 1, (int64_t[]){4},
                             (double[]){0, 0, 2, 0});
    act_tensor *w = make(F64, 1, (int64_t[]){4}, (double[]){1, 2, 3, 4}, false);
    act_tensor *y = NULL, *p = NULL;
    assert_int_equal(act_gather(ctx, x, 0, ix, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "gather");
    double v[4];
    assert_int_equal(act_tensor_to_doubles(ctx, y, v), ACT_OK);
    assert_true(v[0] == 5 && v[1] == 5 && v[2] == 7 && v[3] == 5);
    assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, y, w, &p), ACT_OK);
    act_tensor_free(y);
    backward_sum(p);
    assert_grad(x, (double[]){7, 0, 3, 0}, 4);
    act_tensor_free(w);
    act_tensor_free(ix);
    act_tensor_free(x);
}

static void test_index_select_gradcheck(void **state)
{
    act_tensor *x = leaf(3, (int64_t[]){3, 4, 2});
    act_tensor *rep = indices(ACT_DTYPE_I64, 1, (int64_t[]){5},
                              (double[]){2, 0, 2, 2, 1});
    act_tensor *one = indices(ACT_DTYPE_F64, 0, NULL, (double[]){1});
    spec specs[] = {
        {.k = INDEX_SELECT, .dim = 0, .index = rep},
        {.k = INDEX_SELECT, .dim = 1, .index = rep},
        {.k = INDEX_SELECT, .dim = -2, .index = one},
        /* [2,4,3] after the transpose: dim -1 has extent 3 */
        {.k = INDEX_SELECT, .dim = -1, .index = rep, .transpose_first = true},
    };
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 1, &x);
    act_tensor_free(x);
    act_tensor_free(rep);
    act_tensor_free(one);
}

static void test_index_select_accumulates_by_hand(void **state)
{
    /* An embedding lookup: rows 2, 2, 0 of a [3,2] table. Row 2 is read
     * twice and gets twice the gradient; row 1 none. */
    act_tensor *x = make(ACT_DTYPE_F32, 2, (int64_t[]){3, 2},
                         (double[]){1, 2, 3, 4, 5, 6}, true);
    act_tensor *ix = indices(ACT_DTYPE_I64, 1, (int64_t[]){3},
                             (double[]){2, 2, 0});
    act_tensor *y = NULL;
    assert_int_equal(act_index_select(ctx, x, 0, ix, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "index_select");
    backward_sum(y);
    assert_grad(x, (double[]){1, 1, 0, 0, 2, 2}, 6);
    act_tensor_free(ix);
    act_tensor_free(x);
}

static void test_cat_gradcheck(void **state)
{
    act_tensor *in[3] = {leaf(2, (int64_t[]){2, 1}), leaf(2, (int64_t[]){2, 3}),
                         leaf(2, (int64_t[]){2, 2})};
    spec s1 = {.k = CAT, .dim = 1}, s2 = {.k = CAT, .dim = -1};
    check_op(&s1, 3, in);
    check_op(&s2, 3, in);
    for (int i = 0; i < 3; i++)
        act_tensor_free(in[i]);
    /* along dim 0, one piece constant, one piece float32 (promoted) */
    act_tensor *p[3] = {leaf(2, (int64_t[]){1, 3}), NULL,
                        leaf(2, (int64_t[]){3, 3})};
    assert_int_equal(act_ones(ctx, ACT_DTYPE_F32, 2, (int64_t[]){2, 3}, &p[1]),
                     ACT_OK);
    spec s0 = {.k = CAT, .dim = 0};
    check_op(&s0, 3, p);
    for (int i = 0; i < 3; i++)
        act_tensor_free(p[i]);
    /* an empty [0] piece is skipped, whatever the others' rank */
    act_tensor *e[3] = {leaf(2, (int64_t[]){2, 2}), leaf(1, (int64_t[]){0}),
                        leaf(2, (int64_t[]){2, 3})};
    check_op(&s2, 3, e);
    for (int i = 0; i < 3; i++)
        act_tensor_free(e[i]);
}

static void test_cat_stack_many_pieces(void **state)
{
    /* More pieces than a node has inputs: recorded as a tree of joins. */
    enum { N = 9 };
    act_tensor *in[N];
    for (int i = 0; i < N; i++)
        in[i] = leaf(2, (int64_t[]){2, 1 + i % 3});
    spec s = {.k = CAT, .dim = -1};
    check_op(&s, N, in);
    act_tensor *y = NULL;
    assert_int_equal(act_cat(ctx, N, (const act_tensor *const *)in, 1, &y), ACT_OK);
    assert_string_equal(act_tensor_grad_fn(y), "cat");
    assert_int_equal(act_tensor_size(y, 1), 3 * (1 + 2 + 3));
    act_tensor_free(y);
    for (int i = 0; i < N; i++)
        act_tensor_free(in[i]);
    enum { M = 17 };
    act_tensor *st[M];
    for (int i = 0; i < M; i++)
        st[i] = leaf(1, (int64_t[]){2});
    spec t = {.k = STACK, .dim = 0};
    check_op(&t, M, st);
    spec t1 = {.k = STACK, .dim = -1};
    check_op(&t1, M, st);
    for (int i = 0; i < M; i++)
        act_tensor_free(st[i]);
}

static void test_stack_gradcheck(void **state)
{
    act_tensor *in[3] = {leaf(2, (int64_t[]){2, 3}), leaf(2, (int64_t[]){2, 3}),
                         transposed_leaf(2, 3)};
    spec specs[] = {{.k = STACK, .dim = 0}, {.k = STACK, .dim = 1},
                    {.k = STACK, .dim = -1}, {.k = STACK, .dim = 2}};
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        check_op(&specs[i], 3, in);
    for (int i = 0; i < 3; i++)
        act_tensor_free(in[i]);
    act_tensor *sc[2] = {leaf(0, NULL), leaf(0, NULL)}; /* 0-d into [2] */
    check_op(&specs[0], 2, sc);
    act_tensor_free(sc[0]);
    act_tensor_free(sc[1]);
}

/* ------------------------------------------------------ what is recorded */

static void expect_fn(act_tensor *y, const char *name)
{
    assert_non_null(y);
    assert_true(act_tensor_requires_grad(y));
    assert_false(act_tensor_is_leaf(y));
    assert_string_equal(act_tensor_grad_fn(y), name);
    act_tensor_free(y);
}

static void test_views_of_a_leaf_record(void **state)
{
    act_tensor *x = leaf(2, (int64_t[]){2, 3}), *y = NULL;
    assert_int_equal(act_view(ctx, x, 1, (int64_t[]){6}, &y), ACT_OK);
    assert_true(act_tensor_shares_storage(x, y));
    expect_fn(y, "view");
    assert_int_equal(act_reshape(ctx, x, 2, (int64_t[]){3, 2}, &y), ACT_OK);
    expect_fn(y, "view");
    assert_int_equal(act_transpose(ctx, x, 0, 1, &y), ACT_OK);
    expect_fn(y, "permute");
    assert_int_equal(act_permute(ctx, x, 2, (int[]){1, 0}, &y), ACT_OK);
    expect_fn(y, "permute");
    assert_int_equal(act_narrow(ctx, x, 1, 1, 2, &y), ACT_OK);
    expect_fn(y, "slice");
    assert_int_equal(act_slice(ctx, x, 1, 0, 3, 2, &y), ACT_OK);
    expect_fn(y, "slice");
    assert_int_equal(act_select(ctx, x, 0, 1, &y), ACT_OK);
    expect_fn(y, "select");
    assert_int_equal(act_expand(ctx, x, 3, (int64_t[]){4, 2, 3}, &y), ACT_OK);
    expect_fn(y, "expand");
    assert_int_equal(act_unsqueeze(ctx, x, 0, &y), ACT_OK);
    expect_fn(y, "view");
    assert_int_equal(act_squeeze(ctx, x, ALL, &y), ACT_OK);
    expect_fn(y, "view");
    const act_tensor *two[2] = {x, x};
    assert_int_equal(act_cat(ctx, 2, two, 0, &y), ACT_OK);
    expect_fn(y, "cat");
    assert_int_equal(act_stack(ctx, 2, two, 0, &y), ACT_OK);
    expect_fn(y, "stack");
    /* nothing is recorded with grad mode off, or for a constant */
    act_set_grad_enabled(ctx, false);
    assert_int_equal(act_transpose(ctx, x, 0, 1, &y), ACT_OK);
    assert_null(act_tensor_grad_fn(y));
    assert_false(act_tensor_requires_grad(y));
    act_tensor_free(y);
    act_set_grad_enabled(ctx, true);
    act_tensor *c = NULL;
    assert_int_equal(act_zeros(ctx, F64, 2, (int64_t[]){2, 3}, &c), ACT_OK);
    assert_int_equal(act_narrow(ctx, c, 0, 0, 1, &y), ACT_OK);
    assert_null(act_tensor_grad_fn(y));
    assert_true(act_tensor_is_leaf(y));
    act_tensor_free(y);
    act_tensor_free(c);
    act_tensor_free(x);
}

static void test_reshape_records_once(void **state)
{
    /* A reshape that has to copy is one VIEW node whose input is the leaf
     * itself: the internal copy is not a node of its own. */
    act_tensor *x = transposed_leaf(3, 4), *y = NULL;
    assert_int_equal(act_reshape(ctx, x, 1, (int64_t[]){12}, &y), ACT_OK);
    assert_false(act_tensor_shares_storage(x, y));
    const act_node *n = y->grad_fn;
    assert_non_null(n);
    assert_int_equal(n->op, ACT_OP_VIEW);
    assert_int_equal(n->ninputs, 1);
    assert_ptr_equal(n->leaf[0], x);
    assert_null(n->next[0]);
    backward_sum(y);
    assert_grad(x, (double[]){1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 12);
    act_tensor_free(x);
}

static void test_views_accumulate_into_base(void **state)
{
    /* x = [[1,2,3],[4,5,6]]; loss = sum(narrow(x, 1, 0, 2))
     *   + 3 sum(select(x, 0, 1)) + sum(transpose(x) * w), w [3,2]
     * = [[1,2],[3,4],[5,6]]. Gradients: ones on columns 0-1, 3 on row 1,
     * and w^T = [[1,3,5],[2,4,6]]: [[2,4,5],[6,8,9]]. */
    act_tensor *x = make(F64, 2, (int64_t[]){2, 3},
                         (double[]){1, 2, 3, 4, 5, 6}, true);
    act_tensor *w = make(F64, 2, (int64_t[]){3, 2},
                         (double[]){1, 2, 3, 4, 5, 6}, false);
    for (int round = 1; round <= 2; round++) {
        act_tensor *a = NULL, *b = NULL, *b3 = NULL, *t = NULL, *tw = NULL;
        act_tensor *sa = NULL, *sb = NULL, *st = NULL, *s1 = NULL, *loss = NULL;
        assert_int_equal(act_narrow(ctx, x, 1, 0, 2, &a), ACT_OK);
        assert_int_equal(act_select(ctx, x, 0, 1, &b), ACT_OK);
        assert_int_equal(act_binary_scalar(ctx, ACT_BINARY_MUL, b, 3, &b3), ACT_OK);
        assert_int_equal(act_transpose(ctx, x, 0, 1, &t), ACT_OK);
        assert_int_equal(act_binary(ctx, ACT_BINARY_MUL, t, w, &tw), ACT_OK);
        assert_int_equal(act_sum(ctx, a, ALL, false, &sa), ACT_OK);
        assert_int_equal(act_sum(ctx, b3, ALL, false, &sb), ACT_OK);
        assert_int_equal(act_sum(ctx, tw, ALL, false, &st), ACT_OK);
        assert_int_equal(act_binary(ctx, ACT_BINARY_ADD, sa, sb, &s1), ACT_OK);
        assert_int_equal(act_binary(ctx, ACT_BINARY_ADD, s1, st, &loss), ACT_OK);
        act_tensor *tmp[] = {a, b, b3, t, tw, sa, sb, st, s1};
        for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++)
            act_tensor_free(tmp[i]);
        assert_int_equal(act_backward(ctx, loss, NULL, false), ACT_OK);
        act_tensor_free(loss);
        /* a second backward (a new graph) adds onto the first */
        double r = round;
        assert_grad(x, (double[]){2 * r, 4 * r, 5 * r, 6 * r, 8 * r, 9 * r}, 6);
    }
    act_tensor_free(w);
    act_tensor_free(x);
}

static void test_chain_of_views_by_hand(void **state)
{
    /* x [2,3] -> transpose [3,2] -> reshape [6] (a copy) -> slice step 2
     * [3] -> expand [2,3] -> select row 1. x^T flattened is x00 x10 x01
     * x11 x02 x12; every other one is x00, x01, x02, each of which gets 1
     * from the row kept and nothing from the row dropped. */
    act_tensor *x = make(F64, 2, (int64_t[]){2, 3},
                         (double[]){1, 2, 3, 4, 5, 6}, true);
    act_tensor *t = NULL, *r = NULL, *s = NULL, *e = NULL, *row = NULL;
    assert_int_equal(act_transpose(ctx, x, 0, 1, &t), ACT_OK);
    assert_int_equal(act_reshape(ctx, t, 1, (int64_t[]){6}, &r), ACT_OK);
    assert_int_equal(act_slice(ctx, r, 0, 0, 6, 2, &s), ACT_OK);
    assert_int_equal(act_expand(ctx, s, 2, (int64_t[]){2, 3}, &e), ACT_OK);
    assert_int_equal(act_select(ctx, e, 0, 1, &row), ACT_OK);
    double v[3];
    assert_int_equal(act_tensor_to_doubles(ctx, row, v), ACT_OK);
    assert_true(v[0] == 1 && v[1] == 2 && v[2] == 3);
    act_tensor_free(t);
    act_tensor_free(r);
    act_tensor_free(s);
    act_tensor_free(e);
    backward_sum(row);
    assert_grad(x, (double[]){1, 1, 1, 0, 0, 0}, 6);
    act_tensor_free(x);
}

static void test_index_modified_in_place(void **state)
{
    /* gather saves its index: changing it before the backward is caught
     * rather than sending gradients to the wrong elements. */
    act_tensor *x = leaf(1, (int64_t[]){3}), *y = NULL;
    act_tensor *ix = indices(ACT_DTYPE_I64, 1, (int64_t[]){2}, (double[]){0, 1});
    assert_int_equal(act_gather(ctx, x, 0, ix, &y), ACT_OK);
    assert_int_equal(act_tensor_set(ctx, ix, (int64_t[]){0}, 2), ACT_OK);
    act_tensor *s = NULL;
    assert_int_equal(act_sum(ctx, y, ALL, false, &s), ACT_OK);
    assert_int_equal(act_backward(ctx, s, NULL, false), ACT_E_STATE);
    assert_non_null(strstr(act_context_error(ctx), "'gather'"));
    assert_non_null(strstr(act_context_error(ctx), "modified in place"));
    act_tensor_free(s);
    act_tensor_free(y);
    act_tensor_free(ix);
    act_tensor_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_view_reshape_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permute_transpose_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slice_narrow_select_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expand_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_accumulates_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_select_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_select_accumulates_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cat_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cat_stack_many_pieces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stack_gradcheck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_of_a_leaf_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reshape_records_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_accumulate_into_base, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_of_views_by_hand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_modified_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

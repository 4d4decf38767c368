/*
 * test_index_gather.c — gather and index_select: values against hand-computed
 * results and naive element-by-element references written here, on contiguous
 * and transposed inputs, with every index dtype, and every error path by
 * status, argument position and message words.
 */
#define TEST_CTX_IN_STATE
#include "test_support.h"
#include "test_index_support.h"

/* A random integer in [0, n) from the context's seeded generator. */
static int64_t random_below(act_context *ctx, int64_t n)
{
    return (int64_t)(act_generator_next(act_context_generator(ctx)) %
                     (uint64_t)n);
}

/* ---------------------------------------------------------- references */

/* Naive gather: every output element read with act_tensor_get. */
static act_tensor *gather_ref(act_context *ctx, const act_tensor *x, int dim,
                              const act_tensor *index)
{
    int nd = act_tensor_dim(x);
    int d = dim < 0 ? dim + nd : dim;
    const int64_t *shape = act_tensor_shape(index);
    int64_t n = act_tensor_numel(index);
    double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    assert_non_null(v);
    int64_t idx[8] = {0}, src[8];
    for (int64_t k = 0; k < n; k++) {
        double j;
        assert_int_equal(act_tensor_get(ctx, index, idx, &j), ACT_OK);
        memcpy(src, idx, sizeof src);
        src[d] = (int64_t)j;
        assert_int_equal(act_tensor_get(ctx, x, src, &v[k]), ACT_OK);
        next_index(idx, nd, shape);
    }
    act_tensor *r = make(ctx, act_tensor_dtype(x), nd, shape, v);
    free(v);
    return r;
}

/* Naive index_select of a 1-d index. */
static act_tensor *index_select_ref(act_context *ctx, const act_tensor *x,
                                    int dim, const act_tensor *index)
{
    int nd = act_tensor_dim(x);
    int d = dim < 0 ? dim + nd : dim;
    int64_t shape[8];
    memcpy(shape, act_tensor_shape(x), sizeof(int64_t) * (size_t)nd);
    shape[d] = act_tensor_numel(index);
    int64_t n = 1;
    for (int i = 0; i < nd; i++)
        n *= shape[i];
    double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    assert_non_null(v);
    int64_t idx[8] = {0}, src[8];
    for (int64_t k = 0; k < n; k++) {
        double j;
        assert_int_equal(act_tensor_get(ctx, index, (int64_t[]){idx[d]}, &j),
                         ACT_OK);
        memcpy(src, idx, sizeof src);
        src[d] = (int64_t)j;
        assert_int_equal(act_tensor_get(ctx, x, src, &v[k]), ACT_OK);
        next_index(idx, nd, shape);
    }
    act_tensor *r = make(ctx, act_tensor_dtype(x), nd, shape, v);
    free(v);
    return r;
}

/* -------------------------------------------------------------- gather */

static void test_gather_by_hand(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = make(ctx, F32, 2, SHAPE(2, 2), VALUES(1, 2, 3, 4));
    act_tensor *i1 = make(ctx, I64, 2, SHAPE(2, 2), VALUES(0, 0, 1, 0));
    act_tensor *i0 = make(ctx, I64, 2, SHAPE(2, 2), VALUES(0, 1, 1, 0));
    act_tensor *y = NULL;
    /* PyTorch's documented example: dim 1 picks within each row. */
    assert_int_equal(act_gather(ctx, x, 1, i1, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 1, 4, 3));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_gather(ctx, x, -1, i1, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 1, 4, 3));
    act_tensor_free(y), y = NULL;
    /* dim 0 picks within each column. */
    assert_int_equal(act_gather(ctx, x, 0, i0, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 4, 3, 2));
    act_tensor_free(y), y = NULL;
    act_tensor_free(i0);
    /* An index smaller than x in the other dim and larger along dim. */
    act_tensor *i2 = make(ctx, F64, 2, SHAPE(1, 3), VALUES(1, 0, 1));
    assert_int_equal(act_gather(ctx, x, 1, i2, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(1, 3), VALUES(2, 1, 2));
    act_tensor_free(y), y = NULL;
    act_tensor_free(i2);
    act_tensor_free(i1);
    act_tensor_free(x);
}

static void test_gather_keeps_dtype(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = make(ctx, I64, 1, SHAPE(4), VALUES(10, 20, 30, -40));
    act_tensor *i = make(ctx, F32, 1, SHAPE(5), VALUES(3, 3, 0, 2, 1));
    act_tensor *y = NULL;
    assert_int_equal(act_gather(ctx, x, 0, i, &y), ACT_OK);
    expect_tensor(ctx, y, I64, 1, SHAPE(5), VALUES(-40, -40, 10, 30, 20));
    act_tensor_free(y), y = NULL;
    act_tensor *xd = make(ctx, F64, 1, SHAPE(2), VALUES(0.1, 1e300));
    act_tensor *i2 = make(ctx, I64, 1, SHAPE(2), VALUES(1, 0));
    assert_int_equal(act_gather(ctx, xd, 0, i2, &y), ACT_OK);
    expect_tensor(ctx, y, F64, 1, SHAPE(2), VALUES(1e300, 0.1));
    act_tensor_free(y), y = NULL;
    /* An empty index gives an empty result, whatever x holds. */
    act_tensor *e = NULL;
    assert_int_equal(act_empty(ctx, I64, 1, SHAPE(0), &e), ACT_OK);
    assert_int_equal(act_gather(ctx, xd, 0, e, &y), ACT_OK);
    expect_tensor(ctx, y, F64, 1, SHAPE(0), NULL);
    act_tensor_free(y);
    act_tensor_free(e), act_tensor_free(i2), act_tensor_free(xd);
    act_tensor_free(i), act_tensor_free(x);
}

static void test_gather_scalar(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = NULL, *i = NULL, *y = NULL;
    assert_int_equal(act_scalar(ctx, F32, 7.5, &x), ACT_OK);
    assert_int_equal(act_scalar(ctx, I64, 0, &i), ACT_OK);
    assert_int_equal(act_gather(ctx, x, 0, i, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 0, NULL, VALUES(7.5));
    act_tensor_free(y), act_tensor_free(i), act_tensor_free(x);
}

/* Random indices of every dtype, along every dim, on contiguous and
 * transposed x, against the naive reference. */
static void test_gather_against_reference(void **state)
{
    act_context *ctx = *state;
    act_manual_seed(ctx, 7);
    const act_dtype idx_types[] = {I64, F32, F64};
    for (int transpose = 0; transpose < 2; transpose++) {
        act_tensor *x = counting(ctx, F32, 3, SHAPE(3, 4, 5), 0.5);
        if (transpose)
            x = transposed(ctx, x, 0, 2); /* [5,4,3], non-contiguous */
        assert_int_equal(act_tensor_is_contiguous(x), !transpose);
        const int64_t *xs = act_tensor_shape(x);
        for (int dim = -1; dim < 3; dim++) {
            int d = dim < 0 ? 2 : dim;
            for (int t = 0; t < 3; t++) {
                /* Shorter than x in the other dims, longer along dim. */
                int64_t shape[3] = {xs[0] - 1, xs[1] - 1, xs[2] - 1};
                shape[d] = xs[d] + 2;
                int64_t n = shape[0] * shape[1] * shape[2];
                double v[200];
                assert_true(n <= 200);
                for (int64_t k = 0; k < n; k++)
                    v[k] = (double)random_below(ctx, xs[d]);
                act_tensor *index = make(ctx, idx_types[t], 3, shape, v);
                act_tensor *y = NULL;
                assert_int_equal(act_gather(ctx, x, dim, index, &y), ACT_OK);
                act_tensor *want = gather_ref(ctx, x, dim, index);
                expect_same(ctx, y, want);
                act_tensor_free(want), act_tensor_free(y);
                act_tensor_free(index);
            }
        }
        act_tensor_free(x);
    }
}

/* A transposed (non-contiguous) index is read in its logical order. */
static void test_gather_transposed_index(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = counting(ctx, F64, 2, SHAPE(3, 3), 0);
    act_tensor *i = make(ctx, I64, 2, SHAPE(3, 3),
                         VALUES(0, 1, 2, 2, 0, 1, 1, 2, 0));
    i = transposed(ctx, i, 0, 1); /* [[0,2,1],[1,0,2],[2,1,0]] */
    act_tensor *y = NULL;
    assert_int_equal(act_gather(ctx, x, 1, i, &y), ACT_OK);
    expect_tensor(ctx, y, F64, 2, SHAPE(3, 3),
                  VALUES(0, 2, 1, 4, 3, 5, 8, 7, 6));
    act_tensor_free(y), act_tensor_free(i), act_tensor_free(x);
}

static void test_gather_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = counting(ctx, F32, 2, SHAPE(2, 3), 0), *y = NULL;
    act_tensor *ok = make(ctx, I64, 2, SHAPE(1, 1), VALUES(0));
    act_status st = act_gather(ctx, x, 2, ok, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "gather", "dim 2 is out of range", y);

    act_tensor *flat = make(ctx, I64, 1, SHAPE(2), VALUES(0, 1));
    st = act_gather(ctx, x, 1, flat, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 3, "gather",
                 "index has 1 dims but x has 2", y);
    assert_non_null(strstr(act_context_error(ctx), "same rank"));

    act_tensor *wide = make(ctx, I64, 2, SHAPE(3, 1), VALUES(0, 0, 0));
    st = act_gather(ctx, x, 1, wide, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 3, "gather",
                 "index of shape [3,1] does not fit x of shape [2,3]", y);
    assert_non_null(strstr(act_context_error(ctx), "dim 0 has extent 3 > 2"));

    act_tensor *big = make(ctx, I64, 2, SHAPE(1, 2), VALUES(0, 3));
    st = act_gather(ctx, x, -1, big, &y);
    expect_error(ctx, st, ACT_E_INDEX, 3, "gather",
                 "index 3 is out of range for dim 1 of extent 3", y);

    act_tensor *neg = make(ctx, I64, 2, SHAPE(1, 1), VALUES(-1));
    st = act_gather(ctx, x, 0, neg, &y);
    expect_error(ctx, st, ACT_E_INDEX, 3, "gather",
                 "index -1 is out of range for dim 0 of extent 2", y);

    act_tensor *frac = make(ctx, F32, 2, SHAPE(1, 2), VALUES(1, 1.5));
    st = act_gather(ctx, x, 1, frac, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "gather", "index 1.5 is not an integer",
                 y);

    act_tensor *nan = make(ctx, F64, 2, SHAPE(1, 1), VALUES(NAN));
    st = act_gather(ctx, x, 1, nan, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "gather", "is not an integer", y);
    assert_non_null(strstr(act_context_error(ctx), "nan"));

    act_tensor *inf = make(ctx, F64, 2, SHAPE(1, 1), VALUES(INFINITY));
    st = act_gather(ctx, x, 1, inf, &y);
    expect_error(ctx, st, ACT_E_INDEX, 3, "gather",
                 "index inf is out of range", y);

    act_tensor *huge = make(ctx, F64, 2, SHAPE(1, 1), VALUES(1e300));
    st = act_gather(ctx, x, 1, huge, &y);
    expect_error(ctx, st, ACT_E_INDEX, 3, "gather",
                 "index 1.0000000000000001e+300 is out of range", y);

    act_tensor *s = NULL;
    assert_int_equal(act_scalar(ctx, F32, 1, &s), ACT_OK);
    st = act_gather(ctx, s, 1, s, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "gather",
                 "dim 1 is out of range for a 0-d tensor", y);

    act_tensor_free(s), act_tensor_free(huge), act_tensor_free(inf);
    act_tensor_free(nan), act_tensor_free(frac), act_tensor_free(neg);
    act_tensor_free(big), act_tensor_free(wide), act_tensor_free(flat);
    act_tensor_free(ok), act_tensor_free(x);
}

/* -------------------------------------------------------- index_select */

static void test_index_select_by_hand(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = counting(ctx, F32, 2, SHAPE(3, 4), 0);
    act_tensor *rows = make(ctx, I64, 1, SHAPE(3), VALUES(2, 0, 2));
    act_tensor *y = NULL;
    assert_int_equal(act_index_select(ctx, x, 0, rows, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 4),
                  VALUES(8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11));
    act_tensor_free(y), y = NULL;

    act_tensor *cols = make(ctx, F64, 1, SHAPE(2), VALUES(3, 1));
    assert_int_equal(act_index_select(ctx, x, 1, cols, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 2), VALUES(3, 1, 7, 5, 11, 9));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_index_select(ctx, x, -1, cols, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 2), VALUES(3, 1, 7, 5, 11, 9));
    act_tensor_free(y), y = NULL;

    /* A 0-d index keeps the dim, with extent 1 (PyTorch). */
    act_tensor *one = NULL;
    assert_int_equal(act_scalar(ctx, F32, 1, &one), ACT_OK);
    assert_int_equal(act_index_select(ctx, x, 0, one, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(1, 4), VALUES(4, 5, 6, 7));
    act_tensor_free(y), y = NULL;

    /* An empty index gives an empty dim. */
    act_tensor *none = NULL;
    assert_int_equal(act_empty(ctx, I64, 1, SHAPE(0), &none), ACT_OK);
    assert_int_equal(act_index_select(ctx, x, 1, none, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 0), NULL);
    act_tensor_free(y), y = NULL;

    /* A 0-d x takes one index, 0, and gives itself. */
    act_tensor *s = NULL, *zero = make(ctx, I64, 1, SHAPE(1), VALUES(0));
    assert_int_equal(act_scalar(ctx, I64, 42, &s), ACT_OK);
    assert_int_equal(act_index_select(ctx, s, 0, zero, &y), ACT_OK);
    expect_tensor(ctx, y, I64, 0, NULL, VALUES(42));
    act_tensor_free(y);

    act_tensor_free(s), act_tensor_free(zero), act_tensor_free(none);
    act_tensor_free(one), act_tensor_free(cols), act_tensor_free(rows);
    act_tensor_free(x);
}

/* Contiguous x takes the memcpy path, transposed x the strided one: both
 * against the reference, for every dim and index dtype. */
static void test_index_select_against_reference(void **state)
{
    act_context *ctx = *state;
    act_manual_seed(ctx, 11);
    const act_dtype idx_types[] = {I64, F32, F64};
    const act_dtype x_types[] = {F32, F64, I64};
    for (int transpose = 0; transpose < 2; transpose++) {
        for (int xt = 0; xt < 3; xt++) {
            act_tensor *x = counting(ctx, x_types[xt], 3, SHAPE(4, 3, 5), -7);
            if (transpose)
                x = transposed(ctx, x, 1, 2); /* [4,5,3] */
            for (int dim = -1; dim < 3; dim++) {
                int d = dim < 0 ? 2 : dim;
                int64_t extent = act_tensor_shape(x)[d];
                double v[7];
                for (int k = 0; k < 7; k++)
                    v[k] = (double)random_below(ctx, extent);
                act_tensor *index = make(ctx, idx_types[(dim + 1) % 3], 1,
                                         SHAPE(7), v);
                act_tensor *y = NULL;
                assert_int_equal(act_index_select(ctx, x, dim, index, &y),
                                 ACT_OK);
                assert_true(act_tensor_is_contiguous(y));
                act_tensor *want = index_select_ref(ctx, x, dim, index);
                expect_same(ctx, y, want);
                act_tensor_free(want), act_tensor_free(y);
                act_tensor_free(index);
            }
            act_tensor_free(x);
        }
    }
}

static void test_index_select_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = counting(ctx, F32, 2, SHAPE(3, 2), 0), *y = NULL;
    act_tensor *five = make(ctx, I64, 1, SHAPE(2), VALUES(0, 5));
    act_status st = act_index_select(ctx, x, 0, five, &y);
    expect_error(ctx, st, ACT_E_INDEX, 3, "index_select", "index 5", y);
    assert_string_equal(act_context_error(ctx),
                        "index_select: index 5 is out of range for dim 0 of "
                        "extent 3");

    act_tensor *frac = make(ctx, F32, 1, SHAPE(1), VALUES(2.5));
    st = act_index_select(ctx, x, 1, frac, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "index_select",
                 "index 2.5 is not an integer", y);

    act_tensor *grid = make(ctx, I64, 2, SHAPE(1, 2), VALUES(0, 1));
    st = act_index_select(ctx, x, 0, grid, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 3, "index_select",
                 "index must be 0-d or 1-d, got shape [1,2]", y);

    st = act_index_select(ctx, x, -3, five, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "index_select",
                 "dim -3 is out of range for a 2-d tensor", y);

    act_tensor *s = NULL;
    assert_int_equal(act_scalar(ctx, F32, 1, &s), ACT_OK);
    act_tensor *two = make(ctx, I64, 1, SHAPE(2), VALUES(0, 0));
    st = act_index_select(ctx, s, 0, two, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 3, "index_select",
                 "a 0-d x takes exactly one index, got 2", y);

    act_tensor_free(two), act_tensor_free(s), act_tensor_free(grid);
    act_tensor_free(frac), act_tensor_free(five), act_tensor_free(x);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_gather_by_hand),
        TEST(test_gather_keeps_dtype),
        TEST(test_gather_scalar),
        TEST(test_gather_against_reference),
        TEST(test_gather_transposed_index),
        TEST(test_gather_errors),
        TEST(test_index_select_by_hand),
        TEST(test_index_select_against_reference),
        TEST(test_index_select_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

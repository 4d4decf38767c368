/*
 * test_format.c — act_tensor_format: exact text for small tensors of each
 * dtype and rank, nan/inf, scientific notation, empty tensors, views printed
 * in logical order, line wrapping, and the "..." summary of large tensors.
 */
#define TEST_CTX_IN_STATE
#include "test_support.h"

static act_tensor *range(act_context *ctx, act_dtype dt, double n)
{
    act_tensor *t = NULL;
    assert_int_equal(act_arange(ctx, dt, 0, n, 1, &t), ACT_OK);
    return t;
}

/* t viewed as `shape`; t is released (the view keeps the storage). */
static act_tensor *viewed(act_context *ctx, act_tensor *t, int ndim,
                          const int64_t *shape)
{
    act_tensor *v = NULL;
    assert_int_equal(act_view(ctx, t, ndim, shape, &v), ACT_OK);
    act_tensor_free(t);
    return v;
}

/* The formatted text of t into *s (the caller frees it). The caller's own
 * variable receives it: GCC's -Wdangling-pointer mistakes a pointer that
 * came back through a local's address for that local. */
static void format(act_context *ctx, const act_tensor *t, char **s)
{
    *s = NULL;
    act_status st = act_tensor_format(ctx, t, s);
    if (st != ACT_OK)
        fail_msg("format failed: %s", act_context_error(ctx));
    assert_non_null(*s);
}

/* Formats t, compares with `want`, and releases t. */
static void expect_text(act_context *ctx, act_tensor *t, const char *want)
{
    char *s;
    format(ctx, t, &s);
    act_tensor_free(t);
    if (strcmp(s, want) != 0) {
        fprintf(stderr, "got:\n%s\nwant:\n%s\n", s, want);
        free(s);
        fail_msg("formatted text differs");
    }
    free(s);
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static size_t longest_line(const char *s)
{
    size_t best = 0;
    while (*s) {
        size_t n = strcspn(s, "\n");
        if (n > best)
            best = n;
        s += n + (s[n] == '\n');
    }
    return best;
}

/* ------------------------------------------------------------- small */

static void test_matrix_float32(void **state)
{
    act_context *ctx = *state;
    expect_text(ctx,
                make(ctx, F32, 2, SHAPE(2, 3),
                     VALUES(0.1235, -1.2, 3, 1, 2, 0.5)),
                "tensor([[ 0.1235, -1.2000,  3.0000],\n"
                "        [ 1.0000,  2.0000,  0.5000]], shape=[2,3], "
                "dtype=float32)");
}

static void test_scalars(void **state)
{
    act_context *ctx = *state;
    act_tensor *t = NULL;
    assert_int_equal(act_scalar(ctx, F32, 3.5, &t), ACT_OK);
    expect_text(ctx, t, "tensor(3.5000, shape=[], dtype=float32)");
    assert_int_equal(act_scalar(ctx, I64, -12, &t), ACT_OK);
    expect_text(ctx, t, "tensor(-12, shape=[], dtype=int64)");
    assert_int_equal(act_scalar(ctx, F64, NAN, &t), ACT_OK);
    expect_text(ctx, t, "tensor(nan, shape=[], dtype=float64)");
    assert_int_equal(act_scalar(ctx, F64, 1e-20, &t), ACT_OK);
    expect_text(ctx, t, "tensor(1.0000e-20, shape=[], dtype=float64)");
}

static void test_vector_float64(void **state)
{
    act_context *ctx = *state;
    expect_text(ctx, make(ctx, F64, 1, SHAPE(3), VALUES(1.5, -2.25, 100)),
                "tensor([  1.5000,  -2.2500, 100.0000], shape=[3], "
                "dtype=float64)");
    /* One element: no padding. */
    expect_text(ctx, make(ctx, F64, 1, SHAPE(1), VALUES(-0.5)),
                "tensor([-0.5000], shape=[1], dtype=float64)");
}

static void test_int64(void **state)
{
    act_context *ctx = *state;
    expect_text(ctx, make(ctx, I64, 2, SHAPE(2, 2), VALUES(1, -20, 300, 4)),
                "tensor([[  1, -20],\n"
                "        [300,   4]], shape=[2,2], dtype=int64)");
    /* The extremes of int64 print exactly. */
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    act_tensor *t = NULL;
    assert_int_equal(act_empty(ctx, I64, 1, SHAPE(2), &t), ACT_OK);
    memcpy(act_tensor_data(t), &lo, sizeof lo);
    memcpy((int64_t *)act_tensor_data(t) + 1, &hi, sizeof hi);
    expect_text(ctx, t,
                "tensor([-9223372036854775808,  9223372036854775807], "
                "shape=[2], dtype=int64)");
}

static void test_nan_inf(void **state)
{
    act_context *ctx = *state;
    /* -NAN has its sign bit set: printf could write "-nan". */
    expect_text(ctx,
                make(ctx, F32, 1, SHAPE(5), VALUES(NAN, INFINITY, -INFINITY,
                                                   1.0, -NAN)),
                "tensor([   nan,    inf,   -inf, 1.0000,    nan], shape=[5], "
                "dtype=float32)");
    /* Non-finite values do not push the others into scientific notation. */
    expect_text(ctx, make(ctx, F64, 1, SHAPE(2), VALUES(INFINITY, 12345.5)),
                "tensor([       inf, 12345.5000], shape=[2], dtype=float64)");
}

static void test_scientific(void **state)
{
    act_context *ctx = *state;
    /* Any value too small or too large switches every value. */
    expect_text(ctx, make(ctx, F64, 1, SHAPE(3), VALUES(1e-5, 2e8, 0)),
                "tensor([1.0000e-05, 2.0000e+08, 0.0000e+00], shape=[3], "
                "dtype=float64)");
    expect_text(ctx, make(ctx, F32, 1, SHAPE(2), VALUES(-1.5e10, 2)),
                "tensor([-1.5000e+10,  2.0000e+00], shape=[2], dtype=float32)");
    /* The bounds: 1e-4 and just under 1e8 stay fixed; zeros do too. */
    expect_text(ctx, make(ctx, F64, 1, SHAPE(3), VALUES(1e-4, 99999999, 0)),
                "tensor([       0.0001, 99999999.0000,        0.0000], "
                "shape=[3], dtype=float64)");
    expect_text(ctx, make(ctx, F64, 1, SHAPE(2), VALUES(1e8, 1)),
                "tensor([1.0000e+08, 1.0000e+00], shape=[2], dtype=float64)");
    expect_text(ctx, make(ctx, F64, 1, SHAPE(2), VALUES(-9.9e-5, 1)),
                "tensor([-9.9000e-05,  1.0000e+00], shape=[2], "
                "dtype=float64)");
}

static void test_empty(void **state)
{
    act_context *ctx = *state;
    act_tensor *t = NULL;
    assert_int_equal(act_zeros(ctx, F32, 2, SHAPE(0, 3), &t), ACT_OK);
    expect_text(ctx, t, "tensor([], shape=[0,3], dtype=float32)");
    assert_int_equal(act_zeros(ctx, I64, 1, SHAPE(0), &t), ACT_OK);
    expect_text(ctx, t, "tensor([], shape=[0], dtype=int64)");
    assert_int_equal(act_zeros(ctx, F64, 3, SHAPE(2, 0, 4), &t), ACT_OK);
    expect_text(ctx, t, "tensor([], shape=[2,0,4], dtype=float64)");
}

/* Matrices of a 3-d tensor are separated by a blank line, as in PyTorch. */
static void test_three_d(void **state)
{
    act_context *ctx = *state;
    expect_text(ctx, viewed(ctx, range(ctx, I64, 8), 3, SHAPE(2, 2, 2)),
                "tensor([[[0, 1],\n"
                "         [2, 3]],\n"
                "\n"
                "        [[4, 5],\n"
                "         [6, 7]]], shape=[2,2,2], dtype=int64)");
    expect_text(ctx, viewed(ctx, range(ctx, F32, 6), 3, SHAPE(3, 1, 2)),
                "tensor([[[0.0000, 1.0000]],\n"
                "\n"
                "        [[2.0000, 3.0000]],\n"
                "\n"
                "        [[4.0000, 5.0000]]], shape=[3,1,2], dtype=float32)");
}

/* --------------------------------------------------------------- views */

static void test_views_print_logical_order(void **state)
{
    act_context *ctx = *state;
    act_tensor *m = viewed(ctx, range(ctx, I64, 6), 2, SHAPE(2, 3));
    act_tensor *t = NULL;
    assert_int_equal(act_transpose(ctx, m, 0, 1, &t), ACT_OK);
    assert_false(act_tensor_is_contiguous(t));
    expect_text(ctx, t,
                "tensor([[0, 3],\n"
                "        [1, 4],\n"
                "        [2, 5]], shape=[3,2], dtype=int64)");
    /* An offset and a step: column 2, then every other element. */
    assert_int_equal(act_select(ctx, m, 1, 2, &t), ACT_OK);
    expect_text(ctx, t, "tensor([2, 5], shape=[2], dtype=int64)");
    act_tensor *flat = range(ctx, F64, 7);
    assert_int_equal(act_slice(ctx, flat, 0, 1, 7, 2, &t), ACT_OK);
    expect_text(ctx, t, "tensor([1.0000, 3.0000, 5.0000], shape=[3], "
                        "dtype=float64)");
    /* Stride 0: a broadcast row repeats. */
    act_tensor *row = make(ctx, F32, 2, SHAPE(1, 2), VALUES(7, -8));
    assert_int_equal(act_expand(ctx, row, 2, SHAPE(2, 2), &t), ACT_OK);
    expect_text(ctx, t,
                "tensor([[ 7.0000, -8.0000],\n"
                "        [ 7.0000, -8.0000]], shape=[2,2], dtype=float32)");
    act_tensor_free(row), act_tensor_free(flat), act_tensor_free(m);
}

/* ------------------------------------------------------- long tensors */

/* Long rows wrap before column 80, continuing under the first element. */
static void test_wrapping(void **state)
{
    act_context *ctx = *state;
    act_tensor *t = range(ctx, F64, 20);
    char *s;
    format(ctx, t, &s);
    act_tensor_free(t);
    const char *want =
        "tensor([ 0.0000,  1.0000,  2.0000,  3.0000,  4.0000,  5.0000,  "
        "6.0000,  7.0000,\n"
        "         8.0000,  9.0000, 10.0000, 11.0000, 12.0000, 13.0000, "
        "14.0000, 15.0000,\n"
        "        16.0000, 17.0000, 18.0000, 19.0000], shape=[20], "
        "dtype=float64)";
    assert_string_equal(s, want);
    free(s);
    /* The 9th element would end at column 80, leaving no room for its
     * comma: it goes to the next line. */
    t = viewed(ctx, range(ctx, F32, 9), 3, SHAPE(1, 1, 9));
    expect_text(ctx, t,
                "tensor([[[0.0000, 1.0000, 2.0000, 3.0000, 4.0000, 5.0000, "
                "6.0000, 7.0000,\n"
                "          8.0000]]], shape=[1,1,9], dtype=float32)");
    /* Inside a matrix too: no line of values passes 80 columns. */
    t = viewed(ctx, range(ctx, F32, 60), 2, SHAPE(2, 30));
    format(ctx, t, &s);
    act_tensor_free(t);
    const char *tail = strstr(s, "], shape=");
    assert_non_null(tail);
    size_t body = (size_t)(tail - s) + 1;
    char *values = strndup(s, body);
    assert_non_null(values);
    assert_true(longest_line(values) <= 80);
    assert_true(count(values, "\n") >= 4);
    assert_non_null(strstr(s, "59.0000]], shape=[2,30]"));
    free(values);
    free(s);
}

static void test_summary(void **state)
{
    act_context *ctx = *state;
    /* 1000 elements print in full, 1001 are summarised. */
    act_tensor *t = range(ctx, I64, 1000);
    char *s;
    format(ctx, t, &s);
    act_tensor_free(t);
    assert_null(strstr(s, "..."));
    assert_non_null(strstr(s, " 999]"));
    assert_int_equal(count(s, ","), 999 + 2);
    free(s);

    t = range(ctx, F32, 2000);
    expect_text(ctx, t,
                "tensor([   0.0000,    1.0000,    2.0000, ..., 1997.0000, "
                "1998.0000, 1999.0000], shape=[2000], dtype=float32)");

    /* A matrix keeps 3 rows and 3 columns at each end. */
    t = viewed(ctx, range(ctx, I64, 10000), 2, SHAPE(100, 100));
    expect_text(ctx, t,
                "tensor([[   0,    1,    2, ...,   97,   98,   99],\n"
                "        [ 100,  101,  102, ...,  197,  198,  199],\n"
                "        [ 200,  201,  202, ...,  297,  298,  299],\n"
                "        ...,\n"
                "        [9700, 9701, 9702, ..., 9797, 9798, 9799],\n"
                "        [9800, 9801, 9802, ..., 9897, 9898, 9899],\n"
                "        [9900, 9901, 9902, ..., 9997, 9998, 9999]], "
                "shape=[100,100], dtype=int64)");

    /* A big 4-d tensor stays short; small dims are not cut. */
    t = viewed(ctx, range(ctx, F64, 2 * 50 * 3 * 40), 4,
               SHAPE(2, 50, 3, 40));
    format(ctx, t, &s);
    act_tensor_free(t);
    assert_true(strlen(s) < 6000);
    assert_non_null(strstr(s, "..."));
    assert_non_null(strstr(s, "11999.0000]]]], shape=[2,50,3,40]"));
    /* One "..." per printed row (2 x 6 x 3) and one for the rows left out
     * of each of the 2 outer blocks. */
    assert_int_equal(count(s, "..."), 2 * 6 * 3 + 2);
    free(s);

    /* The width is taken over the printed elements only: a huge value
     * hidden in the middle does not widen the columns. */
    t = range(ctx, F64, 2000);
    double big = 1e30;
    memcpy((double *)act_tensor_data(t) + 1000, &big, sizeof big);
    format(ctx, t, &s);
    act_tensor_free(t);
    assert_null(strstr(s, "e+"));
    free(s);
}

/* A tensor the context did not fail on leaves no error behind. */
static void test_format_leaves_no_error(void **state)
{
    act_context *ctx = *state;
    act_tensor *t = make(ctx, F32, 1, SHAPE(2), VALUES(1, 2));
    char *s;
    format(ctx, t, &s);
    assert_int_equal(act_context_status(ctx), ACT_OK);
    assert_string_equal(act_context_error(ctx), "");
    free(s);
    act_tensor_free(t);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_matrix_float32),
        TEST(test_scalars),
        TEST(test_vector_float64),
        TEST(test_int64),
        TEST(test_nan_inf),
        TEST(test_scientific),
        TEST(test_empty),
        TEST(test_three_d),
        TEST(test_views_print_logical_order),
        TEST(test_wrapping),
        TEST(test_summary),
        TEST(test_format_leaves_no_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

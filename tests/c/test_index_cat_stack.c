/*
 * test_index_cat_stack.c — cat and stack: values against hand-computed
 * results and naive element-by-element references written here, on
 * contiguous and transposed inputs of mixed dtypes, PyTorch's legacy-empty
 * rule for cat, and every error path by status, argument position and words.
 */
#define TEST_CTX_IN_STATE
#include "test_support.h"
#include "test_index_support.h"

/* ---------------------------------------------------------- references */

/* Naive cat (no legacy-empty tensors): each output element found by
 * walking the inputs' extents along dim. */
static act_tensor *cat_ref(act_context *ctx, int n, act_tensor *const *ts,
                           int dim, act_dtype dtype)
{
    int nd = act_tensor_dim(ts[0]);
    int d = dim < 0 ? dim + nd : dim;
    int64_t shape[8];
    memcpy(shape, act_tensor_shape(ts[0]), sizeof(int64_t) * (size_t)nd);
    shape[d] = 0;
    for (int i = 0; i < n; i++)
        shape[d] += act_tensor_shape(ts[i])[d];
    int64_t total = 1;
    for (int i = 0; i < nd; i++)
        total *= shape[i];
    double *v = malloc(sizeof *v * (size_t)(total > 0 ? total : 1));
    assert_non_null(v);
    int64_t idx[8] = {0}, src[8];
    for (int64_t k = 0; k < total; k++) {
        memcpy(src, idx, sizeof src);
        int i = 0;
        while (src[d] >= act_tensor_shape(ts[i])[d])
            src[d] -= act_tensor_shape(ts[i++])[d];
        assert_int_equal(act_tensor_get(ctx, ts[i], src, &v[k]), ACT_OK);
        next_index(idx, nd, shape);
    }
    act_tensor *r = make(ctx, dtype, nd, shape, v);
    free(v);
    return r;
}

/* Naive stack: output[..., i at dim, ...] = ts[i][...]. */
static act_tensor *stack_ref(act_context *ctx, int n, act_tensor *const *ts,
                             int dim, act_dtype dtype)
{
    int nd = act_tensor_dim(ts[0]);
    int d = dim < 0 ? dim + nd + 1 : dim;
    int64_t shape[8];
    for (int k = 0, j = 0; k <= nd; k++)
        shape[k] = k == d ? n : act_tensor_shape(ts[0])[j++];
    int64_t total = 1;
    for (int i = 0; i <= nd; i++)
        total *= shape[i];
    double *v = malloc(sizeof *v * (size_t)(total > 0 ? total : 1));
    assert_non_null(v);
    int64_t idx[8] = {0}, src[8];
    for (int64_t k = 0; k < total; k++) {
        for (int q = 0, j = 0; q <= nd; q++)
            if (q != d)
                src[j++] = idx[q];
        assert_int_equal(act_tensor_get(ctx, ts[idx[d]], src, &v[k]), ACT_OK);
        next_index(idx, nd + 1, shape);
    }
    act_tensor *r = make(ctx, dtype, nd + 1, shape, v);
    free(v);
    return r;
}

/* ----------------------------------------------------------------- cat */

static void test_cat_by_hand(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = make(ctx, F32, 2, SHAPE(1, 2), VALUES(1, 2));
    act_tensor *b = make(ctx, F32, 2, SHAPE(2, 2), VALUES(3, 4, 5, 6));
    act_tensor *y = NULL;
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){a, b}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 2), VALUES(1, 2, 3, 4, 5, 6));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){b, a}, -2, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(3, 2), VALUES(3, 4, 5, 6, 1, 2));
    act_tensor_free(y), y = NULL;

    act_tensor *c = make(ctx, F32, 2, SHAPE(2, 1), VALUES(7, 8));
    assert_int_equal(act_cat(ctx, 3, (const act_tensor *[]){c, b, c}, 1, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 4),
                  VALUES(7, 3, 4, 7, 8, 5, 6, 8));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){b, c}, -1, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 3), VALUES(3, 4, 7, 5, 6, 8));
    act_tensor_free(y), y = NULL;

    /* One tensor: a copy, not the same storage. */
    assert_int_equal(act_cat(ctx, 1, (const act_tensor *[]){b}, 0, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(3, 4, 5, 6));
    assert_false(act_tensor_shares_storage(y, b));
    act_tensor_free(y);
    act_tensor_free(c), act_tensor_free(b), act_tensor_free(a);
}

static void test_cat_dtypes(void **state)
{
    act_context *ctx = *state;
    act_tensor *f = make(ctx, F32, 1, SHAPE(2), VALUES(0.5, 1.5));
    act_tensor *d = make(ctx, F64, 1, SHAPE(1), VALUES(0.1));
    act_tensor *i = make(ctx, I64, 1, SHAPE(2), VALUES(-3, 4));
    act_tensor *y = NULL;
    assert_int_equal(act_cat(ctx, 3, (const act_tensor *[]){f, d, i}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F64, 1, SHAPE(5), VALUES(0.5, 1.5, 0.1, -3, 4));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){i, f}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 1, SHAPE(4), VALUES(-3, 4, 0.5, 1.5));
    act_tensor_free(y), y = NULL;
    /* Indices joined stay indices. */
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){i, i}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, I64, 1, SHAPE(4), VALUES(-3, 4, -3, 4));
    act_tensor_free(y), y = NULL;
    act_tensor_free(i), act_tensor_free(d), act_tensor_free(f);
}

/* PyTorch's legacy rule: 1-d tensors of extent 0 are skipped, whatever the
 * others' rank, though their dtype still counts. */
static void test_cat_skips_legacy_empty(void **state)
{
    act_context *ctx = *state;
    act_tensor *e = NULL, *e2 = NULL, *y = NULL;
    assert_int_equal(act_empty(ctx, F64, 1, SHAPE(0), &e), ACT_OK);
    assert_int_equal(act_empty(ctx, F32, 1, SHAPE(0), &e2), ACT_OK);
    act_tensor *m = make(ctx, F32, 2, SHAPE(1, 2), VALUES(1, 2));
    assert_int_equal(act_cat(ctx, 4, (const act_tensor *[]){e, m, e2, m}, 1,
                             &y),
                     ACT_OK);
    expect_tensor(ctx, y, F64, 2, SHAPE(1, 4), VALUES(1, 2, 1, 2));
    act_tensor_free(y), y = NULL;
    /* Only empty tensors: an empty [0]. */
    assert_int_equal(act_cat(ctx, 2, (const act_tensor *[]){e2, e2}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 1, SHAPE(0), NULL);
    act_tensor_free(y), y = NULL;
    /* Empty tensors of another shape are joined like any other. */
    act_tensor *z = NULL;
    assert_int_equal(act_empty(ctx, F32, 2, SHAPE(0, 2), &z), ACT_OK);
    assert_int_equal(act_cat(ctx, 3, (const act_tensor *[]){z, m, z}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(1, 2), VALUES(1, 2));
    act_tensor_free(y);
    act_tensor_free(z), act_tensor_free(m), act_tensor_free(e2);
    act_tensor_free(e);
}

static void test_cat_against_reference(void **state)
{
    act_context *ctx = *state;
    for (int dim = -1; dim < 3; dim++) {
        int d = dim < 0 ? 2 : dim;
        act_tensor *ts[3];
        int64_t extents[3] = {2, 1, 3};
        for (int i = 0; i < 3; i++) {
            /* Built as [c,b,a] and transposed to [a,b,c]: non-contiguous. */
            int64_t shape[3] = {2, 3, 4};
            shape[d] = extents[i];
            act_dtype dt = i == 1 ? F64 : F32;
            ts[i] = counting(ctx, dt, 3, SHAPE(shape[2], shape[1], shape[0]),
                             100.0 * i);
            ts[i] = transposed(ctx, ts[i], 0, 2);
            assert_false(act_tensor_is_contiguous(ts[i]));
        }
        act_tensor *y = NULL;
        assert_int_equal(act_cat(ctx, 3, (const act_tensor *const *)ts, dim,
                                 &y),
                         ACT_OK);
        act_tensor *want = cat_ref(ctx, 3, ts, dim, F64);
        expect_same(ctx, y, want);
        act_tensor_free(want), act_tensor_free(y);
        for (int i = 0; i < 3; i++)
            act_tensor_free(ts[i]);
    }
}

static void test_cat_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = counting(ctx, F32, 2, SHAPE(2, 5), 0), *y = NULL;
    act_tensor *b = counting(ctx, F32, 2, SHAPE(3, 5), 0);
    act_tensor *c = counting(ctx, F32, 2, SHAPE(2, 4), 0);
    act_tensor *v = counting(ctx, F32, 1, SHAPE(5), 0);
    act_tensor *s = NULL;
    assert_int_equal(act_scalar(ctx, F32, 1, &s), ACT_OK);

    act_status st = act_cat(ctx, 0, (const act_tensor *[]){a}, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 1, "cat",
                 "at least one tensor is needed, got 0", y);
    st = act_cat(ctx, 1, NULL, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "cat", "NULL", y);
    st = act_cat(ctx, 2, (const act_tensor *[]){a, NULL}, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "cat", "the 2nd tensor is NULL", y);

    st = act_cat(ctx, 3, (const act_tensor *[]){a, a, c}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "cat",
                 "the 3rd tensor has shape [2,4] but the 1st has [2,5] (only "
                 "the joined dim may differ)", y);
    /* Along dim 1 the same tensors join. */
    st = act_cat(ctx, 3, (const act_tensor *[]){a, a, c}, 1, &y);
    assert_int_equal(st, ACT_OK);
    assert_int_equal(act_tensor_shape(y)[1], 14);
    act_tensor_free(y), y = NULL;
    /* Along dim 0 the extents of dim 0 may differ, not those of dim 1. */
    st = act_cat(ctx, 2, (const act_tensor *[]){a, b}, 0, &y);
    assert_int_equal(st, ACT_OK);
    act_tensor_free(y), y = NULL;
    st = act_cat(ctx, 2, (const act_tensor *[]){a, b}, 1, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "cat",
                 "the 2nd tensor has shape [3,5] but the 1st has [2,5]", y);

    st = act_cat(ctx, 2, (const act_tensor *[]){a, v}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "cat",
                 "the 2nd tensor has 1 dims but the 1st has 2", y);
    st = act_cat(ctx, 2, (const act_tensor *[]){s, s}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "cat",
                 "the 1st tensor is 0-d and cannot be concatenated", y);
    st = act_cat(ctx, 2, (const act_tensor *[]){v, s}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "cat", "the 2nd tensor is 0-d", y);

    st = act_cat(ctx, 2, (const act_tensor *[]){a, a}, 2, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "cat", "dim 2 is out of range", y);
    act_tensor *e = NULL;
    assert_int_equal(act_empty(ctx, F32, 1, SHAPE(0), &e), ACT_OK);
    st = act_cat(ctx, 1, (const act_tensor *[]){e}, 1, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "cat", "dim 1 is out of range", y);

    /* Empty tensors may have huge extents; their sum must not wrap. */
    act_tensor *h = NULL;
    assert_int_equal(act_empty(ctx, F32, 2, SHAPE(0, INT64_MAX / 2 + 1), &h),
                     ACT_OK);
    st = act_cat(ctx, 2, (const act_tensor *[]){h, h}, 1, &y);
    expect_error(ctx, st, ACT_E_NOMEM, 2, "cat",
                 "the joined extent of dim 1 overflows", y);

    act_tensor_free(h);
    act_tensor_free(e), act_tensor_free(s), act_tensor_free(v);
    act_tensor_free(c), act_tensor_free(b), act_tensor_free(a);
}

/* --------------------------------------------------------------- stack */

static void test_stack_by_hand(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = make(ctx, F32, 1, SHAPE(2), VALUES(1, 2));
    act_tensor *b = make(ctx, F32, 1, SHAPE(2), VALUES(3, 4));
    const act_tensor *ab[] = {a, b};
    act_tensor *y = NULL;
    assert_int_equal(act_stack(ctx, 2, ab, 0, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 2, 3, 4));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_stack(ctx, 2, ab, 1, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 3, 2, 4));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_stack(ctx, 2, ab, -1, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 3, 2, 4));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_stack(ctx, 2, ab, -2, &y), ACT_OK);
    expect_tensor(ctx, y, F32, 2, SHAPE(2, 2), VALUES(1, 2, 3, 4));
    act_tensor_free(y), y = NULL;

    /* 0-d tensors stack into a vector; dtypes promote. */
    act_tensor *s = NULL, *t = NULL;
    assert_int_equal(act_scalar(ctx, I64, 5, &s), ACT_OK);
    assert_int_equal(act_scalar(ctx, F64, 0.25, &t), ACT_OK);
    assert_int_equal(act_stack(ctx, 3, (const act_tensor *[]){s, t, s}, 0, &y),
                     ACT_OK);
    expect_tensor(ctx, y, F64, 1, SHAPE(3), VALUES(5, 0.25, 5));
    act_tensor_free(y), y = NULL;
    assert_int_equal(act_stack(ctx, 2, (const act_tensor *[]){s, s}, -1, &y),
                     ACT_OK);
    expect_tensor(ctx, y, I64, 1, SHAPE(2), VALUES(5, 5));
    act_tensor_free(y);
    act_tensor_free(t), act_tensor_free(s);
    act_tensor_free(b), act_tensor_free(a);
}

static void test_stack_against_reference(void **state)
{
    act_context *ctx = *state;
    for (int dim = -3; dim < 3; dim++) {
        act_tensor *ts[4];
        for (int i = 0; i < 4; i++) {
            ts[i] = counting(ctx, i == 2 ? I64 : F32, 2, SHAPE(4, 3),
                             10.0 * i);
            if (i % 2)
                ts[i] = transposed(ctx, ts[i], 0, 1); /* [3,4] */
            else { /* contiguous [3,4] */
                act_tensor *v = NULL;
                assert_int_equal(act_reshape(ctx, ts[i], 2, SHAPE(3, 4), &v),
                                 ACT_OK);
                act_tensor_free(ts[i]);
                ts[i] = v;
            }
        }
        act_tensor *y = NULL;
        assert_int_equal(act_stack(ctx, 4, (const act_tensor *const *)ts, dim,
                                   &y),
                         ACT_OK);
        act_tensor *want = stack_ref(ctx, 4, ts, dim, F32);
        expect_same(ctx, y, want);
        act_tensor_free(want), act_tensor_free(y);
        for (int i = 0; i < 4; i++)
            act_tensor_free(ts[i]);
    }
}

static void test_stack_errors(void **state)
{
    act_context *ctx = *state;
    act_tensor *a = counting(ctx, F32, 2, SHAPE(2, 3), 0), *y = NULL;
    act_tensor *b = counting(ctx, F32, 2, SHAPE(3, 2), 0);
    act_tensor *v = counting(ctx, F32, 1, SHAPE(6), 0);

    act_status st = act_stack(ctx, 0, (const act_tensor *[]){a}, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 1, "stack", "at least one tensor", y);
    st = act_stack(ctx, 2, (const act_tensor *[]){NULL, a}, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "stack", "the 1st tensor is NULL", y);
    st = act_stack(ctx, 3, (const act_tensor *[]){a, a, b}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "stack",
                 "the 3rd tensor has shape [3,2] but the 1st has [2,3]", y);
    assert_non_null(strstr(act_context_error(ctx), "same shape"));
    st = act_stack(ctx, 2, (const act_tensor *[]){a, v}, 0, &y);
    expect_error(ctx, st, ACT_E_SHAPE, 2, "stack",
                 "the 2nd tensor has shape [6] but the 1st has [2,3]", y);
    st = act_stack(ctx, 2, (const act_tensor *[]){a, a}, 3, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "stack",
                 "dim 3 is out of range for a 3-d tensor", y);
    st = act_stack(ctx, 2, (const act_tensor *[]){a, a}, -4, &y);
    expect_error(ctx, st, ACT_E_ARG, 3, "stack", "dim -4 is out of range", y);

    act_tensor *full = NULL;
    assert_int_equal(act_zeros(ctx, F32, 8, SHAPE(1, 1, 1, 1, 1, 1, 1, 1),
                               &full),
                     ACT_OK);
    st = act_stack(ctx, 1, (const act_tensor *[]){full}, 0, &y);
    expect_error(ctx, st, ACT_E_ARG, 2, "stack", "most a tensor can have (8)",
                 y);

    act_tensor_free(full), act_tensor_free(v), act_tensor_free(b);
    act_tensor_free(a);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_cat_by_hand),
        TEST(test_cat_dtypes),
        TEST(test_cat_skips_legacy_empty),
        TEST(test_cat_against_reference),
        TEST(test_cat_errors),
        TEST(test_stack_by_hand),
        TEST(test_stack_against_reference),
        TEST(test_stack_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

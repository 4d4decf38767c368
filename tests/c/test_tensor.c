/*
 * test_tensor.c — tensors, storage sharing, views, copies, conversions,
 * creation, the generator, and the errors these report.
 */
#include "test_support.h"

static act_tensor *arange(int64_t n, act_dtype dtype)
{
    act_tensor *t = NULL;
    assert_int_equal(act_arange(ctx, dtype, 0, (double)n, 1, &t), ACT_OK);
    return t;
}

static void test_create_and_describe(void **state)
{
    act_tensor *t = NULL;
    int64_t shape[3] = {2, 3, 4};
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F64, 3, shape, &t), ACT_OK);
    assert_int_equal(act_tensor_dim(t), 3);
    assert_int_equal(act_tensor_numel(t), 24);
    assert_int_equal(act_tensor_size(t, -1), 4);
    assert_int_equal(act_tensor_size(t, 3), -1);
    assert_int_equal(act_tensor_strides(t)[0], 12);
    assert_true(act_tensor_is_contiguous(t));
    assert_true(act_context_live_bytes(ctx) >= 24 * sizeof(double)); /* + headers */
    double v;
    int64_t idx[3] = {1, 2, 3};
    assert_int_equal(act_tensor_set(ctx, t, idx, 7.5), ACT_OK);
    assert_int_equal(act_tensor_get(ctx, t, idx, &v), ACT_OK);
    assert_true(v == 7.5);
    idx[2] = 4;
    assert_int_equal(act_tensor_get(ctx, t, idx, &v), ACT_E_INDEX);
    assert_non_null(strstr(act_context_error(ctx), "[2,3,4]"));
    act_tensor_free(t);
}

static void test_full_ones_eye_linspace(void **state)
{
    act_tensor *t = NULL;
    double d[6];
    int64_t shape[2] = {2, 3};
    assert_int_equal(act_full(ctx, ACT_DTYPE_F32, 2, shape, 2.5, &t), ACT_OK);
    values(t, d);
    for (int i = 0; i < 6; i++)
        assert_true(d[i] == 2.5);
    act_tensor_free(t);
    assert_int_equal(act_eye(ctx, ACT_DTYPE_F64, 2, 3, &t), ACT_OK);
    values(t, d);
    double eye[6] = {1, 0, 0, 0, 1, 0};
    assert_memory_equal(d, eye, sizeof eye);
    act_tensor_free(t);
    assert_int_equal(act_linspace(ctx, ACT_DTYPE_F64, -1, 1, 5, &t), ACT_OK);
    values(t, d);
    double lin[5] = {-1, -0.5, 0, 0.5, 1};
    assert_memory_equal(d, lin, sizeof lin);
    act_tensor_free(t);
}

static void test_bad_shapes(void **state)
{
    act_tensor *t = NULL;
    int64_t neg[2] = {2, -1}, huge[2] = {1000000000000LL, 1000000000000LL};
    int64_t empty[3] = {0, INT64_MAX / 2, 5};
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 2, neg, &t), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "negative"));
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 2, huge, &t), ACT_E_NOMEM);
    assert_non_null(strstr(act_context_error(ctx), "zeros:"));
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 9, neg, &t), ACT_E_ARG);
    assert_null(t);
    /* An empty tensor is fine, whatever its other extents. */
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 3, empty, &t), ACT_OK);
    assert_int_equal(act_tensor_numel(t), 0);
    act_tensor_free(t);
}

static void test_views_share_storage(void **state)
{
    act_tensor *t = arange(24, ACT_DTYPE_F32), *v = NULL, *tr = NULL, *s = NULL;
    int64_t shape[3] = {2, 3, 4};
    assert_int_equal(act_view(ctx, t, 3, shape, &v), ACT_OK);
    assert_true(act_tensor_shares_storage(t, v));
    assert_int_equal(act_transpose(ctx, v, 0, 2, &tr), ACT_OK);
    assert_int_equal(act_tensor_size(tr, 0), 4);
    assert_false(act_tensor_is_contiguous(tr));
    double x;
    int64_t idx[3] = {3, 1, 0}; /* tr[3][1][0] = v[0][1][3] = 7 */
    assert_int_equal(act_tensor_get(ctx, tr, idx, &x), ACT_OK);
    assert_true(x == 7);
    assert_int_equal(act_select(ctx, v, 1, -1, &s), ACT_OK); /* v[:, 2, :] */
    assert_int_equal(act_tensor_dim(s), 2);
    int64_t i2[2] = {1, 0};
    assert_int_equal(act_tensor_set(ctx, s, i2, 100), ACT_OK);
    int64_t i3[3] = {1, 2, 0};
    assert_int_equal(act_tensor_get(ctx, v, i3, &x), ACT_OK);
    assert_true(x == 100);
    act_tensor_free(t); /* the views keep the storage */
    assert_int_equal(act_tensor_get(ctx, s, i2, &x), ACT_OK);
    act_tensor_free(v);
    act_tensor_free(tr);
    act_tensor_free(s);
}

static void test_view_needs_reshape(void **state)
{
    act_tensor *t = arange(6, ACT_DTYPE_F64), *m = NULL, *tr = NULL, *r = NULL;
    int64_t s23[2] = {2, 3}, flat = -1;
    assert_int_equal(act_view(ctx, t, 2, s23, &m), ACT_OK);
    assert_int_equal(act_transpose(ctx, m, 0, 1, &tr), ACT_OK);
    assert_int_equal(act_view(ctx, tr, 1, &flat, &r), ACT_E_SHAPE);
    assert_non_null(strstr(act_context_error(ctx), "reshape"));
    assert_int_equal(act_reshape(ctx, tr, 1, &flat, &r), ACT_OK);
    double d[6], want[6] = {0, 3, 1, 4, 2, 5};
    values(r, d);
    assert_memory_equal(d, want, sizeof want);
    assert_false(act_tensor_shares_storage(r, t));
    act_tensor_free(r);
    /* A transposed tensor can still be viewed along unchanged dims. */
    int64_t s3[3] = {3, 2, 1};
    assert_int_equal(act_view(ctx, tr, 3, s3, &r), ACT_OK);
    act_tensor_free(r);
    int64_t bad[2] = {4, -1};
    assert_int_equal(act_view(ctx, t, 2, bad, &r), ACT_E_SHAPE);
    assert_non_null(strstr(act_context_error(ctx), "[4,-1]"));
    act_tensor_free(t);
    act_tensor_free(m);
    act_tensor_free(tr);
}

static void test_narrow_slice_expand_squeeze(void **state)
{
    act_tensor *t = arange(10, ACT_DTYPE_F32), *n = NULL, *s = NULL;
    double d[10];
    assert_int_equal(act_narrow(ctx, t, 0, 2, 3, &n), ACT_OK);
    values(n, d);
    assert_true(d[0] == 2 && d[2] == 4);
    assert_int_equal(act_narrow(ctx, t, 0, 8, 3, &s), ACT_E_INDEX);
    assert_int_equal(act_slice(ctx, t, 0, 1, 100, 3, &s), ACT_OK);
    assert_int_equal(act_tensor_numel(s), 3); /* 1, 4, 7 */
    values(s, d);
    assert_true(d[0] == 1 && d[1] == 4 && d[2] == 7);
    act_tensor_free(s);

    act_tensor *u = NULL, *e = NULL, *q = NULL;
    assert_int_equal(act_unsqueeze(ctx, n, 1, &u), ACT_OK); /* [3,1] */
    int64_t to[3] = {2, 3, 4};
    assert_int_equal(act_expand(ctx, u, 3, to, &e), ACT_OK);
    assert_int_equal(act_tensor_strides(e)[0], 0);
    assert_int_equal(act_tensor_strides(e)[2], 0);
    int64_t idx[3] = {1, 2, 3};
    double x;
    assert_int_equal(act_tensor_get(ctx, e, idx, &x), ACT_OK);
    assert_true(x == 4);
    int64_t bad[2] = {2, 5};
    act_tensor *b = NULL;
    assert_int_equal(act_expand(ctx, u, 2, bad, &b), ACT_E_SHAPE);
    assert_non_null(strstr(act_context_error(ctx), "[3,1]"));
    assert_int_equal(act_squeeze(ctx, u, ACT_ALL_DIMS, &q), ACT_OK);
    assert_int_equal(act_tensor_dim(q), 1);
    act_tensor_free(q);
    assert_int_equal(act_squeeze(ctx, u, 0, &q), ACT_OK); /* extent 3: kept */
    assert_int_equal(act_tensor_dim(q), 2);
    act_tensor_free(q);
    act_tensor_free(t);
    act_tensor_free(n);
    act_tensor_free(u);
    act_tensor_free(e);
}

static void test_permute(void **state)
{
    act_tensor *t = arange(24, ACT_DTYPE_F32), *v = NULL, *p = NULL;
    int64_t shape[3] = {2, 3, 4};
    assert_int_equal(act_view(ctx, t, 3, shape, &v), ACT_OK);
    int perm[3] = {2, 0, 1}, dup[3] = {0, 0, 1};
    assert_int_equal(act_permute(ctx, v, 3, perm, &p), ACT_OK);
    assert_int_equal(act_tensor_size(p, 0), 4);
    assert_int_equal(act_tensor_size(p, 1), 2);
    double x;
    int64_t idx[3] = {3, 1, 2}; /* v[1][2][3] = 23 */
    assert_int_equal(act_tensor_get(ctx, p, idx, &x), ACT_OK);
    assert_true(x == 23);
    act_tensor_free(p);
    assert_int_equal(act_permute(ctx, v, 3, dup, &p), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "twice"));
    act_tensor_free(t);
    act_tensor_free(v);
}

static void test_copy_and_convert(void **state)
{
    act_tensor *src = arange(3, ACT_DTYPE_F64), *dst = NULL, *c = NULL;
    int64_t shape[2] = {2, 3};
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 2, shape, &dst), ACT_OK);
    assert_int_equal(act_copy_(ctx, dst, src), ACT_OK); /* broadcast rows */
    double d[6], want[6] = {0, 1, 2, 0, 1, 2};
    values(dst, d);
    assert_memory_equal(d, want, sizeof want);
    int64_t two = 2;
    act_tensor *small = NULL;
    assert_int_equal(act_zeros(ctx, ACT_DTYPE_F32, 1, &two, &small), ACT_OK);
    assert_int_equal(act_copy_(ctx, small, dst), ACT_E_SHAPE);
    act_tensor_free(small);

    /* Overlapping copy: shift a vector by one through views of itself. */
    act_tensor *a = arange(5, ACT_DTYPE_F32), *lo = NULL, *hi = NULL;
    assert_int_equal(act_narrow(ctx, a, 0, 0, 4, &lo), ACT_OK);
    assert_int_equal(act_narrow(ctx, a, 0, 1, 4, &hi), ACT_OK);
    assert_int_equal(act_copy_(ctx, hi, lo), ACT_OK);
    double s[5], shifted[5] = {0, 0, 1, 2, 3};
    values(a, s);
    assert_memory_equal(s, shifted, sizeof shifted);

    /* Float to int64 truncates; NaN is refused. */
    act_tensor *f = NULL;
    double vals[3] = {1.9, -1.9, NAN};
    int64_t three = 3;
    assert_int_equal(act_from_doubles(ctx, ACT_DTYPE_F64, 1, &two, vals, &f), ACT_OK);
    assert_int_equal(act_to_dtype(ctx, f, ACT_DTYPE_I64, &c), ACT_OK);
    values(c, d);
    assert_true(d[0] == 1 && d[1] == -1);
    act_tensor_free(c);
    act_tensor_free(f);
    assert_int_equal(act_from_doubles(ctx, ACT_DTYPE_F64, 1, &three, vals, &f), ACT_OK);
    assert_int_equal(act_to_dtype(ctx, f, ACT_DTYPE_I64, &c), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "NaN"));
    assert_int_equal(act_from_doubles(ctx, ACT_DTYPE_I64, 1, &three, vals, &c), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "1.9"));
    act_tensor_free(f);
    act_tensor_free(a);
    act_tensor_free(lo);
    act_tensor_free(hi);
    act_tensor_free(src);
    act_tensor_free(dst);
}

static void test_contiguous_clone(void **state)
{
    act_tensor *t = arange(6, ACT_DTYPE_F32), *m = NULL, *tr = NULL, *c = NULL;
    int64_t shape[2] = {2, 3};
    assert_int_equal(act_view(ctx, t, 2, shape, &m), ACT_OK);
    assert_int_equal(act_contiguous(ctx, m, &c), ACT_OK);
    assert_ptr_equal(c, m); /* already contiguous: the same tensor */
    act_tensor_free(c);
    assert_int_equal(act_transpose(ctx, m, 0, 1, &tr), ACT_OK);
    assert_int_equal(act_contiguous(ctx, tr, &c), ACT_OK);
    assert_true(act_tensor_is_contiguous(c));
    assert_false(act_tensor_shares_storage(c, t));
    double d[6], want[6] = {0, 3, 1, 4, 2, 5};
    values(c, d);
    assert_memory_equal(d, want, sizeof want);
    act_tensor_free(c);
    act_tensor_free(tr);
    act_tensor_free(m);
    act_tensor_free(t);
}

/* Same seed, same bits; the stream matches an independent implementation
 * (tests/ref/xoshiro_reference.py, seed 42). */
static void test_generator(void **state)
{
    act_generator *g = act_generator_new(42);
    assert_true(act_generator_uniform(g) == 0.08386297105988216);
    assert_true(act_generator_uniform(g) == 0.3789802506626686);
    act_generator_free(g);
    act_tensor *a = NULL, *b = NULL;
    int64_t n = 1001;
    act_manual_seed(ctx, 9);
    assert_int_equal(act_randn(ctx, ACT_DTYPE_F32, 1, &n, NULL, &a), ACT_OK);
    act_manual_seed(ctx, 9);
    assert_int_equal(act_randn(ctx, ACT_DTYPE_F32, 1, &n, NULL, &b), ACT_OK);
    assert_memory_equal(act_tensor_data(a), act_tensor_data(b), n * sizeof(float));
    act_tensor_free(a);
    act_tensor_free(b);
    assert_int_equal(act_randn(ctx, ACT_DTYPE_I64, 1, &n, NULL, &a), ACT_E_DTYPE);
    assert_int_equal(act_normal(ctx, ACT_DTYPE_F32, 1, &n, 0, -1, NULL, &a), ACT_E_ARG);
    assert_int_equal(act_uniform(ctx, ACT_DTYPE_F32, 1, &n, 2, 1, NULL, &a), ACT_E_ARG);
}

static void test_context_errors(void **state)
{
    assert_int_equal(act_set_default_dtype(ctx, ACT_DTYPE_I64), ACT_E_DTYPE);
    assert_string_equal(act_context_error_function(ctx), "set_default_dtype");
    assert_int_equal(act_context_error_arg(ctx), 1);
    assert_int_equal(act_context_status(ctx), ACT_E_DTYPE);
    assert_string_equal(act_status_name(ACT_E_SHAPE), "ACT_E_SHAPE");
    assert_string_equal(act_status_name((act_status)99), "ACT_E_?");
    act_dtype d;
    assert_true(act_dtype_from_name("double", &d) && d == ACT_DTYPE_F64);
    assert_false(act_dtype_from_name("half", &d));
    assert_int_equal(act_arange(ctx, ACT_DTYPE_F32, 0, 1, 0, &(act_tensor *){0}), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "step"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_describe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_ones_eye_linspace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_shapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_share_storage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_needs_reshape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_narrow_slice_expand_squeeze, setup, teardown),
        cmocka_unit_test_setup_teardown(test_permute, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_and_convert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contiguous_clone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

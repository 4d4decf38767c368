/*
 * test_index_support.h — helpers the index tests (test_index_gather.c and
 * test_index_cat_stack.c) share: counting and transposed inputs, exact checks
 * of a result's dtype, shape and values and of a failed call's error, and a
 * row-major index walk. Include after test_support.h (TEST_CTX_IN_STATE).
 */
#ifndef ACTLUA_TEST_INDEX_SUPPORT_H
#define ACTLUA_TEST_INDEX_SUPPORT_H

/* 0, 1, 2, ... in the given shape (plus `base`, so tensors differ). */
static inline act_tensor *counting(act_context *ctx, act_dtype dt, int ndim,
                                   const int64_t *shape, double base)
{
    int64_t n = 1;
    for (int d = 0; d < ndim; d++)
        n *= shape[d];
    double *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    assert_non_null(v);
    for (int64_t k = 0; k < n; k++)
        v[k] = base + (double)k;
    act_tensor *u = make(ctx, dt, ndim, shape, v);
    free(v);
    return u;
}

/* t's dims d0 and d1 swapped, as a non-contiguous view; t is released. */
static inline act_tensor *transposed(act_context *ctx, act_tensor *t, int d0,
                                     int d1)
{
    act_tensor *v = NULL;
    assert_int_equal(act_transpose(ctx, t, d0, d1, &v), ACT_OK);
    act_tensor_free(t);
    return v;
}

static inline void expect_tensor(act_context *ctx, const act_tensor *t,
                                 act_dtype dtype, int ndim,
                                 const int64_t *shape, const double *want)
{
    assert_non_null(t);
    assert_int_equal(act_tensor_dtype(t), dtype);
    assert_int_equal(act_tensor_dim(t), ndim);
    for (int d = 0; d < ndim; d++)
        assert_int_equal(act_tensor_shape(t)[d], shape[d]);
    int64_t n = act_tensor_numel(t);
    double *got = malloc(sizeof *got * (size_t)(n > 0 ? n : 1));
    assert_non_null(got);
    assert_int_equal(act_tensor_to_doubles(ctx, t, got), ACT_OK);
    for (int64_t k = 0; k < n; k++) {
        if (got[k] != want[k]) {
            double g = got[k];
            free(got);
            fail_msg("element %lld: got %.17g, want %.17g", (long long)k, g,
                     want[k]);
        }
    }
    free(got);
}

/* Two tensors with one dtype, shape and the same values. */
static inline void expect_same(act_context *ctx, const act_tensor *got,
                               const act_tensor *want)
{
    int64_t n = act_tensor_numel(want);
    double *w = malloc(sizeof *w * (size_t)(n > 0 ? n : 1));
    assert_non_null(w);
    assert_int_equal(act_tensor_to_doubles(ctx, want, w), ACT_OK);
    expect_tensor(ctx, got, act_tensor_dtype(want), act_tensor_dim(want),
                  act_tensor_shape(want), w);
    free(w);
}

/* A failed call: its status, the argument blamed, words of the message, and
 * an output parameter left as it was. */
static inline void expect_error(act_context *ctx, act_status st,
                                act_status want, int arg, const char *fn,
                                const char *words, const act_tensor *out)
{
    const char *msg = act_context_error(ctx);
    if (st != want)
        fail_msg("status %s, want %s (message: %s)", act_status_name(st),
                 act_status_name(want), msg);
    assert_int_equal(act_context_status(ctx), want);
    assert_int_equal(act_context_error_arg(ctx), arg);
    assert_string_equal(act_context_error_function(ctx), fn);
    if (!strstr(msg, words))
        fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    assert_null(out);
}

static inline void next_index(int64_t *idx, int ndim, const int64_t *shape)
{
    for (int d = ndim - 1; d >= 0; d--) {
        if (++idx[d] < shape[d])
            return;
        idx[d] = 0;
    }
}

#endif /* ACTLUA_TEST_INDEX_SUPPORT_H */

/*
 * test_reduce_support.h — helpers the reduction tests (test_reduce_*.c)
 * share: vectors from literals, and checks of a result's dtype, shape and
 * values within a relative tolerance (NaN matching only NaN, inf only
 * itself). Include after test_support.h (TEST_CTX_IN_STATE).
 */
#ifndef ACTLUA_TEST_REDUCE_SUPPORT_H
#define ACTLUA_TEST_REDUCE_SUPPORT_H

static inline act_tensor *vec(act_context *ctx, act_dtype dt, int64_t n,
                              const double *data)
{
    return make(ctx, dt, 1, (int64_t[]){n}, data);
}

#define VEC(ctx, dt, ...)                                                     \
    vec(ctx, dt, (int64_t)(sizeof((double[]){__VA_ARGS__}) / sizeof(double)),  \
        (double[]){__VA_ARGS__})

/* Equal within tol * (1 + |want|); NaN matches only NaN, inf only itself. */
static inline void assert_close(double got, double want, double tol)
{
    if (isnan(want)) {
        if (!isnan(got))
            fail_msg("expected NaN, got %.17g", got);
    } else if (isinf(want)) {
        if (got != want)
            fail_msg("expected %g, got %.17g", want, got);
    } else if (!(fabs(got - want) <= tol * (1 + fabs(want)))) {
        fail_msg("expected %.17g, got %.17g (tolerance %g)", want, got, tol);
    }
}

static inline double tol_of(act_dtype dt)
{
    return dt == ACT_DTYPE_F32 ? 1e-6 : 1e-12;
}

/* Checks dtype, shape and values of t, then frees it. */
static inline void expect(act_context *ctx, act_tensor *t, act_dtype dt,
                          int ndim, const int64_t *shape, const double *want,
                          double tol)
{
    assert_non_null(t);
    assert_int_equal(act_tensor_dtype(t), dt);
    assert_shape(t, ndim, shape);
    double *got = values_of(ctx, t);
    for (int64_t i = 0; i < act_tensor_numel(t); i++)
        assert_close(got[i], want[i], tol);
    free(got);
    act_tensor_free(t);
}

/* A 1-element result of any rank. */
static inline void expect_scalar(act_context *ctx, act_tensor *t, act_dtype dt,
                                 double want, double tol)
{
    assert_non_null(t);
    assert_int_equal(act_tensor_dtype(t), dt);
    assert_int_equal(act_tensor_numel(t), 1);
    double got;
    assert_int_equal(act_tensor_item(ctx, t, &got), ACT_OK);
    assert_close(got, want, tol);
    act_tensor_free(t);
}

#endif /* ACTLUA_TEST_REDUCE_SUPPORT_H */

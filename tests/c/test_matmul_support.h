/*
 * test_matmul_support.h — the float64 reference the matmul tests
 * (test_matmul_kernels.c and test_matmul_views.c) share: act_matmul's result
 * checked for shape and, element by element, against a naive triple loop
 * within a Higham rounding bound. Include after test_support.h.
 */
#ifndef ACTLUA_TEST_MATMUL_SUPPORT_H
#define ACTLUA_TEST_MATMUL_SUPPORT_H

/* An operand seen as a batch of matrices: a 1-d a is one row, a 1-d b one
 * column (the documented meaning of each case). */
static inline void as_batch(const act_tensor *t, bool left, int64_t *batch,
                            int64_t *rows, int64_t *cols)
{
    const int64_t *s = act_tensor_shape(t);
    int d = act_tensor_dim(t);
    *batch = d == 3 ? s[0] : 1;
    *rows = d == 1 ? (left ? 1 : s[0]) : s[d - 2];
    *cols = d == 1 ? (left ? s[0] : 1) : s[d - 1];
}

/*
 * Checks out = a . b against a float64 triple loop over the elements. Error
 * bound of a sum of k products (Higham): |err| <= gamma * sum |a_ip b_pj|
 * with gamma ~ (k + 2) u, u the dtype's unit roundoff; a factor 4 of slack.
 */
static inline void check_values(act_context *ctx, const act_tensor *a,
                                const act_tensor *b, const act_tensor *out)
{
    int64_t ba, m, k, bb, k2, n;
    as_batch(a, true, &ba, &m, &k);
    as_batch(b, false, &bb, &k2, &n);
    assert_int_equal(k, k2);
    int64_t batch = ba == 1 ? bb : ba;
    assert_int_equal(act_tensor_numel(out), batch * m * n);
    assert_int_equal(act_tensor_dtype(out), act_tensor_dtype(a));
    double *va = values_of(ctx, a), *vb = values_of(ctx, b);
    double *vo = values_of(ctx, out);
    double u = act_tensor_dtype(a) == F32 ? 0x1p-24 : 0x1p-53;
    for (int64_t q = 0; q < batch; q++)
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                const double *ar = va + (ba > 1 ? q : 0) * m * k + i * k;
                const double *bc = vb + (bb > 1 ? q : 0) * k * n + j;
                double s = 0, mag = 0;
                for (int64_t p = 0; p < k; p++) {
                    s += ar[p] * bc[p * n];
                    mag += fabs(ar[p] * bc[p * n]);
                }
                double got = vo[(q * m + i) * n + j];
                double tol = 4 * (double)(k + 2) * u * mag;
                if (!(fabs(got - s) <= tol))
                    fail_msg("out[%lld,%lld,%lld] = %.17g, want %.17g "
                             "(tolerance %g, m=%lld n=%lld k=%lld)",
                             (long long)q, (long long)i, (long long)j, got, s,
                             tol, (long long)m, (long long)n, (long long)k);
            }
    free(va), free(vb), free(vo);
}

/* act_matmul(a, b) has the given shape and the reference's values. */
static inline void check_matmul(act_context *ctx, const act_tensor *a,
                                const act_tensor *b, int ndim,
                                const int64_t *shape)
{
    act_tensor *out = NULL;
    if (act_matmul(ctx, a, b, &out) != ACT_OK)
        fail_msg("matmul failed: %s", act_context_error(ctx));
    assert_shape(out, ndim, shape);
    check_values(ctx, a, b, out);
    act_tensor_free(out);
}

#endif /* ACTLUA_TEST_MATMUL_SUPPORT_H */

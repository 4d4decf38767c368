/*
 * test_softmax_simd.c — the float32 rows of softmax, log_softmax, softmin
 * and glu on the vector math (engine/softmax_f32.c) against the double
 * arithmetic of softmax.c: values and gradients (for a random output
 * gradient) agree within a few float32 ulp, on rows of many lengths (tails
 * and several chunks), wide ranges, ±1000, -inf, and NaN where the double
 * path has NaN; glu along a middle dim too. And prelu's float32 loops
 * (engine/prelu.c): the float64 results rounded, bit for bit, but for the
 * weight's gradient (summed in another order), within float32 rounding.
 */
#include "test_support.h"

#include <float.h>

#include "act_internal.h"
#include "simd.h"

static uint64_t rng = 0x13198a2e03707344u;

static double uniform(void) /* in [0, 1), xorshift64* */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

enum { SOFTMAX, LOG_SOFTMAX, SOFTMIN, GLU, NFNS };
static const char *const names[NFNS] = {"softmax", "log_softmax", "softmin", "glu"};

static act_status apply(int f, const act_tensor *x, int dim, act_tensor **y)
{
    switch (f) {
    case SOFTMAX: return act_softmax(ctx, x, dim, y);
    case LOG_SOFTMAX: return act_log_softmax(ctx, x, dim, y);
    case SOFTMIN: return act_softmin(ctx, x, dim, y);
    default: return act_glu(ctx, x, dim, y);
    }
}

/* y = f(x) along dim and x's gradient for the output gradient gy (the
 * generator's state is reset by the caller, so both paths see the same). */
static void run(int f, bool simd, const double *xs, const int64_t *shape,
                int dim, double *y, double *gx, int64_t *ny)
{
    ctx->simd = simd;
    act_tensor *x = make(F32, 3, shape, xs, true), *out;
    assert_int_equal(apply(f, x, dim, &out), ACT_OK);
    *ny = act_tensor_numel(out);
    double *gs = malloc((size_t)*ny * sizeof *gs);
    for (int64_t i = 0; i < *ny; i++)
        gs[i] = -2 + 4 * ((double)((i * 2654435761u) % 1000) / 1000);
    act_tensor *gy = make(F32, out->ndim, out->shape, gs, false);
    values(out, y);
    assert_int_equal(act_backward(ctx, out, gy, false), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x), gx), ACT_OK);
    free(gs);
    act_tensor_free(gy);
    act_tensor_free(out);
    act_tensor_free(x);
}

/* Within 4 float32 ulp of the double path relatively, or 2e-7 of the
 * row's scale absolutely (where a gradient cancels), or 4 of the smallest
 * denormal times `tiny` (glu's a times a denormal sigmoid, which float32
 * holds with few bits); NaN where it is. */
static bool close(double want, double got, double scale, double tiny)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (isinf(want) || isinf(got))
        return want == got;
    return fabs(want - got) <=
           4 * FLT_EPSILON * fabs(want) + 2e-7 * scale + 4 * FLT_TRUE_MIN * tiny;
}

static void fill_rows(double *xs, int64_t n, int kind)
{
    for (int64_t i = 0; i < n; i++) {
        double u = uniform();
        xs[i] = kind == 0 ? -4 + 8 * u : kind == 1 ? -100 + 200 * u : (u - 0.5) * 2000;
    }
    if (kind == 2 && n > 3) {
        xs[n / 2] = -INFINITY; /* 0 in softmax, -inf in log_softmax */
        xs[1] = 1000, xs[2] = -1000;
    }
}

static void compare(int f, const int64_t *shape, int dim, int kind, int *bad)
{
    int64_t n = shape[0] * shape[1] * shape[2], ny;
    double *xs = malloc((size_t)n * sizeof *xs), *y[2], *g[2];
    assert_non_null(xs);
    for (int p = 0; p < 2; p++) {
        y[p] = malloc((size_t)n * sizeof **y);
        g[p] = malloc((size_t)n * sizeof **g);
        assert_true(y[p] && g[p]);
    }
    fill_rows(xs, n, kind);
    run(f, false, xs, shape, dim, y[0], g[0], &ny);
    run(f, true, xs, shape, dim, y[1], g[1], &ny);
    double scale = 0, xmax = 1;
    for (int64_t i = 0; i < n; i++) {
        scale = isfinite(g[0][i]) && fabs(g[0][i]) > scale ? fabs(g[0][i]) : scale;
        xmax = isfinite(xs[i]) && fabs(xs[i]) > xmax ? fabs(xs[i]) : xmax;
    }
    for (int64_t i = 0; i < n; i++) {
        bool ok_y = i >= ny || close(y[0][i], y[1][i], 0, xmax);
        bool ok_g = close(g[0][i], g[1][i], scale, xmax);
        if ((!ok_y || !ok_g) && (*bad)++ < 5)
            print_error("%s [%lld %lld %lld] dim %d, element %lld (x %.9g): y %.9g "
                        "vs %.9g, gx %.9g vs %.9g\n", names[f], (long long)shape[0],
                        (long long)shape[1], (long long)shape[2], dim, (long long)i,
                        xs[i], i < ny ? y[0][i] : 0, i < ny ? y[1][i] : 0,
                        g[0][i], g[1][i]);
    }
    free(xs);
    for (int p = 0; p < 2; p++)
        free(y[p]), free(g[p]);
}

static void test_rows_agree_with_double_path(void **state)
{
    if (!act_simd_cpu())
        skip();
    static const int64_t lengths[] = {2, 8, 16, 18, 34, 1000, 1300};
    int bad = 0;
    for (int f = 0; f < NFNS; f++)
        for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++)
            for (int kind = 0; kind < 3; kind++)
                compare(f, SHAPE(3, 1, lengths[l]), 2, kind, &bad);
    /* glu along a middle dim: halves are runs of half the dim times 5 */
    compare(GLU, SHAPE(3, 6, 5), 1, 1, &bad);
    compare(GLU, SHAPE(2, 400, 3), 1, 0, &bad);
    ctx->simd = act_simd_default();
    assert_int_equal(bad, 0);
}

/* A NaN anywhere in a row makes its softmax NaN on both paths; the rows
 * around it keep their values. */
static void test_nan_rows(void **state)
{
    if (!act_simd_cpu())
        skip();
    double xs[3 * 40];
    fill_rows(xs, 120, 0);
    xs[45] = NAN;
    for (int f = 0; f < 3; f++) {
        double y[2][120], g[2][120];
        int64_t ny;
        run(f, false, xs, SHAPE(3, 1, 40), 2, y[0], g[0], &ny);
        run(f, true, xs, SHAPE(3, 1, 40), 2, y[1], g[1], &ny);
        for (int i = 0; i < 120; i++) {
            assert_int_equal(isnan(y[1][i]), i >= 40 && i < 80);
            assert_true(close(y[0][i], y[1][i], 0, 1));
        }
    }
    ctx->simd = act_simd_default();
}

/* prelu on float32-representable values in float32 and float64, one
 * weight or one per channel: y and gx are the float64 ones rounded; gw
 * (a sum of ~1000 products) within 1e-6 relatively. */
static void prelu_both(const int64_t *xshape, int nw, const double *xs,
                       const double *ws, const double *gs, int dt, double *y,
                       double *gx, double *gw)
{
    act_dtype d = dt ? F64 : F32;
    act_tensor *x = make(d, 3, xshape, xs, true), *w = make(d, 1, SHAPE(nw), ws, true);
    act_tensor *gy = make(d, 3, xshape, gs, false), *out;
    assert_int_equal(act_prelu(ctx, x, w, &out), ACT_OK);
    values(out, y);
    assert_int_equal(act_backward(ctx, out, gy, false), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(x), gx), ACT_OK);
    assert_int_equal(act_tensor_to_doubles(ctx, act_tensor_grad(w), gw), ACT_OK);
    act_tensor_free(out), act_tensor_free(gy), act_tensor_free(w), act_tensor_free(x);
}

static void test_prelu_float32_loops(void **state)
{
    enum { N = 4 * 3 * 101 };
    static double xs[N], gs[N], y[2][N], gx[2][N];
    for (int i = 0; i < N; i++) {
        xs[i] = (float)(-3 + 6 * uniform());
        gs[i] = (float)(-1 + 2 * uniform());
    }
    xs[5] = NAN, xs[7] = -INFINITY, xs[9] = -0.0, xs[11] = 1e-40;
    const double ws[3] = {0.25, -1.5, 0.1f};
    for (int nw = 1; nw <= 3; nw += 2) {
        double gw[2][3];
        for (int dt = 0; dt < 2; dt++)
            prelu_both(SHAPE(4, 3, 101), nw, xs, ws, gs, dt, y[dt], gx[dt], gw[dt]);
        for (int i = 0; i < N; i++) {
            float a = (float)y[1][i], b = (float)y[0][i];
            float c = (float)gx[1][i], e = (float)gx[0][i];
            assert_true(memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b)));
            assert_true(memcmp(&c, &e, sizeof c) == 0);
        }
        for (int c = 0; c < nw; c++)
            assert_true(isnan(gw[1][c]) == isnan(gw[0][c]) &&
                        (isnan(gw[1][c]) || fabs(gw[1][c] - gw[0][c]) <=
                                                1e-6 * fabs(gw[1][c])));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rows_agree_with_double_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nan_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prelu_float32_loops, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

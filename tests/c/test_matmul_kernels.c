/*
 * test_matmul_kernels.c — act_matmul on each route of the act_gemm_* kernels
 * under it (tiny loop, ?dot, ?gemv, ?gemm, thin products cut into pieces) on
 * both sides of every threshold, at 1-3 threads, against hand-computed values
 * and a naive float64 loop; and act_gemm_* called directly (alpha, beta, ld).
 */
#define TEST_CTX_IN_STATE
#define TEST_NO_LEAK_CHECK
#define TEST_SEED 20240611
#include "test_support.h"
#include "test_matmul_support.h"
#include "blas.h"

/* ------------------------------------------------------------ helpers */

/* A rows x cols operand; when `transposed`, a view of a cols x rows tensor,
 * so that its elements lie column-major. */
static act_tensor *matrix(act_context *ctx, act_dtype dt, int64_t rows,
                          int64_t cols, bool transposed)
{
    if (!transposed)
        return randn(ctx, dt, 2, (int64_t[]){rows, cols});
    act_tensor *t = randn(ctx, dt, 2, (int64_t[]){cols, rows}), *v = NULL;
    assert_int_equal(act_transpose(ctx, t, 0, 1, &v), ACT_OK);
    act_tensor_free(t);
    return v;
}

/* ----------------------------------------------------- hand-computed */

static void test_hand_2x2(void **state)
{
    act_context *ctx = *state;
    const act_dtype dts[2] = {F32, F64};
    for (int d = 0; d < 2; d++) {
        act_tensor *a = make(ctx, dts[d], 2, (int64_t[]){2, 2},
                             (double[]){1, 2, 3, 4});
        act_tensor *b = make(ctx, dts[d], 2, (int64_t[]){2, 2},
                             (double[]){5, 6, 7, 8});
        act_tensor *c = NULL;
        assert_int_equal(act_matmul(ctx, a, b, &c), ACT_OK);
        assert_shape(c, 2, (int64_t[]){2, 2});
        assert_int_equal(act_tensor_dtype(c), dts[d]);
        double *v = values_of(ctx, c);
        assert_true(v[0] == 19 && v[1] == 22 && v[2] == 43 && v[3] == 50);
        free(v);
        act_tensor_free(c);
        act_tensor_free(b);
        act_tensor_free(a);
    }
}

static void test_hand_dot_and_vectors(void **state)
{
    act_context *ctx = *state;
    act_tensor *x = make(ctx, F64, 1, (int64_t[]){3}, (double[]){1, 2, 3});
    act_tensor *y = make(ctx, F64, 1, (int64_t[]){3}, (double[]){4, 5, 6});
    act_tensor *m = make(ctx, F64, 2, (int64_t[]){2, 3},
                         (double[]){1, 0, 2, 0, 1, -1});
    act_tensor *r = NULL;
    double v[3];
    assert_int_equal(act_matmul(ctx, x, y, &r), ACT_OK);
    assert_int_equal(act_tensor_dim(r), 0);
    assert_int_equal(act_tensor_item(ctx, r, v), ACT_OK);
    assert_true(v[0] == 32);
    act_tensor_free(r);
    assert_int_equal(act_matmul(ctx, m, x, &r), ACT_OK); /* [2,3].[3] */
    assert_shape(r, 1, (int64_t[]){2});
    assert_int_equal(act_tensor_to_doubles(ctx, r, v), ACT_OK);
    assert_true(v[0] == 7 && v[1] == -1);
    act_tensor_free(r);
    act_tensor_free(y);
    y = make(ctx, F64, 1, (int64_t[]){2}, (double[]){2, 3});
    assert_int_equal(act_matmul(ctx, y, m, &r), ACT_OK); /* [2].[2,3] */
    assert_shape(r, 1, (int64_t[]){3});
    assert_int_equal(act_tensor_to_doubles(ctx, r, v), ACT_OK);
    assert_true(v[0] == 2 && v[1] == 3 && v[2] == 1);
    act_tensor_free(r);
    act_tensor_free(m);
    act_tensor_free(y);
    act_tensor_free(x);
}

/* ------------------------------------------------------- shape cases */

/* Dots of lengths around the vector threshold (loop below, ?dot above). */
static void test_dot(void **state)
{
    act_context *ctx = *state;
    const int64_t ks[] = {1, 2, ACT_GEMM_TINY_VEC - 1, ACT_GEMM_TINY_VEC,
                          ACT_GEMM_TINY_VEC + 1, 300, 5000};
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
            act_dtype dt = d ? F64 : F32;
            act_tensor *x = randn(ctx, dt, 1, &ks[i]);
            act_tensor *y = randn(ctx, dt, 1, &ks[i]);
            check_matmul(ctx, x, y, 0, NULL);
            act_tensor_free(y);
            act_tensor_free(x);
        }
}

static void test_matrix_vector(void **state)
{
    act_context *ctx = *state;
    /* m x k with m * k on both sides of the vector threshold, and large. */
    const int64_t mk[][2] = {{1, 1}, {4, 8}, {5, 7}, {9, 4}, {64, 300}};
    for (int d = 0; d < 2; d++)
        for (size_t i = 0; i < sizeof mk / sizeof mk[0]; i++)
            for (int t = 0; t < 2; t++) {
                act_dtype dt = d ? F64 : F32;
                int64_t m = mk[i][0], k = mk[i][1];
                act_tensor *a = matrix(ctx, dt, m, k, t);
                act_tensor *x = randn(ctx, dt, 1, &k);
                act_tensor *y = randn(ctx, dt, 1, &m);
                check_matmul(ctx, a, x, 1, &m);  /* [m,k].[k] -> [m] */
                act_tensor *at = matrix(ctx, dt, m, k, t);
                check_matmul(ctx, y, at, 1, &k); /* [m].[m,k] -> [k] */
                act_tensor_free(at);
                act_tensor_free(y);
                act_tensor_free(x);
                act_tensor_free(a);
            }
}

/*
 * Every m, n, k in 1..9 with every transpose combination: the grid spans
 * each threshold (the largest tiny limit is ACT_GEMM_TINY_NT), so the loop,
 * ?gemv, ?dot and ?gemm are all checked against the reference.
 */
_Static_assert(9 * 9 * 9 > ACT_GEMM_TINY_NT && 9 * 9 * 9 > ACT_GEMM_TINY_TN &&
                   9 * 9 * 9 > ACT_GEMM_TINY_NN && 9 * 9 > ACT_GEMM_TINY_VEC,
               "the grid must reach past every threshold");

static void test_grid_around_thresholds(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++)
        for (int tr = 0; tr < 4; tr++)
            for (int64_t m = 1; m <= 9; m++)
                for (int64_t n = 1; n <= 9; n++)
                    for (int64_t k = 1; k <= 9; k++) {
                        act_dtype dt = d ? F64 : F32;
                        act_tensor *a = matrix(ctx, dt, m, k, tr & 1);
                        act_tensor *b = matrix(ctx, dt, k, n, tr & 2);
                        check_matmul(ctx, a, b, 2, (int64_t[]){m, n});
                        act_tensor_free(b);
                        act_tensor_free(a);
                    }
}

/* Sizes that surely go to ?gemm, including x . W^T as a linear layer does. */
static void test_large(void **state)
{
    act_context *ctx = *state;
    for (int d = 0; d < 2; d++)
        for (int tr = 0; tr < 4; tr++) {
            act_dtype dt = d ? F64 : F32;
            act_tensor *a = matrix(ctx, dt, 64, 300, tr & 1);
            act_tensor *b = matrix(ctx, dt, 300, 50, tr & 2);
            check_matmul(ctx, a, b, 2, (int64_t[]){64, 50});
            act_tensor_free(b);
            act_tensor_free(a);
        }
}

/* The thread count: what is set is what is read back, n < 1 is refused
 * with words, and a product large enough for OpenBLAS to split is right at
 * 1, 2 and 3 threads. The count in force before is restored. */
static void test_num_threads(void **state)
{
    act_context *ctx = *state;
    int before = act_get_num_threads();
    assert_true(before >= 1);
    act_tensor *a = matrix(ctx, F32, 256, 300, false);
    act_tensor *b = matrix(ctx, F32, 300, 200, true);
    for (int n = 1; n <= 3; n++) {
        assert_int_equal(act_set_num_threads(ctx, n), ACT_OK);
        assert_int_equal(act_get_num_threads(), n);
        check_matmul(ctx, a, b, 2, (int64_t[]){256, 200});
    }
    act_tensor_free(b);
    act_tensor_free(a);
    assert_int_equal(act_set_num_threads(ctx, 0), ACT_E_ARG);
    assert_string_equal(act_context_error(ctx),
                        "set_num_threads: the thread count must be >= 1, got 0");
    assert_int_equal(act_context_error_arg(ctx), 1);
    assert_int_equal(act_set_num_threads(ctx, -4), ACT_E_ARG);
    assert_non_null(strstr(act_context_error(ctx), "got -4"));
    assert_int_equal(act_get_num_threads(), 3); /* unchanged by a failure */
    assert_int_equal(act_set_num_threads(ctx, before), ACT_OK);
}

/* Thin products, which blas.c cuts along their long side into pieces
 * OpenBLAS runs on one thread: each layout, a cut of rows and of columns,
 * sizes just over a piece and with a short last piece, operands with a
 * leading dimension over their width (column slices of wider matrices),
 * products left whole (both sides thin; a row longer than a piece), on 1
 * and 2 threads, in float32 and float64, against the float64 loop. */
static act_tensor *narrowed(act_context *ctx, act_tensor *t, int64_t cols)
{
    act_tensor *v = NULL;
    assert_int_equal(act_narrow(ctx, t, 1, 0, cols, &v), ACT_OK);
    act_tensor_free(t);
    return v;
}

static void test_thin_cut(void **state)
{
    act_context *ctx = *state;
    const int64_t shapes[][3] = {
        {600, 10, 512}, {10, 600, 512}, {53, 16, 310}, {16, 53, 310},
        {128, 10, 512}, {12, 14, 4000}, {40, 3, 90000},
    };
    int before = act_get_num_threads();
    for (int th = 1; th <= 2; th++) {
        assert_int_equal(act_set_num_threads(ctx, th), ACT_OK);
        for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
            for (int tr = 0; tr < 4; tr++) {
                act_dtype dt = (i + (size_t)tr) % 2 ? F64 : F32;
                int64_t m = shapes[i][0], n = shapes[i][1], k = shapes[i][2];
                act_tensor *a = matrix(ctx, dt, m, k, tr & 1);
                act_tensor *b = matrix(ctx, dt, k, n, tr & 2);
                check_matmul(ctx, a, b, 2, (int64_t[]){m, n});
                act_tensor_free(b);
                act_tensor_free(a);
            }
        act_tensor *a = narrowed(ctx, matrix(ctx, F32, 300, 700, false), 512);
        act_tensor *b = narrowed(ctx, matrix(ctx, F32, 512, 20, false), 9);
        check_matmul(ctx, a, b, 2, (int64_t[]){300, 9});
        act_tensor *bt = narrowed(ctx, matrix(ctx, F32, 512, 600, false), 300);
        act_tensor *at = narrowed(ctx, matrix(ctx, F32, 8, 900, false), 512);
        check_matmul(ctx, at, bt, 2, (int64_t[]){8, 300});
        act_tensor_free(a), act_tensor_free(b);
        act_tensor_free(at), act_tensor_free(bt);
    }
    assert_int_equal(act_set_num_threads(ctx, before), ACT_OK);
}

/* ---------------------------------------------------- act_gemm direct */

/*
 * C = alpha op(A) op(B) + beta C with padded leading dimensions, on every
 * route (loop, ?dot, ?gemv both ways, ?gemm) and transpose: padding of C
 * must stay untouched, beta = 0 must ignore NaN in C, and alpha = 0 or
 * k = 0 must only scale C.
 */
#define GUARD 12345.0

static void gemm_case(bool f32, bool ta, bool tb, int64_t m, int64_t n,
                      int64_t k, double alpha, double beta)
{
    int64_t lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 3;
    int64_t na = (ta ? k : m) * lda, nb = (tb ? n : k) * ldb, nc = m * ldc;
    double *a = malloc(sizeof(double) * (size_t)(na + 1));
    double *b = malloc(sizeof(double) * (size_t)(nb + 1));
    double *c = malloc(sizeof(double) * (size_t)(nc + 1));
    double *want = malloc(sizeof(double) * (size_t)(nc + 1));
    assert_true(a && b && c && want);
    for (int64_t i = 0; i < na; i++)
        a[i] = (double)((i * 7) % 11) / 4 - 1;
    for (int64_t i = 0; i < nb; i++)
        b[i] = (double)((i * 5) % 13) / 8 - 0.75;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < ldc; j++) {
            double c0 = j >= n      ? GUARD
                        : beta == 0 ? NAN
                                    : (double)(i - j) / 2 + 0.25;
            double s = 0;
            for (int64_t p = 0; p < k && j < n; p++)
                s += (ta ? a[p * lda + i] : a[i * lda + p]) *
                     (tb ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = c0;
            want[i * ldc + j] = j >= n ? GUARD
                                : beta == 0 ? alpha * s
                                            : alpha * s + beta * c0;
        }
    if (f32) {
        float *fa = malloc(sizeof(float) * (size_t)(na + 1));
        float *fb = malloc(sizeof(float) * (size_t)(nb + 1));
        float *fc = malloc(sizeof(float) * (size_t)(nc + 1));
        assert_true(fa && fb && fc);
        for (int64_t i = 0; i < na; i++) fa[i] = (float)a[i];
        for (int64_t i = 0; i < nb; i++) fb[i] = (float)b[i];
        for (int64_t i = 0; i < nc; i++) fc[i] = (float)c[i];
        act_gemm_f32(ta, tb, m, n, k, (float)alpha, fa, lda, fb, ldb,
                     (float)beta, fc, ldc);
        for (int64_t i = 0; i < nc; i++) c[i] = fc[i];
        free(fa), free(fb), free(fc);
    } else {
        act_gemm_f64(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
    /* The inputs are exact in float32; sums of k products of magnitude
     * <= 1.5 leave a rounding error far below this. */
    double tol = (f32 ? 1e-5 : 1e-13) * (double)(k + 1);
    for (int64_t i = 0; i < nc; i++)
        if (!(fabs(c[i] - want[i]) <= tol))
            fail_msg("%s ta=%d tb=%d %lldx%lldx%lld alpha=%g beta=%g: "
                     "C[%lld] = %.17g, want %.17g",
                     f32 ? "f32" : "f64", ta, tb, (long long)m, (long long)n,
                     (long long)k, alpha, beta, (long long)i, c[i], want[i]);
    free(a), free(b), free(c), free(want);
}

static void test_gemm_alpha_beta(void **state)
{
    (void)state;
    const int64_t sizes[][3] = {
        {2, 2, 2},   /* loop */
        {1, 1, 100}, /* dot */
        {9, 1, 20},  /* gemv, n = 1 */
        {1, 9, 20},  /* gemv, m = 1 */
        {20, 30, 40}, /* gemm */
        {3, 3, 0},   /* k = 0 */
        {0, 3, 3},   /* m = 0 */
    };
    const double ab[][2] = {{1, 0}, {1, 1}, {2, 0.5}, {0, 1}, {0, 0}, {-1, 2}};
    for (int f = 0; f < 2; f++)
        for (int tr = 0; tr < 4; tr++)
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
                for (size_t i = 0; i < sizeof ab / sizeof ab[0]; i++)
                    gemm_case(f, tr & 1, tr & 2, sizes[s][0], sizes[s][1],
                              sizes[s][2], ab[i][0], ab[i][1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hand_2x2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hand_dot_and_vectors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_matrix_vector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_grid_around_thresholds, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_num_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thin_cut, setup, teardown),
        cmocka_unit_test(test_gemm_alpha_beta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

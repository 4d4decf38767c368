/*
 * blas.c — the only file that calls OpenBLAS. act_gemm_f32/f64 run tiny
 * products in a plain loop (a BLAS call costs more in setup than such a
 * product does in arithmetic), vector-shaped ones in ?dot/?gemv, and the
 * rest in ?gemm. Also the thread count of OpenBLAS's pool.
 */
#include "blas.h"
#include "act_internal.h"

#include <assert.h>
#include <limits.h>

#include <cblas.h>

/* BLAS takes 32-bit sizes (this OpenBLAS has blasint = int). */
static bool fits_blas(int64_t m, int64_t n, int64_t k, int64_t lda,
                      int64_t ldb, int64_t ldc)
{
    return m <= INT_MAX && n <= INT_MAX && k <= INT_MAX && lda <= INT_MAX &&
           ldb <= INT_MAX && ldc <= INT_MAX;
}

static bool is_tiny(bool ta, bool tb, int64_t m, int64_t n, int64_t k)
{
    int64_t limit = m == 1 || n == 1 ? ACT_GEMM_TINY_VEC
                    : ta               ? ACT_GEMM_TINY_TN
                    : tb               ? ACT_GEMM_TINY_NT
                                       : ACT_GEMM_TINY_NN;
    /* Divided rather than multiplied so that huge extents cannot overflow. */
    return k <= limit / m / n;
}

/* The leading dimensions BLAS accepts; the callers guarantee them. */
static inline bool valid_lds(bool ta, bool tb, int64_t m, int64_t n,
                             int64_t k, int64_t lda, int64_t ldb, int64_t ldc)
{
    int64_t ra = ta ? m : k, rb = tb ? k : n;
    return lda >= (ra > 1 ? ra : 1) && ldb >= (rb > 1 ? rb : 1) &&
           ldc >= (n > 1 ? n : 1);
}

/*
 * The plain loop: each element of C is a dot product along k, summed in a
 * register. Measured against an i-p-j loop that streams rows of B into a row
 * of C, this form was as fast or faster at every size below the thresholds
 * (the streaming form pays its vector prologue on rows of 4 or 5). The body
 * is inlined once per (trans_a, trans_b) so that the unit strides are
 * constants: with all four strides variable it ran ~1.5x slower.
 * C is read only when beta != 0, and A and B only when alpha != 0.
 */
#define GEMM_LOOP(NAME, T)                                                    \
    static inline __attribute__((always_inline)) void NAME##_body(           \
        bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha,           \
        const T *a, int64_t lda, const T *b, int64_t ldb, T beta, T *c,       \
        int64_t ldc)                                                          \
    {                                                                         \
        int64_t ars = ta ? 1 : lda, acs = ta ? lda : 1;                       \
        int64_t brs = tb ? 1 : ldb, bcs = tb ? ldb : 1;                       \
        for (int64_t i = 0; i < m; i++) {                                     \
            const T *ai = a + i * ars;                                        \
            T *ci = c + i * ldc;                                              \
            for (int64_t j = 0; j < n; j++) {                                 \
                const T *bj = b + j * bcs;                                    \
                T s = 0;                                                      \
                for (int64_t p = 0; p < k; p++)                               \
                    s += ai[p * acs] * bj[p * brs];                           \
                ci[j] = beta == 0 ? alpha * s : alpha * s + beta * ci[j];     \
            }                                                                 \
        }                                                                     \
    }                                                                         \
    static void NAME(bool ta, bool tb, int64_t m, int64_t n, int64_t k,       \
                     T alpha, const T *a, int64_t lda, const T *b,            \
                     int64_t ldb, T beta, T *c, int64_t ldc)                  \
    {                                                                         \
        if (alpha == 0)                                                       \
            k = 0; /* then s stays 0 and C is only scaled */                  \
        if (!ta && !tb)                                                       \
            NAME##_body(false, false, m, n, k, alpha, a, lda, b, ldb, beta,   \
                        c, ldc);                                              \
        else if (!ta)                                                         \
            NAME##_body(false, true, m, n, k, alpha, a, lda, b, ldb, beta,    \
                        c, ldc);                                              \
        else if (!tb)                                                         \
            NAME##_body(true, false, m, n, k, alpha, a, lda, b, ldb, beta,    \
                        c, ldc);                                              \
        else                                                                  \
            NAME##_body(true, true, m, n, k, alpha, a, lda, b, ldb, beta, c,  \
                        ldc);                                                 \
    }

GEMM_LOOP(gemm_loop_f32, float)
GEMM_LOOP(gemm_loop_f64, double)

/* Sets n elements, `inc` apart, to zero. */
#define ZERO_FN(NAME, T)                                                      \
    static void NAME(T *y, int64_t n, int64_t inc)                            \
    {                                                                         \
        for (int64_t i = 0; i < n; i++)                                       \
            y[i * inc] = 0;                                                   \
    }
ZERO_FN(zero_f32, float)
ZERO_FN(zero_f64, double)

/*
 * OpenBLAS 0.3.21's gemm is slow on vector shapes, and badly so for some
 * transposes (measured, one thread: 1x1x4096 with A transposed 4.7 us
 * against 0.2 us for sdot; 1x300x300 with both transposed 25 us against
 * 3.9 us for sgemv), so m == 1 or n == 1 goes to ?gemv and m == n == 1 to
 * ?dot. Before gemv with beta == 0 the output is zeroed here: BLAS promises
 * not to read y then, but OpenBLAS kernels have let NaN through 0 * y before
 * (OpenBLAS issues #929, #2496), and an uninitialised output can hold NaN.
 */
#define GEMM_BLAS(NAME, T, DOT, GEMV, GEMM, ZERO)                             \
    static void NAME(bool ta, bool tb, int m, int n, int k, T alpha,          \
                     const T *a, int lda, const T *b, int ldb, T beta, T *c,  \
                     int ldc)                                                 \
    {                                                                         \
        int inca = ta ? lda : 1, incb = tb ? 1 : ldb; /* row of A, col of B */ \
        if (m == 1 && n == 1) {                                               \
            T d = alpha * DOT(k, a, inca, b, incb);                           \
            c[0] = beta == 0 ? d : d + beta * c[0];                           \
            return;                                                           \
        }                                                                     \
        if (beta == 0 && (m == 1 || n == 1))                                  \
            ZERO(c, m == 1 ? n : m, m == 1 ? 1 : ldc);                        \
        if (n == 1) /* C's column = op(A) . B's column */                     \
            GEMV(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, ta ? k : m,   \
                 ta ? m : k, alpha, a, lda, b, incb, beta, c, ldc);           \
        else if (m == 1) /* C's row = op(B)^T . A's row */                    \
            GEMV(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? n : k,   \
                 tb ? k : n, alpha, b, ldb, a, inca, beta, c, 1);             \
        else                                                                  \
            GEMM##_thin(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); \
    }

/*
 * Thin products (m or n <= ACT_GEMM_THIN) are cut along their long side
 * into pieces of at most ONE_THREAD_MNK multiply-adds, which OpenBLAS 0.3.21
 * runs on the calling thread alone (its threshold for using the pool is
 * m * n * k > 65536 * OPENBLAS_GEMM_MULTITHREAD_THRESHOLD) and, on this
 * CPU, with its kernels for small matrices. Measured on the 2-core build
 * machine (best of 5, runs alternated, machine shared), whole -> cut:
 *   60000x784 . 784x10    1 thread 74-111 -> 38-43 ms; 2 threads 82-112 ->
 *                         34-41 ms, and no longer +73 MiB resident
 *   128x512 . (10x512)^T  1 thread 28-42 -> 20-28 us; 2 threads 71-77 ->
 *                         14-28 us
 *   (128x10)^T . 128x512  ~15 us either way on 1 thread; 2 threads 15-29
 *                         -> 14-15 us
 * No thread count is changed (which other threads calling the engine would
 * see), and each element of C is still one sum over the whole of k. A
 * product with both sides thin, or with a k so long that one row is over
 * the size, is left whole.
 */
#define ACT_GEMM_THIN 16
#define ONE_THREAD_MNK (65536 * OPENBLAS_GEMM_MULTITHREAD_THRESHOLD)
#define GEMM_THIN(GEMM, T)                                                    \
    static void GEMM##_thin(bool ta, bool tb, int m, int n, int k, T alpha,   \
                            const T *a, int lda, const T *b, int ldb, T beta, \
                            T *c, int ldc)                                    \
    {                                                                         \
        int64_t side = m <= ACT_GEMM_THIN ? n : m; /* the long side */        \
        int64_t other = m <= ACT_GEMM_THIN ? m : n;                           \
        int64_t step = ONE_THREAD_MNK / (other * k);                          \
        if ((m > ACT_GEMM_THIN && n > ACT_GEMM_THIN) || step < 1 ||           \
            (int64_t)m * n * k <= ONE_THREAD_MNK)                             \
            step = side;                                                      \
        for (int64_t i = 0; i < side; i += step) {                            \
            int len = (int)(side - i < step ? side - i : step);               \
            bool rows = m > ACT_GEMM_THIN; /* cut C's rows, else columns */   \
            const T *ap = rows ? a + (ta ? i : i * lda) : a;                  \
            const T *bp = rows ? b : b + (tb ? i * ldb : i);                  \
            GEMM(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,               \
                 tb ? CblasTrans : CblasNoTrans, rows ? len : m,              \
                 rows ? n : len, k, alpha, ap, lda, bp, ldb, beta,            \
                 c + (rows ? i * ldc : i), ldc);                              \
        }                                                                     \
    }

GEMM_THIN(cblas_sgemm, float)
GEMM_THIN(cblas_dgemm, double)
GEMM_BLAS(gemm_blas_f32, float, cblas_sdot, cblas_sgemv, cblas_sgemm, zero_f32)
GEMM_BLAS(gemm_blas_f64, double, cblas_ddot, cblas_dgemv, cblas_dgemm, zero_f64)

/*
 * k == 0 and alpha == 0 stay in the loop, which then only scales C: there is
 * no product to hand over, and the result does not depend on how a BLAS
 * release treats those edge cases. So do products whose sizes do not fit
 * BLAS's int (slow, but correct rather than truncated).
 */
#define GEMM_ENTRY(NAME, T, LOOP, BLAS)                                       \
    void NAME(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,    \
              T alpha, const T *a, int64_t lda, const T *b, int64_t ldb,      \
              T beta, T *c, int64_t ldc)                                      \
    {                                                                         \
        assert(m >= 0 && n >= 0 && k >= 0);                                   \
        assert(valid_lds(trans_a, trans_b, m, n, k, lda, ldb, ldc));          \
        if (m == 0 || n == 0)                                                 \
            return;                                                           \
        if (k == 0 || alpha == 0 || is_tiny(trans_a, trans_b, m, n, k) ||     \
            !fits_blas(m, n, k, lda, ldb, ldc))                               \
            LOOP(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c,   \
                 ldc);                                                        \
        else                                                                  \
            BLAS(trans_a, trans_b, (int)m, (int)n, (int)k, alpha, a,          \
                 (int)lda, b, (int)ldb, beta, c, (int)ldc);                   \
    }

GEMM_ENTRY(act_gemm_f32, float, gemm_loop_f32, gemm_blas_f32)
GEMM_ENTRY(act_gemm_f64, double, gemm_loop_f64, gemm_blas_f64)

/* Here, not in the context, because OpenBLAS's pool is one per process. */
act_status act_set_num_threads(act_context *ctx, int n)
{
    if (n < 1)
        return act_fail(ctx, ACT_E_ARG, "set_num_threads", 1,
                        "the thread count must be >= 1, got %d", n);
    openblas_set_num_threads(n);
    return ACT_OK;
}

int act_get_num_threads(void)
{
    return openblas_get_num_threads();
}

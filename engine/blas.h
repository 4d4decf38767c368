/*
 * blas.h — the engine's matrix-multiply kernels (blas.c), BLAS-shaped so that
 * matmul, its backward and a fused linear layer (beta = 1 onto a preloaded
 * bias) share one entry point. Internal: a host never sees these.
 */
#ifndef ACT_BLAS_H
#define ACT_BLAS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * C = alpha * op(A) . op(B) + beta * C, all matrices row-major:
 *   op(A) is m x k: A[i*lda + p], or A[p*lda + i] when trans_a (A is k x m);
 *   op(B) is k x n: B[p*ldb + j], or B[j*ldb + p] when trans_b (B is n x k);
 *   C is m x n: C[i*ldc + j].
 * Leading dimensions follow BLAS: lda >= max(1, trans_a ? m : k), likewise
 * ldb, and ldc >= max(1, n). As in BLAS, C is not read when beta == 0 (NaNs
 * there do not leak through) and A and B are not read when alpha == 0 or
 * k == 0. m, n or k may be 0. C must not overlap A or B.
 *
 * Tiny products run in a plain loop, vector shapes (m or n = 1) in
 * ?gemv / ?dot, the rest in ?gemm; products too large for BLAS's 32-bit
 * sizes also fall back to the loop. Never fails.
 */
void act_gemm_f32(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, int64_t lda, const float *b,
                  int64_t ldb, float beta, float *c, int64_t ldc);
void act_gemm_f64(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
                  double alpha, const double *a, int64_t lda, const double *b,
                  int64_t ldb, double beta, double *c, int64_t ldc);

/*
 * act_gemm_* uses its plain loop while m * n * k (multiply-adds) is at most
 * the limit below for the product's kind. Measured at -O2 on the 2-core AMD
 * EPYC build machine with OpenBLAS 0.3.21 (pthreads), one call repeated with
 * hot caches, float32 / float64 in ns; the loop costs ~0.5 ns per
 * multiply-add plus ~1 ns per output, BLAS a fixed setup cost:
 *   NN  2x4x4: loop 18/18, sgemm 25/24;  4x4x4: 34/34 vs 25/24  -> 32
 *   NT  4x4x8: 54/54 vs 75/90;  6x6x6: 95/95 vs 118/83;
 *       8x8x8: 205/205 vs 116/119                               -> 128
 *   TN, TT  4x4x4: 35/35 vs 51-55/33-55;  4x5x5: 48/48 vs 63-70/41-55
 *                                                               -> 64
 *   m or n = 1 (gemv or dot, see blas.c)  1x1x64: 37/36 vs 10/13;
 *       8x1x8: 26-32/27-32 vs 26-30/38-48                       -> 32
 * (The design notes' 150 ns for a 4x5 . 5x5 sgemm is not what this machine
 * gives: 28-31 ns, against 49 ns for the loop.) Exposed so that tests can
 * sit on either side.
 */
#define ACT_GEMM_TINY_NN 32
#define ACT_GEMM_TINY_NT 128
#define ACT_GEMM_TINY_TN 64 /* also TT */
#define ACT_GEMM_TINY_VEC 32

#endif /* ACT_BLAS_H */

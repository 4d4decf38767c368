/*
 * softmax_f32.c — softmax.c's float32 rows on the vector math (simd.h):
 * the softmax family along a contiguous last dim, and glu, whose halves are
 * contiguous runs whatever the dim. Exponentials in float through SLEEF,
 * sums and the final arithmetic in double, in loops the compiler
 * vectorises; a fixed order of summation, so the bits do not depend on the
 * machine. Used where the context's simd is set.
 */
#include "activations_internal.h"
#include "simd.h"

#include <math.h>

/* Compiled for AVX2 (simd set means the CPU has it), without FMA and
 * with contraction off, so that the arithmetic rounds as written. */
#if ACT_SIMD_X86
#pragma GCC target("avx2")
#pragma GCC optimize("vect-cost-model=dynamic", "fp-contract=off")
#endif

#define CHUNK 512 /* elements of a row worked on at a time (on the stack) */
#define LANES 16  /* independent partial sums and extremes */

static inline int chunk(int64_t n, int64_t i)
{
    return n - i < CHUNK ? (int)(n - i) : CHUNK;
}

/* The row's maximum (min: its minimum), from LANES partial ones: NaNs are
 * skipped here as the scalar loop skips them after the first element,
 * and poison the sum anyway. */
static float extreme(const float *x, int64_t n, bool min)
{
    float m[LANES];
    for (int k = 0; k < LANES; k++)
        m[k] = x[0];
    int64_t i = 0;
    if (min)
        for (; i + LANES <= n; i += LANES)
            for (int k = 0; k < LANES; k++)
                m[k] = x[i + k] < m[k] ? x[i + k] : m[k];
    else
        for (; i + LANES <= n; i += LANES)
            for (int k = 0; k < LANES; k++)
                m[k] = x[i + k] > m[k] ? x[i + k] : m[k];
    for (; i < n; i++)
        m[0] = (min ? x[i] < m[0] : x[i] > m[0]) ? x[i] : m[0];
    float r = m[0];
    for (int k = 1; k < LANES; k++)
        r = (min ? m[k] < r : m[k] > r) ? m[k] : r;
    return r;
}

/* e[i] = exp(s * (x[i] - m)), s = ±1, to about an ulp: x - m is rounded
 * to float, and its rounding error r (Knuth's TwoSum, exact) corrects the
 * exponential, e^(d + r) = e^d (1 + r); where the difference is not
 * finite there is no error to correct. */
static void shifted_exp(const float *x, float m, float s, float *e, float *r,
                        int len)
{
    for (int i = 0; i < len; i++) {
        float a = s * x[i], b = -s * m;
        float d = a + b, bv = d - a, av = d - bv;
        float err = (a - av) + (b - bv);
        e[i] = d;
        r[i] = fabsf(err) <= 1.0f ? err : 0.0f;
    }
    act_simd_f32(ACT_VF_EXP, e, e, NULL, len);
    for (int i = 0; i < len; i++)
        e[i] += e[i] * r[i];
}

/* The sum of v[i] (times w[i] when w) in double, over LANES partial sums
 * in a fixed order. */
static double sum_f32(const float *v, const float *w, int64_t n)
{
    double acc[LANES] = {0};
    int64_t i = 0;
    if (w)
        for (; i + LANES <= n; i += LANES)
            for (int k = 0; k < LANES; k++)
                acc[k] += (double)v[i + k] * w[i + k];
    else
        for (; i + LANES <= n; i += LANES)
            for (int k = 0; k < LANES; k++)
                acc[k] += v[i + k];
    double s = 0;
    for (; i < n; i++)
        s += w ? (double)v[i] * w[i] : (double)v[i];
    for (int k = 0; k < LANES; k++)
        s += acc[k];
    return s;
}

static void softmax_row(int kind, const float *x, float *y, int64_t n)
{
    bool min = kind == ACT_SOFTMAX_KIND_SOFTMIN;
    float m = extreme(x, n, min), s = min ? -1.0f : 1.0f;
    float e[CHUNK], r[CHUNK];
    double sum = 0;
    for (int64_t i = 0; i < n; i += CHUNK) {
        int len = chunk(n, i);
        shifted_exp(x + i, m, s, kind == ACT_SOFTMAX_KIND_LOG ? e : y + i, r, len);
        sum += sum_f32(kind == ACT_SOFTMAX_KIND_LOG ? e : y + i, NULL, len);
    }
    if (kind == ACT_SOFTMAX_KIND_LOG) {
        double lse = log(sum), md = m;
        for (int64_t i = 0; i < n; i++)
            y[i] = (float)(((double)x[i] - md) - lse);
    } else {
        double inv = 1 / sum;
        for (int64_t i = 0; i < n; i++)
            y[i] = (float)(y[i] * inv);
    }
}

void act_softmax_rows_f32(int kind, const float *x, float *y, int64_t rows,
                          int64_t n)
{
    for (int64_t o = 0; n > 0 && o < rows; o++)
        softmax_row(kind, x + o * n, y + o * n, n);
}

/* softmax: gx = y (gy - sum gy y); softmin: its negative;
 * log_softmax: gx = gy - e^y sum gy. */
static void softmax_grad_row(int kind, const float *y, const float *gy,
                             float *gx, int64_t n)
{
    bool lg = kind == ACT_SOFTMAX_KIND_LOG;
    double acc = sum_f32(gy, lg ? NULL : y, n);
    if (!lg) {
        double sign = kind == ACT_SOFTMAX_KIND_SOFTMIN ? -1 : 1;
        for (int64_t i = 0; i < n; i++)
            gx[i] = (float)(sign * y[i] * ((double)gy[i] - acc));
        return;
    }
    float e[CHUNK];
    for (int64_t i = 0; i < n; i += CHUNK) {
        int len = chunk(n, i);
        act_simd_f32(ACT_VF_EXP, e, y + i, NULL, len);
        for (int k = 0; k < len; k++)
            gx[i + k] = (float)((double)gy[i + k] - (double)e[k] * acc);
    }
}

void act_softmax_grad_rows_f32(int kind, const float *y, const float *gy,
                               float *gx, int64_t rows, int64_t n)
{
    for (int64_t o = 0; o < rows; o++)
        softmax_grad_row(kind, y + o * n, gy + o * n, gx + o * n, n);
}

/* ---------------------------------------------------------------- glu */

/* y = a sigmoid(b) over the runs a = x[o][0 .. len), b = x[o][len .. 2 len)
 * of each of the rows (len: half the dim times what follows it). */
void act_glu_rows_f32(const float *x, float *y, int64_t rows, int64_t len)
{
    float t[CHUNK];
    for (int64_t o = 0; o < rows; o++) {
        const float *a = x + 2 * o * len, *b = a + len;
        float *yo = y + o * len;
        for (int64_t i = 0; i < len; i += CHUNK) {
            int m = chunk(len, i);
            act_simd_f32(ACT_VF_SIGMOID, t, b + i, NULL, m);
            for (int k = 0; k < m; k++) /* as a double product rounded */
                yo[i + k] = a[i + k] * t[k];
        }
    }
}

/* ga = gy sigmoid(b), gb = gy a sigmoid(b) sigmoid(-b): both sigmoids
 * from e = e^-|b| (math_scalar.inc's split form) and one reciprocal. */
static void glu_grad_run(const float *restrict a, const float *restrict b,
                         const float *restrict g, float *restrict ga,
                         float *restrict gb, float *restrict e, int m)
{
    for (int k = 0; k < m; k++)
        e[k] = -fabsf(b[k]);
    act_simd_f32(ACT_VF_EXP, e, e, NULL, m);
    for (int k = 0; k < m; k++) {
        float q = 1.0f / (1.0f + e[k]);
        float s = (b[k] >= 0 ? 1.0f : e[k]) * q, sc = (b[k] >= 0 ? e[k] : 1.0f) * q;
        ga[k] = g[k] * s;
        gb[k] = g[k] * a[k] * (s * sc);
    }
}

void act_glu_grad_rows_f32(const float *x, const float *gy, float *gx,
                           int64_t rows, int64_t len)
{
    float e[CHUNK];
    for (int64_t o = 0; o < rows; o++) {
        const float *a = x + 2 * o * len, *b = a + len, *g = gy + o * len;
        float *ga = gx + 2 * o * len, *gb = ga + len;
        for (int64_t i = 0; i < len; i += CHUNK)
            glu_grad_run(a + i, b + i, g + i, ga + i, gb + i, e, chunk(len, i));
    }
}

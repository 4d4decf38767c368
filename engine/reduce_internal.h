/*
 * reduce_internal.h — what reduce.c (sums) and reduce_index.c (extremes)
 * share: the [outer, n, inner] plan of a reduction, and element access
 * written once over an `f32` flag (internal).
 */
#ifndef ACT_REDUCE_INTERNAL_H
#define ACT_REDUCE_INTERNAL_H

#include "act_internal.h"

/* Each kernel is written once over a `f32` flag and forced inline into
 * callers that pass a constant, so the flag folds away and every loop is
 * compiled for its element type. */
#define INLINE static inline __attribute__((always_inline))

/* Inner columns are reduced CHUNK at a time: the accumulators or running
 * extremes (a few KiB) stay in L1 while each of the n rows is read as one
 * contiguous run. */
#define CHUNK 1024

/* x as [outer, n, inner] reduced over n, and the result's shape. */
typedef struct {
    int64_t outer, n, inner;
    int ndim;
    int64_t shape[ACT_MAX_DIMS];
} plan;

INLINE double ld(const void *x, int64_t i, bool f32)
{
    return f32 ? (double)((const float *)x)[i] : ((const double *)x)[i];
}

INLINE void st(void *y, int64_t i, double v, bool f32)
{
    if (f32)
        ((float *)y)[i] = (float)v;
    else
        ((double *)y)[i] = v;
}

INLINE const void *adv(const void *x, int64_t i, bool f32)
{
    return (const char *)x + i * (f32 ? 4 : 8);
}

/* Checks x (argument 1) and dim (argument 2) of the reduction `fn` and sees
 * x as geom = [outer, n, inner] reduced over n, giving a result of ndim
 * dims and `shape` (defined in reduce.c). */
act_status act_reduce_plan(act_context *ctx, const char *fn,
                           const act_tensor *x, int dim, bool keepdim,
                           int64_t geom[3], int *ndim, int64_t *shape);

#endif /* ACT_REDUCE_INTERNAL_H */

/*
 * activations_internal.h — what the activation files share (internal): the
 * descriptor behind each act_activation_info (range, kinks, parameter
 * checks) and the element-wise kernels, one pair per dtype.
 */
#ifndef ACT_ACTIVATIONS_INTERNAL_H
#define ACT_ACTIVATIONS_INTERNAL_H

#include "act_internal.h"

/* The range and kinks of an activation for given params. */
typedef struct act_activation_geom {
    double lo, hi;
    int nkinks;
    double kinks[ACT_ACTIVATION_MAX_KINKS];
} act_activation_geom;

typedef struct act_activation_def {
    act_activation_info info;
    /* The range and kinks whatever the params, unless `geometry` works
     * them out from the params. */
    act_activation_geom geom;
    void (*geometry)(const double *p, act_activation_geom *g);
    /* False, with what is wrong (naming the parameter) in msg, for params
     * that pass the generic checks (not NaN, choices and flags in range)
     * but not the activation's own; NULL when there is none. */
    bool (*check)(const double *p, char *msg, size_t size);
} act_activation_def;

extern const act_activation_def act_activation_defs[ACT_ACTIVATION_COUNT];

/* What the kernels take as aux: the kernel parameters, and whether the
 * float32 ones may use simd.h's vector math (the context's simd). */
typedef struct act_kernel_aux {
    double p[ACT_ACTIVATION_MAX_PARAMS];
    bool simd;
} act_kernel_aux;

/* An element-wise activation's kernels, [0] for float32, [1] for float64.
 * forward runs over (y, x); derivative over (gx, gy, s) with s the saved x
 * or y, and writes gx = gy * f'(s). Both take an act_kernel_aux. */
typedef struct act_activation_kernels {
    act_loop_fn forward[2], derivative[2];
} act_activation_kernels;

/* Indexed by activation id; rows of non-element-wise activations are
 * empty. rrelu's row is leaky_relu's: its kernel parameter is the slope. */
extern const act_activation_kernels act_activation_kernel_table[ACT_ACTIVATION_COUNT];

/* rrelu in training, over (y, noise, x): noise holds uniform slopes on
 * entry and the slope used (1 where x > 0) on return; y = x * noise. */
extern const act_loop_fn act_rrelu_train_kernel[2];
/* gx = gy * m over (gx, gy, m): rrelu's backward in training. */
extern const act_loop_fn act_mul_saved_kernel[2];

/* The ALONG_DIM activations (softmax.c): `id` one of softmax,
 * log_softmax, softmin, glu; x is a float tensor; a bad dim is blamed on
 * argument dim_arg. */
act_status act_activation_along_dim(act_context *ctx, int id,
                                    const act_tensor *x, int dim, int dim_arg,
                                    act_tensor **out);

/* softmax.c's float32 rows on the vector math (softmax_f32.c), for a
 * context whose simd is set: the softmax family (kind: node->i[0] of
 * ACT_OP_SOFTMAX) over `rows` contiguous rows of n, and glu over rows
 * whose halves are contiguous runs of len. */
enum { ACT_SOFTMAX_KIND_SOFTMAX, ACT_SOFTMAX_KIND_LOG, ACT_SOFTMAX_KIND_SOFTMIN };
void act_softmax_rows_f32(int kind, const float *x, float *y, int64_t rows,
                          int64_t n);
void act_softmax_grad_rows_f32(int kind, const float *y, const float *gy,
                               float *gx, int64_t rows, int64_t n);
void act_glu_rows_f32(const float *x, float *y, int64_t rows, int64_t len);
void act_glu_grad_rows_f32(const float *x, const float *gy, float *gx,
                           int64_t rows, int64_t len);

#endif /* ACT_ACTIVATIONS_INTERNAL_H */

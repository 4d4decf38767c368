/*
 * activations_kernels.c — the element-wise activation kernels: the scalar
 * math of activations_math.inc instantiated for float and double, the
 * float32 kernels on vector math (activations_simd.inc), and the table
 * that activations.c runs them from, indexed by activation id.
 */
#include "activations_internal.h"
#include "simd.h"

#include <tgmath.h>

/* GCC's -O2 vectorises only loops that need no scalar remainder (its
 * "very cheap" cost model), which rules out every kernel here; these loops
 * are the activations' whole cost in training, so they get the ordinary
 * cost model. Vectorising changes no result: there is no reassociation.
 * no-trapping-math lets it compute both sides of `x > 0 ? x : a * t` and
 * select (else it keeps the branch, lest a * t raise a flag that the
 * branch would not have): the same values, only floating-point exception
 * flags may differ, and nothing here reads them. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic", "no-trapping-math")
#endif

#define elem float
#define SFX(name) name##_f32
#include "activations_math.inc"
#undef SFX
#undef elem
#include "activations_simd.inc"

#define elem double
#define SFX(name) name##_f64
#include "activations_math.inc"
#undef SFX
#undef elem

#define ROW(NAME)                                                             \
    {{NAME##_fwd_f32, NAME##_fwd_f64}, {NAME##_der_f32, NAME##_der_f64}}
/* float32 on vector math: both kernels, or the forward only (derivatives
 * from y are arithmetic, which the compiler vectorises as it is). */
#define ROW_V(NAME)                                                           \
    {{NAME##_fwd_simd, NAME##_fwd_f64}, {NAME##_der_simd, NAME##_der_f64}}
#define ROW_VF(NAME)                                                          \
    {{NAME##_fwd_simd, NAME##_fwd_f64}, {NAME##_der_f32, NAME##_der_f64}}

const act_activation_kernels act_activation_kernel_table[ACT_ACTIVATION_COUNT] = {
    [ACT_ACTIVATION_STEP] = ROW(step),
    [ACT_ACTIVATION_SIGMOID] = ROW_VF(sigmoid),
    [ACT_ACTIVATION_TANH] = ROW_VF(tanh),
    [ACT_ACTIVATION_RELU] = ROW(relu),
    [ACT_ACTIVATION_RELU6] = ROW(relu6),
    [ACT_ACTIVATION_LEAKY_RELU] = ROW(leaky_relu),
    [ACT_ACTIVATION_RRELU] = ROW(leaky_relu),
    [ACT_ACTIVATION_ELU] = ROW_V(elu),
    [ACT_ACTIVATION_SELU] = ROW_V(selu),
    [ACT_ACTIVATION_CELU] = ROW_V(celu),
    [ACT_ACTIVATION_GELU] = ROW_V(gelu),
    [ACT_ACTIVATION_SILU] = ROW_V(silu),
    [ACT_ACTIVATION_MISH] = ROW_V(mish),
    [ACT_ACTIVATION_SOFTPLUS] = ROW_V(softplus),
    [ACT_ACTIVATION_SOFTSIGN] = ROW(softsign),
    [ACT_ACTIVATION_HARDTANH] = ROW(hardtanh),
    [ACT_ACTIVATION_HARDSIGMOID] = ROW(hardsigmoid),
    [ACT_ACTIVATION_HARDSWISH] = ROW(hardswish),
    [ACT_ACTIVATION_LOGSIGMOID] = ROW_V(logsigmoid),
    [ACT_ACTIVATION_TANHSHRINK] = ROW_V(tanhshrink),
    [ACT_ACTIVATION_SOFTSHRINK] = ROW(softshrink),
    [ACT_ACTIVATION_HARDSHRINK] = ROW(hardshrink),
    [ACT_ACTIVATION_THRESHOLD] = ROW(threshold),
    [ACT_ACTIVATION_SINE] = ROW_V(sine),
    [ACT_ACTIVATION_GCU] = ROW_V(gcu),
    [ACT_ACTIVATION_NCU] = ROW(ncu),
    [ACT_ACTIVATION_SQU] = ROW(squ),
    [ACT_ACTIVATION_DSU] = ROW_V(dsu),
    [ACT_ACTIVATION_SSU] = ROW_V(ssu),
};

const act_loop_fn act_rrelu_train_kernel[2] = {rrelu_train_f32, rrelu_train_f64};
const act_loop_fn act_mul_saved_kernel[2] = {mul_saved_f32, mul_saved_f64};

/*
 * act_activations.h — the activation registry and the softmax family.
 * Part of the engine's manual: include "act.h", which includes this.
 */
#ifndef ACT_ACTIVATIONS_H
#define ACT_ACTIVATIONS_H

#include "act.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---------------------------------------------------------- activations */

/* Activation functions live in one registry: each has a descriptor saying
 * its name, parameters and defaults, where it is not differentiable and
 * what values it takes. PyTorch's formulas, defaults and conventions at
 * kinks are followed (relu'(0) = 0); inputs as large as ±1000 give no NaN
 * or Inf where the mathematics is finite. Ids are the enum below; new
 * activations are appended, so ids never change meaning.
 *
 *     act_tensor *y;
 *     double slope[1] = {0.2};
 *     act_activate(ctx, act_activation_find("leaky_relu"), x, slope, &y);
 *
 * Element-wise (p: the parameters, PyTorch's defaults in brackets):
 *   step        x > 0 ? 1 : 0 (Heaviside; its gradient is 0 everywhere)
 *   sigmoid     1 / (1 + e^-x)
 *   tanh        tanh x
 *   relu        max(0, x)
 *   relu6       min(max(0, x), 6)
 *   leaky_relu  x > 0 ? x : negative_slope x                    [0.01]
 *   rrelu       x > 0 ? x : a x, a ~ U[lower, upper] per element when
 *               training, a = (lower + upper) / 2 otherwise; the gradient is
 *               the slope used                     [1/8, 1/3, training 0]
 *   elu         x > 0 ? x : alpha (e^x - 1)                         [1]
 *   selu        scale (x > 0 ? x : alpha (e^x - 1)), PyTorch's constants
 *               alpha = 1.6732632423543772, scale = 1.0507009873554805
 *   celu        x > 0 ? x : alpha (e^(x/alpha) - 1)                 [1]
 *   gelu        x Phi(x) (approximate "none"), or with Phi(x) replaced by
 *               (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 ("tanh")
 *   silu        x sigmoid(x) (alias swish)
 *   mish        x tanh(softplus(x))
 *   softplus    log(1 + e^(beta x)) / beta, and x where beta x > threshold
 *                                                           [beta 1, 20]
 *   softsign    x / (1 + |x|)
 *   hardtanh    min(max(x, min_val), max_val)                     [-1, 1]
 *   hardsigmoid min(max(x + 3, 0), 6) / 6
 *   hardswish   x min(max(x + 3, 0), 6) / 6
 *   logsigmoid  log sigmoid(x) = -softplus(-x)
 *   tanhshrink  x - tanh x
 *   softshrink  x > lambd ? x - lambd : x < -lambd ? x + lambd : 0  [0.5]
 *   hardshrink  |x| > lambd ? x : 0                                 [0.5]
 *   threshold   x > threshold ? x : value     [0, 0; PyTorch requires both]
 *   sine        sin x
 *   gcu         x cos x          (growing cosine unit)
 *   ncu         x - x^3          (non-monotonic cubic unit)
 *   squ         x^2 + x          (shifted quadratic unit)
 *   dsu         pi/2 (sinc(x - pi) - sinc(x + pi))  (decaying sine unit)
 *   ssu         pi sinc(x - pi)  (shifted sinc unit), sinc(z) = sin z / z,
 *               sinc(0) = 1
 * Along a dim (parameter "dim", a 0-based dim, default -1, the last):
 *   softmax     e^x_i / sum_j e^x_j, shifted by the maximum
 *   log_softmax x_i - max - log sum_j e^(x_j - max)
 *   softmin     softmax(-x)
 *   glu         a sigmoid(b), a and b the first and second half of the dim
 * With a weight tensor:
 *   prelu       x > 0 ? x : weight_c x (act_prelu)
 * At a kink the derivative is PyTorch's: 0 at the corners of relu, relu6,
 * hardtanh, hardsigmoid, threshold and the shrinks (relu'(0) = 0,
 * relu6'(6) = 0, softshrink'(±lambd) = 0); the negative side's slope for
 * leaky_relu, rrelu, prelu, elu and selu (elu'(0) = alpha);
 * hardswish'(-3) = -1/2 and hardswish'(3) = 1 (PyTorch's vectorised
 * kernel; its scalar tail gives 3/2). */
typedef enum act_activation {
    ACT_ACTIVATION_STEP = 0,
    ACT_ACTIVATION_SIGMOID,
    ACT_ACTIVATION_TANH,
    ACT_ACTIVATION_RELU,
    ACT_ACTIVATION_RELU6,
    ACT_ACTIVATION_LEAKY_RELU,
    ACT_ACTIVATION_RRELU,
    ACT_ACTIVATION_ELU,
    ACT_ACTIVATION_SELU,
    ACT_ACTIVATION_CELU,
    ACT_ACTIVATION_GELU,
    ACT_ACTIVATION_SILU,
    ACT_ACTIVATION_MISH,
    ACT_ACTIVATION_SOFTPLUS,
    ACT_ACTIVATION_SOFTSIGN,
    ACT_ACTIVATION_HARDTANH,
    ACT_ACTIVATION_HARDSIGMOID,
    ACT_ACTIVATION_HARDSWISH,
    ACT_ACTIVATION_LOGSIGMOID,
    ACT_ACTIVATION_TANHSHRINK,
    ACT_ACTIVATION_SOFTSHRINK,
    ACT_ACTIVATION_HARDSHRINK,
    ACT_ACTIVATION_THRESHOLD,
    ACT_ACTIVATION_SINE,
    ACT_ACTIVATION_GCU,
    ACT_ACTIVATION_NCU,
    ACT_ACTIVATION_SQU,
    ACT_ACTIVATION_DSU,
    ACT_ACTIVATION_SSU,
    ACT_ACTIVATION_SOFTMAX,
    ACT_ACTIVATION_LOG_SOFTMAX,
    ACT_ACTIVATION_SOFTMIN,
    ACT_ACTIVATION_GLU,
    ACT_ACTIVATION_PRELU,
    ACT_ACTIVATION_COUNT
} act_activation;

#define ACT_ACTIVATION_MAX_PARAMS 4
#define ACT_ACTIVATION_MAX_KINKS 4
#define ACT_ACTIVATION_MAX_ALIASES 2
#define ACT_PARAM_MAX_CHOICES 4

/* How a parameter's number is to be read. */
typedef enum act_param_kind {
    ACT_PARAM_NUMBER = 0, /* any number the activation accepts */
    ACT_PARAM_CHOICE,     /* 0, 1, ...: the index of one of `choices` */
    ACT_PARAM_FLAG,       /* 0 (false) or 1 (true) */
    ACT_PARAM_DIM         /* a 0-based dim, negative from the end */
} act_param_kind;

typedef struct act_activation_param {
    const char *name;  /* PyTorch's name: "negative_slope", "approximate" */
    double def;        /* the default */
    act_param_kind kind;
    const char *choices[ACT_PARAM_MAX_CHOICES]; /* CHOICE: names of 0, 1, ...;
                                                   NULL after the last */
} act_activation_param;

/* How the activation is applied. */
typedef enum act_activation_form {
    ACT_FORM_ELEMENTWISE = 0, /* y_i = f(x_i) */
    ACT_FORM_ALONG_DIM,       /* the softmax family and glu: param 0 a dim */
    ACT_FORM_WEIGHTED         /* prelu: takes a weight tensor (act_prelu) */
} act_activation_form;

/* An activation's descriptor (static storage, never freed). */
typedef struct act_activation_info {
    const char *name;    /* canonical: "silu" */
    const char *aliases[ACT_ACTIVATION_MAX_ALIASES]; /* "swish"; NULL-padded */
    const char *formula; /* one line for help texts */
    act_activation_form form;
    int nparams;
    act_activation_param params[ACT_ACTIVATION_MAX_PARAMS];
    bool derivative_from_y; /* backward saves the output, else the input */
    bool smooth;            /* infinitely differentiable on R */
    bool monotonic;         /* non-decreasing on R with default params */
} act_activation_info;

/* The number of activations (ACT_ACTIVATION_COUNT). */
int act_activation_count(void);
/* The descriptor of id, or NULL when id is out of range. */
const act_activation_info *act_activation_get(int id);
/* The id of a name or alias ("swish" finds silu), or -1. */
int act_activation_find(const char *name);
/* Up to max ids whose names are closest to an unknown `name` (Levenshtein
 * distance at most 1 + strlen(name) / 2, nearest first, ties in id order),
 * for "did you mean" messages. Returns how many were written. */
int act_activation_suggest(const char *name, int *ids, int max);
/* The index of the parameter called `name` in id's descriptor, or -1. */
int act_activation_param_index(int id, const char *name);

/* The points where the activation with these params (NULL: defaults) is
 * not differentiable, ascending, into kinks (ACT_ACTIVATION_MAX_KINKS
 * entries); returns their count (0 for an invalid id). A discontinuity
 * counts as a kink; so does softplus's switch to x at threshold / beta. */
int act_activation_kinks(int id, const double *params, double *kinks);
/* The infimum and supremum of the activation's values over R with these
 * params (NULL: defaults); ±INFINITY when unbounded. Along-dim and
 * weighted activations give their elements' range. */
void act_activation_range(int id, const double *params, double *lo,
                          double *hi);

/* Checks params (nparams numbers; NULL: the defaults) for activation id and
 * writes them, with the defaults where params is NULL, into out
 * (ACT_ACTIVATION_MAX_PARAMS entries). ACT_E_ARG names the activation and
 * the parameter: a NaN, a choice or flag out of range, hardtanh's min_val >
 * max_val, rrelu's lower > upper, celu's alpha or softplus's beta of 0, a
 * negative softshrink lambd. */
act_status act_activation_params(act_context *ctx, int id,
                                 const double *params, double *out);

/* y = f(x) for activation id with params (NULL: the defaults), a new
 * contiguous tensor of x's dtype (and shape, except glu, which halves its
 * dim). Recorded for autograd with a backward that computes
 * gx = gy * f'(x) in one pass. rrelu in training draws its slopes from
 * the context's generator (act_activate_gen takes another), one uniform per
 * element in row-major order. Errors: ACT_E_ARG for an unknown id or bad
 * params (act_activation_params) or a bad dim, ACT_E_DTYPE for a non-float
 * x, ACT_E_SHAPE for glu over an odd extent or a 0-d x; prelu is refused
 * with ACT_E_ARG (it takes a tensor: act_prelu). */
act_status act_activate(act_context *ctx, int id, const act_tensor *x,
                        const double *params, act_tensor **out);
act_status act_activate_gen(act_context *ctx, int id, const act_tensor *x,
                            const double *params, act_generator *gen,
                            act_tensor **out);

/* The softmax family along dim (negative counts from the end; a 0-d x is
 * one element, dim 0 or -1), max-shifted so that no logit overflows. */
act_status act_softmax(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out);
act_status act_log_softmax(act_context *ctx, const act_tensor *x, int dim,
                           act_tensor **out);
act_status act_softmin(act_context *ctx, const act_tensor *x, int dim,
                       act_tensor **out);
/* Gated linear unit: x split into halves a, b along dim (an even extent),
 * out = a * sigmoid(b), with dim halved. */
act_status act_glu(act_context *ctx, const act_tensor *x, int dim,
                   act_tensor **out);
/* out = x > 0 ? x : weight_c x, where c is x's index along dim 1 (0-based)
 * and weight has 1 element (any x) or, as a 1-d tensor, x.size(1) of them
 * (x of 2 or more dims). weight has x's dtype and may require grad; its
 * gradient is sum(gy * x) over the elements with x <= 0 of its channel. */
act_status act_prelu(act_context *ctx, const act_tensor *x,
                     const act_tensor *weight, act_tensor **out);

#ifdef __cplusplus
}
#endif
#endif /* ACT_ACTIVATIONS_H */

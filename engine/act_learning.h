/*
 * act_learning.h — losses, optimizers and learning-rate helpers.
 * Part of the engine's manual: include "act.h", which includes this.
 */
#ifndef ACT_LEARNING_H
#define ACT_LEARNING_H

#include "act.h"

#ifdef __cplusplus
extern "C" {
#endif
/* ---------------------------------------------------- losses and optimizers */

/* Loss functions, fused: one pass computes every element's loss and the
 * reduction, and one pass in backward computes the gradients. PyTorch's
 * formulas, defaults and reductions are followed; arithmetic is in double
 * whatever the dtype. Inputs and targets must have the same shape: nothing
 * is broadcast (a [4,1] prediction against a [4] target is the classic
 * silent bug), except that class-index targets lack the class dim.
 *
 *     act_tensor *loss;
 *     if (act_mse_loss(ctx, y_hat, y, ACT_REDUCTION_MEAN, &loss) == ACT_OK)
 *         act_backward(ctx, loss, NULL, false);
 *
 * The result has the promoted dtype of input and target (float64 if either
 * is). With ACT_REDUCTION_NONE it is the per-element losses, of the input's
 * shape (the target's for class indices); otherwise a 0-d tensor. "mean"
 * over zero elements is NaN, as in PyTorch. Recorded for autograd: the
 * gradient flows to the input, and to a float target as well for every loss
 * but nll and class-index cross_entropy (PyTorch differentiates targets
 * too). Common errors: ACT_E_DTYPE for a non-float input or target,
 * ACT_E_SHAPE naming both shapes ("mse: input [4,1] and target [4]
 * differ"), ACT_E_ARG for a bad reduction or parameter. */
typedef enum act_reduction {
    ACT_REDUCTION_MEAN = 0, /* the sum over the number of elements */
    ACT_REDUCTION_SUM,
    ACT_REDUCTION_NONE,     /* the per-element losses */
    ACT_REDUCTION_BATCHMEAN, /* kl_div only: the sum over input's dim 0 */
    ACT_REDUCTION_COUNT
} act_reduction;

/* "mean", "sum", "none", "batchmean"; NULL for an invalid value. */
const char *act_reduction_name(act_reduction reduction);
/* Parses a reduction's name; false if unknown. */
bool act_reduction_from_name(const char *name, act_reduction *out);

/* (x - y)^2. */
act_status act_mse_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* |x - y|; its gradient is sign(x - y), 0 where x = y. */
act_status act_l1_loss(act_context *ctx, const act_tensor *input,
                       const act_tensor *target, act_reduction reduction,
                       act_tensor **out);
/* d = x - y: |d| < beta ? d^2 / (2 beta) : |d| - beta / 2 (PyTorch's
 * SmoothL1Loss, default beta 1); beta = 0 is l1. ACT_E_ARG for beta < 0 or
 * NaN. */
act_status act_smooth_l1_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target,
                              act_reduction reduction, double beta,
                              act_tensor **out);
/* d = x - y: |d| <= delta ? d^2 / 2 : delta (|d| - delta / 2) (default
 * delta 1). ACT_E_ARG unless delta > 0. */
act_status act_huber_loss(act_context *ctx, const act_tensor *input,
                          const act_tensor *target, act_reduction reduction,
                          double delta, act_tensor **out);
/* Binary cross entropy of probabilities p (input) against targets y:
 * -(y max(log p, -100) + (1 - y) max(log(1 - p), -100)); the clamp (as in
 * PyTorch) keeps p = 0 or 1 finite. Gradients as PyTorch's: (p - y) /
 * max(p (1 - p), 1e-12) for p, and max(log(1 - p), -100) - max(log p, -100)
 * for y. ACT_E_ARG for an input element outside [0, 1] (or NaN), naming
 * it. */
act_status act_bce_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* The naive cost of the articles' experiments, unclamped:
 * -(y log p + (1 - y) log(1 - p)), which is NaN or inf when p reaches 0 or 1
 * (experiment E8 studies exactly that). One fused pass; its gradients are
 * the terms autograd would compose from that formula, -(y / p - (1 - y) /
 * (1 - p)) for p and log(1 - p) - log p for y, so they go NaN where the
 * composed form does. No range check. */
act_status act_bce_naive_loss(act_context *ctx, const act_tensor *input,
                              const act_tensor *target, act_reduction reduction,
                              act_tensor **out);
/* Binary cross entropy of logits x, in the stable form max(x, 0) - x y +
 * log(1 + e^-|x|) (finite for x = ±1000). pos_weight (NULL for none) weighs
 * the positive term: (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x); it
 * must broadcast to the input's shape (one weight per class: shape [C]) and
 * is held constant (ACT_E_UNSUPPORTED if it requires grad while grad mode
 * is on). */
act_status act_bce_with_logits_loss(act_context *ctx, const act_tensor *input,
                                    const act_tensor *target,
                                    const act_tensor *pos_weight,
                                    act_reduction reduction, act_tensor **out);
/* Cross entropy of logits against classes: log_softmax over the class dim
 * (dim 1, or dim 0 of a 1-d input: [C], [N,C] or [N,C,d1,...]), then the
 * negative log-likelihood. The target is either
 * - class indices, 0-based, of the input's shape without the class dim
 *   ([], [N] or [N,d1,...]), int64 or integral float; an index outside
 *   [0, C) is ACT_E_INDEX naming it. The loss of one row is (1 - s) (-logp
 *   of its class) + s mean_c(-logp_c), s the label smoothing;
 * - or probabilities of the input's shape (float): -sum_c t'_c logp_c with
 *   t' = (1 - s) t + s / C.
 * "mean" divides by the number of rows (elements of the target for
 * indices). ACT_E_ARG unless 0 <= label_smoothing <= 1. */
act_status act_cross_entropy_loss(act_context *ctx, const act_tensor *input,
                                  const act_tensor *target,
                                  act_reduction reduction,
                                  double label_smoothing, act_tensor **out);
/* Negative log-likelihood of log-probabilities (input, shaped as for
 * cross_entropy) at class indices: -input[n, target[n]]. */
act_status act_nll_loss(act_context *ctx, const act_tensor *input,
                        const act_tensor *target, act_reduction reduction,
                        act_tensor **out);
/* Kullback-Leibler divergence with PyTorch's argument order: input holds
 * log-probabilities, target probabilities (log-probabilities with
 * log_target): target (log target - input), 0 where target = 0 (xlogy),
 * or e^target (target - input). ACT_REDUCTION_BATCHMEAN divides the sum by
 * input's dim 0 (the mathematically right KL per sample); "mean" divides by
 * every element, as PyTorch's. The target's gradient, log target + 1 -
 * input, is -inf where the target is 0. */
act_status act_kl_div_loss(act_context *ctx, const act_tensor *input,
                           const act_tensor *target, act_reduction reduction,
                           bool log_target, act_tensor **out);

/* Optimizers: PyTorch's update rules (torch.optim, single-tensor forms),
 * one call updating every parameter. An optimizer holds a reference to
 * each parameter and owns its state buffers, made at the parameter's first
 * step. A step writes into the parameters' data directly, whatever the
 * grad mode (parameters require grad, so ordinary in-place ops refuse
 * them), and bumps their versions, so a graph that saved a parameter
 * before the step refuses to backward through it. Parameters whose grad
 * is NULL are skipped, their step counts unchanged. float32 and float64
 * parameters; SGD computes in the parameter's type, one rounding per
 * operation as PyTorch's tensor ops (never a fused multiply-add, so the
 * bits do not depend on the CPU), the others in double.
 *
 *     act_optim_options o;
 *     act_optim_defaults(ACT_OPTIM_ADAM, &o);
 *     o.lr = 1e-3;
 *     act_optimizer *opt;
 *     act_optimizer_new(ctx, ACT_OPTIM_ADAM, &o, n, params, &opt);
 *     ... act_backward(ctx, loss, NULL, false);
 *     act_optimizer_step(ctx, opt);
 *     act_optimizer_zero_grad(ctx, opt, true);
 *     ... act_optimizer_free(opt);
 *
 * With g the gradient, p the parameter, t its step count (from 1), lr the
 * learning rate and wd the weight decay:
 *   SGD      g += wd p; with momentum m: b = g at the first step, else
 *            b = m b + (1 - dampening) g; g = nesterov ? g + m b : b;
 *            p -= lr g
 *   Adam     g += wd p; m1 = b1 m1 + (1 - b1) g; m2 = b2 m2 + (1 - b2) g^2;
 *            (amsgrad: m2max = max(m2max, m2), used for m2 below)
 *            p -= lr / (1 - b1^t) m1 / (sqrt(m2) / sqrt(1 - b2^t) + eps)
 *   AdamW    p *= 1 - lr wd (decoupled decay), then Adam with wd = 0
 *   RMSprop  g += wd p; v = alpha v + (1 - alpha) g^2; centered: a = alpha
 *            a + (1 - alpha) g, d = sqrt(v - a^2) + eps, else d = sqrt(v) +
 *            eps; with momentum m: b = m b + g / d, p -= lr b; else p -= lr
 *            g / d
 *   Adagrad  g += wd p; s += g^2; p -= lr / (1 + (t - 1) lr_decay) g /
 *            (sqrt(s) + eps), s starting at initial_accumulator_value */
typedef enum act_optim_kind {
    ACT_OPTIM_SGD = 0,
    ACT_OPTIM_ADAM,
    ACT_OPTIM_ADAMW,
    ACT_OPTIM_RMSPROP,
    ACT_OPTIM_ADAGRAD,
    ACT_OPTIM_COUNT
} act_optim_kind;

/* Every kind's hyperparameters; each reads the ones it uses. */
typedef struct act_optim_options {
    double lr;           /* > 0 */
    double weight_decay; /* >= 0 */
    double momentum;     /* SGD, RMSprop: [0, 1) */
    double dampening;    /* SGD: [0, 1] */
    bool nesterov;       /* SGD: needs momentum > 0 and dampening 0 */
    double beta1, beta2; /* Adam, AdamW: [0, 1) */
    double eps;          /* Adam, AdamW, RMSprop, Adagrad: >= 0 */
    bool amsgrad;        /* Adam, AdamW */
    double alpha;        /* RMSprop: [0, 1] */
    bool centered;       /* RMSprop */
    double lr_decay;     /* Adagrad: >= 0 */
    double initial_accumulator_value; /* Adagrad: >= 0 */
} act_optim_options;

#define ACT_OPTIM_MAX_STATE 3

/* "SGD", "Adam", "AdamW", "RMSprop", "Adagrad"; NULL for an invalid value. */
const char *act_optim_name(act_optim_kind kind);
/* Parses a kind's name (as act_optim_name spells it); false if unknown. */
bool act_optim_from_name(const char *name, act_optim_kind *out);
/* PyTorch's defaults for kind: lr 1e-3 (SGD, Adam, AdamW; torch >= 2.2
 * for SGD) or 1e-2 (RMSprop, Adagrad), betas (0.9, 0.999), eps 1e-8 (1e-10
 * for Adagrad), weight decay 0 (1e-2 for AdamW), alpha 0.99, the rest 0 or
 * false. */
void act_optim_defaults(act_optim_kind kind, act_optim_options *out);
/* Checks the options kind uses: ACT_E_ARG naming the optimizer and the
 * value ("SGD: lr must be > 0, got -1") for a NaN, lr <= 0 or infinite, a
 * negative weight decay or eps, momentum outside [0, 1) (PyTorch only
 * refuses negative momentum), betas outside [0, 1), dampening or alpha
 * outside [0, 1], nesterov without momentum or with dampening, and a
 * negative lr_decay or initial accumulator. */
act_status act_optim_check(act_context *ctx, act_optim_kind kind,
                           const act_optim_options *opts);
/* The names of kind's state buffers, PyTorch's ("momentum_buffer";
 * "exp_avg", "exp_avg_sq", "max_exp_avg_sq"; "square_avg",
 * "momentum_buffer", "grad_avg"; "sum"), into names
 * (ACT_OPTIM_MAX_STATE entries); returns their count. A buffer the options
 * do not use (max_exp_avg_sq without amsgrad) is never made. */
int act_optim_state_names(act_optim_kind kind, const char **names);

typedef struct act_optimizer act_optimizer;

/* A new optimizer over params[0..n-1] (the caller keeps its references;
 * the optimizer takes its own). Errors: ACT_E_ARG for bad options
 * (act_optim_check), n < 1, a NULL or repeated parameter, or one that is
 * not a leaf; ACT_E_DTYPE for an int64 parameter; ACT_E_NOMEM. */
act_status act_optimizer_new(act_context *ctx, act_optim_kind kind,
                             const act_optim_options *opts, int n,
                             act_tensor *const *params, act_optimizer **out);
/* Frees the optimizer and its state, dropping its parameter references.
 * NULL is a no-op. */
void act_optimizer_free(act_optimizer *opt);
/* One update of every parameter that has a gradient. A gradient of another
 * dtype or layout is converted first. ACT_E_NOMEM if a state buffer cannot
 * be made (parameters updated before it keep their update). */
act_status act_optimizer_step(act_context *ctx, act_optimizer *opt);
/* Clears every parameter's gradient: to NULL with set_to_none (PyTorch's
 * default), else fills it with zeros. */
act_status act_optimizer_zero_grad(act_context *ctx, act_optimizer *opt,
                                   bool set_to_none);
act_optim_kind act_optimizer_kind(const act_optimizer *opt);
/* The options in force (borrowed). */
const act_optim_options *act_optimizer_options(const act_optimizer *opt);
double act_optimizer_lr(const act_optimizer *opt);
/* Sets the learning rate (schedulers). ACT_E_ARG for NaN, infinity or a
 * negative value; 0 is allowed, since annealing schedules reach it. */
act_status act_optimizer_set_lr(act_context *ctx, act_optimizer *opt,
                                double lr);
int act_optimizer_param_count(const act_optimizer *opt);
/* Parameter i (0-based; borrowed), or NULL out of range. */
act_tensor *act_optimizer_param(const act_optimizer *opt, int i);
/* How many steps parameter i has taken (0 out of range). */
int64_t act_optimizer_steps(const act_optimizer *opt, int i);
/* Parameter i's state buffer `slot` (an index into act_optim_state_names;
 * borrowed), or NULL before it is made or out of range. */
act_tensor *act_optimizer_state(const act_optimizer *opt, int i, int slot);
/* Restores parameter i's step count and state (a checkpoint): values[slot]
 * is copied into the buffer (made if needed; NULL leaves a buffer as it
 * is; a buffer the options do not use is ignored). ACT_E_INDEX for i out
 * of range, ACT_E_SHAPE unless each value has the parameter's shape,
 * ACT_E_ARG for a negative step count. */
act_status act_optimizer_set_state(act_context *ctx, act_optimizer *opt, int i,
                                   int64_t steps,
                                   const act_tensor *const *values);

/* Scales the gradients of params[0..n-1] (NULL gradients skipped) in place
 * so that their total norm_type-norm, taken over all of them together, is
 * at most max_norm: each is multiplied by max_norm / (total + 1e-6) when
 * that is below 1 (PyTorch's clip_grad_norm_; a NaN total scales by NaN).
 * norm_type is p > 0 or INFINITY (the largest |g|). The norm before
 * clipping goes to *total_norm (0 when no parameter has a gradient).
 * ACT_E_ARG for max_norm < 0 or NaN, norm_type <= 0 or NaN. */
act_status act_clip_grad_norm(act_context *ctx, int n,
                              act_tensor *const *params, double max_norm,
                              double norm_type, double *total_norm);

#ifdef __cplusplus
}
#endif
#endif /* ACT_LEARNING_H */

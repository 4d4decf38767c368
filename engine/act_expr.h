/*
 * act_expr.h — activations defined as formulas: an expression in x and a
 * few named parameters, differentiated symbolically and compiled into a
 * small program the engine runs over blocks of elements, forward and
 * backward, in float32 and float64. Part of the engine's manual: include
 * "act.h", which includes this.
 */
#ifndef ACT_EXPR_H
#define ACT_EXPR_H

#include "act.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------- defined activations */

/* Build the expression node by node (each call returns the node's id),
 * then compile it once; the compiled expression applies to tensors like a
 * built-in activation, with a gradient to x and to every parameter given
 * as a tensor.
 *
 *     // swish_b(x; beta) = x * sigmoid(beta * x)
 *     act_expr *e;
 *     int x, beta, bx, s, y;
 *     act_expr_new(ctx, "swish_b", 1, (const char *[]){"beta"}, &e);
 *     act_expr_input(ctx, e, &x);
 *     act_expr_param(ctx, e, 0, &beta);
 *     act_expr_node(ctx, e, ACT_EXPR_MUL, beta, x, -1, &bx);
 *     act_expr_node(ctx, e, ACT_EXPR_SIGMOID, bx, -1, -1, &s);
 *     act_expr_node(ctx, e, ACT_EXPR_MUL, x, s, -1, &y);
 *     act_expr_compile(ctx, e, y);
 *     act_expr_arg beta2 = {NULL, 2.0};
 *     act_expr_activate(ctx, e, x_tensor, &beta2, &y_tensor);
 *     act_expr_free(e); // y_tensor's autograd node keeps its own reference
 *
 * Nodes are simplified as they are made: operations on constants are
 * folded, identities dropped (a + 0, a * 1, a * 0, a ^ 1, where with equal
 * branches), and a node equal to an existing one is that node (common
 * subexpressions are shared). Derivatives are built from the same nodes.
 * Arithmetic follows C's (IEEE) rules; sigmoid and softplus use their
 * stable split forms. The derivative conventions at kinks are PyTorch's:
 * |a|' = sign(a) (0 at 0); max(a, b) and min(a, b) pass the gradient to
 * the operand they take, half to each at a tie (torch.maximum's rule);
 * comparisons and sign have gradient 0; where(c, a, b) passes it to the
 * branch taken (so clamp written as where(x < lo, lo, where(x > hi, hi, x))
 * passes it on the closed interval, as torch.clamp). */
typedef struct act_expr act_expr;

#define ACT_EXPR_MAX_PARAMS 3   /* parameters of one expression */
#define ACT_EXPR_MAX_NODES 4096 /* nodes, derivatives included */

typedef enum act_expr_op {
    ACT_EXPR_CONST = 0, /* a number (act_expr_const) */
    ACT_EXPR_INPUT,     /* x (act_expr_input) */
    ACT_EXPR_PARAM,     /* a parameter (act_expr_param) */
    /* one operand */
    ACT_EXPR_NEG,
    ACT_EXPR_EXP,
    ACT_EXPR_LOG,
    ACT_EXPR_LOG1P,
    ACT_EXPR_EXPM1,
    ACT_EXPR_SQRT,
    ACT_EXPR_ABS,
    ACT_EXPR_SIGN,     /* -1, 0 or 1 */
    ACT_EXPR_SIN,
    ACT_EXPR_COS,
    ACT_EXPR_TAN,
    ACT_EXPR_TANH,
    ACT_EXPR_SIGMOID,
    ACT_EXPR_ERF,
    ACT_EXPR_SOFTPLUS, /* log(1 + e^a), stable */
    ACT_EXPR_SINC,     /* sin(a) / a, 1 at 0 */
    ACT_EXPR_DSINC,    /* sinc'(a), 0 at 0; sinc's derivative (no gradient) */
    /* two operands */
    ACT_EXPR_ADD,
    ACT_EXPR_SUB,
    ACT_EXPR_MUL,
    ACT_EXPR_DIV,
    ACT_EXPR_POW,      /* a ^ b (C's pow; integer constant powers multiply) */
    ACT_EXPR_MIN,
    ACT_EXPR_MAX,
    ACT_EXPR_GT,       /* comparisons give 1 or 0 */
    ACT_EXPR_GE,
    ACT_EXPR_LT,
    ACT_EXPR_LE,
    ACT_EXPR_EQ,
    /* three operands */
    ACT_EXPR_WHERE,    /* a != 0 ? b : c */
    ACT_EXPR_OP_COUNT
} act_expr_op;

/* The operation's name as written in formulas ("sigmoid", "add", "gt"), or
 * NULL for an invalid op. */
const char *act_expr_op_name(act_expr_op op);
/* The op called `name` (act_expr_op_name's names), or -1. */
int act_expr_op_find(const char *name);
/* How many operands op takes (0 for CONST, INPUT and PARAM; -1 invalid). */
int act_expr_op_arity(act_expr_op op);
/* op applied to numbers, in double, exactly as compiled programs compute it
 * in float64 (unused operands are ignored). NaN for an invalid op. */
double act_expr_op_eval(act_expr_op op, double a, double b, double c);

/* A new empty expression called `name` (used in messages and as the
 * autograd node's name) with nparams parameters, 0 to ACT_EXPR_MAX_PARAMS,
 * named by param_names (copied). Free it with act_expr_free. ACT_E_ARG for
 * a NULL or empty name, a bad count or a missing parameter name. */
act_status act_expr_new(act_context *ctx, const char *name, int nparams,
                        const char *const *param_names, act_expr **out);
/* Drops the caller's reference; tensors' autograd nodes keep their own.
 * NULL is a no-op. */
void act_expr_free(act_expr *e);
/* One more reference (released with act_expr_free). */
act_expr *act_expr_retain(act_expr *e);

/* The leaves: a number, the input x, and parameter k (0-based). */
act_status act_expr_const(act_context *ctx, act_expr *e, double value,
                          int *node);
act_status act_expr_input(act_context *ctx, act_expr *e, int *node);
act_status act_expr_param(act_context *ctx, act_expr *e, int k, int *node);
/* op applied to operand nodes a, b, c (pass -1 for those op does not
 * take); *node is the result, possibly an existing node. ACT_E_ARG for an
 * op that is not an operation, a missing or unknown operand; ACT_E_STATE
 * once the expression is compiled; ACT_E_NOMEM beyond ACT_EXPR_MAX_NODES
 * nodes ("the expression is too large"). */
act_status act_expr_node(act_context *ctx, act_expr *e, act_expr_op op, int a,
                         int b, int c, int *node);

/* Makes `result` the expression's value, builds the derivatives with
 * respect to x and to each parameter, and compiles the forward and
 * backward programs (checking every instruction they hold). After this no
 * node can be added. ACT_E_ARG for an unknown node, ACT_E_STATE when
 * already compiled, ACT_E_UNSUPPORTED when a derivative would need the
 * derivative of dsinc. */
act_status act_expr_compile(act_context *ctx, act_expr *e, int result);

/* The expression's name, its parameter count and parameter k's name. */
const char *act_expr_name(const act_expr *e);
int act_expr_nparams(const act_expr *e);
const char *act_expr_param_name(const act_expr *e, int k);
/* False when the compiled expression uses abs, sign, min, max, a
 * comparison or where (it may have kinks or jumps), true otherwise. */
bool act_expr_smooth(const act_expr *e);
/* How many instructions the forward and the backward programs hold. */
void act_expr_program_size(const act_expr *e, int *forward, int *backward);

/* The formula of `what` as text: 0 the value, 1 the derivative in x, 2 + k
 * the derivative in parameter k ("x * sigmoid(beta * x)"); long formulas
 * end in "...". The caller frees *out with free(). ACT_E_STATE before
 * compile, ACT_E_ARG for a bad `what`. */
act_status act_expr_format(act_context *ctx, const act_expr *e, int what,
                           char **out);

/* A parameter's value in one call: a tensor (a float tensor of x's dtype
 * with one element, or 1-d with x.size(1) elements, one per channel as in
 * prelu; it may require grad), or, when tensor is NULL, the number. */
typedef struct act_expr_arg {
    const act_tensor *tensor;
    double value;
} act_expr_arg;

/* y = f(x) element-wise with the compiled expression and its parameters
 * (args: act_expr_nparams(e) entries; NULL when it has none), a new
 * contiguous tensor of x's dtype and shape. Recorded for autograd when x
 * or a parameter tensor requires grad: backward runs the derivative
 * program once over x, giving gx = gy * df/dx and each parameter tensor's
 * gradient sum(gy * df/dp) over its elements (per channel). A recorded
 * call keeps, until the backward, up to four tensors of x's size with the
 * costly values the derivative reads (an exp, a sigmoid...), or y itself
 * when the derivative reads f (then y changed in place is refused at
 * backward, as for a built-in that saves its output). Errors:
 * ACT_E_STATE before compile, ACT_E_DTYPE for a non-float x or a parameter
 * tensor of another dtype, ACT_E_SHAPE for a parameter tensor that is
 * neither one element nor one per channel, ACT_E_ARG for a NaN parameter
 * value; each names the expression and the parameter. */
act_status act_expr_activate(act_context *ctx, act_expr *e,
                             const act_tensor *x, const act_expr_arg *args,
                             act_tensor **out);

/* The compiled expression on n doubles: y[i] = f(x[i]), and when not NULL
 * dx[i] = f'(x[i]) and dp[k][i] = df/dp_k (dp: nparams arrays or NULL
 * entries), with the parameters' values in params. For probes and checks
 * on single points; ACT_E_STATE before compile, ACT_E_ARG when two of x,
 * y, dx and dp[k] overlap (the outputs serve as working memory). */
act_status act_expr_eval(act_context *ctx, act_expr *e, int64_t n,
                         const double *x, const double *params, double *y,
                         double *dx, double *const *dp);

/* y = values with the gradient of a function whose derivative is already
 * known: a new tensor equal to `values` whose backward to x is
 * gx = gy * derivative (both saved, not copied). For functions computed
 * outside the engine (a Lua callback); e (compiled or not) names the
 * autograd node and is retained by it. x, values and derivative must have
 * one shape and one float dtype (ACT_E_SHAPE, ACT_E_DTYPE). */
act_status act_with_derivative(act_context *ctx, act_expr *e,
                               const act_tensor *x, const act_tensor *values,
                               const act_tensor *derivative, act_tensor **out);

#ifdef __cplusplus
}
#endif
#endif /* ACT_EXPR_H */

/*
 * optim.c — optimizer objects: their options (PyTorch's defaults and
 * checks), the parameters they hold, state buffers made at a parameter's
 * first step, the step over every parameter (the rules themselves are in
 * optim_rules.c), zero_grad, and reading and restoring state.
 */
#include "optim_internal.h"
#include "autograd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct act_optimizer {
    act_optim_kind kind;
    act_optim_options o;
    int n;
    act_tensor **params;
    act_tensor **state; /* n rows of ACT_OPTIM_MAX_STATE buffers */
    int64_t *steps;
};

static const char *const kind_names[ACT_OPTIM_COUNT] = {
    [ACT_OPTIM_SGD] = "SGD",         [ACT_OPTIM_ADAM] = "Adam",
    [ACT_OPTIM_ADAMW] = "AdamW",     [ACT_OPTIM_RMSPROP] = "RMSprop",
    [ACT_OPTIM_ADAGRAD] = "Adagrad",
};

static const char *const state_names[ACT_OPTIM_COUNT][ACT_OPTIM_MAX_STATE] = {
    [ACT_OPTIM_SGD] = {"momentum_buffer"},
    [ACT_OPTIM_ADAM] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    [ACT_OPTIM_ADAMW] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"},
    [ACT_OPTIM_RMSPROP] = {"square_avg", "momentum_buffer", "grad_avg"},
    [ACT_OPTIM_ADAGRAD] = {"sum"},
};

const char *act_optim_name(act_optim_kind kind)
{
    return (unsigned)kind < ACT_OPTIM_COUNT ? kind_names[kind] : NULL;
}

bool act_optim_from_name(const char *name, act_optim_kind *out)
{
    for (int k = 0; name && k < ACT_OPTIM_COUNT; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *out = (act_optim_kind)k;
            return true;
        }
    return false;
}

int act_optim_state_names(act_optim_kind kind, const char **names)
{
    int n = 0;
    for (int s = 0; (unsigned)kind < ACT_OPTIM_COUNT && s < ACT_OPTIM_MAX_STATE; s++)
        if (state_names[kind][s])
            names[n++] = state_names[kind][s];
    return n;
}

void act_optim_defaults(act_optim_kind kind, act_optim_options *out)
{
    *out = (act_optim_options){
        .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .alpha = 0.99};
    if (kind == ACT_OPTIM_ADAMW)
        out->weight_decay = 1e-2;
    if (kind == ACT_OPTIM_RMSPROP || kind == ACT_OPTIM_ADAGRAD)
        out->lr = 1e-2;
    if (kind == ACT_OPTIM_ADAGRAD)
        out->eps = 1e-10;
}

/* ------------------------------------------------------------- checks */

/* %g, but "nan" for every NaN (glibc writes "-nan" for 0/0). */
static const char *num(char *buf, size_t size, double v)
{
    if (v != v)
        snprintf(buf, size, "nan");
    else
        snprintf(buf, size, "%g", v);
    return buf;
}

/* Fails unless lo <= v <= hi (v < hi when hi_open), naming the value. */
static act_status check_range(act_context *ctx, const char *fn,
                              const char *what, double v, double lo, double hi,
                              bool hi_open)
{
    bool ok = v >= lo && (hi_open ? v < hi : v <= hi);
    if (ok)
        return ACT_OK;
    char b[32], l[32], h[32];
    if (hi == INFINITY)
        return act_fail(ctx, ACT_E_ARG, fn, 2, "%s must be >= %s, got %s",
                        what, num(l, sizeof l, lo), num(b, sizeof b, v));
    return act_fail(ctx, ACT_E_ARG, fn, 2, "%s must be in [%s, %s%s, got %s",
                    what, num(l, sizeof l, lo), num(h, sizeof h, hi),
                    hi_open ? ")" : "]", num(b, sizeof b, v));
}

static act_status check_lr(act_context *ctx, const char *fn, double lr,
                           bool zero_ok)
{
    if ((zero_ok ? lr >= 0 : lr > 0) && lr != INFINITY)
        return ACT_OK;
    char b[32];
    return act_fail(ctx, ACT_E_ARG, fn, 2, "lr must be %s, got %s",
                    zero_ok ? "a finite number >= 0" : "> 0",
                    num(b, sizeof b, lr));
}

act_status act_optim_check(act_context *ctx, act_optim_kind kind,
                           const act_optim_options *o)
{
    if ((unsigned)kind >= ACT_OPTIM_COUNT)
        return act_fail(ctx, ACT_E_ARG, "optimizer", 1, "invalid kind %d",
                        (int)kind);
    const char *fn = kind_names[kind];
    act_status st = check_lr(ctx, fn, o->lr, false);
    if (st == ACT_OK)
        st = check_range(ctx, fn, "weight_decay", o->weight_decay, 0, INFINITY, false);
    switch (kind) {
    case ACT_OPTIM_SGD:
        if (st == ACT_OK)
            st = check_range(ctx, fn, "momentum", o->momentum, 0, 1, true);
        if (st == ACT_OK)
            st = check_range(ctx, fn, "dampening", o->dampening, 0, 1, false);
        if (st == ACT_OK && o->nesterov && (o->momentum <= 0 || o->dampening != 0))
            st = act_fail(ctx, ACT_E_ARG, fn, 2,
                          "nesterov needs momentum > 0 and dampening 0, got "
                          "momentum %g and dampening %g",
                          o->momentum, o->dampening);
        break;
    case ACT_OPTIM_ADAM:
    case ACT_OPTIM_ADAMW:
        if (st == ACT_OK)
            st = check_range(ctx, fn, "beta1", o->beta1, 0, 1, true);
        if (st == ACT_OK)
            st = check_range(ctx, fn, "beta2", o->beta2, 0, 1, true);
        break;
    case ACT_OPTIM_RMSPROP:
        if (st == ACT_OK)
            st = check_range(ctx, fn, "alpha", o->alpha, 0, 1, false);
        if (st == ACT_OK)
            st = check_range(ctx, fn, "momentum", o->momentum, 0, 1, true);
        break;
    default:
        if (st == ACT_OK)
            st = check_range(ctx, fn, "lr_decay", o->lr_decay, 0, INFINITY, false);
        if (st == ACT_OK)
            st = check_range(ctx, fn, "initial_accumulator_value",
                             o->initial_accumulator_value, 0, INFINITY, false);
    }
    if (st == ACT_OK && kind != ACT_OPTIM_SGD)
        st = check_range(ctx, fn, "eps", o->eps, 0, INFINITY, false);
    return st;
}

/* Whether kind with these options uses state buffer `slot`. */
static bool uses_slot(act_optim_kind kind, const act_optim_options *o, int slot)
{
    switch (kind) {
    case ACT_OPTIM_SGD: return slot == 0 && o->momentum != 0;
    case ACT_OPTIM_ADAM:
    case ACT_OPTIM_ADAMW: return slot < 2 || o->amsgrad;
    case ACT_OPTIM_RMSPROP:
        return slot == 0 || (slot == 1 && o->momentum > 0) ||
               (slot == 2 && o->centered);
    default: return slot == 0;
    }
}

/* ------------------------------------------------------- the object */

void act_optimizer_free(act_optimizer *opt)
{
    if (!opt)
        return;
    for (int i = 0; i < opt->n; i++) {
        act_tensor_free(opt->params[i]);
        for (int s = 0; s < ACT_OPTIM_MAX_STATE; s++)
            act_tensor_free(opt->state[i * ACT_OPTIM_MAX_STATE + s]);
    }
    free(opt->params);
    free(opt->state);
    free(opt->steps);
    free(opt);
}

static act_status check_params(act_context *ctx, const char *fn, int n,
                               act_tensor *const *params)
{
    if (n < 1)
        return act_fail(ctx, ACT_E_ARG, fn, 3,
                        "the parameter list is empty (got %d parameters)", n);
    for (int i = 0; i < n; i++) {
        const act_tensor *p = params[i];
        if (!p)
            return act_fail(ctx, ACT_E_ARG, fn, 4, "parameter %d is NULL", i + 1);
        if (!act_is_float(p->dtype))
            return act_fail(ctx, ACT_E_DTYPE, fn, 4,
                            "parameter %d is %s: only float tensors can be "
                            "optimized",
                            i + 1, act_dtype_name(p->dtype));
        if (p->grad_fn)
            return act_fail(ctx, ACT_E_ARG, fn, 4,
                            "parameter %d is not a leaf (it was made by '%s'): "
                            "optimize the tensors the model owns",
                            i + 1, act_tensor_grad_fn(p));
        for (int j = 0; j < i; j++)
            if (params[j] == p)
                return act_fail(ctx, ACT_E_ARG, fn, 4,
                                "parameter %d is parameter %d again: each "
                                "would be updated twice per step",
                                i + 1, j + 1);
    }
    return ACT_OK;
}

act_status act_optimizer_new(act_context *ctx, act_optim_kind kind,
                             const act_optim_options *opts, int n,
                             act_tensor *const *params, act_optimizer **out)
{
    act_status st = act_optim_check(ctx, kind, opts);
    if (st == ACT_OK)
        st = check_params(ctx, kind_names[kind], n, params);
    if (st != ACT_OK)
        return st;
    act_optimizer *opt = calloc(1, sizeof *opt);
    if (opt) {
        opt->params = calloc((size_t)n, sizeof *opt->params);
        opt->state = calloc((size_t)n * ACT_OPTIM_MAX_STATE, sizeof *opt->state);
        opt->steps = calloc((size_t)n, sizeof *opt->steps);
    }
    if (!opt || !opt->params || !opt->state || !opt->steps) {
        act_optimizer_free(opt);
        return act_fail(ctx, ACT_E_NOMEM, kind_names[kind], 0,
                        "out of memory for an optimizer of %d parameters", n);
    }
    opt->kind = kind;
    opt->o = *opts;
    opt->n = n;
    for (int i = 0; i < n; i++)
        opt->params[i] = act_tensor_retain(params[i]);
    *out = opt;
    return ACT_OK;
}

act_optim_kind act_optimizer_kind(const act_optimizer *opt) { return opt->kind; }
const act_optim_options *act_optimizer_options(const act_optimizer *opt)
{
    return &opt->o;
}
double act_optimizer_lr(const act_optimizer *opt) { return opt->o.lr; }
int act_optimizer_param_count(const act_optimizer *opt) { return opt->n; }

act_status act_optimizer_set_lr(act_context *ctx, act_optimizer *opt, double lr)
{
    act_status st = check_lr(ctx, kind_names[opt->kind], lr, true);
    if (st == ACT_OK)
        opt->o.lr = lr;
    return st;
}

act_tensor *act_optimizer_param(const act_optimizer *opt, int i)
{
    return i >= 0 && i < opt->n ? opt->params[i] : NULL;
}

int64_t act_optimizer_steps(const act_optimizer *opt, int i)
{
    return i >= 0 && i < opt->n ? opt->steps[i] : 0;
}

act_tensor *act_optimizer_state(const act_optimizer *opt, int i, int slot)
{
    if (i < 0 || i >= opt->n || slot < 0 || slot >= ACT_OPTIM_MAX_STATE)
        return NULL;
    return opt->state[i * ACT_OPTIM_MAX_STATE + slot];
}

/* Makes parameter i's missing buffers; *fresh tells whether any was made. */
static act_status ensure_state(act_context *ctx, act_optimizer *opt, int i,
                               bool *fresh)
{
    const act_tensor *p = opt->params[i];
    act_tensor **row = &opt->state[i * ACT_OPTIM_MAX_STATE];
    double init = opt->kind == ACT_OPTIM_ADAGRAD ? opt->o.initial_accumulator_value : 0;
    *fresh = false;
    for (int s = 0; s < ACT_OPTIM_MAX_STATE; s++) {
        if (row[s] || !uses_slot(opt->kind, &opt->o, s))
            continue;
        act_status st = act_full(ctx, p->dtype, p->ndim, p->shape, init, &row[s]);
        if (st != ACT_OK)
            return st;
        *fresh = true;
    }
    return ACT_OK;
}

/* Copies src into dst (same shape) with grad mode off: the optimizer writes
 * parameters that require grad. */
static act_status copy_nograd(act_context *ctx, act_tensor *dst,
                              const act_tensor *src)
{
    bool was = act_set_grad_enabled(ctx, false);
    act_status st = act_copy_(ctx, dst, src);
    act_set_grad_enabled(ctx, was);
    return st;
}

/* One parameter's update: its gradient in the parameter's dtype and
 * layout, and a contiguous working copy of a parameter that is not. */
static act_status step_one(act_context *ctx, act_optimizer *opt, int i)
{
    act_tensor *p = opt->params[i], *g = p->grad, *gc = NULL, *pc = NULL;
    bool fresh;
    act_status st = ensure_state(ctx, opt, i, &fresh);
    /* Copies only where the rule cannot work in place (the usual case: a
     * contiguous parameter and a gradient of its dtype and layout). */
    if (st == ACT_OK && (g->dtype != p->dtype || !act_tensor_is_contiguous(g)))
        st = act_to_dtype_nograd(ctx, g, p->dtype, &gc);
    if (st == ACT_OK && !act_tensor_is_contiguous(p))
        st = act_contiguous_nograd(ctx, p, &pc);
    act_tensor *pw = pc ? pc : p;
    if (st == ACT_OK) {
        act_optim_update u = {.n = act_tensor_numel(p),
                              .p = act_tensor_data(pw),
                              .g = act_tensor_data(gc ? gc : g),
                              .fresh = fresh,
                              .step = ++opt->steps[i],
                              .lr = opt->o.lr};
        for (int s = 0; s < ACT_OPTIM_MAX_STATE; s++) {
            act_tensor *b = opt->state[i * ACT_OPTIM_MAX_STATE + s];
            u.s[s] = b && uses_slot(opt->kind, &opt->o, s) ? act_tensor_data(b) : NULL;
            if (b)
                b->storage->version++;
        }
        act_optim_apply(opt->kind, p->dtype, &opt->o, &u);
        /* A graph that saved p before this step must refuse to use it. */
        pw->storage->version++;
        if (pc)
            st = copy_nograd(ctx, p, pc);
    }
    act_tensor_free(gc);
    act_tensor_free(pc);
    return st;
}

act_status act_optimizer_step(act_context *ctx, act_optimizer *opt)
{
    for (int i = 0; i < opt->n; i++) {
        if (!opt->params[i]->grad)
            continue;
        act_status st = step_one(ctx, opt, i);
        if (st != ACT_OK)
            return st;
    }
    return ACT_OK;
}

act_status act_optimizer_zero_grad(act_context *ctx, act_optimizer *opt,
                                   bool set_to_none)
{
    bool was = act_set_grad_enabled(ctx, false);
    act_status st = ACT_OK;
    for (int i = 0; i < opt->n && st == ACT_OK; i++) {
        act_tensor *p = opt->params[i];
        if (set_to_none)
            st = act_tensor_set_grad(ctx, p, NULL);
        else if (p->grad)
            st = act_fill_(ctx, p->grad, 0);
    }
    act_set_grad_enabled(ctx, was);
    return st;
}

act_status act_optimizer_set_state(act_context *ctx, act_optimizer *opt, int i,
                                   int64_t steps,
                                   const act_tensor *const *values)
{
    const char *fn = kind_names[opt->kind];
    if (i < 0 || i >= opt->n)
        return act_fail(ctx, ACT_E_INDEX, fn, 2,
                        "parameter %d is out of range (expected 0 to %d)", i,
                        opt->n - 1);
    if (steps < 0)
        return act_fail(ctx, ACT_E_ARG, fn, 3,
                        "the step count must be >= 0, got %lld", (long long)steps);
    const act_tensor *p = opt->params[i];
    for (int s = 0; values && s < ACT_OPTIM_MAX_STATE; s++) {
        const act_tensor *v = values[s];
        if (v && (v->ndim != p->ndim ||
                  memcmp(v->shape, p->shape, sizeof(int64_t) * (size_t)p->ndim))) {
            char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
            return act_fail(ctx, ACT_E_SHAPE, fn, 4,
                            "state '%s' has shape %s, but parameter %d has %s",
                            state_names[opt->kind][s] ? state_names[opt->kind][s] : "?",
                            act_shape_str(a, sizeof a, v->ndim, v->shape), i + 1,
                            act_shape_str(b, sizeof b, p->ndim, p->shape));
        }
    }
    for (int s = 0; values && s < ACT_OPTIM_MAX_STATE; s++) {
        act_tensor **slot = &opt->state[i * ACT_OPTIM_MAX_STATE + s];
        if (!values[s] || !uses_slot(opt->kind, &opt->o, s))
            continue;
        act_status st = *slot ? ACT_OK
                              : act_zeros(ctx, p->dtype, p->ndim, p->shape, slot);
        if (st == ACT_OK)
            st = copy_nograd(ctx, *slot, values[s]);
        if (st != ACT_OK)
            return st;
    }
    opt->steps[i] = steps;
    return ACT_OK;
}

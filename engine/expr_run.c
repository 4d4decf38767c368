/*
 * expr_run.c — applying a compiled expression to tensors: the forward
 * program over blocks of EXPR_BLOCK elements, its autograd node, and the
 * backward program, which gives the gradient to x and to parameter tensors
 * (one value, or one per channel along dim 1) in one pass. When the call
 * is recorded, the forward also stores the costly values the backward
 * reads (expr_compile.c chooses them), so that they are computed once.
 */
#include "autograd.h"
#include "expr_internal.h"
#include "grad_rules.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The loops that store results are half the evaluator's own work: the
 * ordinary cost model lets GCC vectorise them (see expr_kernels.c). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("vect-cost-model=dynamic")
#endif

/* One call's parameters: the scalar values, and for per-channel ones the
 * contiguous values (of x's dtype) with x seen as [outer, channels, inner]. */
typedef struct {
    double value[ACT_EXPR_MAX_PARAMS];
    const act_tensor *channels[ACT_EXPR_MAX_PARAMS]; /* NULL: a scalar */
    int64_t nchannels, inner;
} call_params;

/* The registers of one evaluation: nregs blocks, in one malloc (free it
 * with free(*regs)). */
static act_status regs_open(act_context *ctx, const act_expr *e,
                            const expr_program *p, size_t elsize, void ***regs)
{
    size_t head = (size_t)p->nregs * sizeof(void *);
    head = (head + 63) & ~(size_t)63; /* blocks start on a cache line */
    char *mem = malloc(head + (size_t)p->nregs * EXPR_BLOCK * elsize + 64);
    if (!mem)
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    void **r = (void **)mem;
    char *data = mem + head;
    for (int i = 0; i < p->nregs; i++)
        r[i] = data + (size_t)i * EXPR_BLOCK * elsize;
    *regs = r;
    return ACT_OK;
}

/* Fills constants and scalar parameters, once per call. */
#define DEFINE_LOAD(T, SFX)                                                   \
    static void load_fixed_##SFX(const expr_program *p, T *const *r,         \
                                 const call_params *cp)                      \
    {                                                                         \
        for (int i = 0; i < p->nconst; i++)                                   \
            for (int j = 0; j < EXPR_BLOCK; j++)                              \
                r[p->const_reg[i]][j] = (T)p->const_val[i];                   \
        for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++)                         \
            if (p->param_reg[k] >= 0 && !cp->channels[k])                     \
                for (int j = 0; j < EXPR_BLOCK; j++)                          \
                    r[p->param_reg[k]][j] = (T)cp->value[k];                  \
    }                                                                         \
    /* Per-channel parameters for elements base .. base + n - 1. */          \
    static void load_channels_##SFX(const expr_program *p, T *const *r,      \
                                    const call_params *cp, int64_t base,     \
                                    int n)                                    \
    {                                                                         \
        for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++) {                       \
            if (p->param_reg[k] < 0 || !cp->channels[k])                      \
                continue;                                                     \
            const T *v = act_tensor_data(cp->channels[k]);                    \
            for (int j = 0; j < n; j++)                                       \
                r[p->param_reg[k]][j] =                                       \
                    v[((base + j) / cp->inner) % cp->nchannels];              \
        }                                                                     \
    }
DEFINE_LOAD(float, f32)
DEFINE_LOAD(double, f64)

/* -------------------------------------------------------------- checks */

static act_status check_args(act_context *ctx, const act_expr *e,
                             const act_tensor *x, const act_expr_arg *args,
                             call_params *cp)
{
    if (!e->compiled)
        return act_fail(ctx, ACT_E_STATE, e->name, 0,
                        "the expression is not compiled yet");
    act_status st = act_require_float(ctx, e->name, 1, x);
    if (st != ACT_OK)
        return st;
    memset(cp, 0, sizeof *cp);
    cp->nchannels = 1;
    cp->inner = 1;
    char buf[ACT_SHAPE_BUF], wbuf[ACT_SHAPE_BUF];
    for (int k = 0; k < e->nparams; k++) {
        const char *pn = e->param_names[k];
        const act_tensor *t = args[k].tensor;
        if (!t) {
            if (isnan(args[k].value))
                return act_fail(ctx, ACT_E_ARG, e->name, 2,
                                "parameter %s is NaN", pn);
            cp->value[k] = args[k].value;
            continue;
        }
        if (t->dtype != x->dtype)
            return act_fail(ctx, ACT_E_DTYPE, e->name, 2,
                            "parameter %s is %s but x is %s: they must agree",
                            pn, act_dtype_name(t->dtype), act_dtype_name(x->dtype));
        int64_t n = act_tensor_numel(t);
        if (n == 1 && t->ndim <= 1) {
            cp->value[k] = act_load(t->dtype, act_elem_ptr(t, (int64_t[]){0}));
            continue;
        }
        if (t->ndim != 1 || x->ndim < 2 || n != x->shape[1])
            return act_fail(ctx, ACT_E_SHAPE, e->name, 2,
                            "parameter %s has shape %s: expected one value, "
                            "or one per channel (dim 1) of x, whose shape is %s",
                            pn, act_shape_str(wbuf, sizeof wbuf, t->ndim, t->shape),
                            act_shape_str(buf, sizeof buf, x->ndim, x->shape));
        cp->channels[k] = t;
        cp->nchannels = n;
        cp->inner = 1;
        for (int i = 2; i < x->ndim; i++)
            cp->inner *= x->shape[i];
    }
    return ACT_OK;
}

/* Per-channel parameter tensors made contiguous (references in owned[]). */
static act_status contiguous_channels(act_context *ctx, call_params *cp,
                                      act_tensor **owned)
{
    for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++) {
        if (!cp->channels[k])
            continue;
        act_status st = act_contiguous_nograd(ctx, cp->channels[k], &owned[k]);
        if (st != ACT_OK)
            return st;
        cp->channels[k] = owned[k];
    }
    return ACT_OK;
}

/* ---------------------------------------------------------- evaluation */

/* The inputs of one pass, each n contiguous elements of the program's
 * type (NULL: not given). */
typedef struct {
    const void *in[EXPR_MAX_INPUTS];
} pass_inputs;

/* Fails unless every input p reads is given. */
static act_status check_inputs(act_context *ctx, const act_expr *e,
                               const expr_program *p, const pass_inputs *in)
{
    for (int i = 0; i < EXPR_MAX_INPUTS; i++)
        if (p->in_reg[i] >= 0 && !in->in[i])
            return act_fail(ctx, ACT_E_STATE, e->name, 0,
                            "internal: the program reads input %d, not given", i);
    return ACT_OK;
}

/* Output buffers of one pass: n contiguous elements each of the
 * program's type, NULL for an output not wanted. */
typedef struct {
    char *out[1 + EXPR_MAX_SAVED + ACT_EXPR_MAX_PARAMS];
    size_t es;
} pass_outputs;

/* One pass of program p over n elements into the buffers of `out`. An
 * output that an instruction computes (direct_mask) is written straight
 * into its buffer: its register is the buffer's block itself, and nothing
 * else lives in that register after the instruction that computes it
 * (outputs are never freed; earlier temporaries that shared it only
 * scribble on the block before it is written). The others are copied
 * from their registers. `each`, when given, then sees every block's
 * registers (the parameters' sums). */
typedef void (*block_fn)(void *user, const expr_program *p, void *const *regs,
                         int64_t base, int m);

/* Bit o: output o goes straight into its buffer: it is wanted, computed
 * by an instruction, and no other wanted output shares its register. */
static unsigned direct_mask(const expr_program *p, const pass_outputs *out)
{
    unsigned mask = 0;
    for (int o = 0; o < p->nout; o++) {
        bool alone = true;
        for (int j = 0; j < p->nout; j++)
            alone = alone && (j == o || !out->out[j] || p->out_reg[j] != p->out_reg[o]);
        if (out->out[o] && alone && (p->computed_outs >> o & 1u))
            mask |= 1u << o;
    }
    return mask;
}

static void store_block(const expr_program *p, const pass_outputs *out,
                        unsigned direct, void *const *regs, int64_t base, int m)
{
    for (int o = 0; o < p->nout; o++)
        if (out->out[o] && !(direct >> o & 1u))
            memcpy(out->out[o] + (size_t)base * out->es, regs[p->out_reg[o]],
                   (size_t)m * out->es);
}

static void run_blocks(const expr_program *p, const call_params *cp, bool f32,
                       const pass_inputs *in, int64_t n, void **regs,
                       const pass_outputs *out, block_fn each, void *user)
{
    size_t es = f32 ? sizeof(float) : sizeof(double);
    unsigned direct = direct_mask(p, out);
    void *own[1 + EXPR_MAX_SAVED + ACT_EXPR_MAX_PARAMS];
    for (int o = 0; o < p->nout; o++)
        own[o] = regs[p->out_reg[o]];
    if (f32)
        load_fixed_f32(p, (float *const *)regs, cp);
    else
        load_fixed_f64(p, (double *const *)regs, cp);
    for (int64_t base = 0; base < n; base += EXPR_BLOCK) {
        int m = (int)(n - base < EXPR_BLOCK ? n - base : EXPR_BLOCK);
        /* Inputs are read in place: no instruction writes them. */
        for (int i = 0; i < EXPR_MAX_INPUTS; i++)
            if (p->in_reg[i] >= 0)
                regs[p->in_reg[i]] = (char *)in->in[i] + (size_t)base * es;
        for (int o = 0; o < p->nout; o++)
            if (direct >> o & 1u)
                regs[p->out_reg[o]] = out->out[o] + (size_t)base * es;
        if (f32) {
            load_channels_f32(p, (float *const *)regs, cp, base, m);
            act_expr_run_f32(p, (float *const *)regs, m);
        } else {
            load_channels_f64(p, (double *const *)regs, cp, base, m);
            act_expr_run_f64(p, (double *const *)regs, m);
        }
        store_block(p, out, direct, regs, base, m);
        if (each)
            each(user, p, regs, base, m);
    }
    for (int o = 0; o < p->nout; o++)
        regs[p->out_reg[o]] = own[o];
}

/* Node layout: i[0] the expression (retained); i[1 + k] parameter k's
 * input slot or -1; i[1 + MAX + k] the saved slot of its per-channel
 * values or -1; i[NODE_SAVED_AT] the saved slot of the first of the
 * expression's saved values; f[k] the scalar values. Saved: contiguous x,
 * the per-channel values, then the saved values (y where one is f). */
#define NODE_SAVED_AT (1 + 2 * ACT_EXPR_MAX_PARAMS)
_Static_assert(1 + ACT_EXPR_MAX_PARAMS + EXPR_MAX_SAVED <= ACT_NODE_MAX_SAVED,
               "a node saves x, the per-channel parameters and the saved values");
_Static_assert(NODE_SAVED_AT < ACT_MAX_DIMS + 4, "node->i has room for the layout");

static act_status record(act_context *ctx, act_expr *e, const act_tensor *x,
                         const act_tensor *xc, const act_expr_arg *args,
                         const call_params *cp, act_tensor *y,
                         act_tensor *const *values)
{
    const act_tensor *inputs[1 + ACT_EXPR_MAX_PARAMS] = {x};
    int slot[ACT_EXPR_MAX_PARAMS], n = 1;
    for (int k = 0; k < e->nparams; k++) {
        slot[k] = args[k].tensor ? n : -1;
        if (args[k].tensor)
            inputs[n++] = args[k].tensor;
    }
    act_node *node;
    act_status st = act_record(ctx, ACT_OP_EXPR, n, inputs, y, &node);
    if (st != ACT_OK || !node)
        return st;
    node->i[0] = (int64_t)(intptr_t)act_expr_retain(e);
    for (int k = 0; k < e->nparams; k++) {
        node->i[1 + k] = slot[k];
        node->f[k] = cp->value[k];
    }
    st = act_node_save(ctx, node, xc);
    for (int k = 0; k < e->nparams; k++) {
        node->i[1 + ACT_EXPR_MAX_PARAMS + k] = cp->channels[k] ? node->nsaved : -1;
        if (st == ACT_OK && cp->channels[k])
            st = act_node_save(ctx, node, cp->channels[k]);
    }
    node->i[NODE_SAVED_AT] = node->nsaved;
    for (int i = 0; st == ACT_OK && i < e->nsaved; i++)
        st = act_node_save(ctx, node, values[i] ? values[i] : y);
    return st;
}

/* Buffers for the saved values (none for one that is f: y serves). */
static act_status alloc_saved(act_context *ctx, const act_expr *e,
                              const act_tensor *x, act_tensor **values,
                              pass_outputs *s)
{
    for (int i = 0; i < e->nsaved; i++) {
        if (e->saved[i] == e->result)
            continue;
        act_status st = act_tensor_alloc(ctx, e->name, x->dtype, x->ndim,
                                         x->shape, false, &values[i]);
        if (st != ACT_OK)
            return st;
        s->out[1 + i] = act_tensor_data(values[i]);
    }
    return ACT_OK;
}

act_status act_expr_activate(act_context *ctx, act_expr *e,
                             const act_tensor *x, const act_expr_arg *args,
                             act_tensor **out)
{
    call_params cp;
    act_status st = check_args(ctx, e, x, args, &cp);
    if (st != ACT_OK)
        return st;
    const act_tensor *inputs[1 + ACT_EXPR_MAX_PARAMS] = {x};
    for (int k = 0; k < e->nparams; k++)
        inputs[1 + k] = args[k].tensor;
    bool saving = e->nsaved > 0 && act_grad_needed(ctx, 1 + e->nparams, inputs);
    const expr_program *p = saving ? &e->forward_saving : &e->forward;
    act_tensor *owned[ACT_EXPR_MAX_PARAMS] = {NULL}, *xc = NULL, *y = NULL;
    act_tensor *values[EXPR_MAX_SAVED] = {NULL};
    void **regs = NULL;
    size_t es = act_dtype_size(x->dtype);
    pass_outputs s = {.es = es};
    if ((st = contiguous_channels(ctx, &cp, owned)) == ACT_OK &&
        (st = act_contiguous_nograd(ctx, x, &xc)) == ACT_OK &&
        (st = act_tensor_alloc(ctx, e->name, x->dtype, x->ndim, x->shape,
                               false, &y)) == ACT_OK &&
        (!saving || (st = alloc_saved(ctx, e, x, values, &s)) == ACT_OK) &&
        (st = regs_open(ctx, e, p, es, &regs)) == ACT_OK) {
        pass_inputs in = {{[EXPR_IN_X] = act_tensor_data(xc)}};
        s.out[0] = act_tensor_data(y);
        run_blocks(p, &cp, x->dtype == ACT_DTYPE_F32, &in, act_tensor_numel(xc),
                   regs, &s, NULL, NULL);
        st = record(ctx, e, x, xc, args, &cp, y, values);
    }
    free(regs);
    act_tensor_free(xc);
    for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++)
        act_tensor_free(owned[k]);
    for (int i = 0; i < EXPR_MAX_SAVED; i++)
        act_tensor_free(values[i]);
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

/* ----------------------------------------------------------- backward */

/* The parameters' gradients, summed in double: acc[k][channel] += the
 * block's gy * df/dp_k (the program's output 1 + k). */
typedef struct {
    bool f32;
    double *acc[ACT_EXPR_MAX_PARAMS];
    const call_params *cp;
} grad_sink;

#define DEFINE_SUM_GRADS(T, SFX)                                              \
    static void sum_grads_##SFX(grad_sink *g, const expr_program *p,         \
                                void *const *regs, int64_t base, int m)      \
    {                                                                         \
        for (int k = 0; k + 1 < p->nout; k++) {                               \
            double *acc = g->acc[k];                                          \
            const T *d = regs[p->out_reg[k + 1]];                             \
            if (!acc)                                                         \
                continue;                                                     \
            if (!g->cp->channels[k]) {                                        \
                double s = 0;                                                 \
                for (int j = 0; j < m; j++)                                   \
                    s += (double)d[j];                                        \
                acc[0] += s;                                                  \
                continue;                                                     \
            }                                                                 \
            for (int j = 0; j < m; j++)                                       \
                acc[((base + j) / g->cp->inner) % g->cp->nchannels] +=        \
                    (double)d[j];                                             \
        }                                                                     \
    }
DEFINE_SUM_GRADS(float, f32)
DEFINE_SUM_GRADS(double, f64)

static void sum_grads(void *user, const expr_program *p, void *const *regs,
                      int64_t base, int m)
{
    grad_sink *g = user;
    if (g->f32)
        sum_grads_f32(g, p, regs, base, m);
    else
        sum_grads_f64(g, p, regs, base, m);
}

/* The parameters of a recorded call, from its node. */
static void node_params(const act_node *node, const act_expr *e,
                        call_params *cp)
{
    const act_tensor *x = node->saved[0];
    memset(cp, 0, sizeof *cp);
    cp->nchannels = 1;
    cp->inner = 1;
    for (int k = 0; k < e->nparams; k++) {
        cp->value[k] = node->f[k];
        int64_t saved = node->i[1 + ACT_EXPR_MAX_PARAMS + k];
        if (saved < 0)
            continue;
        cp->channels[k] = node->saved[saved];
        cp->nchannels = x->shape[1];
        cp->inner = 1;
        for (int i = 2; i < x->ndim; i++)
            cp->inner *= x->shape[i];
    }
}

/* Gradient tensors of the wanted parameters, from their sums. */
static act_status param_grads(act_context *ctx, const act_node *node,
                              const act_expr *e, grad_sink *g, act_tensor **gx)
{
    for (int k = 0; k < e->nparams; k++) {
        if (!g->acc[k])
            continue;
        int slot = (int)node->i[1 + k];
        const act_edge *edge = &node->in[slot];
        act_status st = act_tensor_alloc(ctx, e->name, edge->dtype, edge->ndim,
                                         edge->shape, false, &gx[slot]);
        if (st != ACT_OK)
            return st;
        int64_t n = act_tensor_numel(gx[slot]);
        for (int64_t c = 0; c < n; c++)
            act_store(edge->dtype, (char *)act_tensor_data(gx[slot]) +
                                       c * act_dtype_size(edge->dtype),
                      g->acc[k][c]);
    }
    return ACT_OK;
}

act_status act_expr_backward(act_context *ctx, const act_node *node,
                             const act_tensor *gy, act_tensor **gx)
{
    act_expr *e = (act_expr *)(intptr_t)node->i[0];
    const act_tensor *x = node->saved[0];
    call_params cp;
    node_params(node, e, &cp);
    size_t es = act_dtype_size(x->dtype);
    grad_sink g = {.f32 = x->dtype == ACT_DTYPE_F32, .cp = &cp};
    bool any_param = false;
    act_status st = ACT_OK;
    for (int k = 0; k < e->nparams && st == ACT_OK; k++) {
        int slot = (int)node->i[1 + k];
        if (slot < 0 || !act_node_wants(node, slot))
            continue;
        any_param = true;
        g.acc[k] = calloc((size_t)(cp.channels[k] ? cp.nchannels : 1), sizeof(double));
        if (!g.acc[k])
            st = act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    }
    const expr_program *p = any_param ? &e->backward : &e->backward_x;
    act_tensor *gyc = NULL, *gxt = NULL;
    void **regs = NULL;
    pass_inputs in = {{[EXPR_IN_X] = act_tensor_data(x)}};
    for (int i = 0; i < e->nsaved; i++)
        in.in[EXPR_IN_SAVED + i] =
            act_tensor_data(node->saved[node->i[NODE_SAVED_AT] + i]);
    if (st == ACT_OK)
        st = x->dtype == gy->dtype ? act_contiguous_nograd(ctx, gy, &gyc)
                                   : act_to_dtype_nograd(ctx, gy, x->dtype, &gyc);
    if (st == ACT_OK && act_node_wants(node, 0))
        st = act_tensor_alloc(ctx, e->name, x->dtype, x->ndim, x->shape, false, &gxt);
    if (st == ACT_OK) {
        in.in[EXPR_IN_GY] = act_tensor_data(gyc);
        st = check_inputs(ctx, e, p, &in);
    }
    if (st == ACT_OK)
        st = regs_open(ctx, e, p, es, &regs);
    if (st == ACT_OK) {
        pass_outputs out = {{gxt ? act_tensor_data(gxt) : NULL}, es};
        run_blocks(p, &cp, g.f32, &in, act_tensor_numel(x), regs, &out,
                   any_param ? sum_grads : NULL, &g);
        st = param_grads(ctx, node, e, &g, gx);
    }
    if (st == ACT_OK) {
        gx[0] = gxt;
        gxt = NULL;
    }
    free(regs);
    act_tensor_free(gyc);
    act_tensor_free(gxt);
    for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++)
        free(g.acc[k]);
    return st;
}

void act_expr_release(act_node *node)
{
    act_expr_free((act_expr *)(intptr_t)node->i[0]);
    node->i[0] = 0;
}

/* -------------------------------------------------------------- doubles */

/* Fails unless the n-element arrays x, y, dx and dp[k] (NULL: absent)
 * are disjoint. */
static act_status check_disjoint(act_context *ctx, const act_expr *e,
                                 int64_t n, const double *x, const double *y,
                                 const double *dx, double *const *dp)
{
    const double *a[3 + ACT_EXPR_MAX_PARAMS] = {x, y, dx};
    const char *name[3 + ACT_EXPR_MAX_PARAMS] = {"x", "y", "dx", "dp[1]", "dp[2]", "dp[3]"};
    for (int k = 0; dp && k < e->nparams; k++)
        a[3 + k] = dp[k];
    for (int i = 0; i < 3 + e->nparams; i++)
        for (int j = i + 1; j < 3 + e->nparams; j++)
            if (a[i] && a[j] && a[i] < a[j] + n && a[j] < a[i] + n)
                return act_fail(ctx, ACT_E_ARG, e->name, 0,
                                "%s and %s overlap: each needs its own %lld "
                                "doubles", name[i], name[j], (long long)n);
    return ACT_OK;
}

act_status act_expr_eval(act_context *ctx, act_expr *e, int64_t n,
                         const double *x, const double *params, double *y,
                         double *dx, double *const *dp)
{
    if (!e->compiled)
        return act_fail(ctx, ACT_E_STATE, e->name, 0,
                        "the expression is not compiled yet");
    act_status bad = check_disjoint(ctx, e, n, x, y, dx, dp);
    if (bad != ACT_OK)
        return bad;
    call_params cp = {.nchannels = 1, .inner = 1};
    for (int k = 0; k < e->nparams; k++)
        cp.value[k] = params[k];
    bool derivs = dx || dp;
    /* The derivatives come out of the backward programs with gy = 1; they
     * read the saved values, which the forward stores into `keep`. */
    size_t count = (size_t)(n > 0 ? n : 1);
    double *keep = derivs ? malloc((1 + (size_t)e->nsaved) * count * sizeof *keep) : NULL;
    double *fx = y ? y : keep + (size_t)e->nsaved * count;
    if (derivs && !keep)
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    pass_inputs in = {{[EXPR_IN_X] = x}};
    pass_outputs s = {{(char *)fx}, sizeof(double)};
    for (int i = 0; derivs && i < e->nsaved; i++) {
        double *v = e->saved[i] == e->result ? fx : keep + (size_t)i * count;
        s.out[1 + i] = e->saved[i] == e->result ? NULL : (char *)v;
        in.in[EXPR_IN_SAVED + i] = v;
    }
    const expr_program *p = derivs ? &e->forward_saving : &e->forward;
    void **regs = NULL;
    act_status st = regs_open(ctx, e, p, sizeof(double), &regs);
    if (st == ACT_OK && (y || derivs))
        run_blocks(p, &cp, false, &in, n, regs, &s, NULL, NULL);
    free(regs);
    regs = NULL;
    if (st == ACT_OK && derivs) {
        p = &e->backward;
        pass_outputs d = {{(char *)dx}, sizeof(double)};
        for (int k = 0; dp && k < e->nparams; k++)
            d.out[1 + k] = (char *)dp[k];
        double *ones = malloc(count * sizeof *ones);
        if (!ones)
            st = act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
        for (size_t j = 0; ones && j < count; j++)
            ones[j] = 1;
        in.in[EXPR_IN_GY] = ones;
        if (st == ACT_OK && (st = check_inputs(ctx, e, p, &in)) == ACT_OK &&
            (st = regs_open(ctx, e, p, sizeof(double), &regs)) == ACT_OK)
            run_blocks(p, &cp, false, &in, n, regs, &d, NULL, NULL);
        free(ones);
        free(regs);
    }
    free(keep);
    return st;
}

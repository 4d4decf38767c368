/*
 * expr_compile.c — turns the nodes a program must output into a list of
 * block instructions over registers: constants, x and the parameters get
 * registers loaded once; every other node one instruction, its register
 * reused once its last reader has run. The result is validated before use,
 * so a fault here is an error, never an out-of-bounds access. Also the
 * choice of the values the forward saves for the backward.
 */
#include "expr_internal.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void act_expr_program_free(expr_program *p)
{
    free(p->code);
    free(p->const_reg);
    free(p->const_val);
    memset(p, 0, sizeof *p);
}

/* POW by a small integer constant runs as multiplications (POWI). */
static bool small_integer_power(const act_expr *e, const expr_node *n, int *k)
{
    if (n->op != ACT_EXPR_POW || e->nodes[n->b].op != ACT_EXPR_CONST)
        return false;
    double v = e->nodes[n->b].value;
    if (!(fabs(v) <= 64) || v != floor(v))
        return false;
    *k = (int)v;
    return true;
}

static bool is_leaf(act_expr_op op)
{
    return op == ACT_EXPR_CONST || op == ACT_EXPR_INPUT || op == ACT_EXPR_PARAM;
}

/* The operands node n reads at run time (POWI does not read its exponent). */
static int operands(const act_expr *e, const expr_node *n, int *ops)
{
    int k, count = 0;
    if (n->a >= 0) ops[count++] = n->a;
    if (n->b >= 0 && !small_integer_power(e, n, &k)) ops[count++] = n->b;
    if (n->c >= 0) ops[count++] = n->c;
    return count;
}

/* Costly enough to store rather than compute again: the transcendental
 * functions (a block of exp is several times a block of loads). */
static bool costly(const act_expr *e, const expr_node *n)
{
    int k;
    switch (n->op) {
    case ACT_EXPR_EXP: case ACT_EXPR_LOG: case ACT_EXPR_LOG1P:
    case ACT_EXPR_EXPM1: case ACT_EXPR_SIN: case ACT_EXPR_COS:
    case ACT_EXPR_TAN: case ACT_EXPR_TANH: case ACT_EXPR_SIGMOID:
    case ACT_EXPR_ERF: case ACT_EXPR_SOFTPLUS: case ACT_EXPR_SINC:
        return true;
    case ACT_EXPR_POW:
        return !small_integer_power(e, n, &k);
    default:
        return false;
    }
}

/* Walks down from the derivatives; a costly node the forward computes
 * anyway ends the walk there and is saved, up to EXPR_MAX_SAVED of them,
 * the first met from the top (they hide what lies below them). */
void act_expr_choose_saved(act_expr *e)
{
    int n = e->nnodes;
    e->nsaved = 0;
    bool *in_forward = calloc((size_t)n, sizeof *in_forward);
    bool *wanted = calloc((size_t)n, sizeof *wanted);
    if (in_forward && wanted) {
        in_forward[e->result] = true;
        for (int id = n - 1; id >= 0; id--) {
            const expr_node *nd = &e->nodes[id];
            int ops[3] = {nd->a, nd->b, nd->c};
            for (int i = 0; in_forward[id] && i < 3; i++)
                if (ops[i] >= 0)
                    in_forward[ops[i]] = true;
        }
        for (int k = 0; k <= e->nparams; k++)
            wanted[e->deriv[k]] = true;
        for (int id = n - 1; id >= 0; id--) {
            const expr_node *nd = &e->nodes[id];
            if (!wanted[id])
                continue;
            if (in_forward[id] && costly(e, nd) && e->nsaved < EXPR_MAX_SAVED) {
                e->saved[e->nsaved++] = id;
                continue;
            }
            int ops[3] = {nd->a, nd->b, nd->c};
            for (int i = 0; i < 3; i++)
                if (ops[i] >= 0)
                    wanted[ops[i]] = true;
        }
    }
    free(in_forward);
    free(wanted);
}

typedef struct {
    int *reg;      /* node -> register, -1 none yet */
    int *last;     /* node -> id of its last reader (INT_MAX: an output) */
    int *input;    /* node -> input it is read from, -1: computed */
    int *free_regs;
    int nfree;
    int *inner;    /* node -> the node paired into its instruction, or -1 */
    int *scales;   /* product node -> the pair node it scales, or -1 */
    bool *paired;  /* node: computed inside its reader's instruction */
} alloc_state;

static int take_register(expr_program *p, alloc_state *s)
{
    return s->nfree > 0 ? s->free_regs[--s->nfree] : p->nregs++;
}

static bool is_loaded(const act_expr *e, const alloc_state *s, int id)
{
    return is_leaf(e->nodes[id].op) || s->input[id] >= 0;
}

/* The operand of binary node n that is not node t. */
static int other_operand(const expr_node *n, int t)
{
    return n->a == t ? n->b : n->a;
}

/* The pair node of node id's instruction: the pair it scales, or itself. */
static int pair_node(const alloc_state *s, int id)
{
    return s->scales[id] >= 0 ? s->scales[id] : id;
}

/* The registers node id's instruction reads (at most 4): its operands',
 * or for a pair the first step's operands and the other operands of the
 * second step and of the scaling product. */
static int instr_operands(const act_expr *e, const alloc_state *s, int id,
                          int *ops)
{
    int u = pair_node(s, id), t = s->inner[u];
    if (t < 0)
        return operands(e, &e->nodes[id], ops);
    int count = operands(e, &e->nodes[t], ops);
    ops[count++] = other_operand(&e->nodes[u], t);
    if (u != id)
        ops[count++] = other_operand(&e->nodes[id], u);
    return count;
}

/* Pairs each arithmetic node with the arithmetic node it alone reads,
 * once (expr_internal.h): t is paired into its reader u when t is
 * computed, read once and by u only, not an output, and neither of them
 * is in another pair. used[]: the nodes the program computes or loads;
 * outs: its outputs; readers: room for n counts. The first step's
 * operands then live until u. */
static void plan_pairs(const act_expr *e, alloc_state *s, const bool *used,
                       int nout, const int *outs, int *readers)
{
    int n = e->nnodes, k;
    for (int id = 0; id < n; id++)
        s->inner[id] = s->scales[id] = -1, s->paired[id] = false, readers[id] = 0;
    for (int i = 0; i < nout; i++)
        readers[outs[i]] += 2; /* an output is never paired */
    for (int id = 0; id < n; id++) {
        int ops[3], count = used[id] && !is_loaded(e, s, id)
                                ? operands(e, &e->nodes[id], ops) : 0;
        for (int i = 0; i < count; i++)
            readers[ops[i]]++;
    }
    for (int u = 0; u < n; u++) {
        const expr_node *un = &e->nodes[u];
        if (!used[u] || is_loaded(e, s, u) || s->paired[u] ||
            !expr_pair_then(un->op))
            continue;
        int side[2] = {un->a, un->b};
        for (int i = 0; i < 2; i++) {
            int t = side[i];
            const expr_node *tn = &e->nodes[t];
            bool powi = small_integer_power(e, tn, &k);
            if (readers[t] == 1 && !is_loaded(e, s, t) && s->inner[t] < 0 &&
                expr_pair_first(powi ? EXPR_POWI : (int)tn->op, powi ? k : 0)) {
                s->inner[u] = t;
                s->paired[t] = true;
                break;
            }
        }
    }
    /* A product of a pair u that it alone reads scales it: u's
     * instruction becomes the product's. */
    for (int v = 0; v < n; v++) {
        const expr_node *vn = &e->nodes[v];
        if (!used[v] || is_loaded(e, s, v) || s->paired[v] || s->inner[v] >= 0 ||
            vn->op != ACT_EXPR_MUL || vn->a == vn->b)
            continue;
        int side[2] = {vn->a, vn->b};
        for (int i = 0; i < 2; i++) {
            int u = side[i];
            if (readers[u] == 1 && s->inner[u] >= 0 && !s->paired[u]) {
                s->scales[v] = u;
                s->paired[u] = true;
                break;
            }
        }
    }
}

/* Registers for the leaves the program reads. */
static void place_leaf(const act_expr *e, int id, expr_program *p,
                       alloc_state *s)
{
    const expr_node *n = &e->nodes[id];
    int r = p->nregs++;
    s->reg[id] = r;
    if (s->input[id] >= 0)
        p->in_reg[s->input[id]] = r;
    else if (n->op == ACT_EXPR_PARAM)
        p->param_reg[(int)n->value] = r;
    else {
        p->const_reg[p->nconst] = r;
        p->const_val[p->nconst++] = n->value;
    }
}

static void place_op(const act_expr *e, int id, expr_program *p, alloc_state *s)
{
    const expr_node *n = &e->nodes[id];
    int u = pair_node(s, id), t = s->inner[u]; /* a pair: t, then u's op */
    const expr_node *first = t >= 0 ? &e->nodes[t] : n;
    expr_instr *in = &p->code[p->ninstr++];
    int k = 0;
    in->op = small_integer_power(e, first, &k) ? EXPR_POWI : (int)first->op;
    in->imm = k;
    in->a = first->a >= 0 ? s->reg[first->a] : -1;
    in->b = first->b >= 0 && in->op != EXPR_POWI ? s->reg[first->b] : -1;
    in->c = n->c >= 0 ? s->reg[n->c] : -1;
    in->then = ACT_EXPR_CONST;
    in->swapped = in->scaled = false;
    in->by = -1;
    if (t >= 0) {
        in->c = s->reg[other_operand(&e->nodes[u], t)];
        in->then = (int)e->nodes[u].op;
        in->swapped = e->nodes[u].b == t;
    }
    if (u != id) {
        in->scaled = true;
        in->by = s->reg[other_operand(n, u)];
    }
    in->dst = take_register(p, s); /* before operands free: no aliasing */
    s->reg[id] = in->dst;
    int ops[4], count = instr_operands(e, s, id, ops);
    for (int i = 0; i < count; i++) {
        int o = ops[i];
        bool dup = false;
        for (int j = 0; j < i; j++)
            dup = dup || ops[j] == o;
        if (!dup && s->last[o] == id && !is_loaded(e, s, o))
            s->free_regs[s->nfree++] = s->reg[o];
    }
}

/* Every instruction's registers exist, are written before they are read,
 * and no instruction writes an input, a constant or a parameter. */
static bool program_valid(const expr_program *p)
{
    bool ok = p->nregs > 0 && p->nregs <= 4 * ACT_EXPR_MAX_NODES;
    bool *ready = ok ? calloc((size_t)p->nregs, sizeof *ready) : NULL;
    bool *fixed = ok ? calloc((size_t)p->nregs, sizeof *fixed) : NULL;
    ok = ok && ready && fixed;
#define REG_OK(r) ((r) >= 0 && (r) < p->nregs)
    for (int i = 0; ok && i < EXPR_MAX_INPUTS; i++)
        if (p->in_reg[i] >= 0)
            ok = REG_OK(p->in_reg[i]) &&
                 (ready[p->in_reg[i]] = fixed[p->in_reg[i]] = true);
    for (int k = 0; ok && k < ACT_EXPR_MAX_PARAMS; k++)
        if (p->param_reg[k] >= 0)
            ok = REG_OK(p->param_reg[k]) &&
                 (ready[p->param_reg[k]] = fixed[p->param_reg[k]] = true);
    for (int i = 0; ok && i < p->nconst; i++)
        ok = REG_OK(p->const_reg[i]) &&
             (ready[p->const_reg[i]] = fixed[p->const_reg[i]] = true);
    for (int i = 0; ok && i < p->ninstr; i++) {
        const expr_instr *in = &p->code[i];
        int arity = in->op == EXPR_POWI ? 1 : act_expr_op_arity(in->op);
        bool pair = in->then != ACT_EXPR_CONST;
        int src[3] = {in->a, in->b, in->c};
        ok = arity >= 1 && REG_OK(in->dst) && !fixed[in->dst] &&
             (pair ? expr_pair_first(in->op, in->imm) && expr_pair_then(in->then)
                   : !in->swapped);
        for (int j = 0; ok && j < 3; j++) /* a pair reads c besides */
            ok = j < arity || (pair && j == 2)
                     ? REG_OK(src[j]) && ready[src[j]] && src[j] != in->dst
                     : src[j] == -1;
        ok = ok && (!in->scaled || (pair && REG_OK(in->by) && ready[in->by] &&
                                    in->by != in->dst));
        if (ok)
            ready[in->dst] = true;
    }
    for (int i = 0; ok && i < p->nout; i++)
        ok = REG_OK(p->out_reg[i]) && ready[p->out_reg[i]];
#undef REG_OK
    free(ready);
    free(fixed);
    return ok;
}

act_status act_expr_emit(act_context *ctx, const act_expr *e, int nout,
                         const int *outs, bool read_saved, expr_program *p)
{
    int n = e->nnodes;
    memset(p, 0, sizeof *p);
    for (int i = 0; i < EXPR_MAX_INPUTS; i++)
        p->in_reg[i] = -1;
    for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++)
        p->param_reg[k] = -1;
    alloc_state s = {malloc((size_t)n * sizeof(int)), malloc((size_t)n * sizeof(int)),
                     malloc((size_t)n * sizeof(int)), malloc((size_t)n * sizeof(int)),
                     0, malloc((size_t)n * sizeof(int)), malloc((size_t)n * sizeof(int)),
                     malloc((size_t)n * sizeof(bool))};
    bool *used = calloc((size_t)n, sizeof *used);
    int *readers = malloc((size_t)n * sizeof *readers);
    p->code = malloc((size_t)n * sizeof *p->code);
    p->const_reg = malloc((size_t)n * sizeof *p->const_reg);
    p->const_val = malloc((size_t)n * sizeof *p->const_val);
    act_status st = ACT_OK;
    if (!s.reg || !s.last || !s.input || !s.free_regs || !s.inner || !s.scales || !s.paired ||
        !used || !readers || !p->code || !p->const_reg || !p->const_val)
        st = act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    for (int id = 0; st == ACT_OK && id < n; id++) {
        s.reg[id] = -1, s.last[id] = -1;
        s.input[id] = e->nodes[id].op == ACT_EXPR_INPUT ? (int)e->nodes[id].value : -1;
    }
    for (int i = 0; st == ACT_OK && read_saved && i < e->nsaved; i++)
        s.input[e->saved[i]] = EXPR_IN_SAVED + i;
    for (int i = 0; st == ACT_OK && i < nout; i++)
        used[outs[i]] = true, s.last[outs[i]] = INT_MAX;
    for (int id = n - 1; st == ACT_OK && id >= 0; id--) {
        if (!used[id] || s.input[id] >= 0) /* an input's operands are not read */
            continue;
        int ops[3], count = operands(e, &e->nodes[id], ops);
        for (int i = 0; i < count; i++)
            used[ops[i]] = true;
    }
    if (st == ACT_OK)
        plan_pairs(e, &s, used, nout, outs, readers);
    for (int id = n - 1; st == ACT_OK && id >= 0; id--) {
        if (!used[id] || is_loaded(e, &s, id) || s.paired[id])
            continue;
        int ops[4], count = instr_operands(e, &s, id, ops);
        for (int i = 0; i < count; i++)
            if (s.last[ops[i]] < id)
                s.last[ops[i]] = id;
    }
    for (int id = 0; st == ACT_OK && id < n; id++) {
        if (!used[id] || s.paired[id])
            continue;
        if (is_loaded(e, &s, id))
            place_leaf(e, id, p, &s);
        else
            place_op(e, id, p, &s);
    }
    for (int i = 0; st == ACT_OK && i < nout; i++)
        p->out_reg[p->nout++] = s.reg[outs[i]];
    for (int i = 0; st == ACT_OK && i < nout; i++)
        if (!is_loaded(e, &s, outs[i]))
            p->computed_outs |= 1u << i;
    p->simd = ctx->simd;
    if (st == ACT_OK && !program_valid(p))
        st = act_fail(ctx, ACT_E_STATE, e->name, 0,
                      "internal: the compiled program failed validation");
    free(s.reg);
    free(s.last);
    free(s.input);
    free(s.free_regs);
    free(s.inner);
    free(s.scales);
    free(s.paired);
    free(used);
    free(readers);
    if (st != ACT_OK)
        act_expr_program_free(p);
    return st;
}

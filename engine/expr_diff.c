/*
 * expr_diff.c — symbolic derivatives of a defined activation: for x and for
 * each parameter, one pass over the nodes the value depends on, in id
 * (topological) order, applying the chain rule with nodes made through
 * act_expr_make, so the derivatives share subexpressions with the value
 * and with each other.
 */
#include "expr_internal.h"

#include <math.h>
#include <stdlib.h>

/* Node-making with the status carried along: after a failure every call
 * returns 0 and does nothing, so a rule reads as a formula. */
typedef struct {
    act_context *ctx;
    act_expr *e;
    act_status st;
} builder;

static int mk(builder *B, act_expr_op op, int a, int b, int c)
{
    int id = 0;
    if (B->st == ACT_OK)
        B->st = act_expr_make(B->ctx, B->e, op, a, b, c, 0, &id);
    return B->st == ACT_OK ? id : 0;
}

static int num(builder *B, double v)
{
    int id = 0;
    if (B->st == ACT_OK)
        B->st = act_expr_make(B->ctx, B->e, ACT_EXPR_CONST, -1, -1, -1, v, &id);
    return B->st == ACT_OK ? id : 0;
}

#define MK1(op, a) mk(B, ACT_EXPR_##op, a, -1, -1)
#define MK2(op, a, b) mk(B, ACT_EXPR_##op, a, b, -1)

static bool is_zero(const act_expr *e, int id)
{
    return e->nodes[id].op == ACT_EXPR_CONST && e->nodes[id].value == 0;
}

/* d(a ^ b) from da and db; y is a ^ b. A constant exponent keeps
 * b a^(b-1), which is finite at a = 0 where y b / a is not. */
static int pow_rule(builder *B, int y, int a, int b, int da, int db)
{
    const act_expr *e = B->e;
    int total = num(B, 0);
    if (!is_zero(e, da)) {
        int p = MK2(POW, a, MK2(SUB, b, num(B, 1)));
        total = MK2(MUL, MK2(MUL, b, p), da);
    }
    if (!is_zero(e, db))
        total = MK2(ADD, total, MK2(MUL, MK2(MUL, y, MK1(LOG, a)), db));
    return total;
}

/* min and max: the derivative of the larger operand (when_a where a > b,
 * when_b where a < b) and at a tie the mean of the two, as PyTorch's
 * maximum and minimum do; symmetric, so max(x, 0) and max(0, x), which
 * are one node, agree. */
static int tie_rule(builder *B, int a, int b, int when_a, int when_b)
{
    int half = MK2(MUL, num(B, 0.5), MK2(ADD, when_a, when_b));
    int below = mk(B, ACT_EXPR_WHERE, MK2(LT, a, b), when_b, half);
    return mk(B, ACT_EXPR_WHERE, MK2(GT, a, b), when_a, below);
}

/* The derivative of node y given its operands' derivatives da, db, dc. */
static int rule(builder *B, int y, int da, int db, int dc)
{
    const expr_node n = B->e->nodes[y];
    int a = n.a, b = n.b, one = num(B, 1);
    switch (n.op) {
    case ACT_EXPR_NEG: return MK1(NEG, da);
    case ACT_EXPR_ADD: return MK2(ADD, da, db);
    case ACT_EXPR_SUB: return MK2(SUB, da, db);
    case ACT_EXPR_MUL: return MK2(ADD, MK2(MUL, da, b), MK2(MUL, a, db));
    case ACT_EXPR_DIV: return MK2(DIV, MK2(SUB, da, MK2(MUL, y, db)), b);
    case ACT_EXPR_POW: return pow_rule(B, y, a, b, da, db);
    case ACT_EXPR_EXP: return MK2(MUL, y, da);
    case ACT_EXPR_LOG: return MK2(DIV, da, a);
    case ACT_EXPR_LOG1P: return MK2(DIV, da, MK2(ADD, one, a));
    case ACT_EXPR_EXPM1: return MK2(MUL, MK2(ADD, one, y), da);
    case ACT_EXPR_SQRT: return MK2(DIV, da, MK2(MUL, num(B, 2), y));
    case ACT_EXPR_ABS: return MK2(MUL, MK1(SIGN, a), da);
    case ACT_EXPR_SIN: return MK2(MUL, MK1(COS, a), da);
    case ACT_EXPR_COS: return MK2(MUL, MK1(NEG, MK1(SIN, a)), da);
    case ACT_EXPR_TAN: return MK2(MUL, MK2(ADD, one, MK2(MUL, y, y)), da);
    case ACT_EXPR_TANH: return MK2(MUL, MK2(SUB, one, MK2(MUL, y, y)), da);
    case ACT_EXPR_SIGMOID:
        return MK2(MUL, MK2(MUL, y, MK2(SUB, one, y)), da);
    case ACT_EXPR_ERF: {
        int g = MK1(EXP, MK1(NEG, MK2(MUL, a, a)));
        return MK2(MUL, MK2(MUL, num(B, 1.1283791670955126) /* 2 / sqrt(pi) */, g), da);
    }
    case ACT_EXPR_SOFTPLUS: return MK2(MUL, MK1(SIGMOID, a), da);
    case ACT_EXPR_SINC: return MK2(MUL, MK1(DSINC, a), da);
    case ACT_EXPR_MIN: return tie_rule(B, a, b, db, da);
    case ACT_EXPR_MAX: return tie_rule(B, a, b, da, db);
    case ACT_EXPR_WHERE: return mk(B, ACT_EXPR_WHERE, a, db, dc);
    default: return num(B, 0); /* sign and comparisons */
    }
}

static bool kinked(act_expr_op op)
{
    switch (op) {
    case ACT_EXPR_ABS: case ACT_EXPR_SIGN: case ACT_EXPR_MIN:
    case ACT_EXPR_MAX: case ACT_EXPR_GT: case ACT_EXPR_GE: case ACT_EXPR_LT:
    case ACT_EXPR_LE: case ACT_EXPR_EQ: case ACT_EXPR_WHERE: return true;
    default: return false;
    }
}

/* d(result)/d(variable), variable -1 for x and k for parameter k, over the
 * first n nodes (those marked `used`); d[] holds the nodes' derivatives. */
static act_status derive(act_context *ctx, act_expr *e, int n,
                         const bool *used, int variable, int *d, int *out)
{
    builder B = {ctx, e, ACT_OK};
    for (int id = 0; id < n && B.st == ACT_OK; id++) {
        if (!used[id])
            continue;
        const expr_node nd = e->nodes[id];
        if (nd.op == ACT_EXPR_INPUT || nd.op == ACT_EXPR_PARAM) {
            bool self = nd.op == ACT_EXPR_INPUT ? variable < 0
                                                 : (int)nd.value == variable;
            d[id] = num(&B, self ? 1 : 0);
        } else if (nd.op == ACT_EXPR_CONST) {
            d[id] = num(&B, 0);
        } else if (nd.op == ACT_EXPR_DSINC && !is_zero(e, d[nd.a])) {
            return act_fail(ctx, ACT_E_UNSUPPORTED, e->name, 0,
                            "dsinc (sinc's derivative) has no derivative here");
        } else {
            d[id] = rule(&B, id, d[nd.a], nd.b >= 0 ? d[nd.b] : -1,
                         nd.c >= 0 ? d[nd.c] : -1);
        }
    }
    *out = d[e->result];
    return B.st;
}

act_status act_expr_differentiate(act_context *ctx, act_expr *e)
{
    int n = e->result + 1;
    bool *used = calloc((size_t)n, sizeof *used);
    int *d = malloc((size_t)n * sizeof *d);
    if (!used || !d) {
        free(used);
        free(d);
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    }
    used[e->result] = true;
    e->smooth = true;
    for (int id = n - 1; id >= 0; id--) {
        if (!used[id])
            continue;
        const expr_node *nd = &e->nodes[id];
        if (kinked(nd->op))
            e->smooth = false;
        if (nd->a >= 0) used[nd->a] = true;
        if (nd->b >= 0) used[nd->b] = true;
        if (nd->c >= 0) used[nd->c] = true;
    }
    act_status st = ACT_OK;
    for (int v = -1; v < e->nparams && st == ACT_OK; v++)
        st = derive(ctx, e, n, used, v, d, &e->deriv[v + 1]);
    free(used);
    free(d);
    return st;
}

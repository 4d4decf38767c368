/*
 * expr_build.c — the expression graph of a defined activation: making
 * nodes (folded, simplified and shared through a hash table as they are
 * made), the expression's lifetime and its descriptors.
 */
#include "expr_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int arity;
} op_info[ACT_EXPR_OP_COUNT] = {
    [ACT_EXPR_CONST] = {"const", 0},   [ACT_EXPR_INPUT] = {"x", 0},
    [ACT_EXPR_PARAM] = {"param", 0},   [ACT_EXPR_NEG] = {"neg", 1},
    [ACT_EXPR_EXP] = {"exp", 1},       [ACT_EXPR_LOG] = {"log", 1},
    [ACT_EXPR_LOG1P] = {"log1p", 1},   [ACT_EXPR_EXPM1] = {"expm1", 1},
    [ACT_EXPR_SQRT] = {"sqrt", 1},     [ACT_EXPR_ABS] = {"abs", 1},
    [ACT_EXPR_SIGN] = {"sign", 1},     [ACT_EXPR_SIN] = {"sin", 1},
    [ACT_EXPR_COS] = {"cos", 1},       [ACT_EXPR_TAN] = {"tan", 1},
    [ACT_EXPR_TANH] = {"tanh", 1},     [ACT_EXPR_SIGMOID] = {"sigmoid", 1},
    [ACT_EXPR_ERF] = {"erf", 1},       [ACT_EXPR_SOFTPLUS] = {"softplus", 1},
    [ACT_EXPR_SINC] = {"sinc", 1},     [ACT_EXPR_DSINC] = {"dsinc", 1},
    [ACT_EXPR_ADD] = {"add", 2},       [ACT_EXPR_SUB] = {"sub", 2},
    [ACT_EXPR_MUL] = {"mul", 2},       [ACT_EXPR_DIV] = {"div", 2},
    [ACT_EXPR_POW] = {"pow", 2},       [ACT_EXPR_MIN] = {"min", 2},
    [ACT_EXPR_MAX] = {"max", 2},       [ACT_EXPR_GT] = {"gt", 2},
    [ACT_EXPR_GE] = {"ge", 2},         [ACT_EXPR_LT] = {"lt", 2},
    [ACT_EXPR_LE] = {"le", 2},         [ACT_EXPR_EQ] = {"eq", 2},
    [ACT_EXPR_WHERE] = {"where", 3},
};

const char *act_expr_op_name(act_expr_op op)
{
    return (unsigned)op < ACT_EXPR_OP_COUNT ? op_info[op].name : NULL;
}

int act_expr_op_find(const char *name)
{
    for (int op = 0; name && op < ACT_EXPR_OP_COUNT; op++)
        if (strcmp(op_info[op].name, name) == 0)
            return op;
    return -1;
}

int act_expr_op_arity(act_expr_op op)
{
    return (unsigned)op < ACT_EXPR_OP_COUNT ? op_info[op].arity : -1;
}

/* ------------------------------------------------------------ lifetime */

act_status act_expr_new(act_context *ctx, const char *name, int nparams,
                        const char *const *param_names, act_expr **out)
{
    if (!name || !*name)
        return act_fail(ctx, ACT_E_ARG, "expr_new", 2, "the name is empty");
    if (nparams < 0 || nparams > ACT_EXPR_MAX_PARAMS)
        return act_fail(ctx, ACT_E_ARG, "expr_new", 3,
                        "%s: %d parameters, expected 0 to %d", name, nparams,
                        ACT_EXPR_MAX_PARAMS);
    for (int k = 0; k < nparams; k++)
        if (!param_names || !param_names[k] || !*param_names[k])
            return act_fail(ctx, ACT_E_ARG, "expr_new", 4,
                            "%s: parameter %d has no name", name, k + 1);
    act_expr *e = calloc(1, sizeof *e);
    bool ok = e && (e->name = strdup(name));
    for (int k = 0; ok && k < nparams; k++)
        ok = (e->param_names[k] = strdup(param_names[k])) != NULL;
    if (!ok) {
        act_expr_free(e);
        return act_fail(ctx, ACT_E_NOMEM, "expr_new", 0, "out of memory");
    }
    e->refs = 1;
    e->nparams = nparams;
    e->result = -1;
    *out = e;
    return ACT_OK;
}

act_expr *act_expr_retain(act_expr *e)
{
    if (e)
        e->refs++;
    return e;
}

void act_expr_free(act_expr *e)
{
    if (!e || --e->refs > 0)
        return;
    free(e->name);
    for (int k = 0; k < ACT_EXPR_MAX_PARAMS; k++)
        free(e->param_names[k]);
    free(e->nodes);
    free(e->table);
    act_expr_program_free(&e->forward);
    act_expr_program_free(&e->forward_saving);
    act_expr_program_free(&e->backward);
    act_expr_program_free(&e->backward_x);
    free(e);
}

const char *act_expr_name(const act_expr *e) { return e->name; }
int act_expr_nparams(const act_expr *e) { return e->nparams; }
bool act_expr_smooth(const act_expr *e) { return e->smooth; }

const char *act_expr_param_name(const act_expr *e, int k)
{
    return k >= 0 && k < e->nparams ? e->param_names[k] : NULL;
}

void act_expr_program_size(const act_expr *e, int *forward, int *backward)
{
    *forward = e->forward.ninstr;
    *backward = e->backward_x.ninstr;
}

/* -------------------------------------------------------- the hash table */

static uint64_t node_hash(const expr_node *n)
{
    uint64_t bits;
    memcpy(&bits, &n->value, sizeof bits);
    uint64_t h = (uint64_t)n->op * 0x9E3779B97F4A7C15u;
    h ^= ((uint64_t)(uint32_t)n->a << 32 | (uint32_t)n->b) + (h << 6) + (h >> 2);
    h ^= (uint64_t)(uint32_t)n->c + bits + (h << 6) + (h >> 2);
    return h * 0xBF58476D1CE4E5B9u;
}

static bool node_equal(const expr_node *p, const expr_node *q)
{
    /* Constants compare by bits: 0 and -0 differ, a NaN equals itself. */
    return p->op == q->op && p->a == q->a && p->b == q->b && p->c == q->c &&
           memcmp(&p->value, &q->value, sizeof p->value) == 0;
}

/* The slot where n is or would go. */
static int *find_slot(const act_expr *e, const expr_node *n)
{
    size_t mask = (size_t)e->tsize - 1, i = node_hash(n) & mask;
    while (e->table[i] && !node_equal(&e->nodes[e->table[i] - 1], n))
        i = (i + 1) & mask;
    return &e->table[i];
}

/* Room for one more node, the table kept at most half full. */
static act_status grow(act_context *ctx, act_expr *e)
{
    if (e->nnodes >= ACT_EXPR_MAX_NODES)
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0,
                        "the expression is too large (more than %d nodes "
                        "with its derivatives)", ACT_EXPR_MAX_NODES);
    if (e->nnodes < e->cap)
        return ACT_OK;
    int cap = e->cap ? e->cap * 2 : 32, tsize = cap * 2;
    expr_node *nodes = realloc(e->nodes, (size_t)cap * sizeof *nodes);
    int *table = calloc((size_t)tsize, sizeof *table);
    if (nodes)
        e->nodes = nodes;
    if (!nodes || !table) {
        free(table);
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    }
    free(e->table);
    e->table = table;
    e->tsize = tsize;
    e->cap = cap;
    for (int id = 0; id < e->nnodes; id++)
        *find_slot(e, &e->nodes[id]) = id + 1;
    return ACT_OK;
}

/* The node n, made unless it exists. */
static act_status intern(act_context *ctx, act_expr *e, expr_node n, int *id)
{
    if (e->tsize) {
        int *slot = find_slot(e, &n);
        if (*slot) {
            *id = *slot - 1;
            return ACT_OK;
        }
    }
    act_status st = grow(ctx, e);
    if (st != ACT_OK)
        return st;
    e->nodes[e->nnodes] = n;
    *find_slot(e, &n) = e->nnodes + 1;
    *id = e->nnodes++;
    return ACT_OK;
}

/* ------------------------------------------------------- simplification */

static bool is_const(const act_expr *e, int id, double v)
{
    return id >= 0 && e->nodes[id].op == ACT_EXPR_CONST &&
           e->nodes[id].value == v;
}

static bool is_number(const act_expr *e, int id)
{
    return id < 0 || e->nodes[id].op == ACT_EXPR_CONST;
}

static bool commutes(act_expr_op op)
{
    return op == ACT_EXPR_ADD || op == ACT_EXPR_MUL || op == ACT_EXPR_MIN ||
           op == ACT_EXPR_MAX || op == ACT_EXPR_EQ;
}

/* An identity that makes op(a, b, c) an existing node, or -1. Symbolic
 * rules as in any computer algebra system: a * 0 is 0 even though
 * inf * 0 is NaN, because the derivatives are built from such products. */
static int identity(const act_expr *e, act_expr_op op, int a, int b, int c)
{
    switch (op) {
    case ACT_EXPR_ADD: return is_const(e, a, 0) ? b : is_const(e, b, 0) ? a : -1;
    case ACT_EXPR_SUB: return is_const(e, b, 0) ? a : -1;
    case ACT_EXPR_MUL:
        if (is_const(e, a, 0) || is_const(e, b, 1))
            return a;
        return is_const(e, b, 0) || is_const(e, a, 1) ? b : -1;
    case ACT_EXPR_DIV: return is_const(e, b, 1) || is_const(e, a, 0) ? a : -1;
    case ACT_EXPR_POW: return is_const(e, b, 1) ? a : -1;
    case ACT_EXPR_MIN:
    case ACT_EXPR_MAX: return a == b ? a : -1;
    case ACT_EXPR_NEG: return e->nodes[a].op == ACT_EXPR_NEG ? e->nodes[a].a : -1;
    case ACT_EXPR_WHERE:
        if (b == c)
            return b;
        if (e->nodes[a].op == ACT_EXPR_CONST)
            return e->nodes[a].value != 0 ? b : c;
        return -1;
    default: return -1;
    }
}

act_status act_expr_make(act_context *ctx, act_expr *e, act_expr_op op, int a,
                         int b, int c, double value, int *node)
{
    if (commutes(op)) {
        /* Constants first, then by id: 2 * x and x * 2 are one node. */
        bool ca = e->nodes[a].op == ACT_EXPR_CONST;
        bool cb = e->nodes[b].op == ACT_EXPR_CONST;
        if ((cb && !ca) || (ca == cb && a > b)) {
            int t = a;
            a = b;
            b = t;
        }
    }
    int arity = op_info[op].arity;
    if (arity > 0 && is_number(e, a) && is_number(e, b) && is_number(e, c)) {
        double va = e->nodes[a].value;
        double vb = arity > 1 ? e->nodes[b].value : 0;
        double vc = arity > 2 ? e->nodes[c].value : 0;
        return act_expr_make(ctx, e, ACT_EXPR_CONST, -1, -1, -1,
                             act_expr_op_eval(op, va, vb, vc), node);
    }
    if (arity > 0) {
        int same = identity(e, op, a, b, c);
        if (same >= 0) {
            *node = same;
            return ACT_OK;
        }
    }
    if (op == ACT_EXPR_SUB && a == b)
        return act_expr_make(ctx, e, ACT_EXPR_CONST, -1, -1, -1, 0, node);
    if (op == ACT_EXPR_SUB && is_const(e, a, 0))
        return act_expr_make(ctx, e, ACT_EXPR_NEG, b, -1, -1, 0, node);
    if (op == ACT_EXPR_MUL && e->nodes[a].op == ACT_EXPR_CONST &&
        e->nodes[b].op == ACT_EXPR_MUL && e->nodes[e->nodes[b].a].op == ACT_EXPR_CONST) {
        /* c1 * (c2 * y) = (c1 c2) * y: the chain rule makes such products. */
        int c;
        act_status st = act_expr_make(ctx, e, ACT_EXPR_CONST, -1, -1, -1,
                                      e->nodes[a].value * e->nodes[e->nodes[b].a].value, &c);
        return st ? st : act_expr_make(ctx, e, ACT_EXPR_MUL, c, e->nodes[b].b, -1, 0, node);
    }
    if (op == ACT_EXPR_MUL && is_const(e, a, -1))
        return act_expr_make(ctx, e, ACT_EXPR_NEG, b, -1, -1, 0, node);
    if (op == ACT_EXPR_POW && is_const(e, b, 0))
        return act_expr_make(ctx, e, ACT_EXPR_CONST, -1, -1, -1, 1, node);
    expr_node n = {op, a, b, c, value};
    return intern(ctx, e, n, node);
}

/* ---------------------------------------------------------- public nodes */

static act_status check_open(act_context *ctx, const act_expr *e)
{
    if (e->compiled)
        return act_fail(ctx, ACT_E_STATE, e->name, 0,
                        "the expression is compiled: no node can be added");
    if (e->failed)
        return act_fail(ctx, ACT_E_STATE, e->name, 0,
                        "compiling the expression failed: make a new one");
    return ACT_OK;
}

act_status act_expr_const(act_context *ctx, act_expr *e, double value, int *node)
{
    act_status st = check_open(ctx, e);
    return st ? st : act_expr_make(ctx, e, ACT_EXPR_CONST, -1, -1, -1, value, node);
}

act_status act_expr_input(act_context *ctx, act_expr *e, int *node)
{
    act_status st = check_open(ctx, e);
    return st ? st : act_expr_make(ctx, e, ACT_EXPR_INPUT, -1, -1, -1, 0, node);
}

act_status act_expr_param(act_context *ctx, act_expr *e, int k, int *node)
{
    act_status st = check_open(ctx, e);
    if (st == ACT_OK && (k < 0 || k >= e->nparams))
        return act_fail(ctx, ACT_E_ARG, e->name, 0,
                        "parameter %d does not exist (it has %d)", k + 1,
                        e->nparams);
    return st ? st : act_expr_make(ctx, e, ACT_EXPR_PARAM, -1, -1, -1, k, node);
}

act_status act_expr_node(act_context *ctx, act_expr *e, act_expr_op op, int a,
                         int b, int c, int *node)
{
    act_status st = check_open(ctx, e);
    if (st != ACT_OK)
        return st;
    int arity = act_expr_op_arity(op);
    if (arity < 1)
        return act_fail(ctx, ACT_E_ARG, e->name, 0,
                        "op %d is not an operation on nodes", (int)op);
    int args[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        bool wanted = i < arity;
        if (wanted && (args[i] < 0 || args[i] >= e->nnodes))
            return act_fail(ctx, ACT_E_ARG, e->name, 0,
                            "%s: operand %d is node %d, which does not exist",
                            op_info[op].name, i + 1, args[i]);
        if (!wanted)
            args[i] = -1;
    }
    return act_expr_make(ctx, e, op, args[0], args[1], args[2], 0, node);
}

act_status act_expr_compile(act_context *ctx, act_expr *e, int result)
{
    act_status st = check_open(ctx, e);
    if (st != ACT_OK)
        return st;
    if (result < 0 || result >= e->nnodes)
        return act_fail(ctx, ACT_E_ARG, e->name, 0,
                        "the result is node %d, which does not exist", result);
    e->result = result;
    st = act_expr_differentiate(ctx, e);
    if (st == ACT_OK)
        act_expr_choose_saved(e);
    /* The backward programs output gy times each derivative: the product
     * is their last instruction, written straight into the gradient. */
    int gy = 0, grads[1 + ACT_EXPR_MAX_PARAMS], kept[1 + EXPR_MAX_SAVED];
    if (st == ACT_OK)
        st = act_expr_make(ctx, e, ACT_EXPR_INPUT, -1, -1, -1, EXPR_GY_INPUT, &gy);
    for (int k = 0; st == ACT_OK && k <= e->nparams; k++)
        st = act_expr_make(ctx, e, ACT_EXPR_MUL, gy, e->deriv[k], -1, 0, &grads[k]);
    kept[0] = e->result;
    for (int i = 0; i < e->nsaved; i++)
        kept[1 + i] = e->saved[i];
    if (st == ACT_OK)
        st = act_expr_emit(ctx, e, 1, &e->result, false, &e->forward);
    if (st == ACT_OK)
        st = act_expr_emit(ctx, e, 1 + e->nsaved, kept, false, &e->forward_saving);
    if (st == ACT_OK)
        st = act_expr_emit(ctx, e, 1 + e->nparams, grads, true, &e->backward);
    if (st == ACT_OK)
        st = act_expr_emit(ctx, e, 1, grads, true, &e->backward_x);
    if (st != ACT_OK) {
        e->failed = true; /* the derivative and gy nodes are in it now */
        act_expr_program_free(&e->forward);
        act_expr_program_free(&e->forward_saving);
        act_expr_program_free(&e->backward);
        act_expr_program_free(&e->backward_x);
        return st;
    }
    e->compiled = true;
    return ACT_OK;
}

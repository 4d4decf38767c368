/*
 * expr_custom.c — the rest of defined activations: functions computed
 * outside the engine with a known derivative (act_with_derivative, for Lua
 * callbacks), and formulas as text (act_expr_format).
 */
#include "autograd.h"
#include "expr_internal.h"
#include "grad_rules.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -------------------------------------------------- with a derivative */

act_status act_with_derivative(act_context *ctx, act_expr *e,
                               const act_tensor *x, const act_tensor *values,
                               const act_tensor *derivative, act_tensor **out)
{
    const act_tensor *t[3] = {x, values, derivative};
    for (int i = 0; i < 3; i++) {
        act_status st = act_require_float(ctx, e->name, i + 1, t[i]);
        if (st != ACT_OK)
            return st;
        if (t[i]->dtype != x->dtype)
            return act_fail(ctx, ACT_E_DTYPE, e->name, i + 1,
                            "%s, but x is %s", act_dtype_name(t[i]->dtype),
                            act_dtype_name(x->dtype));
        char a[ACT_SHAPE_BUF], b[ACT_SHAPE_BUF];
        if (t[i]->ndim != x->ndim ||
            memcmp(t[i]->shape, x->shape, (size_t)x->ndim * sizeof *x->shape))
            return act_fail(ctx, ACT_E_SHAPE, e->name, i + 1,
                            "shape %s, but x has shape %s",
                            act_shape_str(a, sizeof a, t[i]->ndim, t[i]->shape),
                            act_shape_str(b, sizeof b, x->ndim, x->shape));
    }
    act_tensor *y;
    act_status st = act_tensor_alias(ctx, e->name, values, &y);
    act_node *node = NULL;
    if (st == ACT_OK)
        st = act_record(ctx, ACT_OP_WITH_DERIVATIVE, 1, &x, y, &node);
    if (st == ACT_OK && node) {
        node->i[0] = (int64_t)(intptr_t)act_expr_retain(e);
        st = act_node_save(ctx, node, derivative);
    }
    if (st != ACT_OK) {
        act_tensor_free(y);
        return st;
    }
    *out = y;
    return ACT_OK;
}

act_status act_with_derivative_backward(act_context *ctx, const act_node *node,
                                        const act_tensor *gy, act_tensor **gx)
{
    if (!act_node_wants(node, 0))
        return ACT_OK;
    return act_binary(ctx, ACT_BINARY_MUL, gy, node->saved[0], &gx[0]);
}

/* ------------------------------------------------------------- format */

/* Text written into a fixed buffer; once full, writing stops (a formula
 * of shared subexpressions printed as a tree can be exponentially long,
 * so the walk also stops). */
typedef struct {
    char *buf;
    size_t size, len;
    bool full;
} text;

static void put(text *t, const char *fmt, ...)
{
    if (t->full)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->size - t->len) {
        t->full = true;
        t->len = t->size - 1;
        memcpy(t->buf + t->size - 4, "...", 4);
        return;
    }
    t->len += (size_t)n;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as the same double
 * (0.1, not 0.10000000000000001). */
static void put_number(text *t, double v)
{
    char buf[32];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (strtod(buf, NULL) == v || digits == 17)
            break;
    }
    put(t, "%s", buf);
}

/* Binding strength: the operand of an operator binding tighter than the
 * context needs no parentheses. */
static int precedence(act_expr_op op)
{
    switch (op) {
    case ACT_EXPR_ADD: case ACT_EXPR_SUB: return 1;
    case ACT_EXPR_MUL: case ACT_EXPR_DIV: return 2;
    case ACT_EXPR_NEG: return 3;
    case ACT_EXPR_POW: return 4;
    default: return 5; /* leaves and calls */
    }
}

static void write_node(const act_expr *e, int id, int context, text *t)
{
    if (t->full)
        return;
    const expr_node *n = &e->nodes[id];
    int prec = precedence(n->op);
    bool paren = prec < context;
    static const char *const infix[] = {
        [ACT_EXPR_ADD] = " + ", [ACT_EXPR_SUB] = " - ", [ACT_EXPR_MUL] = " * ",
        [ACT_EXPR_DIV] = " / ", [ACT_EXPR_POW] = "^"};
    if (paren)
        put(t, "(");
    switch (n->op) {
    case ACT_EXPR_CONST: put_number(t, n->value); break;
    case ACT_EXPR_INPUT: put(t, "x"); break;
    case ACT_EXPR_PARAM: put(t, "%s", e->param_names[(int)n->value]); break;
    case ACT_EXPR_NEG: put(t, "-"); write_node(e, n->a, 4, t); break;
    case ACT_EXPR_ADD: case ACT_EXPR_SUB: case ACT_EXPR_MUL:
    case ACT_EXPR_DIV: case ACT_EXPR_POW:
        /* Left-associative: the right operand of - and / needs parentheses
         * at equal strength; ^ is right-associative. */
        write_node(e, n->a, n->op == ACT_EXPR_POW ? prec + 1 : prec, t);
        put(t, "%s", infix[n->op]);
        /* a + (b + c) and a * (b * c) read the same without parentheses. */
        write_node(e, n->b,
                   n->op == ACT_EXPR_POW ? prec
                   : n->op == ACT_EXPR_ADD || n->op == ACT_EXPR_MUL
                       ? (e->nodes[n->b].op == n->op ? prec : prec + 1)
                       : prec + 1, t);
        break;
    default:
        put(t, "%s(", act_expr_op_name(n->op));
        write_node(e, n->a, 0, t);
        if (n->b >= 0) { put(t, ", "); write_node(e, n->b, 0, t); }
        if (n->c >= 0) { put(t, ", "); write_node(e, n->c, 0, t); }
        put(t, ")");
    }
    if (paren)
        put(t, ")");
}

act_status act_expr_format(act_context *ctx, const act_expr *e, int what,
                           char **out)
{
    if (!e->compiled)
        return act_fail(ctx, ACT_E_STATE, e->name, 0,
                        "the expression is not compiled yet");
    if (what < 0 || what > 1 + e->nparams)
        return act_fail(ctx, ACT_E_ARG, e->name, 3,
                        "what is %d, expected 0 to %d", what, 1 + e->nparams);
    text t = {malloc(4096), 4096, 0, false};
    if (!t.buf)
        return act_fail(ctx, ACT_E_NOMEM, e->name, 0, "out of memory");
    t.buf[0] = '\0';
    write_node(e, what == 0 ? e->result : e->deriv[what - 1], 0, &t);
    *out = t.buf;
    return ACT_OK;
}

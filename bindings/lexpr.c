/*
 * lexpr.c — the engine's defined activations (act_expr) as a Lua object,
 * for actlua.act, which traces Lua functions into them: A.act._expr(name,
 * param_names) makes one; its methods add nodes, compile, evaluate and
 * apply it. A.act._op_eval(op, a, b, c) is one operation on numbers (A.fn
 * on numbers), A.act._ops lists the operations and their arities.
 * Parameters are 1-based here and 0-based in the engine.
 */
#include "laux.h"

#include <stdlib.h>
#include <string.h>

#define EXPR_MT "actlua.Expr"

static act_expr *check_expr(lua_State *L, int arg)
{
    act_expr **box = luaL_checkudata(L, arg, EXPR_MT);
    luaL_argcheck(L, *box != NULL, arg, "the expression is gone");
    return *box;
}

static int check_op(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    int op = act_expr_op_find(name);
    if (op < 0 || act_expr_op_arity(op) < 1)
        return luaL_argerror(L, arg, lua_pushfstring(L, "unknown operation '%s'", name));
    return op;
}

static int node_arg(lua_State *L, int arg)
{
    return lua_isnoneornil(L, arg) ? -1 : (int)luaL_checkinteger(L, arg);
}

/* A.act._expr(name, {param names}) */
static int l_expr(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    int n = lua_isnoneornil(L, 2) ? 0 : (luaL_checktype(L, 2, LUA_TTABLE), (int)luaL_len(L, 2));
    const char *names[ACT_EXPR_MAX_PARAMS] = {NULL};
    luaL_argcheck(L, n <= ACT_EXPR_MAX_PARAMS, 2, "too many parameters (at most 3)");
    for (int k = 0; k < n; k++) {
        lua_geti(L, 2, k + 1);
        names[k] = luaL_checkstring(L, -1); /* kept alive by the table */
        lua_pop(L, 1);
    }
    act_expr **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, EXPR_MT);
    actlua_check(L, act_expr_new(actlua_ctx(L), name, n, names, box));
    return 1;
}

static int l_gc(lua_State *L)
{
    act_expr **box = luaL_checkudata(L, 1, EXPR_MT);
    act_expr_free(*box);
    *box = NULL;
    return 0;
}

static int l_const(lua_State *L)
{
    int id;
    actlua_check(L, act_expr_const(actlua_ctx(L), check_expr(L, 1), luaL_checknumber(L, 2), &id));
    lua_pushinteger(L, id);
    return 1;
}

static int l_input(lua_State *L)
{
    int id;
    actlua_check(L, act_expr_input(actlua_ctx(L), check_expr(L, 1), &id));
    lua_pushinteger(L, id);
    return 1;
}

static int l_param(lua_State *L)
{
    int id;
    lua_Integer k = luaL_checkinteger(L, 2);
    actlua_check(L, act_expr_param(actlua_ctx(L), check_expr(L, 1), (int)k - 1, &id));
    lua_pushinteger(L, id);
    return 1;
}

/* e:node(op, a [, b [, c]]) */
static int l_node(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    int id, op = check_op(L, 2);
    actlua_check(L, act_expr_node(actlua_ctx(L), e, op, node_arg(L, 3),
                                  node_arg(L, 4), node_arg(L, 5), &id));
    lua_pushinteger(L, id);
    return 1;
}

static int l_compile(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    actlua_check(L, act_expr_compile(actlua_ctx(L), e, (int)luaL_checkinteger(L, 2)));
    return 0;
}

/* e:format(what): 0 the value, 1 d/dx, 1 + k d/dp_k. */
static int l_format(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    char *text = NULL;
    actlua_check(L, act_expr_format(actlua_ctx(L), e, (int)luaL_optinteger(L, 2, 0), &text));
    lua_pushstring(L, text);
    free(text);
    return 1;
}

/* Reads the numbers of table arg into a new userdata buffer (freed by Lua). */
static double *numbers(lua_State *L, int arg, lua_Integer n)
{
    double *v = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *v, 0);
    for (lua_Integer i = 0; i < n; i++) {
        if (lua_geti(L, arg, i + 1) != LUA_TNUMBER)
            luaL_argerror(L, arg, lua_pushfstring(L, "element %I is not a number", i + 1));
        v[i] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    return v;
}

static void push_numbers(lua_State *L, const double *v, lua_Integer n)
{
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* e:eval({x...}, {params...}) -> {f}, {f'}, {{df/dp_1}, ...} in double. */
static int l_eval(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    int np = act_expr_nparams(e);
    if (np)
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer n = luaL_len(L, 2);
    const double *x = numbers(L, 2, n);
    double p[ACT_EXPR_MAX_PARAMS] = {0};
    if (np && luaL_len(L, 3) != np)
        return luaL_argerror(L, 3, lua_pushfstring(L, "%d parameters expected", np));
    for (int k = 0; k < np; k++) {
        lua_geti(L, 3, k + 1);
        p[k] = luaL_checknumber(L, -1);
        lua_pop(L, 1);
    }
    double *out = lua_newuserdatauv(L, (size_t)(n ? n : 1) * (2 + np) * sizeof *out, 0);
    double *dp[ACT_EXPR_MAX_PARAMS] = {NULL};
    for (int k = 0; k < np; k++)
        dp[k] = out + (2 + k) * n;
    actlua_check(L, act_expr_eval(actlua_ctx(L), e, n, x, p, out, out + n, dp));
    push_numbers(L, out, n);
    push_numbers(L, out + n, n);
    lua_createtable(L, np, 0);
    for (int k = 0; k < np; k++) {
        push_numbers(L, dp[k], n);
        lua_rawseti(L, -2, k + 1);
    }
    return 3;
}

/* e:activate(x, {p1, p2, ...}): each parameter a number or a tensor. */
static int l_activate(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    act_tensor *x = actlua_check_tensor(L, 2);
    int np = act_expr_nparams(e);
    act_expr_arg args[ACT_EXPR_MAX_PARAMS] = {{NULL, 0}};
    for (int k = 0; k < np; k++) {
        luaL_checktype(L, 3, LUA_TTABLE);
        lua_geti(L, 3, k + 1);
        act_tensor *t = actlua_to_tensor(L, -1);
        if (t)
            args[k].tensor = t; /* kept alive by the table */
        else if (lua_type(L, -1) == LUA_TNUMBER)
            args[k].value = lua_tonumber(L, -1);
        else
            return luaL_argerror(L, 3, lua_pushfstring(
                                 L, "%s must be a number or a tensor, got %s",
                                 act_expr_param_name(e, k), luaL_typename(L, -1)));
        lua_pop(L, 1);
    }
    act_tensor **slot = actlua_new_slot(L);
    act_status st = act_expr_activate(actlua_ctx(L), e, x, args, slot);
    int arg = act_context_error_arg(actlua_ctx(L));
    actlua_check_arg(L, st, arg == 1 ? 2 : arg == 2 ? 3 : -1);
    actlua_account(L);
    return 1;
}

/* e:with_derivative(x, values, derivative) */
static int l_with_derivative(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    act_tensor *x = actlua_check_tensor(L, 2), *v = actlua_check_tensor(L, 3),
               *d = actlua_check_tensor(L, 4);
    act_tensor **slot = actlua_new_slot(L);
    act_status st = act_with_derivative(actlua_ctx(L), e, x, v, d, slot);
    int arg = st ? act_context_error_arg(actlua_ctx(L)) : 0;
    actlua_check_arg(L, st, arg > 0 ? arg + 1 : -1); /* engine's x is Lua's #2 */
    actlua_account(L);
    return 1;
}

/* e:describe() -> {name, params = {...}, smooth, forward = n, backward = n} */
static int l_describe(lua_State *L)
{
    act_expr *e = check_expr(L, 1);
    int fwd, bwd;
    act_expr_program_size(e, &fwd, &bwd);
    lua_createtable(L, 0, 5);
    lua_pushstring(L, act_expr_name(e));
    lua_setfield(L, -2, "name");
    lua_createtable(L, act_expr_nparams(e), 0);
    for (int k = 0; k < act_expr_nparams(e); k++) {
        lua_pushstring(L, act_expr_param_name(e, k));
        lua_rawseti(L, -2, k + 1);
    }
    lua_setfield(L, -2, "params");
    lua_pushboolean(L, act_expr_smooth(e));
    lua_setfield(L, -2, "smooth");
    lua_pushinteger(L, fwd);
    lua_setfield(L, -2, "forward_instructions");
    lua_pushinteger(L, bwd);
    lua_setfield(L, -2, "backward_instructions");
    return 1;
}

/* A.act._op_eval(op, a [, b [, c]]) */
static int l_op_eval(lua_State *L)
{
    int op = check_op(L, 1);
    lua_pushnumber(L, act_expr_op_eval(op, luaL_checknumber(L, 2),
                                       luaL_optnumber(L, 3, 0), luaL_optnumber(L, 4, 0)));
    return 1;
}

void actlua_open_expr(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg methods[] = {
        {"const", l_const},       {"input", l_input},
        {"param", l_param},       {"node", l_node},
        {"compile", l_compile},   {"format", l_format},
        {"eval", l_eval},         {"activate", l_activate},
        {"with_derivative", l_with_derivative},
        {"describe", l_describe}, {NULL, NULL}};
    if (luaL_newmetatable(L, EXPR_MT)) {
        lua_newtable(L);
        actlua_setfuncs(L, methods, t->state);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
    lua_getfield(L, t->module, "act");
    static const luaL_Reg funcs[] = {
        {"_expr", l_expr}, {"_op_eval", l_op_eval}, {NULL, NULL}};
    actlua_setfuncs(L, funcs, t->state);
    lua_newtable(L);
    for (int op = 0; op < ACT_EXPR_OP_COUNT; op++) {
        if (act_expr_op_arity(op) < 1)
            continue;
        lua_pushinteger(L, act_expr_op_arity(op));
        lua_setfield(L, -2, act_expr_op_name(op));
    }
    lua_setfield(L, -2, "_ops");
    lua_pop(L, 1);
}

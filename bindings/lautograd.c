/*
 * lautograd.c — autodiff from Lua: t:requires_grad(), t.grad (cached in the
 * tensor's user value so that t.grad is the same object between calls),
 * t:backward(), t:detach(), t:is_leaf(), t:grad_fn(), A.no_grad(fn) and
 * the grad-mode switches.
 */
#include "laux.h"

/* t.grad: the gradient tensor, or nil. */
int actlua_push_grad(lua_State *L, int idx)
{
    act_tensor *t = actlua_check_tensor(L, idx);
    act_tensor *g = act_tensor_grad(t);
    if (!g) {
        lua_pushnil(L);
        return 1;
    }
    idx = lua_absindex(L, idx);
    if (lua_getiuservalue(L, idx, 1) == LUA_TUSERDATA && actlua_to_tensor(L, -1) == g)
        return 1;
    lua_pop(L, 1);
    act_tensor **slot = actlua_new_slot(L);
    *slot = act_tensor_retain(g);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, idx, 1);
    return 1;
}

/* t.grad = tensor | nil */
int actlua_set_grad(lua_State *L, int idx, int value)
{
    act_tensor *t = actlua_check_tensor(L, idx);
    act_tensor *g = lua_isnil(L, value) ? NULL : actlua_check_tensor(L, value);
    actlua_check_arg(L, act_tensor_set_grad(actlua_ctx(L), t, g), value);
    return 0;
}

/* t:requires_grad() -> boolean; t:requires_grad(flag) -> t */
static int m_requires_grad(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (lua_isnone(L, 2)) {
        lua_pushboolean(L, act_tensor_requires_grad(t));
        return 1;
    }
    actlua_check(L, act_tensor_set_requires_grad(actlua_ctx(L), t, lua_toboolean(L, 2)));
    lua_settop(L, 1);
    return 1;
}

static int m_is_leaf(lua_State *L)
{
    lua_pushboolean(L, act_tensor_is_leaf(actlua_check_tensor(L, 1)));
    return 1;
}

static int m_grad_fn(lua_State *L)
{
    const char *name = act_tensor_grad_fn(actlua_check_tensor(L, 1));
    if (name)
        lua_pushstring(L, name);
    else
        lua_pushnil(L);
    return 1;
}

static int m_detach(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_detach(actlua_ctx(L), t, slot));
    return 1;
}

/* t:backward([grad] [, {retain_graph = true}]) */
static int m_backward(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int opts = 2;
    act_tensor *grad = NULL;
    if (actlua_to_tensor(L, 2)) {
        grad = actlua_check_tensor(L, 2);
        opts = 3;
    } else if (!lua_isnoneornil(L, 2) && !lua_istable(L, 2)) {
        return luaL_typeerror(L, 2, "tensor or options table");
    }
    int retain = actlua_opt_flag(L, opts, "retain_graph", 0);
    /* Not an argument's fault: "backward: ..." reads better than "bad self". */
    actlua_check_arg(L, act_backward(actlua_ctx(L), t, grad, retain), -1);
    actlua_account(L);
    return 0;
}

/* Runs fn(...) with grad mode set to upvalue 2, restoring the previous
 * mode whether fn returns or raises; returns what fn returns. */
static int with_grad_mode(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    act_context *ctx = actlua_ctx(L);
    bool was = act_set_grad_enabled(ctx, lua_toboolean(L, lua_upvalueindex(ACTLUA_UPVALUE_FIRST)));
    int nargs = lua_gettop(L) - 1;
    int status = lua_pcall(L, nargs, LUA_MULTRET, 0);
    act_set_grad_enabled(ctx, was);
    if (status != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

static int is_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, act_grad_enabled(actlua_ctx(L)));
    return 1;
}

/* A.set_grad_enabled(flag) -> the previous setting */
static int set_grad_enabled(lua_State *L)
{
    luaL_checkany(L, 1);
    lua_pushboolean(L, act_set_grad_enabled(actlua_ctx(L), lua_toboolean(L, 1)));
    return 1;
}

void actlua_open_autograd(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg methods[] = {
        {"requires_grad", m_requires_grad}, {"requires_grad_", m_requires_grad},
        {"is_leaf", m_is_leaf},             {"grad_fn", m_grad_fn},
        {"detach", m_detach},               {"backward", m_backward},
        {NULL, NULL}};
    lua_pushvalue(L, t->methods);
    actlua_setfuncs(L, methods, t->state);
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"is_grad_enabled", is_grad_enabled},
        {"set_grad_enabled", set_grad_enabled},
        {NULL, NULL}};
    lua_pushvalue(L, t->module);
    actlua_setfuncs(L, funcs, t->state);
    lua_pop(L, 1);
    for (int enable = 0; enable <= 1; enable++) {
        actlua_push_upvalues(L, t->state);
        lua_pushboolean(L, enable);
        lua_pushcclosure(L, with_grad_mode, ACTLUA_UPVALUE_FIRST);
        lua_setfield(L, t->module, enable ? "enable_grad" : "no_grad");
    }
}

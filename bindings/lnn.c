/*
 * lnn.c — the C side of nn's hot path, registered as A._nn: chain() runs
 * a run of a Sequential's plain layers (nn.Linear, element-wise
 * activations with default parameters) in one call, with the engine ops
 * that the modules' forwards would call, so the values and gradients are
 * the same; a Linear followed by such an activation is one fused op
 * (act_linear_activate). The intermediate outputs never become Lua values,
 * which saves a userdata, its finalizer and a protected call per layer.
 * Anything else is left to Sequential's per-module path.
 */
#include "laux.h"

#include <stdbool.h>

/* What _nn.kinds maps a module class to (_nn.LINEAR, _nn.ACTIVATION). */
enum { KIND_LINEAR = 1, KIND_ACTIVATION = 2 };

/* Upvalues of chain, after the two shared ones. */
enum {
    UV_KINDS = ACTLUA_UPVALUE_FIRST, /* class -> kind */
    UV_FORWARD,                      /* the key strings, interned once */
    UV_WEIGHT,
    UV_BIAS,
    UV_ACT_ID,
    UV_PARAMS,
    UV_COUNT
};

/* The value of module m's own field (the key in upvalue uv) pushed;
 * returns its type. */
static int own_field(lua_State *L, int m, int uv)
{
    lua_pushvalue(L, lua_upvalueindex(uv));
    return lua_rawget(L, m);
}

/* The kind of the module at stack index m, or 0 when its class is not a
 * plain one or the instance has a forward of its own. Leaves the stack. */
static int module_kind(lua_State *L, int m)
{
    if (!lua_getmetatable(L, m))
        return 0;
    lua_rawget(L, lua_upvalueindex(UV_KINDS));
    int kind = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (kind && own_field(L, m, UV_FORWARD) != LUA_TNIL)
        kind = 0;
    lua_pop(L, 1);
    return kind;
}

/* The activation id of the plain activation module at stack index m, or
 * -1 (with its default parameters only: no params table of its own). */
static int activation_id(lua_State *L, int m)
{
    int isnum, top = lua_gettop(L);
    own_field(L, m, UV_ACT_ID);
    lua_Integer id = lua_tointegerx(L, -1, &isnum);
    bool plain = isnum && own_field(L, m, UV_PARAMS) == LUA_TNIL;
    lua_settop(L, top);
    return plain && id >= 0 && id < ACT_ACTIVATION_COUNT ? (int)id : -1;
}

/* The activation id of module i of the Sequential at index 1 when it is a
 * plain activation, else -1. Leaves the stack. */
static int next_activation(lua_State *L, lua_Integer i)
{
    int id = -1;
    if (lua_rawgeti(L, 1, i) == LUA_TTABLE) {
        int m = lua_gettop(L);
        if (module_kind(L, m) == KIND_ACTIVATION)
            id = activation_id(L, m);
    }
    lua_pop(L, 1);
    return id;
}

/* Runs module i (at stack index m, of `kind`) on x into *y, and sets *used
 * to the number of modules it covered: an nn.Linear followed by a plain
 * activation is one fused op (act_linear_activate). Returns the engine's
 * status, or ACT_E_ARG without a message when the module is not plain
 * after all (the caller then leaves it to the Lua path, which explains any
 * error). */
static act_status run_module(lua_State *L, lua_Integer i, int m, int kind,
                             act_tensor *x, act_tensor **y, int *used)
{
    act_context *ctx = actlua_ctx(L);
    int top = lua_gettop(L);
    act_status st = ACT_E_ARG;
    *used = 1;
    if (kind == KIND_LINEAR) {
        own_field(L, m, UV_WEIGHT);
        own_field(L, m, UV_BIAS);
        act_tensor *w = actlua_to_tensor(L, -2);
        act_tensor *b = lua_isnil(L, -1) ? NULL : actlua_to_tensor(L, -1);
        int next = next_activation(L, i + 1);
        if (w && (b || lua_isnil(L, -1)) && next >= 0) {
            st = act_linear_activate(ctx, x, w, b, next, NULL, y);
            *used = 2;
        } else if (w && (b || lua_isnil(L, -1))) {
            st = act_linear(ctx, x, w, b, y);
        }
    } else if (kind == KIND_ACTIVATION) {
        int id = activation_id(L, m);
        if (id >= 0)
            st = act_activate(ctx, id, x, NULL, y);
    }
    lua_settop(L, top);
    return st;
}

/* _nn.chain(seq, x, first) -> y, next: runs seq[first], seq[first + 1],
 * ... on x while they are plain modules and succeed; y is the last output
 * (x itself when none ran) and next the first module not run. */
static int l_chain(lua_State *L)
{
    lua_Integer i = luaL_checkinteger(L, 3);
    act_tensor *cur = actlua_to_tensor(L, 2);
    lua_settop(L, 3);
    if (!cur || !lua_istable(L, 1)) {
        lua_pushvalue(L, 2);
        lua_pushinteger(L, i);
        return 2;
    }
    /* The latest output lives in a userdata from the first layer on, so
     * that an error (only memory can raise here) leaks nothing. */
    act_tensor **slot = NULL;
    for (;;) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
            break;
        int m = lua_gettop(L), kind = module_kind(L, m), used;
        if (!kind)
            break;
        if (!slot) {
            slot = actlua_new_slot(L);
            lua_insert(L, 4); /* the slot at 4, the module above it */
            m = 5;
        }
        act_tensor *y;
        if (run_module(L, i, m, kind, cur, &y, &used) != ACT_OK)
            break;
        act_tensor_free(*slot); /* the previous output (cur), or NULL */
        *slot = cur = y;
        i += used;
        lua_settop(L, 4);
    }
    lua_settop(L, slot ? 4 : 2);
    lua_pushinteger(L, i);
    if (slot)
        actlua_account(L);
    return 2;
}

/* _nn.activation_id(name) -> the registry id of a built-in activation, or
 * nil. */
static int l_activation_id(lua_State *L)
{
    int id = act_activation_find(luaL_checkstring(L, 1));
    if (id < 0)
        return 0;
    lua_pushinteger(L, id);
    return 1;
}

void actlua_open_nn(lua_State *L, const actlua_tables *t)
{
    lua_newtable(L); /* _nn */
    lua_pushinteger(L, KIND_LINEAR);
    lua_setfield(L, -2, "LINEAR");
    lua_pushinteger(L, KIND_ACTIVATION);
    lua_setfield(L, -2, "ACTIVATION");
    lua_newtable(L); /* kinds: the nn classes fill it */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "kinds");
    int kinds = lua_gettop(L);
    actlua_push_upvalues(L, t->state);
    lua_pushvalue(L, kinds);
    static const char *const keys[] = {"forward", "weight", "bias", "_act_id",
                                       "params"};
    for (int k = 0; k < UV_COUNT - UV_FORWARD; k++)
        lua_pushstring(L, keys[k]);
    lua_pushcclosure(L, l_chain, UV_COUNT - 1);
    lua_setfield(L, -3, "chain");
    lua_pop(L, 1); /* kinds */
    actlua_push_upvalues(L, t->state);
    lua_pushcclosure(L, l_activation_id, ACTLUA_UPVALUE_FIRST - 1);
    lua_setfield(L, -2, "activation_id");
    lua_setfield(L, t->module, "_nn");
}

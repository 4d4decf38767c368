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

/* A plain module says so in its own field _plain, set when it is made
 * (nn/linear.lua, nn/activation.lua) for instances of the plain classes
 * themselves, not of subclasses, and cleared by Module's __newindex when
 * the instance is given a forward or params of its own: PLAIN_LINEAR for
 * an nn.Linear, an activation's id (>= 0) for an activation. One lookup
 * per module then says what it is, where checking its class, an own
 * forward and own params took seven Lua API calls (a class is taken to
 * stay the one it was made with). */
#define PLAIN_LINEAR (-1)
#define NOT_PLAIN (-2)

/* Upvalues of chain, after the two shared ones: the key strings, interned
 * once. */
enum { UV_PLAIN = ACTLUA_UPVALUE_FIRST, UV_WEIGHT, UV_BIAS, UV_COUNT };

/* The value of module m's own field (the key in upvalue uv) pushed;
 * returns its type. */
static int own_field(lua_State *L, int m, int uv)
{
    lua_pushvalue(L, lua_upvalueindex(uv));
    return lua_rawget(L, m);
}

/* What module i of the Sequential at index 1 is: PLAIN_LINEAR, an
 * activation id, or NOT_PLAIN. Pushes the module (or what is there). */
static int plain_module(lua_State *L, lua_Integer i)
{
    if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
        return NOT_PLAIN;
    int isnum;
    own_field(L, lua_gettop(L), UV_PLAIN);
    lua_Integer v = lua_tointegerx(L, -1, &isnum);
    lua_pop(L, 1);
    if (!isnum || v < PLAIN_LINEAR || v >= ACT_ACTIVATION_COUNT)
        return NOT_PLAIN;
    return (int)v;
}

/* Runs module i (at stack index m, plain as `kind`) on x into *y, and sets
 * *used to the number of modules it covered: an nn.Linear followed by a
 * plain activation is one fused op (act_linear_activate). Returns the
 * engine's status, or ACT_E_ARG without a message when the Linear's
 * parameters are not tensors (the caller then leaves it to the Lua path,
 * which explains any error). */
static act_status run_module(lua_State *L, lua_Integer i, int m, int kind,
                             act_tensor *x, act_tensor **y, int *used)
{
    act_context *ctx = actlua_ctx(L);
    int top = lua_gettop(L);
    act_status st = ACT_E_ARG;
    *used = 1;
    if (kind >= 0) {
        st = act_activate(ctx, kind, x, NULL, y);
    } else {
        own_field(L, m, UV_WEIGHT);
        bool no_bias = own_field(L, m, UV_BIAS) == LUA_TNIL;
        act_tensor *w = actlua_to_tensor(L, -2);
        act_tensor *b = no_bias ? NULL : actlua_to_tensor(L, -1);
        int next = plain_module(L, i + 1);
        if (w && (b || no_bias) && next >= 0) {
            st = act_linear_activate(ctx, x, w, b, next, NULL, y);
            *used = 2;
        } else if (w && (b || no_bias)) {
            st = act_linear(ctx, x, w, b, y);
        }
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
        int kind = plain_module(L, i), used;
        if (kind == NOT_PLAIN)
            break;
        if (!slot) {
            slot = actlua_new_slot(L);
            lua_insert(L, 4); /* the slot at 4, the module above it */
        }
        act_tensor *y;
        if (run_module(L, i, 5, kind, cur, &y, &used) != ACT_OK)
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
    lua_pushinteger(L, PLAIN_LINEAR);
    lua_setfield(L, -2, "PLAIN_LINEAR");
    actlua_push_upvalues(L, t->state);
    static const char *const keys[] = {"_plain", "weight", "bias"};
    for (int k = 0; k < UV_COUNT - UV_PLAIN; k++)
        lua_pushstring(L, keys[k]);
    lua_pushcclosure(L, l_chain, UV_COUNT - 1);
    lua_setfield(L, -2, "chain");
    actlua_push_upvalues(L, t->state);
    lua_pushcclosure(L, l_activation_id, ACTLUA_UPVALUE_FIRST - 1);
    lua_setfield(L, -2, "activation_id");
    lua_setfield(L, t->module, "_nn");
}

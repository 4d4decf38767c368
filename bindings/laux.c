/*
 * laux.c — helpers shared by the binding files: error translation from the
 * engine, the collector policy for engine memory, and reading dims,
 * indices, shapes and options from Lua (1-based → 0-based happens here).
 */
#include "laux.h"

#include <math.h>
#include <string.h>

/* Below this many live engine bytes, no full collection is forced. */
#define GC_MIN_BYTES ((size_t)16 << 20)
/* Engine growth that triggers one collector step. */
#define GC_STEP_BYTES ((size_t)1 << 20)

void actlua_push_upvalues(lua_State *L, int state_idx)
{
    lua_pushvalue(L, state_idx);
    luaL_getmetatable(L, ACTLUA_TENSOR_MT);
}

void actlua_setfuncs(lua_State *L, const luaL_Reg *funcs, int state_idx)
{
    state_idx = lua_absindex(L, state_idx);
    for (; funcs->name; funcs++) {
        actlua_push_upvalues(L, state_idx);
        lua_pushcclosure(L, funcs->func, ACTLUA_UPVALUE_FIRST - 1);
        lua_setfield(L, -2, funcs->name);
    }
}

act_tensor **actlua_new_slot(lua_State *L)
{
    /* User value 1 caches the Lua object of the tensor's grad. */
    act_tensor **slot = lua_newuserdatauv(L, sizeof *slot, 1);
    *slot = NULL;
    /* The metatable from upvalue 2 (a registry lookup by name costs a
     * string comparison on every new tensor). */
    if (lua_type(L, lua_upvalueindex(2)) == LUA_TTABLE) {
        lua_pushvalue(L, lua_upvalueindex(2));
        lua_setmetatable(L, -2);
    } else {
        luaL_setmetatable(L, ACTLUA_TENSOR_MT);
    }
    return slot;
}

void actlua_check_arg(lua_State *L, act_status st, int arg)
{
    if (st == ACT_OK)
        return;
    act_context *ctx = actlua_ctx(L);
    if (arg == 0)
        arg = act_context_error_arg(ctx);
    if (arg > 0)
        luaL_argerror(L, arg, act_context_error_detail(ctx));
    luaL_error(L, "%s", act_context_error(ctx));
}

void actlua_check(lua_State *L, act_status st)
{
    actlua_check_arg(L, st, 0);
}

static size_t lua_heap_bytes(lua_State *L)
{
    return (size_t)lua_gc(L, LUA_GCCOUNT) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB);
}

/* The policy. Each time the engine's bytes have grown by GC_STEP_BYTES,
 * one collector step: in generational mode (the actlua interpreter's) a
 * young collection, which frees the temporaries of the last few training
 * steps at a cost in proportion to them. And a full collection whenever
 * the engine's bytes exceed twice what survived the last one, at least the
 * Lua heap's own size (a full collection costs in proportion to the Lua
 * heap) and at least GC_MIN_BYTES: that catches what outlived young
 * collections. Memory then stays within a constant factor of what is
 * really alive, with no collectgarbage() in user code. Engine bytes count
 * headers and autograd nodes too, which dominate for the tiny tensors of
 * XOR-sized networks.
 *
 * A full collection also when the Lua heap has doubled since the last one:
 * a step asked for here (LUA_GCSTEP with the debt set to 0) is always a
 * young collection, never the major one Lua's own pacing would do at that
 * point, so the userdata that were promoted to old before dying were
 * never freed while the engine's bytes stayed under GC_MIN_BYTES (the
 * deep XOR's Lua heap grew from 0.35 to 1.3 MiB over 200,000 steps). */
static void full_collection(lua_State *L, actlua_state *S)
{
    lua_gc(L, LUA_GCCOLLECT);
    size_t live = act_context_live_bytes(S->ctx);
    size_t heap = lua_heap_bytes(L);
    size_t threshold = live * 2;
    if (threshold < heap)
        threshold = heap;
    if (threshold < GC_MIN_BYTES)
        threshold = GC_MIN_BYTES;
    S->gc_threshold = threshold;
    S->gc_last_step = live;
    S->gc_heap_base = heap;
}

void actlua_account(lua_State *L)
{
    actlua_state *S = actlua_state_of(L);
    size_t now = act_context_live_bytes(S->ctx);
    if (now <= S->gc_threshold) {
        if (now > S->gc_last_step + GC_STEP_BYTES) {
            if (lua_heap_bytes(L) > 2 * S->gc_heap_base) {
                full_collection(L, S);
                return;
            }
            lua_gc(L, LUA_GCSTEP, 0);
            S->gc_last_step = act_context_live_bytes(S->ctx);
        } else if (now < S->gc_last_step) {
            S->gc_last_step = now;
        }
        return;
    }
    full_collection(L, S);
}

act_tensor *actlua_opt_tensor_or_number(lua_State *L, int arg, double *num)
{
    if (lua_type(L, arg) == LUA_TNUMBER) {
        *num = lua_tonumber(L, arg);
        return NULL;
    }
    return actlua_check_tensor(L, arg);
}

int64_t actlua_check_integer(lua_State *L, int arg)
{
    int isnum;
    lua_Integer i = lua_tointegerx(L, arg, &isnum);
    if (isnum)
        return (int64_t)i;
    if (lua_type(L, arg) == LUA_TNUMBER) {
        double d = lua_tonumber(L, arg);
        if (d == floor(d) && fabs(d) < 9.2e18)
            return (int64_t)d;
        luaL_argerror(L, arg, lua_pushfstring(L, "%f is not an integer", d));
    }
    luaL_typeerror(L, arg, "integer");
    return 0;
}

static int dim_error(lua_State *L, int arg, int64_t d, int ndim)
{
    if (ndim == 0)
        return luaL_argerror(L, arg, lua_pushfstring(
                             L, "dim %I is out of range for a 0-d tensor",
                             (lua_Integer)d));
    return luaL_argerror(L, arg, lua_pushfstring(
                         L, "dim %I is out of range for a %d-d tensor "
                            "(expected 1 to %d, or -%d to -1)",
                         (lua_Integer)d, ndim, ndim, ndim));
}

int actlua_check_dim(lua_State *L, int arg, int ndim)
{
    int64_t d = actlua_check_integer(L, arg);
    if (d >= 1 && d <= ndim)
        return (int)d - 1;
    if (d <= -1 && d >= -ndim)
        return (int)(ndim + d);
    return dim_error(L, arg, d, ndim);
}

int actlua_check_new_dim(lua_State *L, int arg, int ndim)
{
    return actlua_check_dim(L, arg, ndim + 1);
}

int64_t actlua_check_index(lua_State *L, int arg, int64_t extent)
{
    int64_t i = actlua_check_integer(L, arg);
    if (i >= 1 && i <= extent)
        return i - 1;
    if (i <= -1 && i >= -extent)
        return extent + i;
    luaL_argerror(L, arg, lua_pushfstring(
                  L, "index %I is out of range for an extent of %I",
                  (lua_Integer)i, (lua_Integer)extent));
    return 0;
}

static int64_t check_extent(lua_State *L, int arg, int idx, int pos)
{
    int isnum;
    double d = lua_tonumberx(L, idx, &isnum);
    if (!isnum || lua_type(L, idx) != LUA_TNUMBER)
        luaL_argerror(L, arg, lua_pushfstring(
                      L, "extent %d of the shape is a %s, not a number", pos,
                      luaL_typename(L, idx)));
    if (d != floor(d))
        luaL_argerror(L, arg, lua_pushfstring(
                      L, "extent %d of the shape (%f) is not an integer", pos, d));
    if (d < 0)
        luaL_argerror(L, arg, lua_pushfstring(
                      L, "extent %d of the shape is negative (%I)", pos,
                      (lua_Integer)d));
    if (d > 9.2e18)
        luaL_argerror(L, arg, lua_pushfstring(
                      L, "extent %d of the shape is absurdly large (%f)", pos, d));
    return (int64_t)d;
}

int actlua_check_shape(lua_State *L, int arg, int64_t *shape, int *next)
{
    int ndim = 0;
    if (lua_istable(L, arg) && !actlua_to_tensor(L, arg)) {
        lua_Integer n = luaL_len(L, arg);
        if (n > ACT_MAX_DIMS)
            luaL_argerror(L, arg, lua_pushfstring(
                          L, "a shape has at most %d dims, got %I",
                          ACT_MAX_DIMS, n));
        for (int i = 1; i <= n; i++) {
            lua_geti(L, arg, i);
            shape[ndim++] = check_extent(L, arg, -1, i);
            lua_pop(L, 1);
        }
        *next = arg + 1;
        return ndim;
    }
    int top = lua_gettop(L), i = arg;
    for (; i <= top && lua_type(L, i) == LUA_TNUMBER; i++) {
        if (ndim == ACT_MAX_DIMS)
            luaL_argerror(L, i, lua_pushfstring(
                          L, "a shape has at most %d dims", ACT_MAX_DIMS));
        shape[ndim++] = check_extent(L, i, i, i - arg + 1);
    }
    if (i == arg && !lua_isnoneornil(L, arg))
        luaL_typeerror(L, arg, "shape (a table of extents or integers)");
    *next = i;
    return ndim;
}

act_dtype actlua_opt_dtype(lua_State *L, int arg)
{
    act_dtype dtype = act_get_default_dtype(actlua_ctx(L));
    if (!lua_istable(L, arg))
        return dtype;
    lua_getfield(L, arg, "dtype");
    if (!lua_isnil(L, -1)) {
        const char *name = lua_tostring(L, -1);
        if (!name || !act_dtype_from_name(name, &dtype))
            luaL_argerror(L, arg, lua_pushfstring(
                          L, "unknown dtype '%s' (expected float32, float64 "
                             "or int64)",
                          name ? name : luaL_typename(L, -1)));
    }
    lua_pop(L, 1);
    return dtype;
}

act_generator *actlua_opt_generator(lua_State *L, int arg)
{
    if (!lua_istable(L, arg))
        return NULL;
    lua_getfield(L, arg, "generator");
    act_generator **g = NULL;
    if (!lua_isnil(L, -1)) {
        g = luaL_testudata(L, -1, ACTLUA_GENERATOR_MT);
        if (!g)
            luaL_argerror(L, arg, "options.generator is not an A.Generator");
    }
    lua_pop(L, 1);
    return g ? *g : NULL;
}

int actlua_opt_flag(lua_State *L, int arg, const char *key, int def)
{
    if (lua_isboolean(L, arg))
        return lua_toboolean(L, arg);
    if (!lua_istable(L, arg))
        return def;
    lua_getfield(L, arg, key);
    int v = lua_isnil(L, -1) ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

void actlua_register_both(lua_State *L, const actlua_tables *t,
                          const luaL_Reg *funcs)
{
    lua_pushvalue(L, t->module);
    actlua_setfuncs(L, funcs, t->state);
    lua_pop(L, 1);
    lua_pushvalue(L, t->methods);
    actlua_setfuncs(L, funcs, t->state);
    lua_pop(L, 1);
}

void actlua_apply_requires_grad(lua_State *L, int arg)
{
    if (!actlua_opt_flag(L, arg, "requires_grad", 0))
        return;
    actlua_check_arg(L, act_tensor_set_requires_grad(actlua_ctx(L),
                                                     actlua_check_tensor(L, -1), true),
                     arg);
}

/*
 * lactlua.c — luaopen_actlua: builds the module table, the Tensor and
 * Generator metatables, the per-state context (kept in the registry and as
 * every function's upvalue), and registers the embedded Lua parts of the
 * package (actlua.nn, ...) in package.preload.
 */
#include "laux.h"

#include <errno.h>
#include <limits.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

struct actlua_embedded {
    const char *name, *chunkname, *source;
    size_t length;
};
extern const struct actlua_embedded actlua_embedded_modules[];

static int state_gc(lua_State *L)
{
    actlua_state *S = luaL_checkudata(L, 1, "actlua.State");
    act_context_free(S->ctx);
    S->ctx = NULL;
    return 0;
}

/* The state userdata, made on the first require in this lua_State. Its
 * finalizer frees the context; Lua finalizes in reverse order of creation,
 * so every tensor (made later) is freed before it. */
static void push_state(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, ACTLUA_STATE_KEY) == LUA_TUSERDATA)
        return;
    lua_pop(L, 1);
    actlua_state *S = lua_newuserdatauv(L, sizeof *S, 0);
    S->ctx = NULL;
    S->gc_threshold = 0;
    S->gc_last_step = 0;
    S->gc_heap_base = 0;
    S->gc_new_tensors = 0;
    luaL_newmetatable(L, "actlua.State");
    lua_pushcfunction(L, state_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    S->ctx = act_context_new();
    if (!S->ctx)
        luaL_error(L, "actlua: out of memory for a context");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, ACTLUA_STATE_KEY);
}

/* ----------------------------------------------------------- generators */

static act_generator **check_generator(lua_State *L, int idx)
{
    act_generator **g = luaL_checkudata(L, idx, ACTLUA_GENERATOR_MT);
    if (!*g)
        luaL_argerror(L, idx, "generator is closed");
    return g;
}

static int generator_new(lua_State *L)
{
    uint64_t seed = (uint64_t)(lua_isnoneornil(L, 1) ? 0 : actlua_check_integer(L, 1));
    act_generator **g = lua_newuserdatauv(L, sizeof *g, 0);
    *g = NULL;
    luaL_setmetatable(L, ACTLUA_GENERATOR_MT);
    *g = act_generator_new(seed);
    if (!*g)
        return luaL_error(L, "Generator: out of memory");
    return 1;
}

static int generator_gc(lua_State *L)
{
    act_generator **g = luaL_checkudata(L, 1, ACTLUA_GENERATOR_MT);
    act_generator_free(*g);
    *g = NULL;
    return 0;
}

static int generator_manual_seed(lua_State *L)
{
    act_generator **g = check_generator(L, 1);
    act_generator_seed(*g, (uint64_t)actlua_check_integer(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int generator_random(lua_State *L)
{
    lua_pushnumber(L, act_generator_uniform(*check_generator(L, 1)));
    return 1;
}

static int generator_tostring(lua_State *L)
{
    lua_pushfstring(L, "actlua.Generator (%p)", lua_topointer(L, 1));
    return 1;
}

static void open_generator(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg meta[] = {
        {"__gc", generator_gc},
        {"__close", generator_gc},
        {"__tostring", generator_tostring},
        {NULL, NULL}};
    static const luaL_Reg methods[] = {
        {"manual_seed", generator_manual_seed},
        {"random", generator_random},
        {NULL, NULL}};
    luaL_newmetatable(L, ACTLUA_GENERATOR_MT);
    luaL_setfuncs(L, meta, 0);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushcfunction(L, generator_new);
    lua_setfield(L, t->module, "Generator");
}

/* ------------------------------------------------------ module settings */

static int manual_seed(lua_State *L)
{
    act_manual_seed(actlua_ctx(L), (uint64_t)actlua_check_integer(L, 1));
    return 0;
}

static int set_default_dtype(lua_State *L)
{
    act_dtype dtype;
    const char *name = luaL_checkstring(L, 1);
    if (!act_dtype_from_name(name, &dtype))
        return luaL_argerror(L, 1, lua_pushfstring(L, "unknown dtype '%s'", name));
    actlua_check(L, act_set_default_dtype(actlua_ctx(L), dtype));
    return 0;
}

static int get_default_dtype(lua_State *L)
{
    lua_pushstring(L, act_dtype_name(act_get_default_dtype(actlua_ctx(L))));
    return 1;
}

static int is_tensor(lua_State *L)
{
    lua_pushboolean(L, actlua_to_tensor(L, 1) != NULL);
    return 1;
}

/* Bytes of tensor storage alive in this lua_State (for memory checks). */
static int memory_in_use(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)act_context_live_bytes(actlua_ctx(L)));
    return 1;
}

/* A.empty_cache(): the blocks the engine keeps for reuse go back to the
 * system (act_context_empty_cache); A.memory_cached(): their bytes. */
static int empty_cache(lua_State *L)
{
    act_context_empty_cache(actlua_ctx(L));
    return 0;
}

static int memory_cached(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)act_context_cached_bytes(actlua_ctx(L)));
    return 1;
}

/* A.set_num_threads(n): OpenBLAS's pool, process-wide (see act.h). */
static int set_num_threads(lua_State *L)
{
    int64_t n = actlua_check_integer(L, 1);
    if (n > INT_MAX) /* OpenBLAS caps it far below anyway */
        n = INT_MAX;
    if (n < INT_MIN)
        n = INT_MIN;
    actlua_check(L, act_set_num_threads(actlua_ctx(L), (int)n));
    return 0;
}

static int get_num_threads(lua_State *L)
{
    lua_pushinteger(L, act_get_num_threads());
    return 1;
}

/* ACTLUA_NUM_THREADS, read each time the module is opened: a positive
 * integer, or the module does not load (a typo should not silently leave
 * the default, which a benchmark would then misreport). */
static void threads_from_env(lua_State *L, act_context *ctx)
{
    const char *v = getenv("ACTLUA_NUM_THREADS");
    if (!v || !*v)
        return;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < 1 || n > INT_MAX)
        luaL_error(L, "ACTLUA_NUM_THREADS must be a positive integer, "
                   "got '%s'", v);
    if (act_set_num_threads(ctx, (int)n) != ACT_OK)
        luaL_error(L, "actlua: %s", act_context_error(ctx));
}

/* ------------------------------------------------------- embedded Lua */

static int load_embedded(lua_State *L)
{
    const struct actlua_embedded *m =
        &actlua_embedded_modules[lua_tointeger(L, lua_upvalueindex(1))];
    if (luaL_loadbuffer(L, m->source, m->length, m->chunkname) != LUA_OK)
        return lua_error(L);
    lua_pushstring(L, m->name);
    lua_call(L, 1, 1);
    return 1;
}

static void preload_embedded(lua_State *L)
{
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    if (lua_getfield(L, -1, "actlua.nn") != LUA_TNIL) { /* done already */
        lua_pop(L, 2);
        return;
    }
    lua_pop(L, 1);
    for (int i = 0; actlua_embedded_modules[i].name; i++) {
        lua_pushinteger(L, i);
        lua_pushcclosure(L, load_embedded, 1);
        lua_setfield(L, -2, actlua_embedded_modules[i].name);
    }
    lua_pop(L, 1);
}

/* A.nn, A.optim, A.loss, ...: the Lua parts of the package load on first
 * use (require "actlua." .. key) and are then stored in the module table,
 * so `require("actlua").nn` works without a require of its own and plain
 * `require "actlua"` loads none of them. Only keys in this fixed list whose
 * module is embedded are looked up; any other missing key is nil. */
static int module_index(lua_State *L)
{
    static const char *const lazy[] = {"nn", "optim", "loss", "gradcheck",
                                       "init", "data", "plot", NULL};
    const char *key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    for (int i = 0; key && lazy[i]; i++) {
        if (strcmp(key, lazy[i]) != 0)
            continue;
        const char *name = lua_pushfstring(L, "actlua.%s", key);
        for (int m = 0; actlua_embedded_modules[m].name; m++) {
            if (strcmp(actlua_embedded_modules[m].name, name) != 0)
                continue;
            lua_getglobal(L, "require");
            lua_pushvalue(L, -2);
            lua_call(L, 1, 1);
            lua_pushvalue(L, 2);
            lua_pushvalue(L, -2);
            lua_rawset(L, 1);
            return 1;
        }
        return 0;
    }
    return 0;
}

static void set_lazy_fields(lua_State *L, int module)
{
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, module_index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, module);
}

/* actlua.act (A.act.define, A.fn and the registry over built-in and
 * defined activations) is a Lua file that returns an installer, called
 * here with the module table: it cannot `require "actlua"`, which is
 * still loading. */
static void install_act(lua_State *L, int module)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "actlua.act");
    lua_call(L, 1, 1);
    lua_pushvalue(L, module);
    lua_call(L, 1, 0);
}

void actlua_preload(lua_State *L)
{
    preload_embedded(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_actlua);
    lua_setfield(L, -2, "actlua");
    lua_pop(L, 1);
}

int luaopen_actlua(lua_State *L)
{
    push_state(L);
    actlua_tables t;
    t.state = lua_gettop(L);
    lua_newtable(L);
    t.module = lua_gettop(L);
    luaL_newmetatable(L, ACTLUA_TENSOR_MT);
    t.meta = lua_gettop(L);
    lua_newtable(L);
    t.methods = lua_gettop(L);

    static const luaL_Reg funcs[] = {
        {"manual_seed", manual_seed},
        {"set_default_dtype", set_default_dtype},
        {"get_default_dtype", get_default_dtype},
        {"is_tensor", is_tensor},
        {"memory_in_use", memory_in_use},
        {"empty_cache", empty_cache},
        {"memory_cached", memory_cached},
        {"set_num_threads", set_num_threads},
        {"get_num_threads", get_num_threads},
        {NULL, NULL}};
    lua_pushvalue(L, t.module);
    actlua_setfuncs(L, funcs, t.state);
    lua_pop(L, 1);
    threads_from_env(L, ((actlua_state *)lua_touserdata(L, t.state))->ctx);
    open_generator(L, &t);
    actlua_open_create(L, &t);
    actlua_open_tensor(L, &t);
    actlua_open_ops(L, &t);
    actlua_open_autograd(L, &t);
    actlua_open_activations(L, &t);
    actlua_open_expr(L, &t);
    actlua_open_loss(L, &t);
    actlua_open_optim(L, &t);
    actlua_open_nn(L, &t);

    lua_pushvalue(L, t.methods);
    lua_setfield(L, t.module, "Tensor");
    lua_pushliteral(L, ACT_VERSION);
    lua_setfield(L, t.module, "version");
    preload_embedded(L);
    set_lazy_fields(L, t.module);
    install_act(L, t.module);

    lua_settop(L, t.module);
    return 1;
}

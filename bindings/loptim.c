/*
 * loptim.c — the optimizers' C side for actlua/optim.lua, registered in
 * A._optim: new(kind, params, opts) makes an "actlua.Optimizer" userdata
 * holding the engine's optimizer; step, zero_grad, the learning rate,
 * state for state_dict, and clip_grad_norm. Errors name the optimizer
 * ("SGD: lr must be > 0, got -1"); optim.lua re-raises them at its caller.
 */
#include "laux.h"

#include <math.h>
#include <string.h>

#define OPTIMIZER_MT "actlua.Optimizer"

static act_optimizer *check_optimizer(lua_State *L, int idx)
{
    act_optimizer **o = luaL_checkudata(L, idx, OPTIMIZER_MT);
    if (!*o)
        luaL_argerror(L, idx, "the optimizer is closed");
    return *o;
}

static int optimizer_gc(lua_State *L)
{
    act_optimizer **o = luaL_checkudata(L, 1, OPTIMIZER_MT);
    act_optimizer_free(*o);
    *o = NULL;
    return 0;
}

static void fail(lua_State *L, act_status st)
{
    if (st != ACT_OK)
        luaL_error(L, "%s", act_context_error(actlua_ctx(L)));
}

/* ------------------------------------------------------------ options */

/* The options each kind reads: a key outside its list is an error. */
static const char *const allowed[ACT_OPTIM_COUNT][8] = {
    [ACT_OPTIM_SGD] = {"lr", "weight_decay", "momentum", "dampening", "nesterov"},
    [ACT_OPTIM_ADAM] = {"lr", "weight_decay", "betas", "eps", "amsgrad"},
    [ACT_OPTIM_ADAMW] = {"lr", "weight_decay", "betas", "eps", "amsgrad"},
    [ACT_OPTIM_RMSPROP] = {"lr", "weight_decay", "alpha", "eps", "momentum", "centered"},
    [ACT_OPTIM_ADAGRAD] = {"lr", "weight_decay", "lr_decay", "eps",
                           "initial_accumulator_value"},
};

static void check_keys(lua_State *L, int arg, act_optim_kind kind)
{
    const char *name = act_optim_name(kind);
    lua_pushnil(L);
    while (lua_next(L, arg)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = false;
        for (int i = 0; key && allowed[kind][i]; i++)
            ok = ok || strcmp(key, allowed[kind][i]) == 0;
        if (!ok && key)
            luaL_error(L, "%s: unknown option '%s'", name, key);
        if (!ok)
            luaL_error(L, "%s: an option key is a %s, not a string", name,
                       luaL_typename(L, -1));
    }
}

static void get_number(lua_State *L, int arg, const char *name,
                       const char *key, double *v)
{
    lua_getfield(L, arg, key);
    if (lua_type(L, -1) == LUA_TNUMBER)
        *v = lua_tonumber(L, -1);
    else if (!lua_isnil(L, -1))
        luaL_error(L, "%s: option '%s' must be a number, not a %s", name, key,
                   luaL_typename(L, -1));
    lua_pop(L, 1);
}

static void get_flag(lua_State *L, int arg, const char *name, const char *key,
                     bool *v)
{
    lua_getfield(L, arg, key);
    if (lua_isboolean(L, -1))
        *v = lua_toboolean(L, -1);
    else if (!lua_isnil(L, -1))
        luaL_error(L, "%s: option '%s' must be a boolean, not a %s", name, key,
                   luaL_typename(L, -1));
    lua_pop(L, 1);
}

/* betas = {beta1, beta2} */
static void get_betas(lua_State *L, int arg, const char *name,
                      act_optim_options *o)
{
    lua_getfield(L, arg, "betas");
    if (lua_istable(L, -1)) {
        for (int i = 1; i <= 2; i++) {
            lua_geti(L, -1, i);
            if (lua_type(L, -1) != LUA_TNUMBER)
                luaL_error(L, "%s: option 'betas' must be two numbers {beta1, "
                              "beta2}, and its element %d is a %s",
                           name, i, luaL_typename(L, -1));
            *(i == 1 ? &o->beta1 : &o->beta2) = lua_tonumber(L, -1);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        luaL_error(L, "%s: option 'betas' must be a table {beta1, beta2}, not "
                      "a %s", name, luaL_typename(L, -1));
    }
    lua_pop(L, 1);
}

static void read_options(lua_State *L, int arg, act_optim_kind kind,
                         act_optim_options *o)
{
    const char *name = act_optim_name(kind);
    act_optim_defaults(kind, o);
    if (lua_isnoneornil(L, arg))
        return;
    if (!lua_istable(L, arg))
        luaL_error(L, "%s: the options must be a table, not a %s", name,
                   luaL_typename(L, arg));
    check_keys(L, arg, kind);
    static const char *const numbers[] = {
        "lr", "weight_decay", "momentum", "dampening", "eps", "alpha",
        "lr_decay", "initial_accumulator_value"};
    double *slots[] = {&o->lr, &o->weight_decay, &o->momentum, &o->dampening,
                       &o->eps, &o->alpha, &o->lr_decay,
                       &o->initial_accumulator_value};
    for (size_t i = 0; i < sizeof numbers / sizeof *numbers; i++)
        get_number(L, arg, name, numbers[i], slots[i]);
    get_flag(L, arg, name, "nesterov", &o->nesterov);
    get_flag(L, arg, name, "amsgrad", &o->amsgrad);
    get_flag(L, arg, name, "centered", &o->centered);
    get_betas(L, arg, name, o);
}

/* The tensors of the array at arg into a userdata block left on the stack
 * (freed by the collector, so an error while reading leaks nothing). */
static act_tensor **read_params(lua_State *L, int arg, const char *name, int *n)
{
    if (!lua_istable(L, arg) || actlua_to_tensor(L, arg))
        luaL_error(L, "%s: params must be an array of tensors (such as "
                      "model:parameters()), not a %s",
                   name, luaL_typename(L, arg));
    lua_Integer len = luaL_len(L, arg);
    if (len > INT32_MAX / 8)
        luaL_error(L, "%s: too many parameters", name);
    act_tensor **ps = lua_newuserdatauv(L, sizeof *ps * (size_t)(len ? len : 1), 0);
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, arg, i);
        ps[i - 1] = actlua_to_tensor(L, -1);
        if (!ps[i - 1])
            luaL_error(L, "%s: params element %d is a %s, not a tensor", name,
                       (int)i, luaL_typename(L, -1));
        lua_pop(L, 1); /* the array keeps it alive */
    }
    *n = (int)len;
    return ps;
}

/* _optim.new(kind, params, opts) */
static int l_new(lua_State *L)
{
    const char *name = luaL_checkstring(L, 1);
    act_optim_kind kind;
    if (!act_optim_from_name(name, &kind))
        return luaL_error(L, "unknown optimizer '%s'", name);
    act_optim_options o;
    read_options(L, 3, kind, &o);
    int n;
    act_tensor **ps = read_params(L, 2, name, &n);
    act_optimizer **slot = lua_newuserdatauv(L, sizeof *slot, 0);
    *slot = NULL;
    luaL_setmetatable(L, OPTIMIZER_MT);
    fail(L, act_optimizer_new(actlua_ctx(L), kind, &o, n, ps, slot));
    actlua_account(L);
    return 1;
}

/* ------------------------------------------------------------- methods */

/* step and zero_grad run every training step: rather than raise, they
 * return the engine's message, which optim.lua raises at its caller, so
 * that the usual call needs no protected call around it. */
static int status_message(lua_State *L, act_status st)
{
    if (st == ACT_OK)
        return 0;
    lua_pushstring(L, act_context_error(actlua_ctx(L)));
    return 1;
}

/* step(opt) -> nil, or the message of a failure */
static int l_step(lua_State *L)
{
    act_optimizer *o = check_optimizer(L, 1);
    act_status st = act_optimizer_step(actlua_ctx(L), o);
    actlua_account(L);
    return status_message(L, st);
}

/* zero_grad(opt [, set_to_none = true]) -> nil, or the message of a
 * failure */
static int l_zero_grad(lua_State *L)
{
    act_optimizer *o = check_optimizer(L, 1);
    bool none = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
    return status_message(L, act_optimizer_zero_grad(actlua_ctx(L), o, none));
}

static int l_get_lr(lua_State *L)
{
    lua_pushnumber(L, act_optimizer_lr(check_optimizer(L, 1)));
    return 1;
}

static int l_set_lr(lua_State *L)
{
    act_optimizer *o = check_optimizer(L, 1);
    if (lua_type(L, 2) != LUA_TNUMBER)
        return luaL_error(L, "%s: lr must be a number, not a %s",
                          act_optim_name(act_optimizer_kind(o)),
                          luaL_typename(L, 2));
    fail(L, act_optimizer_set_lr(actlua_ctx(L), o, lua_tonumber(L, 2)));
    return 0;
}

/* options(opt) -> {kind = "SGD", lr = ..., ...}: the options in force. */
static int l_options(lua_State *L)
{
    act_optimizer *opt = check_optimizer(L, 1);
    act_optim_kind kind = act_optimizer_kind(opt);
    const act_optim_options *o = act_optimizer_options(opt);
    lua_newtable(L);
    for (int i = 0; allowed[kind][i]; i++) {
        const char *k = allowed[kind][i];
        if (strcmp(k, "betas") == 0) {
            lua_createtable(L, 2, 0);
            lua_pushnumber(L, o->beta1);
            lua_rawseti(L, -2, 1);
            lua_pushnumber(L, o->beta2);
            lua_rawseti(L, -2, 2);
        } else if (strcmp(k, "nesterov") == 0 || strcmp(k, "amsgrad") == 0 ||
                   strcmp(k, "centered") == 0) {
            lua_pushboolean(L, k[0] == 'n' ? o->nesterov
                               : k[0] == 'a' ? o->amsgrad : o->centered);
        } else {
            double v = strcmp(k, "lr") == 0 ? o->lr
                       : strcmp(k, "weight_decay") == 0 ? o->weight_decay
                       : strcmp(k, "momentum") == 0 ? o->momentum
                       : strcmp(k, "dampening") == 0 ? o->dampening
                       : strcmp(k, "eps") == 0 ? o->eps
                       : strcmp(k, "alpha") == 0 ? o->alpha
                       : strcmp(k, "lr_decay") == 0 ? o->lr_decay
                                                    : o->initial_accumulator_value;
            lua_pushnumber(L, v);
        }
        lua_setfield(L, -2, k);
    }
    lua_pushstring(L, act_optim_name(kind));
    lua_setfield(L, -2, "kind");
    return 1;
}

/* state(opt, i) -> steps, {name = copy, ...} for parameter i (1-based). */
static int l_state(lua_State *L)
{
    act_optimizer *o = check_optimizer(L, 1);
    int n = act_optimizer_param_count(o);
    int i = (int)actlua_check_index(L, 2, n);
    const char *names[ACT_OPTIM_MAX_STATE];
    int count = act_optim_state_names(act_optimizer_kind(o), names);
    lua_pushinteger(L, (lua_Integer)act_optimizer_steps(o, i));
    lua_newtable(L);
    for (int s = 0; s < count; s++) {
        act_tensor *b = act_optimizer_state(o, i, s);
        if (!b)
            continue;
        act_tensor **slot = actlua_new_slot(L);
        fail(L, act_clone(actlua_ctx(L), b, slot));
        lua_setfield(L, -2, names[s]);
    }
    actlua_account(L);
    return 2;
}

/* set_state(opt, i, steps, {name = tensor, ...}) */
static int l_set_state(lua_State *L)
{
    act_optimizer *o = check_optimizer(L, 1);
    act_optim_kind kind = act_optimizer_kind(o);
    int i = (int)actlua_check_index(L, 2, act_optimizer_param_count(o));
    int64_t steps = actlua_check_integer(L, 3);
    const act_tensor *values[ACT_OPTIM_MAX_STATE] = {NULL};
    const char *names[ACT_OPTIM_MAX_STATE];
    int count = act_optim_state_names(kind, names);
    if (lua_istable(L, 4)) {
        for (int s = 0; s < count; s++) {
            lua_getfield(L, 4, names[s]); /* stays on the stack: kept alive */
            if (!lua_isnil(L, -1) && !(values[s] = actlua_to_tensor(L, -1)))
                return luaL_error(L, "%s: state '%s' is a %s, not a tensor",
                                  act_optim_name(kind), names[s],
                                  luaL_typename(L, -1));
        }
    }
    fail(L, act_optimizer_set_state(actlua_ctx(L), o, i, steps, values));
    return 0;
}

/* clip_grad_norm(params, max_norm [, norm_type = 2]) -> the total norm */
static int l_clip_grad_norm(lua_State *L)
{
    double max_norm = luaL_checknumber(L, 2);
    double norm_type = 2;
    if (lua_type(L, 3) == LUA_TSTRING && strcmp(lua_tostring(L, 3), "inf") == 0)
        norm_type = INFINITY;
    else if (!lua_isnoneornil(L, 3))
        norm_type = luaL_checknumber(L, 3);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 3);
    int n;
    act_tensor **ps = read_params(L, 1, "clip_grad_norm", &n);
    double total = 0;
    act_status st = act_clip_grad_norm(actlua_ctx(L), n, ps, max_norm,
                                       norm_type, &total);
    if (st != ACT_OK) { /* the engine counts n first: its #k is Lua's #(k-1) */
        int arg = act_context_error_arg(actlua_ctx(L));
        actlua_check_arg(L, st, arg > 1 ? arg - 1 : arg == 1 ? 1 : -1);
    }
    lua_pushnumber(L, total);
    return 1;
}

void actlua_open_optim(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg meta[] = {
        {"__gc", optimizer_gc}, {"__close", optimizer_gc}, {NULL, NULL}};
    luaL_newmetatable(L, OPTIMIZER_MT);
    luaL_setfuncs(L, meta, 0);
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"new", l_new},
        {"step", l_step},
        {"zero_grad", l_zero_grad},
        {"get_lr", l_get_lr},
        {"set_lr", l_set_lr},
        {"options", l_options},
        {"state", l_state},
        {"set_state", l_set_state},
        {"clip_grad_norm", l_clip_grad_norm},
        {NULL, NULL}};
    lua_newtable(L);
    actlua_setfuncs(L, funcs, t->state);
    lua_setfield(L, t->module, "_optim");
}

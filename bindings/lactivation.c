/*
 * lactivation.c — the activation registry from Lua: A.<name>(x, ...) and
 * x:<name>(...) for every activation and alias, with parameters in
 * PyTorch's order or as one table of named ones; A.prelu(x, weight);
 * A.act.names(), A.act.info(name [, params]) and A.act.apply(name, x, ...).
 * Dims are 1-based here and 0-based in the engine.
 */
#include "laux.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- names */

/* The id of name, or an argument error that suggests close names. */
static int check_activation(lua_State *L, int arg)
{
    const char *name = luaL_checkstring(L, arg);
    int id = act_activation_find(name);
    if (id >= 0)
        return id;
    int ids[3], n = act_activation_suggest(name, ids, 3);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "unknown activation '%s' (", name);
    luaL_addvalue(&b);
    if (n == 0)
        luaL_addstring(&b, "A.act.names() lists them");
    for (int i = 0; i < n; i++) {
        luaL_addstring(&b, i == 0 ? "did you mean " : ", ");
        luaL_addstring(&b, act_activation_get(ids[i])->name);
    }
    luaL_addstring(&b, n ? "?)" : ")");
    luaL_pushresult(&b);
    return luaL_argerror(L, arg, lua_tostring(L, -1));
}

/* "elu takes alpha", "relu takes no parameters". */
static const char *describe_params(lua_State *L, const act_activation_info *info,
                                   bool random)
{
    if (info->nparams == 0)
        return lua_pushfstring(L, "%s takes no parameters", info->name);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    lua_pushfstring(L, "%s takes ", info->name);
    luaL_addvalue(&b);
    for (int k = 0; k < info->nparams; k++) {
        if (k)
            luaL_addstring(&b, ", ");
        luaL_addstring(&b, info->params[k].name);
    }
    if (random)
        luaL_addstring(&b, ", generator");
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* ------------------------------------------------------------ params */

/* What the parameters of one call are read into. */
typedef struct {
    int id;
    const act_activation_info *info;
    int arg;            /* the argument the params come from, for errors */
    int ndim;           /* x's rank for dims; -1 when there is no x */
    double p[ACT_ACTIVATION_MAX_PARAMS];
    act_generator *gen; /* rrelu's, from {generator = g} */
} param_reader;

static int param_error(lua_State *L, const param_reader *r, int k,
                       const char *expected, int idx)
{
    return luaL_argerror(L, r->arg, lua_pushfstring(
                         L, "%s must be %s, got %s", r->info->params[k].name,
                         expected, luaL_typename(L, idx)));
}

/* A 1-based Lua dim as a 0-based one; the same rules and words as
 * actlua_check_dim, for a dim given inside a table. A 0-d tensor takes
 * dim 1 or -1 (softmax of a scalar is 1, as in PyTorch). */
static double read_dim(lua_State *L, const param_reader *r, int k, int idx)
{
    int isint;
    lua_Integer d = lua_tointegerx(L, idx, &isint);
    if (!isint || lua_type(L, idx) != LUA_TNUMBER)
        param_error(L, r, k, "an integer", idx);
    if (r->ndim < 0)
        return (double)(d > 0 ? d - 1 : d);
    int n = r->ndim ? r->ndim : 1;
    if (d >= 1 && d <= n)
        return (double)(d - 1);
    if (d <= -1 && d >= -n)
        return (double)(n + d);
    return luaL_argerror(L, r->arg, lua_pushfstring(
                         L, "dim %I is out of range for a %d-d tensor "
                            "(expected 1 to %d, or -%d to -1)",
                         d, r->ndim, n, n));
}

/* The Lua value at idx as parameter k. */
static void read_param(lua_State *L, param_reader *r, int k, int idx)
{
    const act_activation_param *par = &r->info->params[k];
    bool positional = idx > 0; /* else a value in the params table */
    idx = lua_absindex(L, idx);
    if (lua_isnil(L, idx))
        return; /* keeps the default */
    switch (par->kind) {
    case ACT_PARAM_CHOICE: {
        const char *s = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
        for (int c = 0; s && c < ACT_PARAM_MAX_CHOICES && par->choices[c]; c++)
            if (strcmp(s, par->choices[c]) == 0) {
                r->p[k] = c;
                return;
            }
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (int c = 0; c < ACT_PARAM_MAX_CHOICES && par->choices[c]; c++) {
            luaL_addstring(&b, c == 0 ? "'" : "' or '");
            luaL_addstring(&b, par->choices[c]);
        }
        luaL_addstring(&b, "'");
        luaL_pushresult(&b);
        luaL_argerror(L, r->arg, lua_pushfstring(
                      L, "%s must be %s, got %s%s%s", par->name,
                      lua_tostring(L, -1), s ? "'" : "",
                      s ? s : luaL_typename(L, idx), s ? "'" : ""));
        return;
    }
    case ACT_PARAM_FLAG:
        if (!lua_isboolean(L, idx))
            param_error(L, r, k, "a boolean", idx);
        r->p[k] = lua_toboolean(L, idx);
        return;
    case ACT_PARAM_DIM: /* a positional dim is an argument of its own */
        r->p[k] = positional && r->ndim > 0 ? actlua_check_dim(L, idx, r->ndim)
                                            : read_dim(L, r, k, idx);
        return;
    default:
        if (lua_type(L, idx) != LUA_TNUMBER)
            param_error(L, r, k, "a number", idx);
        r->p[k] = lua_tonumber(L, idx);
        return;
    }
}

/* {name = value, ...} (integer keys 1..n are positional) at r->arg. */
static void read_table(lua_State *L, param_reader *r)
{
    bool random = r->id == ACT_ACTIVATION_RRELU;
    lua_pushnil(L);
    while (lua_next(L, r->arg)) {
        int k = -1;
        if (lua_type(L, -2) == LUA_TSTRING) {
            const char *key = lua_tostring(L, -2);
            k = act_activation_param_index(r->id, key);
            if (k < 0 && random && strcmp(key, "generator") == 0) {
                act_generator **g = luaL_testudata(L, -1, ACTLUA_GENERATOR_MT);
                if (!g || !*g)
                    luaL_argerror(L, r->arg, "generator must be an A.Generator");
                r->gen = *g;
                lua_pop(L, 1);
                continue;
            }
            if (k < 0)
                luaL_argerror(L, r->arg, lua_pushfstring(
                              L, "unknown parameter '%s'; %s", key,
                              describe_params(L, r->info, random)));
        } else if (lua_isinteger(L, -2)) {
            lua_Integer i = lua_tointeger(L, -2);
            k = i >= 1 && i <= r->info->nparams ? (int)i - 1 : -1;
            if (k < 0)
                luaL_argerror(L, r->arg, lua_pushfstring(
                              L, "no parameter at position %I; %s", i,
                              describe_params(L, r->info, random)));
        } else {
            luaL_argerror(L, r->arg, "parameter names must be strings");
        }
        read_param(L, r, k, -1);
        lua_pop(L, 1);
    }
}

/* The params of activation id from the arguments at first, ...: one table
 * of named params, or values in PyTorch's order (nil keeps a default). */
static void read_params(lua_State *L, param_reader *r, int id, int first,
                        int ndim)
{
    r->id = id;
    r->info = act_activation_get(id);
    r->arg = first;
    r->ndim = ndim;
    r->gen = NULL;
    for (int k = 0; k < ACT_ACTIVATION_MAX_PARAMS; k++)
        r->p[k] = k < r->info->nparams ? r->info->params[k].def : 0;
    if (lua_istable(L, first) && !actlua_to_tensor(L, first)) {
        read_table(L, r);
        if (!lua_isnone(L, first + 1))
            luaL_argerror(L, first + 1, "nothing may follow the table of "
                                        "named parameters");
        return;
    }
    int top = lua_gettop(L);
    for (int i = first; i <= top; i++) {
        int k = i - first;
        r->arg = i;
        if (k >= r->info->nparams) {
            if (!lua_isnil(L, i))
                luaL_argerror(L, i, lua_pushfstring(
                              L, "too many parameters: %s",
                              describe_params(L, r->info, false)));
            continue;
        }
        read_param(L, r, k, i);
    }
    r->arg = first;
}

/* ------------------------------------------------------------- calls */

/* Raises an engine failure of act_activate, whose x is its argument 2 and
 * params argument 3, against the Lua arguments xarg and parg. */
static void check_activate(lua_State *L, act_status st, int xarg, int parg)
{
    if (st == ACT_OK)
        return;
    int arg = act_context_error_arg(actlua_ctx(L));
    actlua_check_arg(L, st, arg == 2 ? xarg : arg == 3 ? parg : -1);
}

/* id applied to the tensor at xarg with params from xarg + 1. */
static int activate(lua_State *L, int id, int xarg)
{
    act_tensor *x = actlua_check_tensor(L, xarg);
    const act_activation_info *info = act_activation_get(id);
    if (info->form == ACT_FORM_WEIGHTED) {
        act_tensor *w = actlua_to_tensor(L, xarg + 1);
        if (!w) { /* a number: one weight of x's dtype */
            if (lua_type(L, xarg + 1) != LUA_TNUMBER)
                luaL_typeerror(L, xarg + 1, "tensor or number");
            double v = lua_tonumber(L, xarg + 1);
            act_tensor **ws = actlua_new_slot(L);
            actlua_check(L, act_scalar(actlua_ctx(L), act_tensor_dtype(x), v, ws));
            w = *ws;
        }
        act_tensor **slot = actlua_new_slot(L);
        act_status st = act_prelu(actlua_ctx(L), x, w, slot);
        int arg = act_context_error_arg(actlua_ctx(L));
        if (st != ACT_OK)
            actlua_check_arg(L, st, arg == 1 ? xarg : arg == 2 ? xarg + 1 : -1);
        actlua_account(L);
        return 1;
    }
    param_reader r;
    read_params(L, &r, id, xarg + 1, act_tensor_dim(x));
    act_tensor **slot = actlua_new_slot(L);
    check_activate(L, act_activate_gen(actlua_ctx(L), id, x, r.p, r.gen, slot),
                   xarg, xarg + 1);
    actlua_account(L);
    return 1;
}

/* A.<name>(x, ...) and x:<name>(...); upvalue 2: the id. */
static int l_activation(lua_State *L)
{
    return activate(L, (int)lua_tointeger(L, lua_upvalueindex(ACTLUA_UPVALUE_FIRST)), 1);
}

/* A.act.apply(name, x, ...) */
static int l_apply(lua_State *L)
{
    return activate(L, check_activation(L, 1), 2);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A.act.names() -> the canonical names, sorted. */
static int l_names(lua_State *L)
{
    const char *names[ACT_ACTIVATION_COUNT];
    int n = act_activation_count();
    for (int id = 0; id < n; id++)
        names[id] = act_activation_get(id)->name;
    qsort(names, (size_t)n, sizeof *names, by_name);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, names[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

/* A parameter's value in Lua terms: a choice's name, a flag's boolean, a
 * dim 1-based (-1 stays the last). */
static void push_param_value(lua_State *L, const act_activation_param *par,
                             double v)
{
    switch (par->kind) {
    case ACT_PARAM_CHOICE:
        lua_pushstring(L, par->choices[(int)v]);
        break;
    case ACT_PARAM_FLAG:
        lua_pushboolean(L, v != 0);
        break;
    case ACT_PARAM_DIM:
        lua_pushinteger(L, v >= 0 ? (lua_Integer)v + 1 : (lua_Integer)v);
        break;
    default:
        lua_pushnumber(L, v);
    }
}

static void push_params(lua_State *L, const act_activation_info *info)
{
    lua_createtable(L, info->nparams, 0);
    for (int k = 0; k < info->nparams; k++) {
        const act_activation_param *par = &info->params[k];
        lua_createtable(L, 0, 3);
        lua_pushstring(L, par->name);
        lua_setfield(L, -2, "name");
        push_param_value(L, par, par->def);
        lua_setfield(L, -2, "default");
        if (par->kind == ACT_PARAM_CHOICE) {
            lua_newtable(L);
            for (int c = 0; c < ACT_PARAM_MAX_CHOICES && par->choices[c]; c++) {
                lua_pushstring(L, par->choices[c]);
                lua_rawseti(L, -2, c + 1);
            }
            lua_setfield(L, -2, "choices");
        }
        lua_rawseti(L, -2, k + 1);
    }
}

static void push_numbers(lua_State *L, const double *v, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushnumber(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* A.act.info(name [, params]) -> {name, formula, form, params, kinks,
 * range, derivative_from, aliases, smooth, monotonic}; kinks and range for
 * the params given (a table or the positional values), else defaults. */
static int l_info(lua_State *L)
{
    int id = check_activation(L, 1);
    const act_activation_info *info = act_activation_get(id);
    param_reader r;
    read_params(L, &r, id, 2, -1);
    double kinks[ACT_ACTIVATION_MAX_KINKS], range[2];
    int nkinks = act_activation_kinks(id, r.p, kinks);
    act_activation_range(id, r.p, &range[0], &range[1]);
    static const char *const forms[] = {"elementwise", "along_dim", "weighted"};
    lua_createtable(L, 0, 10);
    lua_pushstring(L, info->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, info->formula);
    lua_setfield(L, -2, "formula");
    lua_pushstring(L, forms[info->form]);
    lua_setfield(L, -2, "form");
    push_params(L, info);
    lua_setfield(L, -2, "params");
    push_numbers(L, kinks, nkinks);
    lua_setfield(L, -2, "kinks");
    push_numbers(L, range, 2);
    lua_setfield(L, -2, "range");
    lua_pushstring(L, info->derivative_from_y ? "y" : "x");
    lua_setfield(L, -2, "derivative_from");
    lua_newtable(L);
    for (int a = 0; a < ACT_ACTIVATION_MAX_ALIASES && info->aliases[a]; a++) {
        lua_pushstring(L, info->aliases[a]);
        lua_rawseti(L, -2, a + 1);
    }
    lua_setfield(L, -2, "aliases");
    lua_pushboolean(L, info->smooth);
    lua_setfield(L, -2, "smooth");
    lua_pushboolean(L, info->monotonic);
    lua_setfield(L, -2, "monotonic");
    return 1;
}

/* ----------------------------------------------------------- opening */

static void set_both(lua_State *L, const actlua_tables *t, const char *name)
{
    lua_pushvalue(L, -1);
    lua_setfield(L, t->module, name);
    lua_setfield(L, t->methods, name);
}

void actlua_open_activations(lua_State *L, const actlua_tables *t)
{
    /* After actlua_open_ops: these replace its sigmoid and tanh, with the
     * same values and gradients (its in-place sigmoid_/tanh_ stay). */
    for (int id = 0; id < act_activation_count(); id++) {
        const act_activation_info *info = act_activation_get(id);
        for (int a = -1; a < ACT_ACTIVATION_MAX_ALIASES; a++) {
            const char *name = a < 0 ? info->name : info->aliases[a];
            if (!name)
                break;
            actlua_push_upvalues(L, t->state);
            lua_pushinteger(L, id);
            lua_pushcclosure(L, l_activation, ACTLUA_UPVALUE_FIRST);
            set_both(L, t, name);
        }
    }
    static const luaL_Reg act[] = {
        {"names", l_names}, {"info", l_info}, {"apply", l_apply}, {NULL, NULL}};
    lua_newtable(L);
    actlua_setfuncs(L, act, t->state);
    lua_setfield(L, t->module, "act");
}

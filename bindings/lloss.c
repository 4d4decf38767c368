/*
 * lloss.c — the fused losses as Lua functions, registered in A._loss (the
 * public A.loss table is assembled by actlua/loss.lua): fn(input, target
 * [, opts]) with opts a table ({reduction = "sum", beta = 0.5, ...}) or a
 * reduction's name. Class indices arrive 1-based and are shifted here.
 */
#include "laux.h"

#include <math.h>
#include <string.h>

/* The options each loss takes; any other key is an error (a misspelt
 * option would otherwise be silently ignored). */
static void check_keys(lua_State *L, int arg, const char *const *allowed)
{
    if (!lua_istable(L, arg))
        return;
    lua_pushnil(L);
    while (lua_next(L, arg)) {
        lua_pop(L, 1);
        const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = false;
        for (int i = 0; key && allowed[i]; i++)
            ok = ok || strcmp(key, allowed[i]) == 0;
        if (!ok) {
            if (key)
                luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", key));
            luaL_argerror(L, arg, lua_pushfstring(L, "an option key is a %s, "
                                                  "not a string",
                                                  luaL_typename(L, -1)));
        }
    }
}

/* opts (at arg): nil, a table, or a reduction's name. */
static act_reduction opt_reduction(lua_State *L, int arg)
{
    act_reduction r = ACT_REDUCTION_MEAN;
    int type = lua_type(L, arg);
    if (type == LUA_TNONE || type == LUA_TNIL)
        return r;
    if (type != LUA_TSTRING && type != LUA_TTABLE)
        luaL_typeerror(L, arg, "options table or reduction name");
    if (type == LUA_TTABLE)
        lua_getfield(L, arg, "reduction");
    else
        lua_pushvalue(L, arg);
    const char *name = lua_tostring(L, -1);
    if (name && !act_reduction_from_name(name, &r))
        luaL_argerror(L, arg, lua_pushfstring(
                      L, "unknown reduction '%s' (expected \"mean\", \"sum\" "
                         "or \"none\")",
                      name));
    else if (!name && !lua_isnil(L, -1))
        luaL_argerror(L, arg, lua_pushfstring(L, "reduction must be a string, "
                                              "not a %s", luaL_typename(L, -1)));
    lua_pop(L, 1);
    return r;
}

/* opts.<key> as a number, or def. */
static double opt_number(lua_State *L, int arg, const char *key, double def)
{
    if (!lua_istable(L, arg))
        return def;
    lua_getfield(L, arg, key);
    double v = def;
    if (lua_type(L, -1) == LUA_TNUMBER)
        v = lua_tonumber(L, -1);
    else if (!lua_isnil(L, -1))
        luaL_argerror(L, arg, lua_pushfstring(L, "option '%s' must be a number, "
                                              "not a %s", key,
                                              luaL_typename(L, -1)));
    lua_pop(L, 1);
    return v;
}

/* Raises the engine's error, blaming Lua's argument: the engine counts
 * input 1 and target 2 as Lua does, and its later arguments are options. */
static void check(lua_State *L, act_status st)
{
    if (st == ACT_OK)
        return;
    int arg = act_context_error_arg(actlua_ctx(L));
    actlua_check_arg(L, st, arg == 1 || arg == 2 ? arg : arg > 2 ? 3 : -1);
}

typedef act_status (*plain_loss)(act_context *, const act_tensor *,
                                  const act_tensor *, act_reduction,
                                  act_tensor **);

static int plain(lua_State *L, plain_loss fn)
{
    act_tensor *x = actlua_check_tensor(L, 1), *y = actlua_check_tensor(L, 2);
    static const char *const keys[] = {"reduction", NULL};
    check_keys(L, 3, keys);
    act_reduction r = opt_reduction(L, 3);
    act_tensor **slot = actlua_new_slot(L);
    check(L, fn(actlua_ctx(L), x, y, r, slot));
    actlua_account(L);
    return 1;
}

static int l_mse(lua_State *L) { return plain(L, act_mse_loss); }
static int l_l1(lua_State *L) { return plain(L, act_l1_loss); }
static int l_bce(lua_State *L) { return plain(L, act_bce_loss); }
static int l_bce_naive(lua_State *L) { return plain(L, act_bce_naive_loss); }

/* smooth_l1 (beta) and huber (delta). */
static int with_param(lua_State *L, bool huber)
{
    act_tensor *x = actlua_check_tensor(L, 1), *y = actlua_check_tensor(L, 2);
    static const char *const beta_keys[] = {"reduction", "beta", NULL};
    static const char *const delta_keys[] = {"reduction", "delta", NULL};
    check_keys(L, 3, huber ? delta_keys : beta_keys);
    act_reduction r = opt_reduction(L, 3);
    double v = opt_number(L, 3, huber ? "delta" : "beta", 1.0);
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    check(L, huber ? act_huber_loss(ctx, x, y, r, v, slot)
                   : act_smooth_l1_loss(ctx, x, y, r, v, slot));
    actlua_account(L);
    return 1;
}

static int l_smooth_l1(lua_State *L) { return with_param(L, false); }
static int l_huber(lua_State *L) { return with_param(L, true); }

static int l_bce_with_logits(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1), *y = actlua_check_tensor(L, 2);
    static const char *const keys[] = {"reduction", "pos_weight", NULL};
    check_keys(L, 3, keys);
    act_reduction r = opt_reduction(L, 3);
    act_tensor *pw = NULL;
    if (lua_istable(L, 3)) {
        lua_getfield(L, 3, "pos_weight"); /* stays on the stack: kept alive */
        if (!lua_isnil(L, -1) && !(pw = actlua_to_tensor(L, -1)))
            luaL_argerror(L, 3, "option 'pos_weight' must be a tensor");
    }
    act_tensor **slot = actlua_new_slot(L);
    check(L, act_bce_with_logits_loss(actlua_ctx(L), x, y, pw, r, slot));
    actlua_account(L);
    return 1;
}

static int l_kl_div(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1), *y = actlua_check_tensor(L, 2);
    static const char *const keys[] = {"reduction", "log_target", NULL};
    check_keys(L, 3, keys);
    act_reduction r = opt_reduction(L, 3);
    bool log_target = lua_istable(L, 3) && actlua_opt_flag(L, 3, "log_target", 0);
    act_tensor **slot = actlua_new_slot(L);
    check(L, act_kl_div_loss(actlua_ctx(L), x, y, r, log_target, slot));
    actlua_account(L);
    return 1;
}

/* The target as 0-based class indices when it has the input's shape less
 * the class dim (it is left on the stack), else the target itself:
 * probabilities, or a wrong shape the engine will name. */
static act_tensor *classes_from_lua(lua_State *L, act_tensor *x, act_tensor *t)
{
    int nd = act_tensor_dim(x), cd = nd == 1 ? 0 : 1, ni = 0;
    if (nd == 0 || act_tensor_dim(t) != nd - 1)
        return t;
    for (int d = 0; d < nd; d++)
        if (d != cd && act_tensor_size(t, ni++) != act_tensor_size(x, d))
            return t;
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_index_shift(actlua_ctx(L), t, -1, 1,
                                        act_tensor_size(x, cd), slot),
                     2);
    return *slot;
}

/* cross_entropy (label_smoothing) and nll. */
static int classify(lua_State *L, bool ce)
{
    act_tensor *x = actlua_check_tensor(L, 1), *t = actlua_check_tensor(L, 2);
    static const char *const ce_keys[] = {"reduction", "label_smoothing", NULL};
    static const char *const nll_keys[] = {"reduction", NULL};
    check_keys(L, 3, ce ? ce_keys : nll_keys);
    act_reduction r = opt_reduction(L, 3);
    double ls = ce ? opt_number(L, 3, "label_smoothing", 0) : 0;
    lua_settop(L, 3);
    t = classes_from_lua(L, x, t);
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    check(L, ce ? act_cross_entropy_loss(ctx, x, t, r, ls, slot)
                : act_nll_loss(ctx, x, t, r, slot));
    actlua_account(L);
    return 1;
}

static int l_cross_entropy(lua_State *L) { return classify(L, true); }
static int l_nll(lua_State *L) { return classify(L, false); }

void actlua_open_loss(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg funcs[] = {
        {"mse", l_mse},
        {"l1", l_l1},
        {"smooth_l1", l_smooth_l1},
        {"huber", l_huber},
        {"bce", l_bce},
        {"bce_naive", l_bce_naive},
        {"bce_with_logits", l_bce_with_logits},
        {"cross_entropy", l_cross_entropy},
        {"nll", l_nll},
        {"kl_div", l_kl_div},
        {NULL, NULL}};
    lua_newtable(L);
    actlua_setfuncs(L, funcs, t->state);
    lua_setfield(L, t->module, "_loss");
}

/*
 * lcreate.c — the creation functions of the module: A.tensor (from numbers,
 * nested tables or another tensor), zeros/ones/empty/full, arange,
 * linspace, eye, and the random ones; each checks its arguments fully
 * before the engine allocates anything.
 */
#include "laux.h"

#include <string.h>

/* -------------------------------------------------------- nested tables */

typedef struct {
    int ndim;
    int64_t shape[ACT_MAX_DIMS];
    double *data;
    int64_t filled;
    int64_t path[ACT_MAX_DIMS]; /* 1-based position, for error messages */
} nested;

static const char *path_str(lua_State *L, const nested *n, int depth)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 0; i < depth; i++)
        lua_pushfstring(L, "[%I]", (lua_Integer)n->path[i]), luaL_addvalue(&b);
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* The shape is read along the first elements; every row is checked
 * against it while filling. */
static void nested_shape(lua_State *L, int idx, nested *n)
{
    lua_pushvalue(L, idx);
    n->ndim = 0;
    while (lua_istable(L, -1) && !actlua_to_tensor(L, -1)) {
        if (n->ndim == ACT_MAX_DIMS)
            luaL_argerror(L, 1, lua_pushfstring(
                          L, "nested table is deeper than %d levels", ACT_MAX_DIMS));
        n->shape[n->ndim++] = (int64_t)luaL_len(L, -1);
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
}

static void nested_fill(lua_State *L, nested *n, int depth)
{
    int idx = lua_gettop(L);
    if (depth == n->ndim) {
        if (lua_type(L, idx) != LUA_TNUMBER)
            luaL_argerror(L, 1, lua_pushfstring(
                          L, "element %s is a %s, not a number",
                          path_str(L, n, depth), luaL_typename(L, idx)));
        n->data[n->filled++] = lua_tonumber(L, idx);
        return;
    }
    if (!lua_istable(L, idx) || actlua_to_tensor(L, idx))
        luaL_argerror(L, 1, lua_pushfstring(
                      L, "element %s is a %s where a table of %I was expected",
                      path_str(L, n, depth), luaL_typename(L, idx),
                      (lua_Integer)n->shape[depth]));
    int64_t len = (int64_t)luaL_len(L, idx);
    if (len != n->shape[depth])
        luaL_argerror(L, 1, lua_pushfstring(
                      L, "ragged nested table: row %s has %I elements, "
                         "expected %I",
                      path_str(L, n, depth), (lua_Integer)len,
                      (lua_Integer)n->shape[depth]));
    for (int64_t i = 1; i <= len; i++) {
        n->path[depth] = i;
        lua_geti(L, idx, (lua_Integer)i);
        nested_fill(L, n, depth + 1);
        lua_pop(L, 1);
    }
}

static int tensor_from_table(lua_State *L, act_dtype dtype)
{
    nested n = {0};
    nested_shape(L, 1, &n);
    int64_t numel = 1;
    for (int i = 0; i < n.ndim; i++) {
        if (n.shape[i] > 0 && numel > ((int64_t)1 << 40) / n.shape[i])
            return luaL_argerror(L, 1, "nested table is too large");
        numel *= n.shape[i];
    }
    /* A userdata buffer: the collector frees it if a check raises. */
    n.data = lua_newuserdatauv(L, sizeof(double) * (size_t)(numel ? numel : 1), 0);
    lua_pushvalue(L, 1);
    nested_fill(L, &n, 0);
    lua_pop(L, 1);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_from_doubles(actlua_ctx(L), dtype, n.ndim, n.shape,
                                         n.data, slot), 1);
    actlua_apply_requires_grad(L, 2);
    actlua_account(L);
    return 1;
}

static int l_tensor(lua_State *L)
{
    act_dtype dtype = actlua_opt_dtype(L, 2);
    act_context *ctx = actlua_ctx(L);
    act_tensor *src = actlua_to_tensor(L, 1);
    if (src) { /* a copy that is a new leaf, as torch.tensor(t) */
        act_tensor **slot = actlua_new_slot(L);
        bool was = act_set_grad_enabled(ctx, false);
        act_status st = act_to_dtype(ctx, src, lua_istable(L, 2) ? dtype
                                                                 : act_tensor_dtype(src),
                                     slot);
        act_set_grad_enabled(ctx, was);
        actlua_check(L, st);
    } else if (lua_type(L, 1) == LUA_TNUMBER) {
        double v = lua_tonumber(L, 1);
        act_tensor **slot = actlua_new_slot(L);
        actlua_check_arg(L, act_from_doubles(ctx, dtype, 0, NULL, &v, slot), 1);
    } else if (lua_istable(L, 1)) {
        return tensor_from_table(L, dtype);
    } else {
        return luaL_typeerror(L, 1, "number, nested table of numbers or tensor");
    }
    actlua_apply_requires_grad(L, 2);
    actlua_account(L);
    return 1;
}

/* -------------------------------------------------- shaped constructors */

enum fill_kind { FILL_EMPTY, FILL_ZEROS, FILL_ONES, FILL_RAND, FILL_RANDN };

static act_status make_filled(lua_State *L, enum fill_kind kind, act_dtype dtype,
                              int ndim, const int64_t *shape,
                              act_generator *gen, act_tensor **slot)
{
    act_context *ctx = actlua_ctx(L);
    switch (kind) {
    case FILL_EMPTY: return act_empty(ctx, dtype, ndim, shape, slot);
    case FILL_ZEROS: return act_zeros(ctx, dtype, ndim, shape, slot);
    case FILL_ONES: return act_ones(ctx, dtype, ndim, shape, slot);
    case FILL_RAND: return act_rand(ctx, dtype, ndim, shape, gen, slot);
    default: return act_randn(ctx, dtype, ndim, shape, gen, slot);
    }
}

/* A.zeros{2,3}, A.zeros(2, 3), A.zeros({2,3}, {dtype = "float64"}) */
static int shaped(lua_State *L, enum fill_kind kind)
{
    int64_t shape[ACT_MAX_DIMS];
    int next;
    int ndim = actlua_check_shape(L, 1, shape, &next);
    act_dtype dtype = actlua_opt_dtype(L, next);
    act_generator *gen = actlua_opt_generator(L, next);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, make_filled(L, kind, dtype, ndim, shape, gen, slot), 1);
    actlua_apply_requires_grad(L, next);
    actlua_account(L);
    return 1;
}

static int l_empty(lua_State *L) { return shaped(L, FILL_EMPTY); }
static int l_zeros(lua_State *L) { return shaped(L, FILL_ZEROS); }
static int l_ones(lua_State *L) { return shaped(L, FILL_ONES); }
static int l_rand(lua_State *L) { return shaped(L, FILL_RAND); }
static int l_randn(lua_State *L) { return shaped(L, FILL_RANDN); }

/* A.zeros_like(t [, opts]): t's shape, t's dtype unless opts say. */
static int like(lua_State *L, enum fill_kind kind)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    act_dtype dtype = lua_istable(L, 2) ? actlua_opt_dtype(L, 2) : act_tensor_dtype(t);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, make_filled(L, kind, dtype, act_tensor_dim(t),
                                    act_tensor_shape(t),
                                    actlua_opt_generator(L, 2), slot), 1);
    actlua_account(L);
    return 1;
}

static int l_zeros_like(lua_State *L) { return like(L, FILL_ZEROS); }
static int l_ones_like(lua_State *L) { return like(L, FILL_ONES); }
static int l_rand_like(lua_State *L) { return like(L, FILL_RAND); }
static int l_randn_like(lua_State *L) { return like(L, FILL_RANDN); }

/* A.full({2,3}, 7 [, opts]) */
static int l_full(lua_State *L)
{
    int64_t shape[ACT_MAX_DIMS];
    int next;
    luaL_checktype(L, 1, LUA_TTABLE);
    int ndim = actlua_check_shape(L, 1, shape, &next);
    double value = luaL_checknumber(L, 2);
    act_dtype dtype = actlua_opt_dtype(L, 3);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_full(actlua_ctx(L), dtype, ndim, shape, value, slot));
    actlua_account(L);
    return 1;
}

/* A.normal(mean, std, shape... [, opts]), A.uniform(a, b, shape... [, opts]) */
static int two_param_random(lua_State *L, bool normal)
{
    double p = luaL_checknumber(L, 1), q = luaL_checknumber(L, 2);
    int64_t shape[ACT_MAX_DIMS];
    int next;
    int ndim = actlua_check_shape(L, 3, shape, &next);
    act_dtype dtype = actlua_opt_dtype(L, next);
    act_generator *gen = actlua_opt_generator(L, next);
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    act_status st = normal ? act_normal(ctx, dtype, ndim, shape, p, q, gen, slot)
                           : act_uniform(ctx, dtype, ndim, shape, p, q, gen, slot);
    actlua_check_arg(L, st, st == ACT_E_ARG ? 2 : 3);
    actlua_account(L);
    return 1;
}

static int l_normal(lua_State *L) { return two_param_random(L, true); }
static int l_uniform(lua_State *L) { return two_param_random(L, false); }

/* A.arange(end), A.arange(start, end [, step]) [, opts]; end exclusive. */
static int l_arange(lua_State *L)
{
    double start = 0, end, step = 1;
    int nnum = 0;
    while (nnum < 3 && lua_type(L, nnum + 1) == LUA_TNUMBER)
        nnum++;
    if (nnum == 0)
        return luaL_typeerror(L, 1, "number");
    if (nnum == 1) {
        end = lua_tonumber(L, 1);
    } else {
        start = lua_tonumber(L, 1);
        end = lua_tonumber(L, 2);
        if (nnum == 3)
            step = lua_tonumber(L, 3);
    }
    act_dtype dtype = actlua_opt_dtype(L, nnum + 1);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_arange(actlua_ctx(L), dtype, start, end, step, slot),
                     -1);
    actlua_account(L);
    return 1;
}

static int l_linspace(lua_State *L)
{
    double a = luaL_checknumber(L, 1), b = luaL_checknumber(L, 2);
    int64_t n = lua_isnoneornil(L, 3) ? 100 : actlua_check_integer(L, 3);
    act_dtype dtype = actlua_opt_dtype(L, 4);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_linspace(actlua_ctx(L), dtype, a, b, n, slot));
    actlua_account(L);
    return 1;
}

static int l_eye(lua_State *L)
{
    int64_t n = actlua_check_integer(L, 1);
    int has_m = lua_type(L, 2) == LUA_TNUMBER;
    int64_t m = has_m ? actlua_check_integer(L, 2) : n;
    if (n < 0 || m < 0)
        return luaL_argerror(L, n < 0 ? 1 : 2, "the size must be >= 0");
    act_dtype dtype = actlua_opt_dtype(L, has_m ? 3 : 2);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_eye(actlua_ctx(L), dtype, n, m, slot), 1);
    actlua_account(L);
    return 1;
}

void actlua_open_create(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg funcs[] = {
        {"tensor", l_tensor},         {"empty", l_empty},
        {"zeros", l_zeros},           {"ones", l_ones},
        {"full", l_full},             {"rand", l_rand},
        {"randn", l_randn},           {"normal", l_normal},
        {"uniform", l_uniform},       {"arange", l_arange},
        {"linspace", l_linspace},     {"eye", l_eye},
        {"zeros_like", l_zeros_like}, {"ones_like", l_ones_like},
        {"rand_like", l_rand_like},   {"randn_like", l_randn_like},
        {NULL, NULL}};
    lua_pushvalue(L, t->module);
    actlua_setfuncs(L, funcs, t->state);
    lua_pop(L, 1);
}

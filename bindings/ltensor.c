/*
 * ltensor.c — the Tensor type in Lua: the userdata slot and its metatable
 * (1-based t[i] reads and writes, __tostring, __len, __gc, __close), and
 * the methods that describe, reshape, view, convert and fill a tensor.
 * Arithmetic metamethods and numerical ops live in lops.c.
 */
#include "laux.h"

#include <stdlib.h>
#include <string.h>

/* The slot of the tensor at idx, or NULL. Binding functions carry the
 * Tensor metatable as upvalue 2, so the check is one comparison; C
 * functions of other modules (for which upvalue 2 is something else or
 * absent) fall back to the registry lookup. */
static act_tensor **tensor_slot(lua_State *L, int idx)
{
    void *p = lua_touserdata(L, idx);
    if (!p || !lua_getmetatable(L, idx))
        return NULL;
    int same = lua_rawequal(L, -1, lua_upvalueindex(2));
    lua_pop(L, 1);
    return same ? p : luaL_testudata(L, idx, ACTLUA_TENSOR_MT);
}

act_tensor *actlua_to_tensor(lua_State *L, int idx)
{
    act_tensor **slot = tensor_slot(L, idx);
    return slot ? *slot : NULL;
}

act_tensor *actlua_check_tensor(lua_State *L, int idx)
{
    act_tensor **slot = tensor_slot(L, idx);
    if (!slot)
        luaL_typeerror(L, idx, "tensor");
    if (!*slot)
        luaL_argerror(L, idx, "tensor is closed");
    return *slot;
}

/* For other C modules. actlua's own functions make the slot before the
 * engine call instead (actlua_new_slot), so that not even a Lua memory
 * error between the two can leak a tensor. */
void actlua_push_tensor(lua_State *L, act_tensor *t)
{
    act_tensor **s = lua_newuserdatauv(L, sizeof *s, 0);
    *s = t;
    luaL_setmetatable(L, ACTLUA_TENSOR_MT);
}

/* --------------------------------------------------------- metamethods */

static int t_gc(lua_State *L)
{
    act_tensor **slot = tensor_slot(L, 1);
    if (!slot)
        return luaL_typeerror(L, 1, "tensor");
    act_tensor_free(*slot);
    *slot = NULL;
    return 0;
}

static int t_tostring(lua_State *L)
{
    act_tensor **slot = tensor_slot(L, 1);
    if (!slot)
        return luaL_typeerror(L, 1, "tensor");
    if (!*slot) {
        lua_pushliteral(L, "tensor(closed)");
        return 1;
    }
    char *s = NULL;
    actlua_check(L, act_tensor_format(actlua_ctx(L), *slot, &s));
    lua_pushstring(L, s); /* may raise: s is freed only after */
    free(s);
    return 1;
}

static int t_len(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (act_tensor_dim(t) == 0)
        return luaL_error(L, "len() of a 0-d tensor");
    lua_pushinteger(L, (lua_Integer)act_tensor_size(t, 0));
    return 1;
}

/* t[i]: a number on a 1-d tensor, else the view of row i. Other keys are
 * looked up in the methods table (the closure's own upvalue). */
static int t_index(lua_State *L)
{
    if (lua_type(L, 2) != LUA_TNUMBER) {
        lua_pushvalue(L, 2);
        if (lua_gettable(L, lua_upvalueindex(ACTLUA_UPVALUE_FIRST)) == LUA_TNIL &&
            lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "grad") == 0)
            return actlua_push_grad(L, 1);
        return 1;
    }
    act_tensor *t = actlua_check_tensor(L, 1);
    if (act_tensor_dim(t) == 0)
        return luaL_error(L, "cannot index a 0-d tensor (use :item())");
    int64_t i = actlua_check_index(L, 2, act_tensor_size(t, 0));
    act_context *ctx = actlua_ctx(L);
    if (act_tensor_dim(t) == 1) {
        double v;
        actlua_check(L, act_tensor_get(ctx, t, &i, &v));
        if (act_tensor_dtype(t) == ACT_DTYPE_I64)
            lua_pushinteger(L, (lua_Integer)v);
        else
            lua_pushnumber(L, v);
        return 1;
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_select(ctx, t, 0, i, slot));
    return 1;
}

/* t[i] = number | tensor */
static int t_newindex(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "grad") == 0)
        return actlua_set_grad(L, 1, 3);
    if (lua_type(L, 2) != LUA_TNUMBER)
        return luaL_error(L, "cannot set field '%s' of a tensor",
                          luaL_tolstring(L, 2, NULL));
    if (act_tensor_dim(t) == 0)
        return luaL_error(L, "cannot index a 0-d tensor (use :fill_())");
    int64_t i = actlua_check_index(L, 2, act_tensor_size(t, 0));
    act_context *ctx = actlua_ctx(L);
    act_tensor *src = NULL;
    double v = 0;
    if (lua_type(L, 3) == LUA_TNUMBER)
        v = lua_tonumber(L, 3);
    else
        src = actlua_check_tensor(L, 3);
    if (act_tensor_dim(t) == 1 && !src) {
        actlua_check_arg(L, act_tensor_set(ctx, t, &i, v), 3);
        return 0;
    }
    act_tensor **row = actlua_new_slot(L);
    actlua_check(L, act_select(ctx, t, 0, i, row));
    actlua_check_arg(L, src ? act_copy_(ctx, *row, src) : act_fill_(ctx, *row, v), 3);
    return 0;
}

/* -------------------------------------------------------- description */

static void push_int64s(lua_State *L, int n, const int64_t *v)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, (lua_Integer)v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static int m_shape(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    push_int64s(L, act_tensor_dim(t), act_tensor_shape(t));
    return 1;
}

static int m_size(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (lua_isnoneornil(L, 2))
        return m_shape(L);
    int d = actlua_check_dim(L, 2, act_tensor_dim(t));
    lua_pushinteger(L, (lua_Integer)act_tensor_size(t, d));
    return 1;
}

static int m_stride(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        push_int64s(L, act_tensor_dim(t), act_tensor_strides(t));
        return 1;
    }
    int d = actlua_check_dim(L, 2, act_tensor_dim(t));
    lua_pushinteger(L, (lua_Integer)act_tensor_strides(t)[d]);
    return 1;
}

static int m_dim(lua_State *L)
{
    lua_pushinteger(L, act_tensor_dim(actlua_check_tensor(L, 1)));
    return 1;
}

static int m_numel(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)act_tensor_numel(actlua_check_tensor(L, 1)));
    return 1;
}

static int m_dtype(lua_State *L)
{
    lua_pushstring(L, act_dtype_name(act_tensor_dtype(actlua_check_tensor(L, 1))));
    return 1;
}

static int m_is_contiguous(lua_State *L)
{
    lua_pushboolean(L, act_tensor_is_contiguous(actlua_check_tensor(L, 1)));
    return 1;
}

static void push_element(lua_State *L, act_dtype dtype, double v)
{
    if (dtype == ACT_DTYPE_I64)
        lua_pushinteger(L, (lua_Integer)v);
    else
        lua_pushnumber(L, v);
}

static int m_item(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    double v;
    actlua_check(L, act_tensor_item(actlua_ctx(L), t, &v));
    push_element(L, act_tensor_dtype(t), v);
    return 1;
}

static void build_table(lua_State *L, act_dtype dtype, const int64_t *shape,
                        int ndim, const double **data)
{
    if (ndim == 0) {
        push_element(L, dtype, *(*data)++);
        return;
    }
    luaL_checkstack(L, 4, "tensor too deep");
    lua_createtable(L, shape[0] < 1 << 24 ? (int)shape[0] : 0, 0);
    for (int64_t i = 0; i < shape[0]; i++) {
        build_table(L, dtype, shape + 1, ndim - 1, data);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int m_totable(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int64_t n = act_tensor_numel(t);
    double *buf = lua_newuserdatauv(L, sizeof(double) * (size_t)(n ? n : 1), 0);
    actlua_check(L, act_tensor_to_doubles(actlua_ctx(L), t, buf));
    const double *p = buf;
    build_table(L, act_tensor_dtype(t), act_tensor_shape(t), act_tensor_dim(t), &p);
    return 1;
}

/* --------------------------------------------------------- conversions */

static int convert(lua_State *L, act_dtype dtype)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    if (act_tensor_dtype(t) == dtype) { /* as PyTorch: no copy */
        lua_settop(L, 1);
        return 1;
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_to_dtype(actlua_ctx(L), t, dtype, slot));
    actlua_account(L);
    return 1;
}

static int m_float(lua_State *L) { return convert(L, ACT_DTYPE_F32); }
static int m_double(lua_State *L) { return convert(L, ACT_DTYPE_F64); }
static int m_long(lua_State *L) { return convert(L, ACT_DTYPE_I64); }

static int m_to(lua_State *L)
{
    act_dtype dtype;
    const char *name = luaL_checkstring(L, 2);
    if (!act_dtype_from_name(name, &dtype))
        return luaL_argerror(L, 2, lua_pushfstring(
                             L, "unknown dtype '%s' (expected float32, float64 "
                                "or int64)", name));
    return convert(L, dtype);
}

typedef act_status (*copy_fn)(act_context *, const act_tensor *, act_tensor **);

static int copying(lua_State *L, copy_fn fn)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, fn(actlua_ctx(L), t, slot));
    actlua_account(L);
    return 1;
}

static int m_clone(lua_State *L) { return copying(L, act_clone); }
static int m_contiguous(lua_State *L) { return copying(L, act_contiguous); }

/* --------------------------------------------------------------- views */

/* t:view{2,3}, t:view(2, 3); -1 infers one extent. */
static int reshaping(lua_State *L, bool view)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int64_t shape[ACT_MAX_DIMS];
    int ndim = 0, top = lua_gettop(L);
    if (lua_istable(L, 2)) {
        lua_Integer n = luaL_len(L, 2);
        luaL_argcheck(L, n <= ACT_MAX_DIMS, 2, "too many dims");
        for (int i = 1; i <= n; i++, lua_pop(L, 1)) {
            lua_geti(L, 2, i);
            shape[ndim++] = actlua_check_integer(L, -1);
        }
    } else {
        luaL_argcheck(L, top - 1 <= ACT_MAX_DIMS, 2, "too many dims");
        for (int i = 2; i <= top; i++)
            shape[ndim++] = actlua_check_integer(L, i);
    }
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    actlua_check(L, view ? act_view(ctx, t, ndim, shape, slot)
                         : act_reshape(ctx, t, ndim, shape, slot));
    actlua_account(L);
    return 1;
}

static int m_view(lua_State *L) { return reshaping(L, true); }
static int m_reshape(lua_State *L) { return reshaping(L, false); }

static int m_flatten(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int64_t all = -1;
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_reshape(actlua_ctx(L), t, 1, &all, slot));
    actlua_account(L);
    return 1;
}

static int m_transpose(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int n = act_tensor_dim(t);
    int a = actlua_check_dim(L, 2, n), b = actlua_check_dim(L, 3, n);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_transpose(actlua_ctx(L), t, a, b, slot));
    return 1;
}

/* t:t(): the transpose of a matrix; a vector or scalar is returned as is. */
static int m_t(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int n = act_tensor_dim(t);
    if (n > 2)
        return luaL_error(L, "t() expects a tensor with at most 2 dims, got "
                             "%d (use transpose)", n);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, n == 2 ? act_transpose(actlua_ctx(L), t, 0, 1, slot)
                           : act_view(actlua_ctx(L), t, n, act_tensor_shape(t), slot));
    return 1;
}

static int m_permute(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int n = act_tensor_dim(t), perm[ACT_MAX_DIMS], count = 0;
    if (lua_istable(L, 2)) {
        lua_Integer len = luaL_len(L, 2);
        if (len != n)
            return luaL_argerror(L, 2, lua_pushfstring(
                                 L, "a permutation of %d dims is needed, got %I",
                                 n, len));
        lua_settop(L, 2);
        for (int i = 1; i <= n; i++) {
            lua_geti(L, 2, i);
            perm[count++] = actlua_check_dim(L, 3, n);
            lua_pop(L, 1);
        }
    } else {
        if (lua_gettop(L) - 1 != n)
            return luaL_argerror(L, 2, lua_pushfstring(
                                 L, "a permutation of %d dims is needed, got %d",
                                 n, lua_gettop(L) - 1));
        for (int i = 0; i < n; i++)
            perm[count++] = actlua_check_dim(L, i + 2, n);
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_permute(actlua_ctx(L), t, count, perm, slot), 2);
    return 1;
}

/* t:narrow(dim, start, length), start 1-based. */
static int m_narrow(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int d = actlua_check_dim(L, 2, act_tensor_dim(t));
    int64_t extent = act_tensor_size(t, d);
    int64_t start = actlua_check_integer(L, 3), len = actlua_check_integer(L, 4);
    if (start < 1 || start > extent + 1)
        return luaL_argerror(L, 3, lua_pushfstring(
                             L, "start %I is out of range for an extent of %I",
                             (lua_Integer)start, (lua_Integer)extent));
    if (len < 0 || start - 1 + len > extent)
        return luaL_argerror(L, 4, lua_pushfstring(
                             L, "length %I from %I runs past the extent %I",
                             (lua_Integer)len, (lua_Integer)start,
                             (lua_Integer)extent));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_narrow(actlua_ctx(L), t, d, start - 1, len, slot));
    return 1;
}

static int m_select(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int d = actlua_check_dim(L, 2, act_tensor_dim(t));
    int64_t i = actlua_check_index(L, 3, act_tensor_size(t, d));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_select(actlua_ctx(L), t, d, i, slot));
    return 1;
}

static int m_expand(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int64_t shape[ACT_MAX_DIMS];
    int ndim = 0, top = lua_gettop(L);
    act_tensor *other = actlua_to_tensor(L, 2);
    if (other) {
        ndim = act_tensor_dim(other);
        memcpy(shape, act_tensor_shape(other), sizeof(int64_t) * (size_t)ndim);
    } else if (lua_istable(L, 2)) {
        lua_Integer n = luaL_len(L, 2);
        luaL_argcheck(L, n <= ACT_MAX_DIMS, 2, "too many dims");
        for (int i = 1; i <= n; i++, lua_pop(L, 1)) {
            lua_geti(L, 2, i);
            shape[ndim++] = actlua_check_integer(L, -1);
        }
    } else {
        luaL_argcheck(L, top - 1 <= ACT_MAX_DIMS, 2, "too many dims");
        for (int i = 2; i <= top; i++)
            shape[ndim++] = actlua_check_integer(L, i);
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_expand(actlua_ctx(L), t, ndim, shape, slot));
    return 1;
}

static int m_squeeze(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int d = lua_isnoneornil(L, 2) ? ACT_ALL_DIMS
                                  : actlua_check_dim(L, 2, act_tensor_dim(t));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_squeeze(actlua_ctx(L), t, d, slot));
    return 1;
}

static int m_unsqueeze(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    int d = actlua_check_new_dim(L, 2, act_tensor_dim(t));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_unsqueeze(actlua_ctx(L), t, d, slot));
    return 1;
}

/* ----------------------------------------------------- in-place writes */

static int m_copy_(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    act_tensor *src = actlua_check_tensor(L, 2);
    actlua_check(L, act_copy_(actlua_ctx(L), t, src));
    lua_settop(L, 1);
    return 1;
}

static int m_fill_(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    actlua_check(L, act_fill_(actlua_ctx(L), t, luaL_checknumber(L, 2)));
    lua_settop(L, 1);
    return 1;
}

static int m_zero_(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    actlua_check(L, act_fill_(actlua_ctx(L), t, 0));
    lua_settop(L, 1);
    return 1;
}

static int m_uniform_(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    double a = luaL_optnumber(L, 2, 0), b = luaL_optnumber(L, 3, 1);
    actlua_check(L, act_uniform_(actlua_ctx(L), t, a, b, actlua_opt_generator(L, 4)));
    lua_settop(L, 1);
    return 1;
}

static int m_normal_(lua_State *L)
{
    act_tensor *t = actlua_check_tensor(L, 1);
    double mean = luaL_optnumber(L, 2, 0), std = luaL_optnumber(L, 3, 1);
    actlua_check(L, act_normal_(actlua_ctx(L), t, mean, std, actlua_opt_generator(L, 4)));
    lua_settop(L, 1);
    return 1;
}

void actlua_open_tensor(lua_State *L, const actlua_tables *t)
{
    static const luaL_Reg meta[] = {
        {"__gc", t_gc},       {"__close", t_gc},       {"__tostring", t_tostring},
        {"__len", t_len},     {"__newindex", t_newindex}, {NULL, NULL}};
    lua_pushvalue(L, t->meta);
    actlua_setfuncs(L, meta, t->state);
    actlua_push_upvalues(L, t->state);
    lua_pushvalue(L, t->methods);
    lua_pushcclosure(L, t_index, ACTLUA_UPVALUE_FIRST);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "actlua.Tensor");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);

    static const luaL_Reg methods[] = {
        {"shape", m_shape},       {"size", m_size},
        {"stride", m_stride},     {"dim", m_dim},
        {"ndimension", m_dim},    {"numel", m_numel},
        {"nelement", m_numel},    {"dtype", m_dtype},
        {"is_contiguous", m_is_contiguous},
        {"item", m_item},         {"totable", m_totable},
        {"float", m_float},       {"double", m_double},
        {"long", m_long},         {"to", m_to},
        {"clone", m_clone},       {"contiguous", m_contiguous},
        {"view", m_view},         {"reshape", m_reshape},
        {"flatten", m_flatten},   {"transpose", m_transpose},
        {"t", m_t},               {"permute", m_permute},
        {"narrow", m_narrow},     {"select", m_select},
        {"expand", m_expand},     {"squeeze", m_squeeze},
        {"unsqueeze", m_unsqueeze},
        {"copy_", m_copy_},       {"fill_", m_fill_},
        {"zero_", m_zero_},       {"uniform_", m_uniform_},
        {"normal_", m_normal_},   {NULL, NULL}};
    actlua_register_both(L, t, methods);
}

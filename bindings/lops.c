/*
 * lops.c — the numerical operations as Lua functions, each registered both
 * as A.<name> and as a Tensor method: element-wise functions (and their
 * in-place forms name_), arithmetic metamethods, clamp, where, reductions,
 * matmul, gather, index_select, cat and stack. Indices cross between
 * 1-based Lua and the 0-based engine here, through act_index_shift.
 */
#include "laux.h"

#include <math.h>
#include <stdint.h>

/* ------------------------------------------------------------- unary */

static const struct {
    const char *name;
    act_unary_op op;
} unary_ops[] = {
    {"neg", ACT_UNARY_NEG},     {"abs", ACT_UNARY_ABS},
    {"exp", ACT_UNARY_EXP},     {"log", ACT_UNARY_LOG},
    {"log1p", ACT_UNARY_LOG1P}, {"expm1", ACT_UNARY_EXPM1},
    {"sqrt", ACT_UNARY_SQRT},   {"sin", ACT_UNARY_SIN},
    {"cos", ACT_UNARY_COS},     {"tanh", ACT_UNARY_TANH},
    {"sigmoid", ACT_UNARY_SIGMOID}, {"sign", ACT_UNARY_SIGN},
};

/* Upvalues after the shared ones: the op, and true for the in-place form. */
static int l_unary(lua_State *L)
{
    act_unary_op op = (act_unary_op)lua_tointeger(L, lua_upvalueindex(ACTLUA_UPVALUE_FIRST));
    act_tensor *x = actlua_check_tensor(L, 1);
    act_context *ctx = actlua_ctx(L);
    if (lua_toboolean(L, lua_upvalueindex(ACTLUA_UPVALUE_FIRST + 1))) {
        actlua_check(L, act_unary_(ctx, op, x));
        lua_settop(L, 1);
        return 1;
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_unary(ctx, op, x, slot));
    actlua_account(L);
    return 1;
}

static void register_unary(lua_State *L, const actlua_tables *t)
{
    for (size_t i = 0; i < sizeof unary_ops / sizeof *unary_ops; i++) {
        for (int inplace = 0; inplace <= 1; inplace++) {
            actlua_push_upvalues(L, t->state);
            lua_pushinteger(L, unary_ops[i].op);
            lua_pushboolean(L, inplace);
            lua_pushcclosure(L, l_unary, ACTLUA_UPVALUE_FIRST + 1);
            const char *name = inplace ? lua_pushfstring(L, "%s_", unary_ops[i].name)
                                       : lua_pushstring(L, unary_ops[i].name);
            lua_pushvalue(L, -2);
            lua_setfield(L, t->methods, name);
            if (!inplace) {
                lua_pushvalue(L, -2);
                lua_setfield(L, t->module, name);
            }
            lua_pop(L, 2);
        }
    }
}

/* ------------------------------------------------------------ binary */

/* a op b where either side may be a number. */
static int binary(lua_State *L, act_binary_op op)
{
    double na = 0, nb = 0;
    act_tensor *a = actlua_opt_tensor_or_number(L, 1, &na);
    act_tensor *b = actlua_opt_tensor_or_number(L, 2, &nb);
    act_context *ctx = actlua_ctx(L);
    if (!a && !b)
        return luaL_typeerror(L, 1, "tensor");
    act_tensor **slot = actlua_new_slot(L);
    act_status st = a && b ? act_binary(ctx, op, a, b, slot)
                    : a    ? act_binary_scalar(ctx, op, a, nb, slot)
                           : act_scalar_binary(ctx, op, na, b, slot);
    actlua_check(L, st);
    actlua_account(L);
    return 1;
}

/* a:op_(b): a is written. */
static int binary_(lua_State *L, act_binary_op op)
{
    act_tensor *a = actlua_check_tensor(L, 1);
    double nb = 0;
    act_tensor *b = actlua_opt_tensor_or_number(L, 2, &nb);
    act_context *ctx = actlua_ctx(L);
    actlua_check(L, b ? act_binary_(ctx, op, a, b)
                      : act_binary_scalar_(ctx, op, a, nb));
    lua_settop(L, 1);
    return 1;
}

#define BINARY_FN(NAME, OP)                                                   \
    static int l_##NAME(lua_State *L) { return binary(L, OP); }
#define BINARY_INPLACE_FN(NAME, OP)                                           \
    static int l_##NAME##_(lua_State *L) { return binary_(L, OP); }

BINARY_FN(add, ACT_BINARY_ADD)
BINARY_FN(sub, ACT_BINARY_SUB)
BINARY_FN(mul, ACT_BINARY_MUL)
BINARY_FN(div, ACT_BINARY_DIV)
BINARY_FN(pow, ACT_BINARY_POW)
BINARY_FN(minimum, ACT_BINARY_MINIMUM)
BINARY_FN(maximum, ACT_BINARY_MAXIMUM)
BINARY_FN(eq, ACT_BINARY_EQ)
BINARY_FN(ne, ACT_BINARY_NE)
BINARY_FN(lt, ACT_BINARY_LT)
BINARY_FN(le, ACT_BINARY_LE)
BINARY_FN(gt, ACT_BINARY_GT)
BINARY_FN(ge, ACT_BINARY_GE)
BINARY_INPLACE_FN(add, ACT_BINARY_ADD)
BINARY_INPLACE_FN(sub, ACT_BINARY_SUB)
BINARY_INPLACE_FN(mul, ACT_BINARY_MUL)
BINARY_INPLACE_FN(div, ACT_BINARY_DIV)
BINARY_INPLACE_FN(pow, ACT_BINARY_POW)

static int l_unm(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_unary(actlua_ctx(L), ACT_UNARY_NEG, x, slot));
    actlua_account(L);
    return 1;
}

/* clamp(x, min, max): either bound may be nil. */
static int clamp(lua_State *L, bool inplace)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    double lo = luaL_opt(L, luaL_checknumber, 2, -INFINITY);
    double hi = luaL_opt(L, luaL_checknumber, 3, INFINITY);
    act_context *ctx = actlua_ctx(L);
    if (inplace) {
        actlua_check(L, act_clamp_(ctx, x, lo, hi));
        lua_settop(L, 1);
        return 1;
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_clamp(ctx, x, lo, hi, slot));
    actlua_account(L);
    return 1;
}

static int l_clamp(lua_State *L) { return clamp(L, false); }
static int l_clamp_(lua_State *L) { return clamp(L, true); }

/* where(cond, a, b): a and b may be numbers (as a 0-d tensor of the other
 * side's dtype, or the default dtype). */
static int l_where(lua_State *L)
{
    act_tensor *cond = actlua_check_tensor(L, 1);
    act_context *ctx = actlua_ctx(L);
    act_tensor *ab[2];
    for (int i = 0; i < 2; i++) {
        double v;
        ab[i] = actlua_opt_tensor_or_number(L, i + 2, &v);
        if (!ab[i]) {
            act_tensor *other = actlua_to_tensor(L, 3 - i);
            act_dtype dtype = other ? act_tensor_dtype(other)
                                    : act_get_default_dtype(ctx);
            if (dtype == ACT_DTYPE_I64)
                dtype = act_get_default_dtype(ctx);
            act_tensor **slot = actlua_new_slot(L);
            actlua_check(L, act_scalar(ctx, dtype, v, slot));
            lua_replace(L, i + 2);
            ab[i] = *slot;
        }
    }
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_where(ctx, cond, ab[0], ab[1], slot));
    actlua_account(L);
    return 1;
}

/* -------------------------------------------------------- reductions */

/* The optional (dim, keepdim) of a reduction: t:sum(), t:sum(2),
 * t:sum(2, true), t:sum(2, {keepdim = true}). Returns ACT_ALL_DIMS when no
 * dim is given. */
static int reduction_dim(lua_State *L, act_tensor *x, int *keepdim)
{
    *keepdim = actlua_opt_flag(L, 3, "keepdim", 0);
    if (lua_isnoneornil(L, 2))
        return ACT_ALL_DIMS;
    return actlua_check_dim(L, 2, act_tensor_dim(x));
}

typedef act_status (*reduce_fn)(act_context *, const act_tensor *, int, bool,
                                act_tensor **);

static int reduce(lua_State *L, reduce_fn fn)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int keepdim;
    int dim = reduction_dim(L, x, &keepdim);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, fn(actlua_ctx(L), x, dim, keepdim, slot));
    actlua_account(L);
    return 1;
}

static int l_sum(lua_State *L) { return reduce(L, act_sum); }
static int l_mean(lua_State *L) { return reduce(L, act_mean); }
static int l_logsumexp(lua_State *L) { return reduce(L, act_logsumexp); }

/* var/std: t:var([dim [, keepdim | {keepdim, correction}]]) or
 * t:var({correction = 0}) over all elements. Unbiased by default. */
static int spread(lua_State *L, bool is_std)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int opts = lua_istable(L, 2) ? 2 : 3;
    int keepdim = actlua_opt_flag(L, 3, "keepdim", 0);
    int dim = lua_type(L, 2) == LUA_TNUMBER ? actlua_check_dim(L, 2, act_tensor_dim(x))
                                            : ACT_ALL_DIMS;
    int64_t correction = 1;
    if (lua_istable(L, opts)) {
        lua_getfield(L, opts, "correction");
        if (!lua_isnil(L, -1))
            correction = actlua_check_integer(L, -1);
        lua_getfield(L, opts, "unbiased");
        if (lua_isboolean(L, -1))
            correction = lua_toboolean(L, -1) ? 1 : 0;
        lua_pop(L, 2);
    }
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    actlua_check(L, is_std ? act_std(ctx, x, dim, correction, keepdim, slot)
                           : act_var(ctx, x, dim, correction, keepdim, slot));
    actlua_account(L);
    return 1;
}

static int l_var(lua_State *L) { return spread(L, false); }
static int l_std(lua_State *L) { return spread(L, true); }

/* Engine indices (0-based int64) into Lua's 1-based ones, in place of the
 * slot's tensor. */
static void indices_to_lua(lua_State *L, act_tensor **slot)
{
    act_tensor *shifted;
    actlua_check(L, act_index_shift(actlua_ctx(L), *slot, 1, INT64_MIN,
                                    INT64_MAX - 1, &shifted));
    act_tensor_free(*slot);
    *slot = shifted;
}

typedef act_status (*extreme_fn)(act_context *, const act_tensor *, int, bool,
                                 act_tensor **, act_tensor **);

/* t:max() -> value; t:max(dim [, keepdim]) -> values, indices (1-based). */
static int extreme(lua_State *L, extreme_fn fn)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int keepdim;
    int dim = reduction_dim(L, x, &keepdim);
    act_tensor **values = actlua_new_slot(L);
    act_tensor **indices = dim == ACT_ALL_DIMS ? NULL : actlua_new_slot(L);
    actlua_check(L, fn(actlua_ctx(L), x, dim, keepdim, values, indices));
    if (indices)
        indices_to_lua(L, indices);
    actlua_account(L);
    return indices ? 2 : 1;
}

static int l_max(lua_State *L) { return extreme(L, act_max); }
static int l_min(lua_State *L) { return extreme(L, act_min); }

static int arg_extreme(lua_State *L, reduce_fn fn)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int keepdim;
    int dim = reduction_dim(L, x, &keepdim);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, fn(actlua_ctx(L), x, dim, keepdim, slot));
    indices_to_lua(L, slot);
    actlua_account(L);
    return 1;
}

static int l_argmax(lua_State *L) { return arg_extreme(L, act_argmax); }
static int l_argmin(lua_State *L) { return arg_extreme(L, act_argmin); }

/* ------------------------------------------------- matmul and indexing */

static int l_matmul(lua_State *L)
{
    act_tensor *a = actlua_check_tensor(L, 1), *b = actlua_check_tensor(L, 2);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_matmul(actlua_ctx(L), a, b, slot));
    actlua_account(L);
    return 1;
}

/* A.linear(x, weight [, bias]), x:linear(weight [, bias]) */
static int l_linear(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1), *w = actlua_check_tensor(L, 2);
    act_tensor *b = lua_isnoneornil(L, 3) ? NULL : actlua_check_tensor(L, 3);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_linear(actlua_ctx(L), x, w, b, slot));
    actlua_account(L);
    return 1;
}

/* A 1-based Lua index tensor at arg as a 0-based engine one, each value
 * checked against [1, extent]; left on the stack. */
static act_tensor *index_from_lua(lua_State *L, int arg, int64_t extent)
{
    act_tensor *idx = actlua_check_tensor(L, arg);
    act_tensor **slot = actlua_new_slot(L);
    actlua_check_arg(L, act_index_shift(actlua_ctx(L), idx, -1, 1, extent, slot), arg);
    return *slot;
}

/* x:gather(dim, index) */
static int l_gather(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int dim = actlua_check_dim(L, 2, act_tensor_dim(x));
    act_tensor *idx = index_from_lua(L, 3, act_tensor_size(x, dim));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_gather(actlua_ctx(L), x, dim, idx, slot));
    actlua_account(L);
    return 1;
}

/* x:index_select(dim, index) */
static int l_index_select(lua_State *L)
{
    act_tensor *x = actlua_check_tensor(L, 1);
    int dim = actlua_check_dim(L, 2, act_tensor_dim(x));
    act_tensor *idx = index_from_lua(L, 3, act_tensor_size(x, dim));
    act_tensor **slot = actlua_new_slot(L);
    actlua_check(L, act_index_select(actlua_ctx(L), x, dim, idx, slot));
    actlua_account(L);
    return 1;
}

/* A.cat({a, b, ...} [, dim = 1]), A.stack({a, b, ...} [, dim = 1]) */
static int join(lua_State *L, bool stack)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2); /* the dim, or nil; scratch space goes above */
    lua_Integer n = luaL_len(L, 1);
    if (n < 1 || n > INT32_MAX / 2)
        return luaL_argerror(L, 1, "a non-empty list of tensors is needed");
    const act_tensor **ts = lua_newuserdatauv(L, sizeof *ts * (size_t)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        ts[i - 1] = actlua_to_tensor(L, -1);
        if (!ts[i - 1])
            return luaL_argerror(L, 1, lua_pushfstring(
                                 L, "element %I is a %s, not a tensor", i,
                                 luaL_typename(L, -1)));
        lua_pop(L, 1); /* the list keeps it alive */
    }
    int ndim = act_tensor_dim(ts[0]);
    int dim = 0;
    if (!lua_isnoneornil(L, 2))
        dim = stack ? actlua_check_new_dim(L, 2, ndim) : actlua_check_dim(L, 2, ndim);
    act_tensor **slot = actlua_new_slot(L);
    act_context *ctx = actlua_ctx(L);
    actlua_check_arg(L, stack ? act_stack(ctx, (int)n, ts, dim, slot)
                              : act_cat(ctx, (int)n, ts, dim, slot), 1);
    actlua_account(L);
    return 1;
}

static int l_cat(lua_State *L) { return join(L, false); }
static int l_stack(lua_State *L) { return join(L, true); }

void actlua_open_ops(lua_State *L, const actlua_tables *t)
{
    register_unary(L, t);
    static const luaL_Reg both[] = {
        {"add", l_add},         {"sub", l_sub},       {"mul", l_mul},
        {"div", l_div},         {"pow", l_pow},       {"minimum", l_minimum},
        {"maximum", l_maximum}, {"eq", l_eq},         {"ne", l_ne},
        {"lt", l_lt},           {"le", l_le},         {"gt", l_gt},
        {"ge", l_ge},           {"clamp", l_clamp},   {"where", l_where},
        {"sum", l_sum},         {"mean", l_mean},     {"var", l_var},
        {"std", l_std},         {"logsumexp", l_logsumexp},
        {"max", l_max},         {"min", l_min},       {"argmax", l_argmax},
        {"argmin", l_argmin},   {"matmul", l_matmul}, {"mm", l_matmul},
        {"gather", l_gather},   {"index_select", l_index_select},
        {"linear", l_linear},
        {NULL, NULL}};
    actlua_register_both(L, t, both);
    static const luaL_Reg methods_only[] = {
        {"add_", l_add_}, {"sub_", l_sub_}, {"mul_", l_mul_}, {"div_", l_div_},
        {"pow_", l_pow_}, {"clamp_", l_clamp_}, {NULL, NULL}};
    lua_pushvalue(L, t->methods);
    actlua_setfuncs(L, methods_only, t->state);
    lua_pop(L, 1);
    static const luaL_Reg module_only[] = {
        {"cat", l_cat}, {"stack", l_stack}, {NULL, NULL}};
    lua_pushvalue(L, t->module);
    actlua_setfuncs(L, module_only, t->state);
    lua_pop(L, 1);
    static const luaL_Reg meta[] = {
        {"__add", l_add}, {"__sub", l_sub}, {"__mul", l_mul},
        {"__div", l_div}, {"__pow", l_pow}, {"__unm", l_unm},
        {NULL, NULL}};
    lua_pushvalue(L, t->meta);
    actlua_setfuncs(L, meta, t->state);
    lua_pop(L, 1);
}

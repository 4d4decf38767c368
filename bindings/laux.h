/*
 * laux.h — what the binding files share: the per-lua_State actlua state
 * (kept as upvalue 1 of every function), tensor boxes, turning engine
 * failures into Lua errors, and reading Lua arguments (1-based dims and
 * indices, shapes, options) into engine terms. Conversions from 1-based
 * happen here and nowhere else.
 */
#ifndef LAUX_H
#define LAUX_H

#include <lauxlib.h>
#include <lua.h>

#include "act.h"
#include "actlua.h"

/* One per lua_State, created by the first luaopen_actlua and kept in the
 * registry, so a second require finds the same context. */
typedef struct actlua_state {
    act_context *ctx;
    size_t gc_threshold; /* live engine bytes that trigger a full collection */
    size_t gc_last_step; /* live engine bytes after the last collector step */
    size_t gc_heap_base; /* the Lua heap's bytes after the last full collection */
} actlua_state;

#define ACTLUA_STATE_KEY "actlua.state"
#define ACTLUA_GENERATOR_MT "actlua.Generator"

/* Every binding function has two upvalues: 1, the state userdata; 2, the
 * Tensor metatable (a type check is then one comparison, no registry
 * lookup). A closure's own data starts at ACTLUA_UPVALUE_FIRST. */
#define ACTLUA_UPVALUE_FIRST 3

/* Pushes the two shared upvalues (state at state_idx, and the Tensor
 * metatable) for a closure about to be made. */
void actlua_push_upvalues(lua_State *L, int state_idx);

/* The state from upvalue 1 of the running C function. */
static inline actlua_state *actlua_state_of(lua_State *L)
{
    return (actlua_state *)lua_touserdata(L, lua_upvalueindex(1));
}
static inline act_context *actlua_ctx(lua_State *L)
{
    return actlua_state_of(L)->ctx;
}

/* Registers funcs into the table on top of the stack with the two shared
 * upvalues (the state userdata at stack index state_idx). */
void actlua_setfuncs(lua_State *L, const luaL_Reg *funcs, int state_idx);

/* Pushes a new tensor userdata holding NULL and returns its slot. Create it
 * before calling the engine: the result goes straight into the slot, so a
 * Lua error afterwards cannot leak it. */
act_tensor **actlua_new_slot(lua_State *L);

/* Raises the context's last error unless st is ACT_OK, as "bad argument #N
 * to 'fn' (detail)" when the engine names an argument. With arg > 0, that
 * argument is blamed instead (for calls whose Lua and C positions differ);
 * with arg < 0, no argument is. */
void actlua_check(lua_State *L, act_status st);
void actlua_check_arg(lua_State *L, act_status st, int arg);

/* After calls that allocate: runs a full collection when the engine's live
 * bytes have doubled since the last one (the collector cannot see them). */
void actlua_account(lua_State *L);

/* A tensor, or (for ops that take numbers too) NULL when arg is a number. */
act_tensor *actlua_opt_tensor_or_number(lua_State *L, int arg, double *num);

/* A 1-based Lua dim (negative counts from the end) as a 0-based one, with a
 * Lua-worded error when out of range. */
int actlua_check_dim(lua_State *L, int arg, int ndim);
/* Same for a dim of a result with ndim + 1 dims (unsqueeze, stack). */
int actlua_check_new_dim(lua_State *L, int arg, int ndim);
/* A 1-based index into an extent (negative counts from the end) as a
 * 0-based one. */
int64_t actlua_check_index(lua_State *L, int arg, int64_t extent);

/* Reads a shape: a table of extents at arg, or the integers from arg to
 * the top of the stack (stopping at a table that is not a shape). Returns
 * ndim; *next is the first argument after the shape. */
int actlua_check_shape(lua_State *L, int arg, int64_t *shape, int *next);

/* The dtype named by opts.dtype (opts at index arg may be absent or nil),
 * or the context's default. */
act_dtype actlua_opt_dtype(lua_State *L, int arg);
/* The generator in opts.generator, or NULL for the context's. */
act_generator *actlua_opt_generator(lua_State *L, int arg);
/* opts.<key> as a boolean (opts at arg may be a boolean itself: `keepdim`). */
int actlua_opt_flag(lua_State *L, int arg, const char *key, int def);

/* An integer argument that may be given as an integral float (1e3). */
int64_t actlua_check_integer(lua_State *L, int arg);

/* Each binding file registers its functions: into the module table, the
 * Tensor methods table and the Tensor metatable, at these stack indices. */
typedef struct actlua_tables {
    int state, module, methods, meta;
} actlua_tables;

void actlua_open_create(lua_State *L, const actlua_tables *t);
void actlua_open_tensor(lua_State *L, const actlua_tables *t);
void actlua_open_ops(lua_State *L, const actlua_tables *t);
void actlua_open_autograd(lua_State *L, const actlua_tables *t);
void actlua_open_activations(lua_State *L, const actlua_tables *t);
void actlua_open_expr(lua_State *L, const actlua_tables *t); /* after it */
void actlua_open_loss(lua_State *L, const actlua_tables *t);
void actlua_open_optim(lua_State *L, const actlua_tables *t);
void actlua_open_nn(lua_State *L, const actlua_tables *t);

/* t.grad read and write (lautograd.c), for the Tensor's __index and
 * __newindex. */
int actlua_push_grad(lua_State *L, int idx);
int actlua_set_grad(lua_State *L, int idx, int value);

/* Applies opts.requires_grad (opts at arg) to the tensor on top of the
 * stack. */
void actlua_apply_requires_grad(lua_State *L, int arg);

/* Registers funcs into both the module table and the methods table. */
void actlua_register_both(lua_State *L, const actlua_tables *t,
                          const luaL_Reg *funcs);

#endif /* LAUX_H */

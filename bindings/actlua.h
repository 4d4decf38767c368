/*
 * actlua.h — interop for C code that embeds actlua in a lua_State or writes
 * its own Lua C modules on top of it.
 *
 *     lua_State *L = luaL_newstate();
 *     luaL_openlibs(L);
 *     luaL_requiref(L, "actlua", luaopen_actlua, 0);  // or package.preload
 *     lua_pop(L, 1);
 *
 * Each lua_State that loads the module gets its own act_context: two states
 * in two threads share no mutable state.
 */
#ifndef ACTLUA_H
#define ACTLUA_H

#include <lua.h>

#include "act.h"

#define ACTLUA_TENSOR_MT "actlua.Tensor"

/* Opens the module: returns its table and sets no global. */
int luaopen_actlua(lua_State *L);

/* Puts actlua and its Lua parts (actlua.nn, actlua.cli, ...) in
 * package.preload, so that any of them can be required first. For hosts
 * that link actlua in, as the actlua interpreter does. */
void actlua_preload(lua_State *L);

/* Pushes t as a Lua tensor, taking over the caller's reference. */
void actlua_push_tensor(lua_State *L, act_tensor *t);
/* The tensor at index idx, or a "bad argument" error. */
act_tensor *actlua_check_tensor(lua_State *L, int idx);
/* The tensor at index idx, or NULL if it is not one. */
act_tensor *actlua_to_tensor(lua_State *L, int idx);

#endif /* ACTLUA_H */

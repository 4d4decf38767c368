/*
 * test_embed.c — actlua embedded in a C host: two lua_States on two
 * threads, each with its own actlua context, run the same seeded script
 * and must agree to the bit; a bad script and a bad call come back as
 * errors the host can read, never as a crash; closing a state frees all.
 */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "actlua.h"

static const char *script =
    "local A = require 'actlua'\n"
    "A.manual_seed(42)\n"
    "local w = A.randn{64, 64}\n"
    "local x = A.randn{16, 64}\n"
    "local s = 0\n"
    "for i = 1, 2000 do\n"
    "  local y = A.tanh(x:matmul(w) * 0.1)\n"
    "  s = s + y:sum():item()\n"
    "end\n"
    "return s\n";

typedef struct {
    double result;
    int ok;
    char error[256];
} job;

static lua_State *open_state(void)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return NULL;
    luaL_openlibs(L);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_actlua);
    lua_setfield(L, -2, "actlua");
    lua_pop(L, 1);
    return L;
}

static void run(const char *code, job *j)
{
    lua_State *L = open_state();
    j->ok = 0;
    if (!L) {
        snprintf(j->error, sizeof j->error, "no lua_State");
        return;
    }
    if (luaL_dostring(L, code) == LUA_OK) {
        j->result = lua_tonumber(L, -1);
        j->ok = 1;
    } else {
        snprintf(j->error, sizeof j->error, "%s", lua_tostring(L, -1));
    }
    lua_close(L);
}

static void *thread_main(void *arg)
{
    run(script, arg);
    return NULL;
}

static int failures;
static void check(int cond, const char *what)
{
    printf("%s: %s\n", cond ? "ok" : "FAILED", what);
    failures += !cond;
}

int main(void)
{
    job a = {0}, b = {0};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, thread_main, &a);
    pthread_create(&tb, NULL, thread_main, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    check(a.ok && b.ok, "both states ran the script");
    check(a.result == b.result && a.result != 0,
          "two states on two threads give the same bits");

    job bad = {0};
    run("local A = require 'actlua'; return A.matmul(A.zeros{4,2}, A.zeros{5,5})", &bad);
    check(!bad.ok && strstr(bad.error, "[4,2]") && strstr(bad.error, "[5,5]"),
          "a bad call returns an error naming both shapes");
    run("this is not lua", &bad);
    check(!bad.ok && strstr(bad.error, "syntax error") != NULL,
          "a bad script returns an error");
    run("local A = require 'actlua'; local t = A.ones{3}; getmetatable(t).__close(t); return t:sum()", &bad);
    check(!bad.ok && strstr(bad.error, "closed") != NULL,
          "a closed tensor is refused, not used");

    printf("%d passed, %d failed\n", 5 - failures, failures);
    return failures != 0;
}

/*
 * main.c — the actlua interpreter: Lua 5.4's standalone `lua` (lua.c is the
 * model) with the actlua module in package.preload. Runs a script with its
 * arguments, the options -e -l -i -v -E -W, LUA_INIT, and a read-eval-print
 * loop that edits lines with GNU readline when stdin is a terminal.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "actlua.h"
#include "interp.h"

#define INIT_VAR "LUA_INIT"
#define INIT_VAR_VERSION INIT_VAR "_" LUA_VERSION_MAJOR "_" LUA_VERSION_MINOR
/* Start of a module name's suffix left out of its global name (LUA_IGMARK). */
#define IGNORE_MARK '-'

/* Flags gathered from the command line. */
enum {
    ARG_ERROR = 1 << 0,
    ARG_I = 1 << 1,
    ARG_V = 1 << 2,
    ARG_E = 1 << 3,
    ARG_NOENV = 1 << 4,
    ARG_HELP = 1 << 5
};

/* Prefix of error messages; NULL inside the REPL, as lua.c does. */
const char *interp_progname = PROGNAME;
/* The state a SIGINT should stop: the handler can only reach it here. */
static lua_State *running_L;
int interp_stdin_tty;

/* ------------------------------------------------------------- messages */

void interp_message(const char *prefix, const char *msg)
{
    if (prefix != NULL)
        lua_writestringerror("%s: ", prefix);
    lua_writestringerror("%s\n", msg);
}

/* Prints the error at the top of the stack, if status says there is one. */
int interp_report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        interp_message(interp_progname, msg != NULL ? msg : "(error object is not a string)");
        lua_pop(L, 1);
    }
    return status;
}

void interp_print_version(void)
{
    printf("%s %s (%s)\n", PROGNAME, ACT_VERSION, LUA_RELEASE);
    fflush(stdout);
}

static void print_usage(FILE *f)
{
    fprintf(f,
            "usage: %s [options] [script [args]]\n"
            "Available options are:\n"
            "  -e stat   execute string 'stat'\n"
            "  -i        enter interactive mode after executing 'script'\n"
            "  -l mod    require library 'mod' into global 'mod'\n"
            "  -l g=mod  require library 'mod' into global 'g'\n"
            "  -v        show version information\n"
            "  -E        ignore environment variables\n"
            "  -W        turn warnings on\n"
            "  -h, --help  show this help and exit\n"
            "  --        stop handling options\n"
            "  -         stop handling options and execute stdin\n"
            "The module is preloaded: local actlua = require(\"actlua\")\n",
            PROGNAME);
    fflush(f);
}

static void bad_option(const char *opt)
{
    if ((opt[1] == 'e' || opt[1] == 'l') && opt[2] == '\0')
        fprintf(stderr, "%s: '%s' needs argument\n", PROGNAME, opt);
    else
        fprintf(stderr, "%s: unrecognized option '%s'\n", PROGNAME, opt);
    print_usage(stderr);
}

/* -------------------------------------------------- running Lua code */

/* Installs handler for SIGINT; returns the disposition it replaces in *old. */
static void set_sigint(void (*handler)(int), struct sigaction *old)
{
    struct sigaction sa;
    sa.sa_handler = handler;
    sa.sa_flags = 0; /* no SA_RESTART: a blocked io.read returns */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, old);
}

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted!");
}

/* A signal handler may not raise a Lua error; it sets a hook that raises at
 * the next instruction. lua_sethook is safe to call here. A second Ctrl-C
 * gets the default action, for code stuck in C. */
static void on_sigint(int sig)
{
    int mask = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    (void)sig;
    set_sigint(SIG_DFL, NULL);
    lua_sethook(running_L, stop_hook, mask, 1);
}

/* Error objects become strings with a traceback, as lua.c's msghandler;
 * one with __tostring keeps its own words. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)",
                                  luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Calls the function under its narg arguments with the message handler,
 * Ctrl-C interrupting it. */
int interp_docall(lua_State *L, int narg, int nres)
{
    struct sigaction old;
    int status;
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    running_L = L;
    set_sigint(on_sigint, &old);
    status = lua_pcall(L, narg, nres, base);
    sigaction(SIGINT, &old, NULL);
    /* A Ctrl-C that came as the chunk ended must not stop the next one. */
    if (lua_gethook(L) == stop_hook)
        lua_sethook(L, NULL, 0, 0);
    lua_remove(L, base);
    return status;
}

static int dochunk(lua_State *L, int status)
{
    if (status == LUA_OK)
        status = interp_docall(L, 0, 0);
    return interp_report(L, status);
}

static int dofile(lua_State *L, const char *name)
{
    return dochunk(L, luaL_loadfile(L, name));
}

static int dostring(lua_State *L, const char *s, const char *name)
{
    return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

/* -l spec: "mod" sets global mod, "g=mod" sets global g, to require(mod).
 * As lua.c 5.4.6 (not yet 5.4.4), a '-' suffix is left out of the global
 * name: -l mod-v2 sets mod. */
static int dolibrary(lua_State *L, const char *spec)
{
    const char *eq = strchr(spec, '=');
    const char *mod = eq != NULL ? eq + 1 : spec;
    size_t glen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
    int status;
    if (eq == NULL) {
        const char *mark = strchr(spec, IGNORE_MARK);
        if (mark != NULL)
            glen = (size_t)(mark - spec);
    }
    lua_getglobal(L, "require");
    lua_pushstring(L, mod);
    status = interp_docall(L, 1, 1);
    if (status == LUA_OK) {
        lua_pushglobaltable(L);
        lua_pushlstring(L, spec, glen);
        lua_pushvalue(L, -3);
        lua_settable(L, -3);
        lua_pop(L, 2);
    }
    return interp_report(L, status);
}

/* ------------------------------------------------------ command line */

/* Scans the options. *script becomes the index of the script (0 if none),
 * or with ARG_ERROR the index of the bad option. */
static int collect_args(int argc, char **argv, int *script)
{
    int flags = 0;
    *script = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') { /* the script, or "-" (stdin) */
            *script = i;
            return flags;
        }
        if (strcmp(a, "--") == 0) {
            *script = i + 1 < argc ? i + 1 : 0;
            return flags;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return flags | ARG_HELP;
        *script = i;
        switch (a[1]) {
        case 'E': flags |= ARG_NOENV; break;
        case 'W': break;
        case 'i': flags |= ARG_I; break;
        case 'v': flags |= ARG_V; break;
        case 'e':
        case 'l':
            if (a[1] == 'e')
                flags |= ARG_E;
            if (a[2] != '\0') /* "-estat", "-lmod" */
                continue;
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return ARG_ERROR;
            i++;
            continue;
        default: return ARG_ERROR;
        }
        if (a[2] != '\0') /* "-vx" */
            return ARG_ERROR;
    }
    *script = 0;
    return flags;
}

/* arg: the script at 0, its arguments at 1.., the interpreter and the
 * options at negative indices; with no script, argv[0] at 0. */
static void create_arg_table(lua_State *L, int argc, char **argv, int script)
{
    int narg = argc - script - 1;
    lua_createtable(L, narg > 0 ? narg : 0, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

/* Runs -e, -l and -W in order, options being argv[1 .. limit-1]. */
static int run_options(lua_State *L, char **argv, int limit)
{
    for (int i = 1; i < limit; i++) {
        int opt = argv[i][1];
        if (opt == 'e' || opt == 'l') {
            const char *extra = argv[i] + 2;
            int status;
            if (*extra == '\0')
                extra = argv[++i];
            status = opt == 'e' ? dostring(L, extra, "=(command line)")
                                : dolibrary(L, extra);
            if (status != LUA_OK)
                return 0;
        } else if (opt == 'W') {
            lua_warning(L, "@on", 0);
        }
    }
    return 1;
}

/* Pushes arg[1..#arg]; returns how many. */
static int push_script_args(lua_State *L)
{
    int n;
    if (lua_getglobal(L, "arg") != LUA_TTABLE)
        luaL_error(L, "'arg' is not a table");
    n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++)
        lua_rawgeti(L, -i, i);
    lua_remove(L, -n - 1);
    return n;
}

static int run_script(lua_State *L, char **argv, int script)
{
    const char *name = argv[script];
    int status;
    if (strcmp(name, "-") == 0 && strcmp(argv[script - 1], "--") != 0)
        name = NULL; /* stdin */
    status = luaL_loadfile(L, name);
    if (status == LUA_OK) {
        int n = push_script_args(L);
        status = interp_docall(L, n, LUA_MULTRET);
    }
    return interp_report(L, status);
}

static int run_lua_init(lua_State *L)
{
    const char *name = "=" INIT_VAR_VERSION;
    const char *init = getenv(name + 1);
    if (init == NULL) {
        name = "=" INIT_VAR;
        init = getenv(name + 1);
    }
    if (init == NULL)
        return LUA_OK;
    if (init[0] == '@')
        return dofile(L, init + 1);
    return dostring(L, init, name);
}

/* ------------------------------------------------------------------ main */

/* The collector runs in generational mode (a training step's temporaries
 * die young), with a major collection once the Lua heap has grown by this
 * many percent since the last one, not Lua's default 100. Tensors are
 * userdata with finalizers, and Lua 5.4 ages one that survived a minor
 * collection and then died into the old generation when it is finalized
 * (kept for its finalizer, marked, then aged at the next minor), where
 * only a major collection frees it. A loop's latest output and cost, alive
 * whenever a minor comes, so pile up at a steady rate: with the default,
 * the deep XOR's Lua heap went from 0.32 to 0.62 MiB over 70,000 steps
 * before its first major, and the resident set grew 5% with it. At 25%
 * it stays within a quarter of what is alive, for a major of that small
 * heap every several thousand steps. */
#define GEN_MAJOR_MUL 25

static void preload_actlua(lua_State *L)
{
    actlua_preload(L);
}

/* Runs everything in protected mode; returns true when all went well. */
static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = (char **)lua_touserdata(L, 2);
    int script;
    int flags = collect_args(argc, argv, &script);
    luaL_checkversion(L);
    if (flags & ARG_HELP) {
        print_usage(stdout);
        lua_pushboolean(L, 1);
        return 1;
    }
    if (flags & ARG_ERROR) {
        bad_option(argv[script]);
        return 0;
    }
    if (flags & ARG_V)
        interp_print_version();
    if (flags & ARG_NOENV) { /* the package library reads this flag */
        lua_pushboolean(L, 1);
        lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
    }
    luaL_openlibs(L);
    preload_actlua(L);
    create_arg_table(L, argc, argv, script);
    lua_gc(L, LUA_GCRESTART);
    lua_gc(L, LUA_GCGEN, 0, GEN_MAJOR_MUL);
    if (!(flags & ARG_NOENV) && run_lua_init(L) != LUA_OK)
        return 0;
    if (!run_options(L, argv, script > 0 ? script : argc))
        return 0;
    if (script > 0 && run_script(L, argv, script) != LUA_OK)
        return 0;
    if (flags & ARG_I) {
        interp_repl(L);
    } else if (script == 0 && !(flags & (ARG_E | ARG_V))) {
        if (interp_stdin_tty)
            interp_repl(L);
        else if (dofile(L, NULL) != LUA_OK) /* stdin as a script */
            return 0;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int main(int argc, char **argv)
{
    int status, ok;
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        interp_message(PROGNAME, "cannot create state: not enough memory");
        return EXIT_FAILURE;
    }
    interp_stdin_tty = isatty(STDIN_FILENO);
    lua_gc(L, LUA_GCSTOP); /* no collection while the state is being built */
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    status = lua_pcall(L, 2, 1, 0);
    ok = lua_toboolean(L, -1);
    interp_report(L, status);
    lua_close(L);
    return ok && status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

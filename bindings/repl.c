/*
 * repl.c — the actlua interpreter's read-eval-print loop, as lua.c's: a
 * line is tried as an expression whose values are printed, then as
 * statements, reading more lines while the chunk is incomplete. GNU
 * readline edits lines and keeps ~/.actlua_history when stdin is a
 * terminal; piped input is read plainly, without prompts.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <readline/history.h>
#include <readline/readline.h>

#include <lauxlib.h>
#include <lua.h>

#include "interp.h"

#define PROMPT1 "> "
#define PROMPT2 ">> "
#define HISTORY_FILE ".actlua_history"
#define HISTORY_MAX 1000
/* How the parser ends the message of a chunk cut short ("... near <eof>"). */
#define EOF_MARK "<eof>"

/* The current line (from readline or getline) and the history file. */
static char *line_buf;
static size_t line_cap;
static char *history_path;

static void history_open(void)
{
    const char *home = getenv("HOME");
    size_t n;
    using_history();
    stifle_history(HISTORY_MAX);
    if (home == NULL || home[0] == '\0')
        return;
    n = strlen(home) + sizeof("/" HISTORY_FILE);
    history_path = malloc(n);
    if (history_path == NULL)
        return;
    snprintf(history_path, n, "%s/%s", home, HISTORY_FILE);
    read_history(history_path); /* none yet, or unreadable: start empty */
}

/* Keeps a line in the history, and in the file at once, so os.exit or a
 * crash loses nothing. An unwritable file is dropped silently: the history
 * stays in memory. */
static void history_save(const char *line)
{
    if (!interp_stdin_tty || line[0] == '\0')
        return;
    add_history(line);
    if (history_path == NULL)
        return;
    /* append_history does not create the file; write_history does. */
    if (append_history(1, history_path) != 0 &&
        write_history(history_path) != 0) {
        free(history_path);
        history_path = NULL;
    }
}

static void history_close(void)
{
    if (history_path != NULL)
        history_truncate_file(history_path, HISTORY_MAX);
    free(history_path);
    history_path = NULL;
}

/* Reads a line into line_buf without its newline; 0 at the end of input.
 * Off a terminal there is no readline and no prompt: piped input stays
 * clean. */
static int read_line(const char *prompt, size_t *len)
{
    if (interp_stdin_tty) {
        free(line_buf);
        line_buf = readline(prompt);
        line_cap = line_buf != NULL ? strlen(line_buf) + 1 : 0;
        if (line_buf == NULL)
            return 0;
        *len = line_cap - 1;
        return 1;
    }
    ssize_t n = getline(&line_buf, &line_cap, stdin);
    if (n < 0)
        return 0;
    if (n > 0 && line_buf[n - 1] == '\n')
        line_buf[--n] = '\0';
    *len = (size_t)n;
    return 1;
}

/* Pushes the prompt: _PROMPT or _PROMPT2 if set, as lua.c. */
static const char *push_prompt(lua_State *L, int firstline)
{
    if (lua_getglobal(L, firstline ? "_PROMPT" : "_PROMPT2") == LUA_TNIL) {
        lua_pop(L, 1);
        lua_pushstring(L, firstline ? PROMPT1 : PROMPT2);
        return lua_tostring(L, -1);
    }
    luaL_tolstring(L, -1, NULL);
    lua_remove(L, -2);
    return lua_tostring(L, -1);
}

/* Pushes the next line of input; 0 at the end of input. */
static int push_line(lua_State *L, int firstline)
{
    size_t len = 0;
    const char *prompt = interp_stdin_tty ? push_prompt(L, firstline) : NULL;
    int ok = read_line(prompt, &len);
    if (interp_stdin_tty)
        lua_pop(L, 1);
    if (!ok)
        return 0;
    if (firstline && line_buf[0] == '=') /* "=expr", kept from Lua 5.2 */
        lua_pushfstring(L, "return %s", line_buf + 1);
    else
        lua_pushlstring(L, line_buf, len);
    return 1;
}

/* Tries the line at the top as "return <line>;", an expression whose values
 * get printed. On success the chunk is pushed above the line. */
static int try_expression(lua_State *L)
{
    const char *line = lua_tostring(L, -1);
    const char *ret = lua_pushfstring(L, "return %s;", line);
    int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
    if (status == LUA_OK) {
        lua_remove(L, -2);
        history_save(line);
    } else {
        lua_pop(L, 2);
    }
    return status;
}

/* Whether the error at the top says the chunk was cut short. */
static int incomplete(lua_State *L, int status)
{
    size_t len, mark = sizeof(EOF_MARK) - 1;
    const char *msg;
    if (status != LUA_ERRSYNTAX)
        return 0;
    msg = lua_tolstring(L, -1, &len);
    return len >= mark && strcmp(msg + len - mark, EOF_MARK) == 0;
}

/* Compiles the text at index 1 as statements, reading more lines while the
 * chunk is incomplete. Pushes the chunk or the error message (the "<eof>"
 * one when the input ends mid-chunk). */
static int load_statements(lua_State *L)
{
    for (;;) {
        size_t len;
        const char *text = lua_tolstring(L, 1, &len);
        int status = luaL_loadbuffer(L, text, len, "=stdin");
        if (!incomplete(L, status) || !push_line(L, 0)) {
            history_save(text);
            return status;
        }
        lua_remove(L, -2); /* the "<eof>" message */
        lua_pushliteral(L, "\n");
        lua_insert(L, -2);
        lua_concat(L, 3);
    }
}

/* Reads and compiles one chunk; -1 at the end of input. Leaves the chunk,
 * or the error message, alone on the stack. */
static int load_line(lua_State *L)
{
    int status;
    lua_settop(L, 0);
    if (!push_line(L, 1))
        return -1;
    status = try_expression(L);
    if (status != LUA_OK)
        status = load_statements(L);
    lua_remove(L, 1);
    return status;
}

/* Prints the values on the stack with the global print, as lua.c. */
static void print_results(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0)
        return;
    luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
    lua_getglobal(L, "print");
    lua_insert(L, 1);
    if (lua_pcall(L, n, 0, 0) != LUA_OK)
        interp_message(interp_progname, lua_pushfstring(L, "error calling 'print' (%s)",
                                          lua_tostring(L, -1)));
}

void interp_repl(lua_State *L)
{
    const char *saved = interp_progname;
    int status;
    interp_progname = NULL;
    if (interp_stdin_tty) {
        interp_print_version();
        rl_readline_name = PROGNAME;
        rl_initialize();
        rl_bind_key('\t', rl_insert); /* indent, not file name completion */
        history_open();
    }
    while ((status = load_line(L)) != -1) {
        if (status == LUA_OK)
            status = interp_docall(L, 0, LUA_MULTRET);
        if (status == LUA_OK)
            print_results(L);
        else
            interp_report(L, status);
    }
    lua_settop(L, 0);
    if (interp_stdin_tty) {
        lua_writeline();
        history_close();
    }
    free(line_buf);
    line_buf = NULL;
    line_cap = 0;
    interp_progname = saved;
}

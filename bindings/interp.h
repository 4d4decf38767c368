/*
 * interp.h — what the actlua interpreter's two files share: main.c runs
 * Lua code and reports errors (as lua.c does), repl.c reads, compiles and
 * runs lines typed at the prompt.
 */
#ifndef ACTLUA_INTERP_H
#define ACTLUA_INTERP_H

#include <lua.h>

#define PROGNAME "actlua"

/* Prefix of error messages; NULL inside the REPL, as lua.c does. */
extern const char *interp_progname;
/* Whether stdin is a terminal (then the REPL uses readline and prompts). */
extern int interp_stdin_tty;

/* Prints msg to stderr after "prefix: " (none when prefix is NULL). */
void interp_message(const char *prefix, const char *msg);
/* Prints the error at the top of the stack when status is not LUA_OK
 * (and pops it); returns status. */
int interp_report(lua_State *L, int status);
void interp_print_version(void);
/* Calls the function under its narg arguments with a traceback handler,
 * Ctrl-C interrupting it. */
int interp_docall(lua_State *L, int narg, int nres);

/* The read-eval-print loop (repl.c), until the end of input. */
void interp_repl(lua_State *L);

#endif /* ACTLUA_INTERP_H */

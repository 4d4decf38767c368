#!/usr/bin/env bash
# interpreter.sh — checks the actlua interpreter (bindings/main.c) from the
# shell: options, the arg table, LUA_INIT, errors, and the REPL fed through a
# pipe. Run by ctest with ACTLUA_BIN (the executable) and ACTLUA_SRC (the
# repository root); prints "N passed, M failed" last.
set -u

src=${ACTLUA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${ACTLUA_BIN:-$src/build/actlua}
if [[ ! -x $bin ]]; then
    echo "interpreter.sh: no actlua executable at '$bin' (set ACTLUA_BIN)"
    echo "0 passed, 1 failed"
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/actlua-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# The checks must not depend on the caller's Lua environment.
unset LUA_INIT LUA_INIT_5_4 LUA_PATH LUA_PATH_5_4

passed=0
failed=0
OUT='' ERR='' RC=0

# run [cmd...]: runs with stdin from $tmp/stdin (empty unless given), so no
# check ever waits on a terminal. Sets OUT, ERR, RC.
run() {
    [[ -f $tmp/stdin ]] || : >"$tmp/stdin"
    "$@" <"$tmp/stdin" >"$tmp/out" 2>"$tmp/err"
    RC=$?
    OUT=$(cat "$tmp/out")
    ERR=$(cat "$tmp/err")
    rm -f "$tmp/stdin"
}

# feed TEXT: the next run reads TEXT on stdin.
feed() { printf '%s' "$1" >"$tmp/stdin"; }

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    echo "FAIL: $1: $2"
    echo "  rc: $RC"
    echo "  stdout: $(printf '%s' "$OUT" | head -c 600)"
    echo "  stderr: $(printf '%s' "$ERR" | head -c 600)"
}

expect_rc() { # name rc
    if [[ $RC -eq $2 ]]; then pass; else fail "$1" "exit status $RC, expected $2"; fi
}
expect_out() { # name exact-stdout
    if [[ $OUT == "$2" ]]; then pass; else fail "$1" "stdout is not '$2'"; fi
}
expect_out_has() { # name substring
    if [[ $OUT == *"$2"* ]]; then pass; else fail "$1" "stdout lacks '$2'"; fi
}
expect_err_has() { # name substring
    if [[ $ERR == *"$2"* ]]; then pass; else fail "$1" "stderr lacks '$2'"; fi
}
expect_err_empty() { # name
    if [[ -z $ERR ]]; then pass; else fail "$1" "stderr is not empty"; fi
}

tab=$'\t'

# ---------------------------------------------------------------- options
version=$(sed -n 's/^#define ACT_VERSION "\(.*\)"$/\1/p' "$src/engine/act.h")
run "$bin" -v
expect_rc "-v" 0
if [[ $OUT =~ ^actlua\ ${version//./\\.}\ \(Lua\ 5\.4\.[0-9]+\)$ ]]; then pass
else fail "-v" "version line is not 'actlua $version (Lua 5.4.x)'"; fi

run "$bin" --help
expect_rc "--help" 0
expect_out_has "--help" "usage: actlua"
expect_out_has "--help mentions -e" "-e stat"
expect_err_empty "--help"
run "$bin" -h
expect_rc "-h" 0
expect_out_has "-h" "usage: actlua"

run "$bin" -e 'print(1+2)'
expect_rc "-e" 0
expect_out "-e" "3"
run "$bin" -e 'x = 1' -e 'print(x + 1)'
expect_out "-e twice, in order" "2"
run "$bin" '-eprint("joined")'
expect_out "-estat joined" "joined"

run "$bin" -x
expect_rc "unknown option" 1
expect_err_has "unknown option" "unrecognized option '-x'"
expect_err_has "unknown option prints usage" "usage: actlua"
expect_out "unknown option: nothing on stdout" ""
run "$bin" --bogus
expect_rc "--bogus" 1
run "$bin" -vx
expect_rc "-vx" 1
run "$bin" -e
expect_rc "-e without its argument" 1
expect_err_has "-e without its argument" "'-e' needs argument"
run "$bin" -l
expect_rc "-l without its argument" 1

run "$bin" -W -e 'warn("careful")'
expect_err_has "-W turns warnings on" "Lua warning: careful"
run "$bin" -e 'warn("careful")'
expect_err_empty "warnings off without -W"

run "$bin" -e 'os.exit(3)'
expect_rc "os.exit(3)" 3

# ------------------------------------------------------ script and arg
cat >"$tmp/args.lua" <<'EOF'
print(arg[0], arg[1], arg[2], select('#', ...))
print(...)
print(arg[-1], arg[-2], arg[-3])
EOF
run "$bin" "$tmp/args.lua" one two
expect_rc "script with args" 0
expect_out "script with args" \
    "$tmp/args.lua${tab}one${tab}two${tab}2
one${tab}two
$bin${tab}nil${tab}nil"

run "$bin" -e 'y = 1' "$tmp/args.lua" a
expect_out "arg holds options at negative indices" \
    "$tmp/args.lua${tab}a${tab}nil${tab}1
a
y = 1${tab}-e${tab}$bin"

run "$bin" -e 'print(arg[0], arg[1], arg[2])'
expect_out "arg without a script" "$bin${tab}-e${tab}print(arg[0], arg[1], arg[2])"

run "$bin" -- "$tmp/args.lua" -e
expect_out_has "-- stops options" "$tmp/args.lua${tab}-e${tab}nil${tab}1"

cat >"$tmp/fails.lua" <<'EOF'
local x = 1
error("script failed")
EOF
run "$bin" "$tmp/fails.lua"
expect_rc "error in script" 1
expect_err_has "error in script" "actlua: $tmp/fails.lua:2: script failed"
expect_err_has "error in script has traceback" "stack traceback"

printf 'x = = 1\n' >"$tmp/syntax.lua"
run "$bin" "$tmp/syntax.lua"
expect_rc "syntax error" 1
expect_err_has "syntax error" "unexpected symbol"

run "$bin" "$tmp/nofile.lua"
expect_rc "missing script" 1
expect_err_has "missing script" "actlua: cannot open $tmp/nofile.lua"

run "$bin" -e 'print("before")' "$tmp/nofile.lua"
expect_out "-e runs before the script" "before"
expect_rc "-e then missing script" 1

# --------------------------------------------------------------- errors
run "$bin" -e 'error("boom")'
expect_rc "error in -e" 1
expect_err_has "error in -e" "actlua: (command line):1: boom"
expect_err_has "error in -e has traceback" "stack traceback"
expect_out "error in -e: nothing on stdout" ""

run "$bin" -e 'error(setmetatable({}, {__tostring = function() return "custom" end}))'
expect_rc "error object with __tostring" 1
expect_err_has "error object with __tostring" "actlua: custom"
run "$bin" -e 'error({})'
expect_err_has "error object without __tostring" "(error object is a table value)"

# Ctrl-C: the script signals readiness, then gets one SIGINT; it would
# end by itself (printing "done") if the signal were lost.
"$bin" -e "io.open('$tmp/ready', 'w'):close()
local t = os.time() while os.time() - t < 10 do end print('done')" \
    </dev/null >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do [[ -e $tmp/ready ]] && break; sleep 0.1; done
kill -INT "$pid" 2>/dev/null
wait "$pid"
RC=$? OUT=$(cat "$tmp/out") ERR=$(cat "$tmp/err")
expect_rc "SIGINT interrupts" 1
expect_err_has "SIGINT interrupts" "interrupted!"
expect_out "SIGINT interrupts" ""

# ----------------------------------------------------------------- -l
mkdir "$tmp/mods"
printf 'return { name = "mymod" }\n' >"$tmp/mods/mymod.lua"
printf 'return { name = "versioned" }\n' >"$tmp/mods/vmod-v2.lua"
export LUA_PATH="$tmp/mods/?.lua;;"
run "$bin" -l mymod -e 'print(mymod.name)'
expect_rc "-l mod" 0
expect_out "-l mod" "mymod"
run "$bin" -lmymod -e 'print(mymod.name)'
expect_out "-lmod joined" "mymod"
run "$bin" -l g=mymod -e 'print(g.name, mymod)'
expect_out "-l g=mod" "mymod${tab}nil"
run "$bin" -l vmod-v2 -e 'print(vmod.name)'
expect_out "-l mod-suffix sets mod" "versioned"
run "$bin" -l nosuchmod
expect_rc "-l missing module" 1
expect_err_has "-l missing module" "module 'nosuchmod' not found"
run "$bin" -E -l mymod
expect_rc "-E ignores LUA_PATH" 1
unset LUA_PATH

# ------------------------------------------------------------ LUA_INIT
LUA_INIT='print("init")' run "$bin" -e 'print("body")'
expect_out "LUA_INIT runs first" "init
body"
LUA_INIT='print("init")' run "$bin" -E -e 'print("body")'
expect_out "-E ignores LUA_INIT" "body"
LUA_INIT='print("plain")' LUA_INIT_5_4='print("versioned")' run "$bin" -e ''
expect_out "LUA_INIT_5_4 wins over LUA_INIT" "versioned"
printf 'print("from file")\n' >"$tmp/init.lua"
LUA_INIT="@$tmp/init.lua" run "$bin" -e ''
expect_out "LUA_INIT=@file" "from file"
LUA_INIT='error("bad init")' run "$bin" -e 'print("body")'
expect_rc "error in LUA_INIT" 1
expect_err_has "error in LUA_INIT" "bad init"
expect_out "error in LUA_INIT stops the rest" ""

# ----------------------------------------------------------------- stdin
feed 'print("from stdin", ...)'
run "$bin" - x y
expect_rc "- reads stdin" 0
expect_out "- reads stdin" "from stdin${tab}x${tab}y"

feed 'print(6 * 7)'
run "$bin"
expect_out "no arguments, piped stdin runs as a script" "42"

feed 'error("piped")'
run "$bin"
expect_rc "error in piped script" 1
expect_err_has "error in piped script" "piped"

# ------------------------------------------------------------------ REPL
feed $'1+1\n'
run "$bin" -i
expect_rc "-i expression" 0
expect_out "-i expression" "2"

feed $'x = 5\nx * 2\n'
run "$bin" -i
expect_out "-i statement then expression" "10"

feed $'function f()\nreturn 42\nend\nprint(f())\n'
run "$bin" -i
expect_out "-i multi-line chunk" "42"

feed $'t = {\n1,\n2}\n#t\n'
run "$bin" -i
expect_out "-i multi-line table then expression" "2"

feed $'return 1, "a", nil\n\n=2+3\n'
run "$bin" -i
expect_out "-i several results, empty line, =expr" "1${tab}a${tab}nil
5"

feed $'setmetatable({}, {__tostring = function() return "T!" end})\n'
run "$bin" -i
expect_out "-i prints through __tostring" "T!"

feed $'error("oops")\nprint("after")\n'
run "$bin" -i
expect_rc "-i error does not end the REPL" 0
expect_err_has "-i error is reported" "stdin:1: oops"
expect_out "-i goes on after an error" "after"

feed $'if true then\n'
run "$bin" -i
expect_err_has "-i input ending mid-chunk" "'end' expected near <eof>"

printf 'z = 3\nprint("script")\n' >"$tmp/setz.lua"
feed $'z\n'
run "$bin" -i "$tmp/setz.lua"
expect_out "-i after a script" "script
3"

# ---------------------------------------------------------------- module
run "$bin" -e 'print(package.preload.actlua ~= nil, rawget(_G, "actlua"))'
expect_out "actlua preloaded, no global" "true${tab}nil"
run "$bin" -e 'print(require("actlua") ~= nil)'
expect_rc "require actlua" 0
expect_out "require actlua" "true"

# busted's C modules need the Lua API exported by the executable.
busted=$(command -v busted || true)
if [[ -n $busted ]]; then
    run "$bin" "$busted" --version
    expect_rc "busted runs in actlua" 0
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

#!/usr/bin/env bash
# module.sh — the actlua module loaded into a stock lua5.4 through
# LUA_CPATH, as a user without the actlua interpreter would. Run by ctest
# from the repository root; prints "N passed, M failed" last.
set -u
src=${ACTLUA_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
build=$(dirname "${ACTLUA_BIN:-$src/build/actlua}")
lua=$(command -v lua5.4) || { echo "module.sh: lua5.4 not found"; echo "0 passed, 1 failed"; exit 1; }
# Under the sanitizer build the module needs the ASan runtime preloaded
# into the uninstrumented lua5.4.
if [[ ${ACTLUA_SANITIZED:-0} == 1 ]]; then
    export LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
    export ASAN_OPTIONS=detect_leaks=0
fi
export LUA_CPATH="$build/?.so;;"
unset LUA_INIT LUA_INIT_5_4 LUA_PATH LUA_PATH_5_4

passed=0 failed=0
check() { # name expected-substring lua-code
    local out
    out=$("$lua" -e "$3" 2>&1)
    if [[ $out == *"$2"* ]]; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "FAIL: $1: output lacks '$2':"; echo "$out" | head -20; fi
}

check "require returns the module" "function" \
    'local A = require "actlua"; print(type(A.zeros))'
check "no global is set" "nil nil" \
    'require "actlua"; print(tostring(rawget(_G, "actlua")) .. " " .. tostring(rawget(_G, "A")))'
check "a second require is the same table" "true" \
    'print(require "actlua" == require "actlua")'
check "tensors print" "shape=[2,3], dtype=float32" \
    'print(require("actlua").randn{2,3})'
check "errors are Lua errors" "matmul' (shapes [4,2] and [5,5] cannot be multiplied" \
    'local A = require "actlua"; print(select(2, pcall(A.matmul, A.zeros{4,2}, A.zeros{5,5})))'
check "the same seed gives the same values" "true" \
    'local A = require "actlua"; A.manual_seed(3); local a = A.randn{5}:totable(); A.manual_seed(3)
     local b = A.randn{5}:totable(); local same = true
     for i = 1, 5 do same = same and a[i] == b[i] end; print(same)'
check "arithmetic works" "2 4 6" \
    'local A = require "actlua"; local t = (A.tensor{1,2,3} * 2):long():totable()
     print(table.concat(t, " "))'
out=$(ACTLUA_NUM_THREADS=1 "$lua" -e 'print(require("actlua").get_num_threads())' 2>&1)
if [[ $out == 1 ]]; then passed=$((passed + 1))
else failed=$((failed + 1)); echo "FAIL: ACTLUA_NUM_THREADS=1 gave '$out'"; fi
out=$(ACTLUA_NUM_THREADS=none "$lua" -e 'require "actlua"' 2>&1)
if [[ $out == *"ACTLUA_NUM_THREADS must be a positive integer, got 'none'"* ]]; then passed=$((passed + 1))
else failed=$((failed + 1)); echo "FAIL: ACTLUA_NUM_THREADS=none gave '$out'"; fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]

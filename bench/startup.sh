#!/usr/bin/env bash
# startup.sh — workload 5: the wall time of starting `actlua -e ''`,
# `actlua -e 'require "actlua"'`, `lua5.4 -e 'require "actlua"'` (the module
# from BUILD) and, for the first TORCH_RUNS rounds, `python3 -c 'import
# torch'`, in rounds that alternate them. Timed with bash's EPOCHREALTIME,
# so no extra process runs inside the measured interval.
# Usage: bench/startup.sh ROUNDS TORCH_RUNS ACTLUA BUILD PYTHON
# Prints "@ start <what> <seconds>" per run.
set -eu
rounds=$1 torch_runs=$2 actlua=$3 build=$4 python=$5
export LC_ALL=C LUA_CPATH="$build/?.so;;"
unset LUA_INIT LUA_INIT_5_4
time_it() { # name command...
    local name=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    "$@" >/dev/null
    t1=$EPOCHREALTIME
    echo "@ start $name $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.6f", b - a}')"
}
for ((i = 1; i <= rounds; i++)); do
    time_it actlua "$actlua" -e ''
    time_it actlua_require "$actlua" -e 'require "actlua"'
    time_it lua_require lua5.4 -e 'require "actlua"'
    if ((i <= torch_runs)); then time_it torch "$python" -c 'import torch'; fi
done

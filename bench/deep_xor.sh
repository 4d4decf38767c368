#!/usr/bin/env bash
# deep_xor.sh — E8's deep XOR, 20001 steps, in actlua and in PyTorch
# (Debian's python3-torch), whole processes timed, runs alternated; prints
# each side's median and the ratio. Both sides use one thread.
# Usage: bench/deep_xor.sh [runs]   (from the repository root, after make)
set -eu
runs=${1:-3}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
actlua=${ACTLUA_BIN:-build/actlua}
now() { date +%s.%N; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
have_torch=0
/usr/bin/python3 -c 'import torch' 2>/dev/null && have_torch=1
: >/tmp/actlua_bench_a; : >/tmp/actlua_bench_t
for ((i = 1; i <= runs; i++)); do
  t0=$(now); "$actlua" bench/deep_xor.lua; t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >>/tmp/actlua_bench_a
  if [[ $have_torch == 1 ]]; then
    t0=$(now); /usr/bin/python3 bench/peers/deep_xor.py; t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >>/tmp/actlua_bench_t
  fi
done
a=$(median </tmp/actlua_bench_a)
printf 'actlua whole process, median of %d: %.3f s\n' "$runs" "$a"
if [[ $have_torch == 1 ]]; then
  t=$(median </tmp/actlua_bench_t)
  printf 'PyTorch whole process, median of %d: %.3f s\n' "$runs" "$t"
  awk -v t="$t" -v a="$a" 'BEGIN {printf "ratio (PyTorch / actlua): %.1fx\n", t / a}'
else
  echo "PyTorch (python3-torch) is not installed: no ratio (apt-get install python3-torch)"
fi

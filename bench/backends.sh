#!/bin/bash
# combine + report wall time on the calc example for each backend, side by side: GCC (gcov),
# Clang with gcov (llvm-cov gcov), Clang with llvm (llvm-profdata + llvm-cov). Each build is
# tested once with ctest -j4, then timed over ROUNDS rounds, the backends interleaved.
# usage: bench/backends.sh [WORK_DIR] [ROUNDS]   (needs gcc, clang-14, llvm-14, gcovr)
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/parcov-bench-backends}
rounds=${2:-5}
names=(gcc-gcov clang-gcov clang-llvm)
declare -A cc=([gcc-gcov]=gcc [clang-gcov]=clang-14 [clang-llvm]=clang-14)
declare -A backend=([gcc-gcov]=gcov [clang-gcov]=gcov [clang-llvm]=llvm)
declare -A times
for n in "${names[@]}"; do
  b=$work/$n
  CC=${cc[$n]} cmake -S "$repo/examples/calc" -B "$b" -DPARALLEL_COVERAGE=ON \
    -DPARALLEL_COVERAGE_BACKEND="${backend[$n]}" >/dev/null
  cmake --build "$b" -j2 >/dev/null
  ctest --test-dir "$b" -j4 >/dev/null
done
for ((r = 0; r < rounds; r++)); do
  for n in "${names[@]}"; do
    b=$work/$n
    p=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$b/CMakeCache.txt")
    s=$(date +%s%N)
    "$p" combine -C "$b" -q
    "$p" report -C "$b" -q >/dev/null
    times[$n]+="$(( ($(date +%s%N) - s) / 1000000 )) "
  done
done
for n in "${names[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${times[$n]}" | grep . | sort -n | tr '\n' ' ')
  median=$(tr ' ' '\n' <<<"$sorted" | grep . | sed -n "$(( (rounds + 1) / 2 ))p")
  printf '%-11s combine+report: median %5d ms   (all: %s)\n' "$n" "$median" "$sorted"
done

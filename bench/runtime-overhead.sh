#!/bin/bash
# Wall time of the example suite (examples/calc, ctest -jJOBS) in three builds made in the same
# session, runs alternated: the module without its runtime and with GCC's default counter
# updates (the foundation's behaviour), with the runtime, and with the runtime plus
# -fprofile-update=atomic (the default). Prints medians and ratios to the first.
#   bench/runtime-overhead.sh [REPEATS] [JOBS]
set -eu
repeats=${1:-5} jobs=${2:-2}
REPO=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d /tmp/parcov-bench-runtime.XXXXXX)
trap 'rm -rf "$W"' EXIT
base="--coverage;-fprofile-abs-path;-O0"
configure() { # NAME RUNTIME OPTIONS
  cmake -S "$REPO/examples/calc" -B "$W/$1" -DPARALLEL_COVERAGE=ON -DCALC_WITH_PARALLEL_COVERAGE=OFF \
    -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" \
    -DPARALLEL_COVERAGE_RUNTIME="$2" -DPARALLEL_COVERAGE_COMPILE_OPTIONS="$3" >/dev/null
  cmake --build "$W/$1" -j"$jobs" >/dev/null
}
echo "building three copies of the example in $W ..."
configure none OFF "$base"
configure runtime ON "$base"
configure atomic ON "$base;-fprofile-update=atomic"
declare -A times
for ((r = 0; r < repeats; r++)); do
  for b in none runtime atomic; do
    s=$(date +%s%N)
    ctest --test-dir "$W/$b" -j"$jobs" >/dev/null
    e=$(date +%s%N)
    times[$b]+="$(( (e - s) / 1000000 )) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
none=$(echo "${times[none]}" | median)
for b in none runtime atomic; do
  m=$(echo "${times[$b]}" | median)
  awk -v b="$b" -v m="$m" -v n="$none" -v all="${times[$b]}" -v r="$repeats" -v j="$jobs" \
    'BEGIN { printf "%-8s median %6d ms (ctest -j%d, %d runs: %s) ratio to none: %.2f\n", b, m, j, r, all, m / n }'
done

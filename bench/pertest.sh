#!/bin/bash
# Cost of per-test coverage (README "Per-test coverage"): the coverage target with
# PARALLEL_COVERAGE_PER_TEST on and off, alternated on the same data of one ctest run, the
# size of the stored data, and the latency of tests-for and affected.
#
#   bench/pertest.sh [-m FILES] [-n TESTS] [-r REPS] [-j JOBS] [-d DIR]
#
# Defaults: bench's default size (1000 files, 200 tests), 3 repetitions, DIR
# /tmp/parcov-bench-pertest. Per-test is toggled in coverage-data/parcov.conf (the line
# the configure step writes), so both sides run the same target on the same build.
set -eu
M=1000 N=200 R=3 J=$(nproc) D=/tmp/parcov-bench-pertest
while getopts m:n:r:j:d:h o; do
  case $o in
  m) M=$OPTARG ;; n) N=$OPTARG ;; r) R=$OPTARG ;; j) J=$OPTARG ;; d) D=$OPTARG ;;
  *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=$D/src B=$D/build
mkdir -p "$D"
python3 "$REPO/bench/gen.py" "$SRC" --files "$M" --tests "$N" --work 1000 >/dev/null
cmake -S "$SRC" -B "$B" -G Ninja -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" \
  "-DPARALLEL_COVERAGE_FORMATS=txt;json;xml" >/dev/null
[ -d "$B/_parcov" ] && cmake --build "$B/_parcov" --target parcov >/dev/null
cmake --build "$B" -j"$J" >/dev/null
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
ctest --test-dir "$B" -j"$J" >/dev/null
conf=$B/coverage-data/parcov.conf
set_per_test() { sed -i "s/^per_test=.*/per_test=$1/" "$conf"; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
on=() off=()
for r in $(seq "$R"); do
  set_per_test 0; off+=("$(secs cmake --build "$B" --target coverage)")
  set_per_test 1; on+=("$(secs cmake --build "$B" --target coverage)")
done
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%.3f s (%.3f-%.3f)", v[int((NR+1)/2)], v[1], v[NR]}'; }
med() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
files=$(find "$B/coverage-data/current/tests" -name '*.gcda' | wc -l)
echo "$M source files, $N tests, $files per-test .gcda files; $R repetitions, alternated"
echo "coverage target, per-test off: $(stats "${off[@]}")"
echo "coverage target, per-test on:  $(stats "${on[@]}")"
echo "ratio on/off (medians): $(echo "scale=2; $(med "${on[@]}") / $(med "${off[@]}")" | bc)"
echo "stored: coverage-data/tests-by-line.txt $(stat -c %s "$B/coverage-data/tests-by-line.txt") bytes," \
  "coverage/tests.json $(stat -c %s "$B/coverage/tests.json") bytes;" \
  "per-test .gcda data $(du -sb "$B/coverage-data/current/tests" | cut -f1) bytes"
# A line of a source in the middle of the project (the first files are called by every test).
read -r file line < <(awk -v want=$((M / 2)) '/^F / {f++; split($0, p, "\t"); name = p[2]}
  f == want && $1 == "L" && $4 != 0 {print name, $2; exit}' "$B/coverage-data/tests-by-line.txt")
echo "tests-for $file:$line: $(secs "$parcov" tests-for -C "$B" "$file:$line") s," \
  "$("$parcov" tests-for -C "$B" "$file:$line" | wc -l) tests"
printf -- '--- a/%s\n+++ b/%s\n@@ -%s,1 +%s,1 @@\n-x\n+y\n' "$file" "$file" "$line" "$line" >"$D/one.diff"
echo "affected (one changed line): $(secs "$parcov" affected -C "$B" --diff "$D/one.diff") s," \
  "$("$parcov" affected -C "$B" --diff "$D/one.diff" 2>&1 >/dev/null | tail -n 1)"

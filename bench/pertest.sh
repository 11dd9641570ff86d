#!/bin/bash
# Cost of per-test coverage (README "Per-test coverage"): the coverage target with
# PARALLEL_COVERAGE_PER_TEST on and off, alternated on the same data of one ctest run, the
# size of the stored data, and the latency of tests-for and affected.
#
#   bench/pertest.sh [-m FILES] [-n TESTS] [-r REPS] [-j JOBS] [-d DIR] [-b gcov|llvm] [-p PARCOV]
#
# Defaults: bench's default size (1000 files, 200 tests), 3 repetitions, DIR
# /tmp/parcov-bench-pertest, backend gcov (-b llvm: CC=clang-14 CXX=clang++-14 unless CC is
# set). Per-test is toggled in coverage-data/parcov.conf (the line the configure step
# writes), so both sides run the same target on the same build. -p PARCOV: also the coverage
# target's commands (doctor, combine, report) with per-test on run by another parcov binary
# (say, main's build of it), alternated with this tree's on the same data: before/after.
set -eu
M=1000 N=200 R=3 J=$(nproc) D=/tmp/parcov-bench-pertest BACKEND=gcov OTHER=
while getopts m:n:r:j:d:b:p:h o; do
  case $o in
  m) M=$OPTARG ;; n) N=$OPTARG ;; r) R=$OPTARG ;; j) J=$OPTARG ;; d) D=$OPTARG ;; b) BACKEND=$OPTARG ;; p) OTHER=$OPTARG ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=$D/src B=$D/build
mkdir -p "$D"
if [ "$BACKEND" = llvm ]; then export CC=${CC:-clang-14} CXX=${CXX:-clang++-14}; fi
python3 "$REPO/bench/gen.py" "$SRC" --files "$M" --tests "$N" --work 1000 >/dev/null
cmake -S "$SRC" -B "$B" -G Ninja -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" \
  "-DPARALLEL_COVERAGE_FORMATS=txt;json;xml" -DPARALLEL_COVERAGE_BACKEND="$BACKEND" >/dev/null
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
# The coverage target's commands, run by parcov $1 (per-test on).
steps() { "$1" doctor --before-report -C "$B" && "$1" combine -C "$B" && "$1" report -C "$B"; }
mine=() other=()
if [ -n "$OTHER" ]; then
  set_per_test 1
  for r in $(seq "$R"); do
    other+=("$(secs steps "$OTHER")")
    mine+=("$(secs steps "$parcov")")
  done
fi
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {printf "%.3f s (%.3f-%.3f)", v[int((NR+1)/2)], v[1], v[NR]}'; }
med() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
files=$(find "$B/coverage-data/current/tests" -name '*.gcda*' -o -name '*.profraw' | wc -l)
echo "$BACKEND backend, $M source files, $N tests, $files per-test .gcda/.profraw files; $R repetitions, alternated"
echo "coverage target, per-test off: $(stats "${off[@]}")"
echo "coverage target, per-test on:  $(stats "${on[@]}")"
echo "ratio on/off (medians): $(echo "scale=2; $(med "${on[@]}") / $(med "${off[@]}")" | bc)"
if [ -n "$OTHER" ]; then
  echo "per-test on, doctor+combine+report by $OTHER: $(stats "${other[@]}")"
  echo "per-test on, doctor+combine+report by $parcov: $(stats "${mine[@]}")"
  echo "ratio other/this (medians): $(echo "scale=2; $(med "${other[@]}") / $(med "${mine[@]}")" | bc)"
fi
echo "stored: coverage-data/tests-by-line.txt $(stat -c %s "$B/coverage-data/tests-by-line.txt") bytes," \
  "coverage/tests.json $(stat -c %s "$B/coverage/tests.json") bytes;" \
  "per-test data $(du -sb "$B/coverage-data/current/tests" | cut -f1) bytes"
# A line of a source in the middle of the project (the first files are called by every test).
read -r file line < <(awk -v want=$((M / 2)) '/^F / {f++; split($0, p, "\t"); name = p[2]}
  f == want && $1 == "L" && $4 != 0 {print name, $2; exit}' "$B/coverage-data/tests-by-line.txt")
echo "tests-for $file:$line: $(secs "$parcov" tests-for -C "$B" "$file:$line") s," \
  "$("$parcov" tests-for -C "$B" "$file:$line" | wc -l) tests"
printf -- '--- a/%s\n+++ b/%s\n@@ -%s,1 +%s,1 @@\n-x\n+y\n' "$file" "$file" "$line" "$line" >"$D/one.diff"
echo "affected (one changed line): $(secs "$parcov" affected -C "$B" --diff "$D/one.diff") s," \
  "$("$parcov" affected -C "$B" --diff "$D/one.diff" 2>&1 >/dev/null | tail -n 1)"

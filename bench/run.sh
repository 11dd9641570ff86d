#!/bin/bash
# ParallelCoverage benchmarks: one command, a table of ratios measured side by side in one
# run (every repetition runs each contender in turn; median and min-max of the repetitions).
# Never run in CI: speed is measured here, never asserted in tests.
#
#   bench/run.sh [-m FILES] [-n TESTS] [-r REPS] [-w WORK] [-s SLEEP_MS] [-j JOBS] [-d DIR] [-t]
#
# -t: the test phase only (speed-ups and the isolation overhead), without combine/report.
# Defaults (sized for a 2-core machine): 1000 source files, 200 tests, 3 repetitions,
# CPU-bound tests of 10000 iterations, sleep-bound tests of 100 ms, -j = number of cores.
# Needs: cmake, gcc, gcovr, lcov, gcov-tool, python3. Work files go to DIR
# (default /tmp/parcov-bench); the generated project is rebuilt only when it changes.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
M=1000 N=200 R=3 WORK_ITER=10000 SLEEP_MS=100 J=$(nproc) D=/tmp/parcov-bench TEST_ONLY=0
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "$1"; }
while getopts "m:n:r:w:s:j:d:th" o; do
  case $o in
  m) M=$OPTARG ;; n) N=$OPTARG ;; r) R=$OPTARG ;; w) WORK_ITER=$OPTARG ;;
  s) SLEEP_MS=$OPTARG ;; j) J=$OPTARG ;; d) D=$OPTARG ;; t) TEST_ONLY=1 ;; h) usage 0 ;;
  *) usage 2 >&2 ;;
  esac
done
for tool in cmake gcc gcovr lcov gcov-tool python3; do
  command -v $tool >/dev/null || { echo "bench: $tool not found (apt-get install $tool)" >&2; exit 1; }
done
SRC=$D/src PLAIN=$D/plain OURS=$D/ours NORT=$D/ours-noruntime T=$D/times
mkdir -p "$D"; rm -rf "$T"; mkdir -p "$T"
log() { printf 'bench: %s\n' "$*" >&2; }
EXCL=(--exclude 'tests/' --exclude 'test/' --exclude 'examples/')

log "generating $M files, $N tests in $SRC"
python3 "$here/gen.py" "$SRC" --files "$M" --tests "$N" --work "$WORK_ITER"
log "building the plain --coverage tree and the ParallelCoverage tree (-j$J)"
# The same compile options as ParallelCoverage gives these targets (none starts threads: plain
# counter updates), so only isolation differs.
cmake -S "$SRC" -B "$PLAIN" \
  -DCMAKE_C_FLAGS="--coverage -fprofile-abs-path -O0" >/dev/null
cmake -S "$SRC" -B "$OURS" -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake" >/dev/null
cmake -S "$SRC" -B "$NORT" -DPARALLEL_COVERAGE=ON -DPARALLEL_COVERAGE_RUNTIME=OFF \
  -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake" >/dev/null
cmake --build "$PLAIN" -j"$J" >/dev/null
cmake --build "$OURS" -j"$J" >/dev/null
cmake --build "$NORT" -j"$J" >/dev/null
# The module built parcov from this checkout at the first configure: keep it current.
for t in "$OURS" "$NORT"; do
  [ -d "$t/_parcov" ] && cmake --build "$t/_parcov" --target parcov >/dev/null
done
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$OURS/CMakeCache.txt")

# time NAME CMD...: run once, append the wall time in seconds to $T/NAME.
time_it() {
  local name=$1; shift
  local t0 t1
  t0=$(date +%s%N)
  "$@" >"$D/last.log" 2>&1 || { cat "$D/last.log" >&2; log "failed: $*"; exit 1; }
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 ))e-6" >>"$T/$name"
}
clear_plain() { find "$PLAIN" -name '*.gcda' -delete; }
plain_ctest() { clear_plain; ctest --test-dir "$PLAIN" -j"$1"; }
# ctest's post-test hid the per-test files (NAME.gcda.parcov, README "Data sets"): gcov-tool
# reads a copy under the .gcda names, made before the timing.
visible_copy() {
  rm -rf "$D/visible" && cp -r "$OURS/coverage-data/current/tests" "$D/visible"
  find "$D/visible" -name '*.gcda.parcov*' | while read -r f; do mv "$f" "${f%.gcda.parcov*}.gcda"; done
}
gcov_tool_chain() { # merge every test's data with chained gcov-tool merge, as scripts do
  local tests=("$D"/visible/*) acc=$D/merge.acc
  rm -rf "$acc" "$acc.new"; cp -r "${tests[0]}" "$acc"
  for t in "${tests[@]:1}"; do
    gcov-tool merge "$acc" "$t" -o "$acc.new" && rm -rf "$acc" && mv "$acc.new" "$acc"
  done
}
cat_inputs() { find -L "$OURS/coverage-data/current/tests" -name '*.gcda*' -exec cat {} + >/dev/null; }
gcovr_report() { # gcovr's equivalent of `parcov report --formats txt,json,xml`
  (cd "$SRC" && gcovr -j 2 --root . "${EXCL[@]}" --exclude-directories "$OURS/coverage-data\$" \
     --exclude-directories "$OURS/_parcov\$" --json "$D/g.json" --cobertura "$D/g.xml" \
     --txt "$D/g.txt" "$OURS")
}
lcov_report() { lcov --capture -q --rc lcov_branch_coverage=1 -d "$OURS/src" -d "$OURS/tests" -o "$D/l.info"; }
ours_e2e() { ctest --test-dir "$OURS" -j"$J" && cmake --build "$OURS" --target coverage; }
serial_e2e() { # the reliable recipe without ParallelCoverage: serial tests, then gcovr
  plain_ctest 1 && (cd "$SRC" && gcovr -j 2 --root . "${EXCL[@]}" --html-details "$D/s/index.html" \
    --cobertura "$D/s.xml" --json "$D/s.json" --txt "$D/s.txt" "$PLAIN")
}
mkdir -p "$D/s"

for ((rep = 1; rep <= R; rep++)); do
  log "repetition $rep/$R: test phase (CPU-bound)"
  time_it cpu_ours_j1 ctest --test-dir "$OURS" -j1
  time_it cpu_ours_jN ctest --test-dir "$OURS" -j"$J"
  time_it cpu_plain_jN plain_ctest "$J"
  time_it cpu_nort_jN ctest --test-dir "$NORT" -j"$J"
  log "repetition $rep/$R: test phase (sleep-bound, ${SLEEP_MS} ms per test)"
  export SYNTH_SLEEP_MS=$SLEEP_MS
  time_it sleep_ours_j1 ctest --test-dir "$OURS" -j1
  time_it sleep_ours_j8 ctest --test-dir "$OURS" -j8
  unset SYNTH_SLEEP_MS
  [ "$TEST_ONLY" = 1 ] && continue
  log "repetition $rep/$R: combine"
  ctest --test-dir "$OURS" -j"$J" >/dev/null   # CPU-bound data for combine and report
  time_it combine_cat cat_inputs
  time_it combine_parcov "$parcov" combine -q -C "$OURS"
  visible_copy
  time_it combine_gcovtool gcov_tool_chain
  log "repetition $rep/$R: report"
  time_it report_parcov "$parcov" report -q -C "$OURS" --formats txt,json,xml
  time_it report_gcovr gcovr_report
  time_it report_lcov lcov_report
  log "repetition $rep/$R: end to end"
  time_it e2e_ours ours_e2e
  time_it e2e_serial serial_e2e
done
inputs=$(find "$OURS/coverage-data/current/tests" -name '*.gcda*' | wc -l)
objects=$(find "$OURS" -path "$OURS/coverage-data" -prune -o -name '*.gcno' -print | wc -l)
lines=$(cat "$SRC"/src/*.c "$SRC"/src/*.h | wc -l)

python3 - "$T" "$M" "$N" "$R" "$J" "$inputs" "$objects" "$lines" "$SLEEP_MS" "$WORK_ITER" <<'PY'
import os, statistics, sys
T, M, N, R, J, inputs, objects, lines, sleep_ms, work = sys.argv[1:]
t = {f: [float(x) for x in open(os.path.join(T, f))] for f in os.listdir(T)}
med = {k: statistics.median(v) for k, v in t.items()}
def cell(k):
    v = t[k]
    return f"{med[k]:.3f} s ({min(v):.3f}–{max(v):.3f})"
rows = [
 ("test phase, CPU-bound: ctest -j1 / -j%s" % J, "cpu_ours_j1", "cpu_ours_jN", "speed-up"),
 ("test phase, sleep-bound: ctest -j1 / -j8", "sleep_ours_j1", "sleep_ours_j8", "speed-up"),
 ("isolation overhead (runtime off): ParallelCoverage / in-place --coverage, -j%s" % J, "cpu_nort_jN", "cpu_plain_jN", "ratio-1"),
 ("isolation + runtime (defaults): ParallelCoverage / in-place --coverage, -j%s" % J, "cpu_ours_jN", "cpu_plain_jN", "ratio-1"),
 ("combine: chained gcov-tool merge / parcov combine", "combine_gcovtool", "combine_parcov", "speed-up"),
 ("combine: parcov combine / cat of every input", "combine_parcov", "combine_cat", "ratio"),
 ("report: gcovr -j 2 / parcov report (txt,json,xml)", "report_gcovr", "report_parcov", "speed-up"),
 ("report: lcov --capture / parcov report", "report_lcov", "report_parcov", "speed-up"),
 ("end to end: serial ctest + gcovr / ctest -j%s + coverage" % J, "e2e_serial", "e2e_ours", "speed-up"),
]
print(f"\n{M} source files ({lines} lines), {N} tests, {objects} objects, {inputs} per-test .gcda files; "
      f"{R} repetitions; CPU-bound tests: {work} iterations, sleep-bound: {sleep_ms} ms\n")
print("| Comparison (A / B) | A: median (min–max) | B: median (min–max) | A / B |")
print("|---|---|---|---|")
for name, a, b, kind in rows:
    if a not in med or b not in med:
        continue
    r = med[a] / med[b]
    shown = f"{(r - 1) * 100:+.1f}%" if kind == "ratio-1" else f"{r:.2f}×"
    print(f"| {name} | {cell(a)} | {cell(b)} | {shown} |")
PY

#!/bin/bash
# The whole `coverage` step (parcov doctor + combine + report with the default formats:
# txt, html, xml, json) against gcovr -j 2 writing the same formats (--txt, --json,
# --cobertura, --html-details) from the same combined data, side by side in one run, on
# generated projects of each size: the first step after a ctest run (data never combined:
# what users see) and the step repeated on the same data. Never run in CI: speed is
# measured here, not asserted.
#
#   bench/html.sh [-m "300 1000"] [-n TESTS] [-r REPS] [-j JOBS] [-d DIR] [-G GENERATOR]
#
# Defaults: 300 and 1000 source files, 200 tests, 3 repetitions, -j = number of cores,
# cmake's default generator. The target's own command (parcov coverage) is also timed alone,
# after a ctest run of its own: the rest of the step is the build tool around it.
# Needs: cmake, gcc, gcovr, python3, GNU time (/usr/bin/time: apt-get install time). Work files go to DIR (default /tmp/parcov-bench-html).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
SIZES="300 1000" N=200 R=3 J=$(nproc) D=/tmp/parcov-bench-html
GEN=
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit "$1"; }
while getopts "m:n:r:j:d:G:h" o; do
  case $o in
  m) SIZES=$OPTARG ;; n) N=$OPTARG ;; r) R=$OPTARG ;; j) J=$OPTARG ;; d) D=$OPTARG ;; G) GEN=$OPTARG ;; h) usage 0 ;;
  *) usage 2 >&2 ;;
  esac
done
for tool in cmake gcc gcovr python3 /usr/bin/time; do
  command -v $tool >/dev/null || { echo "bench: $tool not found (apt-get install $tool)" >&2; exit 1; }
done
log() { printf 'bench: %s\n' "$*" >&2; }
T=$D/times
mkdir -p "$D"; rm -rf "$T"; mkdir -p "$T"

# time_it NAME CMD...: run once, append the wall time in seconds to $T/NAME and the CPU
# time (user + system, with every process it waited for: gcov, gcovr's workers) to
# $T/NAME.cpu. On a machine shared with other jobs the wall time includes waiting for the
# CPU and the disk; the CPU time does not.
time_it() {
  local name=$1; shift
  local t0=$EPOCHREALTIME t1
  /usr/bin/time -f "%e %U %S" -o "$D/time.out" "$@" >"$D/last.log" 2>&1 ||
    { cat "$D/last.log" >&2; log "failed: $*"; exit 1; }
  t1=$EPOCHREALTIME
  read -r wall user sys <"$D/time.out"
  # The wall time to the microsecond (GNU time's is in hundredths); CPU stays in hundredths.
  python3 -c "print(f'{$t1 - $t0:.4f}')" >>"$T/$name"
  python3 -c "print($user + $sys)" >>"$T/$name.cpu"
}

for M in $SIZES; do
  SRC=$D/src-$M OURS=$D/ours-$M${GEN:+-$(printf %s "$GEN" | tr -c 'A-Za-z0-9' -)}
  log "$M files: generating, building, ctest -j$J"
  python3 "$here/gen.py" "$SRC" --files "$M" --tests "$N" >/dev/null
  cmake -S "$SRC" -B "$OURS" ${GEN:+-G "$GEN"} -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake" >/dev/null
  cmake --build "$OURS" -j"$J" >/dev/null
  [ -d "$OURS/_parcov" ] && cmake --build "$OURS/_parcov" --target parcov >/dev/null
  ctest --test-dir "$OURS" -j"$J" >/dev/null
  parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$OURS/CMakeCache.txt")
  gcovr_all() { # the same formats as the coverage step, from the data it combined
    rm -rf "$D/g-$M"; mkdir -p "$D/g-$M/html"
    (cd "$SRC" && gcovr -j 2 --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
       --exclude-directories "$OURS/coverage-data\$" --exclude-directories "$OURS/_parcov\$" \
       --txt "$D/g-$M/summary.txt" --json "$D/g-$M/coverage.json" --cobertura "$D/g-$M/coverage.xml" \
       --html-details "$D/g-$M/html/index.html" "$OURS")
  }
  cmake --build "$OURS" --target coverage >/dev/null # warm the caches once for both
  for ((rep = 1; rep <= R; rep++)); do
    log "$M files: repetition $rep/$R"
    ctest --test-dir "$OURS" -j"$J" >/dev/null
    time_it "first_$M" cmake --build "$OURS" --target coverage
    time_it "step_$M" cmake --build "$OURS" --target coverage
    ctest --test-dir "$OURS" -j"$J" >/dev/null
    time_it "cmdfirst_$M" "$parcov" coverage -C "$OURS"
    time_it "cmd_$M" "$parcov" coverage -C "$OURS"
    # The same step with a gcov process per data file (the path before gcovtext.c), and the
    # step's parts on their own.
    time_it "stepgcov_$M" env PARCOV_REPORTER=gcov cmake --build "$OURS" --target coverage
    time_it "doctor_$M" "$parcov" doctor -q --before-report -C "$OURS"
    time_it "combine_$M" "$parcov" combine -q -C "$OURS"
    time_it "report_$M" "$parcov" report -q -C "$OURS"
    time_it "html_$M" "$parcov" report -q -C "$OURS" --formats html
    time_it "txt_$M" "$parcov" report -q -C "$OURS" --formats txt
    time_it "gcovr_$M" bash -c "$(declare -f gcovr_all); M=$M D=$D SRC=$SRC OURS=$OURS gcovr_all"
  done
  # The same numbers: gcovr's JSON and ours from the same data.
  cmp "$D/g-$M/coverage.json" "$OURS/coverage/coverage.json" ||
    { log "$M files: coverage.json differs from gcovr's"; exit 1; }
  pages=$(find "$OURS/coverage/html" -name 'f*.html' | wc -l)
  echo "$pages" >"$T/pages_$M"
  du -sk "$OURS/coverage/html" | cut -f1 >"$T/kb_$M"
  du -sk "$D/g-$M/html" | cut -f1 >"$T/gkb_$M"
done

GEN_USED=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$OURS/CMakeCache.txt") \
python3 - "$T" "$R" "$N" $SIZES <<'PY'
import os, statistics, sys
T, R, N = sys.argv[1:4]
sizes = sys.argv[4:]
t = {f: [float(x) for x in open(os.path.join(T, f))] for f in os.listdir(T)}
med = {k: statistics.median(v) for k, v in t.items()}
def cell(k):
    return f"{med[k]:.3f} s ({min(t[k]):.3f}–{max(t[k]):.3f})"
print(f"\n{N} tests, {R} repetitions, generator {os.environ['GEN_USED']}, medians (min–max)\n")
print("| Files | gcovr -j 2: txt, JSON, Cobertura, --html-details | first `coverage` step after ctest | ratio | `coverage` step again (doctor + combine + report) | ratio | `parcov report` (default formats) | `parcov report --formats html` | HTML size: ours / gcovr's |")
print("|---|---|---|---|---|---|---|---|---|")
for m in sizes:
    print(f"| {m} | {cell('gcovr_' + m)} | {cell('first_' + m)} | {med['gcovr_' + m] / med['first_' + m]:.1f}× "
          f"| {cell('step_' + m)} | {med['gcovr_' + m] / med['step_' + m]:.1f}× "
          f"| {cell('report_' + m)} | {cell('html_' + m)} | {int(t['kb_' + m][0])} KiB / {int(t['gkb_' + m][0])} KiB |")
print("\nThe target's own command alone (`parcov coverage`, no build tool around it), after a ctest run of its own and again\n")
print("| Files | gcovr -j 2 | `parcov coverage` first after ctest | ratio | again | ratio | the build tool around it (first step minus first command) |")
print("|---|---|---|---|---|---|---|")
for m in sizes:
    print(f"| {m} | {cell('gcovr_' + m)} | {cell('cmdfirst_' + m)} | {med['gcovr_' + m] / med['cmdfirst_' + m]:.1f}× "
          f"| {cell('cmd_' + m)} | {med['gcovr_' + m] / med['cmd_' + m]:.1f}× | {med['first_' + m] - med['cmdfirst_' + m]:.3f} s |")
print("\nThe step with one gcov process per data file (PARCOV_REPORTER=gcov), and its parts: wall, CPU\n")
print("| Files | step, gcov processes | gcovr / that | step, gcovtext | `parcov doctor --before-report` | `parcov combine` | `parcov report` |")
print("|---|---|---|---|---|---|---|")
for m in sizes:
    print(f"| {m} | {cell('stepgcov_' + m)}, {med['stepgcov_' + m + '.cpu']:.3f} s | {med['gcovr_' + m] / med['stepgcov_' + m]:.1f}× "
          f"| {med['step_' + m]:.3f} s, {med['step_' + m + '.cpu']:.3f} s "
          f"| {med['doctor_' + m]:.3f} s, {med['doctor_' + m + '.cpu']:.3f} s | {med['combine_' + m]:.3f} s, {med['combine_' + m + '.cpu']:.3f} s "
          f"| {med['report_' + m]:.3f} s, {med['report_' + m + '.cpu']:.3f} s |")
print("\nCPU time (user + system, children included), medians (min–max)\n")
print("| Files | gcovr -j 2 | first `coverage` step after ctest | ratio | `coverage` step again | ratio | `parcov report` | `parcov report --formats html` | `parcov report --formats txt` (gcov runs and the table only) |")
print("|---|---|---|---|---|---|---|---|---|")
for m in sizes:
    g, f, s, r, h, x = (k + '_' + m + '.cpu' for k in ('gcovr', 'first', 'step', 'report', 'html', 'txt'))
    print(f"| {m} | {cell(g)} | {cell(f)} | {med[g] / med[f]:.1f}× | {cell(s)} | {med[g] / med[s]:.1f}× | {cell(r)} | {cell(h)} | {cell(x)} |")
PY

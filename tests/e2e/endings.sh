#!/bin/bash
# Nothing lost, nothing counted twice: programs whose exact counts are known end by a failing
# Check assertion (fork mode, _exit), SIGSEGV (with an instrumented shared library), abort(),
# CTest's TIMEOUT (also with threads), Check's own timeout (tcase_set_timeout), _exit(),
# _exit() from an instrumented shared library's own code, a crash after exit() began,
# SIGKILL, fork() from an uninstrumented library, fork()+exec, vfork()+failed exec then a
# crash, a plugin dlclose()d by an uninstrumented host, four threads on one function (two
# more across a watchdog snapshot), their own SIGTERM handler, and ctest --timeout. Under ctest -j4
# the marked lines must have exactly the expected counts, ctest must see the same results as
# without ParallelCoverage, and the report must name exactly the tests that ended abnormally.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/endings-lib.sh"
S="$REPO/tests/e2e/endings"
rm -rf "$WORK"; mkdir -p "$WORK"

# counts JSON: "<mark> <count>" for every MARK:<mark> comment of the sources.
counts() {
  python3 - "$1" "$S" <<'PY'
import json, os, re, sys
report, src = sys.argv[1:3]
for f in json.load(open(report))["files"]:
    lines = {l["line_number"]: l["count"] for l in f["lines"]}
    for n, text in enumerate(open(os.path.join(src, f["file"])), 1):
        m = re.search(r"MARK:(\S+)", text)
        if m:
            print(m.group(1), lines.get(n, "none"))
PY
}

step "without ParallelCoverage: what ctest and the programs report"
run_ok cmake -S "$S" -B "$WORK/off" -G "$GENERATOR"
run_ok cmake --build "$WORK/off"
ctest_results "$WORK/off" "$WORK/off.results"
statuses "$WORK/off" "$WORK/off.statuses" GCOV_PREFIX="$WORK/direct"
cat "$WORK/off.statuses"
# The ground truth of the endings themselves.
echo "$ENDINGS_STATUSES" | diff - "$WORK/off.statuses" || fail "the test programs do not end as designed"

step "with ParallelCoverage: same results, exact counts"
run_ok cmake -S "$S" -B "$WORK/on" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DPARCOV_MODULE_DIR="$REPO/modules"
run_ok cmake --build "$WORK/on"
ctest_results "$WORK/on" "$WORK/on.results"
diff "$WORK/off.results" "$WORK/on.results" || fail "ctest saw different results with coverage"
run_ok cmake --build "$WORK/on" --target coverage
grep -q "10 tests crashed, timed out or wrote no coverage data" "$WORK/last.log" ||
  fail "combine did not count the 10 tests that ended abnormally"
counts "$WORK/on/coverage/coverage.json" >"$WORK/on.counts"
cat "$WORK/on.counts"
calls=$(cat "$WORK/on/tsnap.calls")
grep -q "	snapshot	1$" "$WORK"/on/coverage-data/current/tests/threads.snapshot-*/parcov-endings.tsv ||
  fail "threads.snapshot took no snapshot while its threads ran"
expect_counts "$WORK/on.counts" \
  "check_fail.main 1" "check_fail.hit 5" "check_fail.never 0" \
  "check_timeout.hit 3" "check_timeout.end 1" \
  "segv.loop 3" "shared.hit 3" "segv.after 0" \
  "abort.loop 2" "hang.loop 4" "exit.loop 5" \
  "fork.before 1" "fork.child 2" "fork.child2 2" "fork.after 1" \
  "threads.hit 800000" "sigterm.handler 2" "sigterm.end 1" \
  "sigkill.before 0" "libexit.loop 4" "lib2.hit 4" "exitcrash.loop 3" \
  "execer.before 1" "execer.after 1" "vfork.before 1" "vfork.after 1" "plugin.hit 3" \
  "tsnap.hit $calls" "hang_threads.hit 200000" "single.end 1" || fail "wrong counts (see above)"

step "the report names the tests that crashed, timed out or wrote no data, and only those"
expect_listed_endings "$WORK/on/coverage/summary.txt"

step "the programs' own exit statuses and signals are unchanged"
statuses "$WORK/on" "$WORK/on.statuses" GCOV_PREFIX="$WORK/direct"
diff "$WORK/off.statuses" "$WORK/on.statuses" || fail "exit statuses changed under coverage"

step "ctest --timeout (no TIMEOUT property): snapshots before it, the report says it timed out"
ctest_results "$WORK/on" "$WORK/cmdline.results" -R '^ctest[.]cmdline[.]timeout$' --timeout 8
grep -q "^ctest.cmdline.timeout .*Timeout$" "$WORK/cmdline.results" || fail "ctest --timeout did not apply"
run_ok cmake --build "$WORK/on" --target coverage
counts "$WORK/on/coverage/coverage.json" >"$WORK/cmdline.counts"
expect_counts "$WORK/cmdline.counts" "hang2.loop 2" || fail "ctest --timeout lost the counts"
sed -n '/^Tests whose coverage is partial/,$p' "$WORK/on/coverage/summary.txt" >"$WORK/listed"
cat "$WORK/listed"
grep -q "^  ctest.cmdline.timeout: process [0-9]* timed out" "$WORK/listed" &&
  [ "$(grep -c '^  ' "$WORK/listed")" = 1 ] || fail "the report does not list exactly the timed-out test"

step "without the runtime the same suite loses and doubles counts (the test can fail)"
run_ok cmake -S "$S" -B "$WORK/on" -DPARALLEL_COVERAGE_RUNTIME=OFF
run_ok cmake --build "$WORK/on"
ctest_results "$WORK/on" "$WORK/bare.results"
run_ok cmake --build "$WORK/on" --target coverage
counts "$WORK/on/coverage/coverage.json" >"$WORK/bare.counts"
expect_counts "$WORK/bare.counts" "check_fail.hit 3" "check_fail.main 2" "fork.before 3" \
  "segv.loop 0" "abort.loop 0" "hang.loop 0" "exit.loop 0" "libexit.loop 0" "exitcrash.loop 0" \
  "vfork.after 0" "check_timeout.hit 1" ||
  fail "without the runtime, counts were expected to be wrong in the known ways"
echo "PASS: endings"

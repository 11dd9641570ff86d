#!/bin/bash
# parcov doctor: each diagnosis from a broken state made for real (wrong directory, never
# built, tests never run, a program run outside ctest, rebuilt after the tests ran, data of
# another GCC release, a gcov or gcovr of the wrong version, PARALLEL_COVERAGE switched off, a
# copied build tree, tests that wrote no data, fcntl locks that fail), asserting the message
# and the exit status; and the coverage target stopping on the fatal ones.
# usage: doctor.sh NOLOCKS_SHIM (tests/e2e/nolocks.c built as a shared object)
. "$(dirname "$0")/lib.sh"
NOLOCKS=$1
S="$WORK/src" B="$WORK/src/build"
rm -rf "$WORK"; mkdir -p "$WORK/empty"
cp -r "$EXAMPLE" "$S"
rm -rf "$S/build"
# Two tests that leave no data: one runs no program of ours, one runs a program killed by
# SIGKILL (nothing can write its counters; the runtime recovers _exit(), abort() and crashes).
printf '#include <signal.h>\n#include <unistd.h>\nint main(void) { kill(getpid(), SIGKILL); return 0; }\n' \
  >"$S/tests/cli/aborts.c"
cat >>"$S/tests/cli/CMakeLists.txt" <<'CMAKE'
add_executable(aborts aborts.c)
add_test(NAME cli.aborts COMMAND sh -c "$<TARGET_FILE:aborts>; exit 0")
add_test(NAME cli.script COMMAND sh -c "exit 0")
CMAKE
NODATA='^cli\.(aborts|script)$'
configure() { run_ok cmake -S "$S" -B "$B" -G "$GENERATOR" -DCALC_WITH_PARALLEL_COVERAGE=OFF \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" "$@"; }
# coverage_fails REGEX: the coverage target must fail and print REGEX.
coverage_fails() {
  set +e; cmake --build "$B" --target coverage >"$WORK/last.log" 2>&1; rc=$?; set -e
  cat "$WORK/last.log"
  [ $rc -ne 0 ] || fail "the coverage target succeeded"
  grep -Eq -- "$1" "$WORK/last.log" || fail "coverage target output does not match /$1/"
}

configure -DPARALLEL_COVERAGE=ON
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
gcov=$(sed -n 's/^PARALLEL_COVERAGE_GCOV:FILEPATH=//p' "$B/CMakeCache.txt")
gcovr=$(sed -n 's/^PARALLEL_COVERAGE_GCOVR:FILEPATH=//p' "$B/CMakeCache.txt")

step "usage"
run_ok "$parcov" doctor --help
run_fails 2 "usage: parcov doctor" "$parcov" doctor --bogus

step "wrong directory: missing, not a build tree, the source directory"
run_fails 1 "build directory /nonexistent: No such file" "$parcov" doctor -C /nonexistent
run_fails 1 "$WORK/empty is not a CMake build tree.*" "$parcov" doctor -C "$WORK/empty"
run_fails 1 "$S is a source directory, not a build tree; build trees configured with coverage below it: $B" \
  "$parcov" doctor -C "$S"
grep -q "fix: name the build directory: parcov doctor -C $B" "$WORK/last.log" || fail "no fix given"

step "configured without the module"
run_ok cmake -S "$S" -B "$WORK/plain" -G "$GENERATOR" -DCALC_WITH_PARALLEL_COVERAGE=OFF
run_fails 1 "was configured without coverage .*PARALLEL_COVERAGE is not defined" "$parcov" doctor -C "$WORK/plain"
grep -q "fix: include(ParallelCoverage)" "$WORK/last.log" || fail "no fix given"

step "configured, never built"
run_fails 1 "has no object files: it was configured but never built" "$parcov" doctor -C "$B"
run_ok cmake --build "$B"

step "built, tests never run: doctor and the coverage target say so"
run_fails 1 "no coverage data: ctest has not run in $B" "$parcov" doctor -C "$B"
grep -q "fix: run the tests first: ctest --test-dir $B -j N" "$WORK/last.log" || fail "no fix given"
coverage_fails "error: no coverage data: ctest has not run in $B.*; fix: run the tests first"

step "a program run outside ctest; GCOV_PREFIX set in the shell"
run_ok "$B/src/calc-cli" "1 + 2"
run_fails 1 "no coverage data from ctest, but 4 .gcda files in the build tree were written by programs run outside ctest: .*calc-cli.dir/main.c.gcda" \
  "$parcov" doctor -C "$B"
run_fails 1 "GCOV_PREFIX=$WORK/elsewhere is set in this environment" \
  env GCOV_PREFIX="$WORK/elsewhere" "$parcov" doctor -C "$B"
# The coverage-clean target: what 'parcov clean' does, without knowing where parcov is.
run_ok cmake --build "$B" --target coverage-clean
[ -z "$(find "$B" -path "$B/coverage-data" -prune -o -name '*.gcda' -print)" ] ||
  fail "coverage-clean left .gcda files in the build tree"
run_fails 1 "no coverage data: 'parcov clean' removed it, and ctest has not run in $B since" \
  "$parcov" doctor -C "$B"
coverage_fails "error: no coverage data: 'parcov clean' removed it.*; fix: run the tests"

step "healthy: ctest, doctor exits 0, coverage works"
run_ok ctest --test-dir "$B" -j2 -E "$NODATA"
run_ok "$parcov" doctor -C "$B"
grep -q "parcov doctor: no problems found" "$WORK/last.log" || fail "not healthy"
grep -q "ok: all 12 tests of the last ctest run wrote coverage data" "$WORK/last.log" || fail "tests not checked"
run_ok cmake --build "$B" --target coverage

step "the coverage-doctor target runs the same checks"
run_ok cmake --build "$B" --target coverage-doctor
grep -q "parcov doctor: no problems found" "$WORK/last.log" || fail "coverage-doctor: not the doctor's output"

step "a test that runs nothing instrumented is a note, not a problem"
run_ok ctest --test-dir "$B" -R '^cli\.(script|sum)$'
run_ok "$parcov" doctor -C "$B"
grep -q "note: 1 of the 2 tests of the last ctest run run nothing instrumented (no program of this build started in them), so they add nothing to the report: 'cli.script'" \
  "$WORK/last.log" || fail "no note about the test that runs nothing instrumented"
grep -q "ok: the other 1 tests of the last ctest run wrote coverage data" "$WORK/last.log" ||
  fail "cli.sum not checked"
grep -q "parcov doctor: no problems found" "$WORK/last.log" || fail "not healthy"

step "a test that ran an instrumented program and wrote no data stays a problem"
run_ok ctest --test-dir "$B" -R "$NODATA|^cli\.sum\$"
run_fails 1 "1 of the 3 tests of the last ctest run wrote no coverage data: 'cli\.aborts'" \
  "$parcov" doctor -C "$B"
grep -q "note: 1 of the 3 tests .* run nothing instrumented .*: 'cli.script'" "$WORK/last.log" ||
  fail "no note about cli.script"
set +e; cmake --build "$B" --target coverage-doctor >"$WORK/last.log" 2>&1; rc=$?; set -e
cat "$WORK/last.log"
[ $rc -ne 0 ] || fail "the coverage-doctor target succeeded on a problem"
grep -q "wrote no coverage data: 'cli\.aborts'" "$WORK/last.log" || fail "coverage-doctor: no problem shown"
run_ok cmake --build "$B" --target coverage   # not fatal: the report is still right

step "sources never executed appear at 0%, not missing"
run_ok ctest --test-dir "$B" -R '^unit\.eval$'
run_ok "$parcov" doctor -C "$B"
grep -q "note: .* instrumented objects were executed by no test of the last run; the report shows their sources at 0%: .*calc-cli.dir/main.c.gcno" \
  "$WORK/last.log" || fail "no note about never executed objects"
run_ok cmake --build "$B" --target coverage
[ -z "$(find "$B/src" -name main.c.gcda)" ] || fail "main.c.gcda exists: the case is not tested"
python3 - "$B/coverage/coverage.json" <<'PY' || fail "src/main.c is not in the report at 0%"
import json, sys
files = {f["file"]: f for f in json.load(open(sys.argv[1]))["files"]}
lines = [l for l in files["src/main.c"]["lines"] if not l.get("gcovr/noncode")]
assert len(lines) >= 10 and all(l["count"] == 0 for l in lines), lines
PY
grep -Eq "^src/main.c +[0-9]+ +0 +0.0%" "$B/coverage/summary.txt" || fail "main.c not at 0% in summary.txt"

step "ctest -j auto: the pre-test hook says it runs serially and what to type"
run_ok ctest --test-dir "$B" -j auto -E "$NODATA"
grep -Eq "warning: ctest -j auto (runs the tests one at a time: CMake [0-9.]+ reads 'auto' as 1 .*type -j N or -j\\\$\(nproc\)|is not a number of jobs: type a bare -j)" \
  "$WORK/last.log" || fail "no -j auto warning"
run_ok ctest --test-dir "$B" -j2 -E "$NODATA"
if grep -q "ctest -j" "$WORK/last.log"; then fail "-j2 warned"; fi

step "rebuilt after the tests ran: the stale data is named"
echo "/* changed after the tests ran */" >>"$S/src/format.c"
run_ok cmake --build "$B"
run_fails 1 "[0-9]+ data files are older than their objects \(rebuilt since the tests ran\), so they are not counted: .*/format.c.gcda" \
  "$parcov" doctor -C "$B"
grep -q "fix: re-run the tests: ctest --test-dir $B -j N" "$WORK/last.log" || fail "no fix given"
# Some data is still good, but a report without the rest would be wrong: the coverage target
# and parcov report alone stop, unless a partial report is asked for.
coverage_fails "error: [0-9]+ data files are older than their objects.*PARALLEL_COVERAGE_ALLOW_STALE=ON"
run_ok "$parcov" combine -C "$B"
run_fails 1 "data files? of the last test run (is|are) older than (its|their) object.*format.c.gcda.*re-run the tests.*parcov report --allow-stale" \
  "$parcov" report -C "$B"
run_ok "$parcov" report -C "$B" --allow-stale --formats txt
run_ok cmake -S "$S" -B "$B" -DPARALLEL_COVERAGE_ALLOW_STALE=ON
grep -q "^allow_stale=1$" "$B/coverage-data/parcov.conf" || fail "ALLOW_STALE not in parcov.conf"
run_ok cmake --build "$B" --target coverage
grep -q "older build of .*format.c.gcno" "$WORK/last.log" || fail "combine did not name the stale data"
[ "$(grep -c "older than their objects" "$WORK/last.log")" = 0 ] || fail "stale data reported twice"
run_ok cmake -S "$S" -B "$B" -DPARALLEL_COVERAGE_ALLOW_STALE=OFF
run_ok cmake --build "$B" --clean-first
run_fails 1 "data files are older than their objects" "$parcov" doctor -C "$B"
coverage_fails "error: [0-9]+ data files are older than their objects.*; fix: re-run the tests"
run_ok ctest --test-dir "$B" -j2 -E "$NODATA"
run_ok "$parcov" doctor -C "$B"

step "data written by another GCC release than the objects'"
victim=$(find "$(readlink -f "$B/coverage-data/current")/tests" -name 'eval.c.gcda*' | head -1)
printf '*12B' | dd of="$victim" bs=1 seek=4 conv=notrunc status=none   # version word B21*
run_fails 1 "1 data files were written by another GCC version than the one that compiled their objects: $victim \(B21\*\)" \
  "$parcov" doctor -C "$B"
run_ok ctest --test-dir "$B" -j2 -E "$NODATA"

step "gcov of another GCC release, or missing"
printf '#!/bin/sh\necho "gcov (GCC) 9.3.0"\n' >"$WORK/gcov-9"; chmod +x "$WORK/gcov-9"
configure -DPARALLEL_COVERAGE_GCOV="$WORK/gcov-9"
run_fails 1 "$WORK/gcov-9 is gcov 9.3 but the objects were compiled by GCC 12\.[0-9]: gcov would warn \"version 'B2[0-9]\*', prefer 'A93\*'\"" \
  "$parcov" doctor -C "$B"
grep -q "fix: reconfigure with -DPARALLEL_COVERAGE_GCOV=/usr/bin/gcov-12" "$WORK/last.log" || fail "no fix given"
coverage_fails "error: .*gcov-9 is gcov 9.3 but the objects were compiled by GCC"
configure -DPARALLEL_COVERAGE_GCOV="$WORK/no-such-gcov"
run_fails 1 "gcov $WORK/no-such-gcov cannot run: No such file" "$parcov" doctor -C "$B"
configure -DPARALLEL_COVERAGE_GCOV="$gcov"

step "gcov's version from the report's cache, only while it names the same executable"
run_ok cmake --build "$B" --target coverage
cache=$B/coverage-data/gcov-version.txt
[ "$(sed -n 2p "$cache")" = "$gcov" ] || fail "the report cached no version of $gcov"
cp "$cache" "$WORK/gcov-version.saved"
# The cached answer made another release's ("B13*", 11.3): doctor says what the cache says.
sed -i '$ s/.*/4231332a/' "$cache"
run_fails 1 "$gcov is gcov 11\.3 but the objects were compiled by GCC 12" "$parcov" doctor -C "$B"
# A word no gcov version makes ("AAAA"): not trusted, gcov is asked.
cp "$WORK/gcov-version.saved" "$cache"; sed -i '$ s/.*/41414141/' "$cache"
run_ok "$parcov" doctor -C "$B"
grep -q "^ok: gcov $gcov is version 12\.[0-9], like the compiler" "$WORK/last.log" || fail "a damaged cache was trusted"
cp "$WORK/gcov-version.saved" "$cache"; sed -i '$ s/.*/4231332a/' "$cache"
# The same cache for another file (its inode number changed): gcov is asked again.
sed -i '3 s/^\([^ ]*\) \([^ ]*\) [^ ]*/\1 \2 0/' "$cache"
run_ok "$parcov" doctor -C "$B"
grep -q "^ok: gcov $gcov is version 12\.[0-9], like the compiler" "$WORK/last.log" || fail "gcov was not asked again"
cp "$WORK/gcov-version.saved" "$cache"

step "gcovr too old, or missing: a note, a problem only when PARCOV_REPORTER=gcovr asks for it"
printf '#!/bin/sh\necho "gcovr 4.2"\n' >"$WORK/gcovr-4"; chmod +x "$WORK/gcovr-4"
configure -DPARALLEL_COVERAGE_GCOVR="$WORK/gcovr-4"
run_ok "$parcov" doctor -C "$B"
grep -q "^note: $WORK/gcovr-4 is gcovr 4.2, too old: parcov needs gcovr 5.0 or newer: parcov writes the reports itself" \
  "$WORK/last.log" || fail "doctor does not note the old gcovr"
run_ok cmake --build "$B" --target coverage
PARCOV_REPORTER=gcovr run_fails 1 "$WORK/gcovr-4 is gcovr 4.2, too old: parcov needs gcovr 5.0 or newer, and PARCOV_REPORTER=gcovr asks for it" "$parcov" doctor -C "$B"
PARCOV_REPORTER=gcovr coverage_fails "gcovr 4.2, too old"
configure -DPARALLEL_COVERAGE_GCOVR="$WORK/no-such-gcovr"
run_ok "$parcov" doctor -C "$B"
grep -q "^note: gcovr $WORK/no-such-gcovr cannot run" "$WORK/last.log" || fail "doctor does not note the missing gcovr"
PARCOV_REPORTER=gcovr run_fails 1 "gcovr $WORK/no-such-gcovr cannot run" "$parcov" doctor -C "$B"
configure -DPARALLEL_COVERAGE_GCOVR="$gcovr"
run_ok "$parcov" doctor -C "$B"

step "a filesystem without working fcntl locks (LD_PRELOAD: every lock fails with ENOLCK)"
run_fails 1 "is on a filesystem \(.*\) without working fcntl locks \(fcntl\(F_SETLK\) fails: No locks available\)" \
  env LD_PRELOAD="$NOLOCKS" "$parcov" doctor -C "$B"

step "a copied build tree writes its data into the original"
cp -a "$B" "$WORK/copy"
run_fails 1 "$WORK/copy was configured as $B \(copied or moved since\)" "$parcov" doctor -C "$WORK/copy"

step "PARALLEL_COVERAGE switched OFF, then rebuilt"
configure -DPARALLEL_COVERAGE=OFF
run_fails 1 "PARALLEL_COVERAGE is OFF in $B/CMakeCache.txt" "$parcov" doctor -C "$B"
sleep 2.5   # the rebuilt objects must be clearly newer than their old notes
run_ok cmake --build "$B"
run_fails 1 "objects were rebuilt without coverage flags since their .gcno was written" "$parcov" doctor -C "$B"
step "a project with its own coverage-doctor and coverage-clean targets keeps them"
O="$WORK/own"
cp -r "$EXAMPLE" "$O"; rm -rf "$O/build"
cat >>"$O/CMakeLists.txt" <<'CMAKE'
add_custom_target(coverage-doctor COMMAND "${CMAKE_COMMAND}" -E echo "the project own doctor")
add_custom_target(coverage-clean COMMAND "${CMAKE_COMMAND}" -E echo "the project own clean")
CMAKE
run_ok cmake -S "$O" -B "$O/build" -G "$GENERATOR" -DCALC_WITH_PARALLEL_COVERAGE=OFF -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
grep -q "the project has its own 'coverage-doctor' target; ours is 'parcov-coverage-doctor'" "$WORK/last.log" ||
  fail "configure did not name parcov-coverage-doctor"
grep -q "(also: -t parcov-coverage-doctor, -t parcov-coverage-clean)" "$WORK/last.log" ||
  fail "configure did not name our targets"
run_ok cmake --build "$O/build" --target coverage-doctor
grep -q "the project own doctor" "$WORK/last.log" || fail "the project's coverage-doctor was replaced"
run_ok cmake --build "$O/build" --target coverage-clean
grep -q "the project own clean" "$WORK/last.log" || fail "the project's coverage-clean was replaced"
run_ok cmake --build "$O/build" --target parcov-coverage-clean
grep -q "removed the coverage data and reports of $O/build" "$WORK/last.log" || fail "parcov-coverage-clean did not clean"
set +e; cmake --build "$O/build" --target parcov-coverage-doctor >"$WORK/last.log" 2>&1; set -e
grep -q "parcov doctor: checking $O/build" "$WORK/last.log" || fail "parcov-coverage-doctor did not run doctor"
echo "PASS: doctor"

#!/bin/bash
# A project that has its own coverage setup (tests/e2e/own-coverage-project: a Coverage build
# type with its own --coverage flags, its own 'coverage' target) and the shapes of real suites
# (a shared library, a test run through cmake -P, one in the source directory with the
# project's own ENVIRONMENT, one WILL_FAIL, its own CTEST_CUSTOM_PRE_TEST and _POST_TEST
# programs), the module injected with CMAKE_PROJECT_INCLUDE as tests/real-projects.sh does: configure names our target parcov-coverage and says what the
# project's own one reads; the project's flags and target stay; ctest -j4 + parcov-coverage
# equals the plain serial run of the same build type in every count (what ctest ran before and
# after the tests included, not moved aside as stray data), with no gcovr fallback.
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
SRC="$REPO/tests/e2e/own-coverage-project"
REF="$WORK/ref" OURS="$WORK/ours"

step "reference: the project's own Coverage build type, serial, in place"
run_ok cmake $STRICT -S "$SRC" -B "$REF" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Coverage
run_ok cmake --build "$REF" -j2
run_ok ctest --test-dir "$REF" -j1
(cd "$SRC" && gcovr --root . --json "$WORK/ref.json" "$REF") || fail "gcovr failed on the reference"

step "ParallelCoverage injected into the same build type"
run_ok cmake $STRICT -S "$SRC" -B "$OURS" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Coverage \
  -DPARALLEL_COVERAGE=ON -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
grep -q "the project has its own 'coverage' target; ours is 'parcov-coverage' (the project's own reads the data of the last ctest run: ctest merges it beside the .gcno files when it ends)" \
  "$WORK/last.log" || fail "configure did not say what the project's own coverage target reads"
grep -q "the project's own -O kept in C:CMAKE_C_FLAGS_COVERAGE" "$WORK/last.log" ||
  fail "configure did not keep the project's own -O0 of its Coverage build type"
grep -q "then cmake --build $OURS -t parcov-coverage" "$WORK/last.log" ||
  fail "configure did not name parcov-coverage as the command to run"
# Makefiles write a target's flags into its flags.make, Ninja into build.ninja.
grep -rq --include=flags.make --include=build.ninja -- "-g -O0 --coverage -fprofile-arcs -ftest-coverage" "$OURS" ||
  fail "the project's own CMAKE_C_FLAGS_COVERAGE does not reach its compile lines"
run_ok cmake --build "$OURS" -j2
run_ok ctest --test-dir "$OURS" -j4
grep -q "100% tests passed, 0 tests failed out of 4" "$WORK/last.log" || fail "not all 4 tests passed"
run_ok cmake --build "$OURS" --target parcov-coverage
if grep -q "gcovr makes the report" "$WORK/last.log"; then fail "parcov fell back to gcovr"; fi
if grep -q "not counted" "$WORK/last.log"; then fail "data of the run was moved aside"; fi
json_equal "$WORK/ref.json" "$OURS/coverage/coverage.json" ||
  fail "ctest -j4 + parcov-coverage differs from the serial reference"
run_ok cmake --build "$OURS" --target coverage
grep -q "the project own coverage target" "$WORK/last.log" || fail "the project's coverage target was replaced"
echo "PASS: own-coverage"

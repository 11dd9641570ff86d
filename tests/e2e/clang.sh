#!/bin/bash
# Clang under both backends (gcov: Clang's --coverage read by llvm-cov gcov; llvm: source-based
# coverage), tests run with ctest -j4, against ground truth:
#   - the calc example: every count equals a serial run without the module (gcov: gcovr JSON
#     of a plain --coverage build run in place; llvm: each process writes its own profile,
#     merged by hand with llvm-profdata, exported with llvm-cov);
#   - known-count programs (clang-project/): exact counts, including a test that runs two
#     instrumented executables and a shared library;
#   - exclusions and thresholds as with GCC.
# Exits 77 (skipped) when clang-14 is not installed.
. "$(dirname "$0")/lib.sh"
command -v clang-14 >/dev/null || { echo "SKIP: clang-14 is not installed"; exit 77; }
for tool in llvm-cov-14 llvm-profdata-14; do
  command -v $tool >/dev/null || fail "clang-14 is installed but $tool is not (apt-get install llvm-14)"
done
rm -rf "$WORK"; mkdir -p "$WORK"
export CC=clang-14
LLVM_PROFDATA=llvm-profdata-14 LLVM_COV=llvm-cov-14 GCOV_CMD="llvm-cov-14 gcov"
. "$(dirname "$0")/compare-lib.sh"

# The known-count project as one source tree.
KNOWN="$WORK/known-src"
cp -r "$REPO/tests/e2e/clang-project" "$KNOWN"
cp "$REPO/tests/unit/gcda-fixtures/counted.c" "$KNOWN/"

CALC_BINS=(src/calc-cli tests/unit/check_lexer tests/unit/check_eval tests/unit/check_format
           tests/unit/check_stress)

step "llvm: the example under ctest -j4 equals a serial run merged by hand"
ours llvm "$EXAMPLE" "$WORK/llvm-calc"
grep -q "LLVM_PROFILE_FILE=.*/coverage-data/current/tests/.*%m.profraw" \
  "$WORK/llvm-calc/tests/unit/CTestTestfile.cmake" || fail "tests do not get LLVM_PROFILE_FILE"
for f in summary.txt coverage.json coverage.xml coverage.info html/index.html; do
  [ -s "$WORK/llvm-calc/coverage/$f" ] || fail "llvm report $f missing"
done
grep -q "Regions" "$WORK/llvm-calc/coverage/summary.txt" || fail "no region summary"
ref_llvm "$EXAMPLE" "$WORK/llvm-calc-ref" "$WORK/llvm-calc-ref.info" "${CALC_BINS[@]}"
lcov_equal "$WORK/llvm-calc-ref.info" "$WORK/llvm-calc/coverage/coverage.info" ||
  fail "llvm: parallel counts differ from the serial reference"
json_lines_match_lcov "$WORK/llvm-calc/coverage/coverage.json" "$WORK/llvm-calc-ref.info" "$EXAMPLE" ||
  fail "llvm: coverage.json differs from the reference's lines"
python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" \
  "$WORK/llvm-calc/coverage/coverage.xml" || fail "coverage.xml is not well-formed XML"

step "gcov with Clang: the example under ctest -j4 equals a serial run in place"
ours gcov "$EXAMPLE" "$WORK/gcov-calc"
grep -q "^gcov=.*llvm-cov-14' gcov$" "$WORK/gcov-calc/coverage-data/parcov.conf" ||
  fail "Clang's gcov backend does not use llvm-cov-14 gcov"
# parcov's own reader takes llvm-cov gcov's text as gcovr does: no fallback, gcovr's bytes.
if grep -q "gcovr makes the report" "$WORK/last.log"; then fail "gcov/Clang: fell back to gcovr"; fi
(cd "$EXAMPLE" && gcovr --gcov-executable "llvm-cov-14 gcov" --root . --exclude 'tests/' \
   --exclude 'test/' --exclude 'examples/' --exclude-directories "$WORK/gcov-calc/coverage-data\$" \
   --json "$WORK/gcov-calc-gcovr.json" "$WORK/gcov-calc") || fail "gcovr failed"
cmp "$WORK/gcov-calc-gcovr.json" "$WORK/gcov-calc/coverage/coverage.json" ||
  fail "gcov/Clang: coverage.json is not gcovr's byte for byte"
# A big file compiles long after Clang writes its .gcno: doctor must still see the object
# as instrumented (Clang's call llvm_gcda_*, not __gcov_*).
touch -d '+1 minute' "$(find "$WORK/gcov-calc" -name 'eval.c.o' -not -path '*/coverage-data/*')"
run_ok "$(parcov_of "$WORK/gcov-calc")" doctor --before-report -C "$WORK/gcov-calc"
if grep -q "rebuilt without coverage flags" "$WORK/last.log"; then
  fail "gcov/Clang: doctor took an instrumented object for one built without coverage"
fi
ref_gcov "$EXAMPLE" "$WORK/gcov-calc-ref" "$WORK/gcov-calc-ref.json"
json_equal "$WORK/gcov-calc-ref.json" "$WORK/gcov-calc/coverage/coverage.json" ||
  fail "gcov/Clang: parallel counts differ from the serial reference"

for backend in llvm gcov; do
  b="$WORK/$backend-known"
  step "$backend: known counts; one test runs two executables and a shared library"
  ours $backend "$KNOWN" "$b"
  known_counts "$b/coverage/coverage.json" || fail "$backend: counts are not exact"
  if [ $backend = llvm ]; then
    ref_llvm "$KNOWN" "$b-ref" "$b-ref.info" counted twice libshout.so
    lcov_equal "$b-ref.info" "$b/coverage/coverage.info" || fail "llvm: known counts differ from serial"
    # One profile per binary and shared library, in the test's own directory.
    n=$(find "$b/coverage-data/current/tests/" -path '*/mixed-*' -name '*.profraw' | wc -l)
    [ "$n" = 3 ] || fail "the mixed test wrote $n profiles, want 3 (counted, twice, libshout)"
  else
    ref_gcov "$KNOWN" "$b-ref" "$b-ref.json"
    json_equal "$b-ref.json" "$b/coverage/coverage.json" || fail "gcov: known counts differ from serial"
  fi
  parcov=$(parcov_of "$b")

  step "$backend: exclusions and thresholds as with GCC"
  run_ok cmake -S "$KNOWN" -B "$b" -DPARALLEL_COVERAGE_EXCLUDE='shout\.c$'
  run_ok "$parcov" report -C "$b"
  python3 -c "import json,sys; f=[x['file'] for x in json.load(open(sys.argv[1]))['files']]; \
sys.exit(0 if 'counted.c' in f and 'shout.c' not in f else 1)" "$b/coverage/coverage.json" ||
    fail "$backend: PARALLEL_COVERAGE_EXCLUDE not applied"
  ! grep -rq "shout\.c" "$b/coverage/summary.txt" "$b/coverage/coverage.xml" ||
    fail "$backend: excluded file in the reports"
  if [ $backend = llvm ]; then
    ! grep -q "shout\.c" "$b/coverage/coverage.info" || fail "llvm: excluded file in coverage.info"
    [ -z "$(find "$b/coverage/html" -name '*shout.c*')" ] || fail "llvm: excluded file in the HTML"
  fi
  run_ok cmake -S "$KNOWN" -B "$b" -DPARALLEL_COVERAGE_EXCLUDE='tests/' \
    -DPARALLEL_COVERAGE_FAIL_UNDER_LINE=99.5
  run_fails 1 "line coverage [0-9.]+% is below PARALLEL_COVERAGE_FAIL_UNDER_LINE=99.5" \
    "$parcov" report -C "$b"
  [ -s "$b/coverage/summary.txt" ] || fail "$backend: no reports when below the threshold"
  run_ok cmake -S "$KNOWN" -B "$b" -DPARALLEL_COVERAGE_FAIL_UNDER_LINE=50 \
    -DPARALLEL_COVERAGE_FAIL_UNDER_BRANCH=100
  run_fails 1 "branch coverage [0-9.]+% is below PARALLEL_COVERAGE_FAIL_UNDER_BRANCH=100" \
    "$parcov" report -C "$b"
  run_ok cmake -S "$KNOWN" -B "$b" -DPARALLEL_COVERAGE_FAIL_UNDER_BRANCH=10
  run_ok "$parcov" report -C "$b"
done

step "configure errors: llvm with GCC, an unknown backend"
run_fails 1 "PARALLEL_COVERAGE_BACKEND=llvm needs Clang" env CC=gcc cmake -S "$KNOWN" \
  -B "$WORK/gcc-llvm" -DPARALLEL_COVERAGE=ON -DPARALLEL_COVERAGE_BACKEND=llvm \
  -DCMAKE_MODULE_PATH="$REPO/modules"
run_fails 1 "PARALLEL_COVERAGE_BACKEND='lcov' is not one of" cmake -S "$KNOWN" \
  -B "$WORK/bad-backend" -DPARALLEL_COVERAGE=ON -DPARALLEL_COVERAGE_BACKEND=lcov \
  -DCMAKE_MODULE_PATH="$REPO/modules"

step "llvm: report before combine, clean"
b="$WORK/llvm-known"
parcov=$(parcov_of "$b")
run_ok "$parcov" clean -C "$b"
[ ! -e "$b/coverage-data/coverage.profdata" ] && [ ! -e "$b/coverage" ] || fail "clean left llvm data"
run_fails 1 "no combined coverage data" "$parcov" report -C "$b"
run_fails 1 "no coverage data in .*: run the tests first" "$parcov" combine -C "$b"
step "llvm: binaries sharing function names (a program no test runs): one note, nothing raw"
N="$WORK/names-src"
mkdir -p "$N"
cat >"$N/CMakeLists.txt" <<'EOF2'
cmake_minimum_required(VERSION 3.25)
project(names LANGUAGES C)
include(ParallelCoverage)
enable_testing()
add_executable(ran ran.c)
add_executable(idle idle.c)
add_test(NAME ran COMMAND ran 3)
EOF2
printf '#include <stdlib.h>\nint main(int argc, char **argv)\n{\n\tint n = argc > 1 ? atoi(argv[1]) : 0, s = 0;\n\tfor (int i = 0; i < n; i++)\n\t\ts += i;\n\treturn s == 3 ? 0 : 1;\n}\n' >"$N/ran.c"
printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$N/idle.c"
ours llvm "$N" "$WORK/names"
parcov_names=$(parcov_of "$WORK/names")
grep -q "share their name with a function of other code that ran in another binary" "$WORK/last.log" ||
  fail "llvm: no note about binaries sharing function names"
[ "$(grep -c "share their name" "$WORK/last.log")" = 1 ] || fail "llvm: the note is not printed once"
if grep -q "mismatched data" "$WORK/last.log"; then fail "llvm-cov's raw warning reached the terminal"; fi
if grep -q $'\e' "$WORK/last.log"; then fail "ANSI escapes in the coverage output"; fi
grep -q "mismatched data" "$WORK/names/coverage-data/llvm-cov-messages.txt" ||
  fail "llvm-cov's messages are not kept in its log"
step "llvm: a damaged profile is left out with one message, llvm-profdata's kept in its log"
t=$(ls "$WORK/names/coverage-data/current/tests" | head -1)
echo "not a profile" >"$WORK/names/coverage-data/current/tests/$t/damaged.profraw"
run_ok "$parcov_names" combine -C "$WORK/names"
[ "$(grep -c "damaged.profraw" "$WORK/last.log")" = 1 ] || fail "llvm: the damaged profile is not named once"
grep -q "llvm-profdata could not read some profiles and merged the others.*re-run ctest" "$WORK/last.log" ||
  fail "llvm: no message for the damaged profile"
grep -q "damaged.profraw" "$WORK/names/coverage-data/llvm-profdata-messages.txt" ||
  fail "llvm-profdata's messages are not kept in its log"
rm "$WORK/names/coverage-data/current/tests/$t/damaged.profraw"
step "llvm: a binary rebuilt after the tests stops the report, unless ALLOW_STALE"
sleep 1
echo "/* changed after the tests ran */" >>"$N/ran.c"
run_ok cmake --build "$WORK/names"
set +e; cmake --build "$WORK/names" --target coverage >"$WORK/last.log" 2>&1; rc=$?; set -e
cat "$WORK/last.log"
[ $rc -ne 0 ] || fail "llvm: coverage succeeded with a binary rebuilt after the tests"
grep -q "rebuilt after the last test run.*re-run the tests.*PARALLEL_COVERAGE_ALLOW_STALE=ON" \
  "$WORK/last.log" || fail "llvm: no stale message with the fix"
run_ok cmake -S "$N" -B "$WORK/names" -DPARALLEL_COVERAGE_ALLOW_STALE=ON
run_ok cmake --build "$WORK/names" --target coverage
echo "PASS: clang"

#!/bin/bash
# Tests added at test time (tests/e2e/cxx-project: gtest_discover_tests POST_BUILD and
# PRE_TEST, catch_discover_tests, doctest_discover_tests, a TEST_INCLUDE_FILES of the project's
# own) are isolated like configure-time ones: ctest -j4 + coverage equals a plain serial
# --coverage run in place in every line, branch and function count; ctest -R and -L on
# discovered tests equal the serial run of those tests alone; the data set's tests.tsv names
# every discovered test, with parcov's directory for it; the project's own ENVIRONMENT and
# odd arguments survive; the report names a discovered test that aborted. POST_BUILD
# discovery (GoogleTest, Catch2, doctest) leaves no data in the build tree (GCC, and with
# clang-14 both backends): no stray warning, doctor clean; a program run by hand still is
# named. Timeout signals follow the test's own choice (checked with CTest 4.3).
# Exits 77 (skipped) when g++, GoogleTest, Catch2 or doctest is not installed.
. "$(dirname "$0")/lib.sh"
missing=""
command -v g++ >/dev/null || missing="$missing g++"
[ -f /usr/include/gtest/gtest.h ] || missing="$missing libgtest-dev"
[ -f /usr/include/catch2/catch.hpp ] || missing="$missing catch2"
[ -f /usr/include/doctest/doctest.h ] || missing="$missing doctest-dev"
if [ -n "$missing" ]; then
  echo "SKIP: not installed:$missing"
  exit 77
fi
rm -rf "$WORK"; mkdir -p "$WORK"
export CXX=g++
SRC="$REPO/tests/e2e/cxx-project"
REF="$WORK/ref" OURS="$WORK/ours"
ABORT='^own\.abort$'

# gcovr JSON of a reference tree, with the report's root and filters.
ref_json() { # OUT
  (cd "$SRC" && gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
     --json "$1" "$REF") || fail "gcovr failed on the reference"
}
# A serial run of some tests of the reference tree, alone (its data from zero).
ref_alone() { # OUT CTEST-SELECTION...
  local out=$1; shift
  find "$REF" -name '*.gcda' -delete
  run_ok ctest --test-dir "$REF" -j1 "$@"
  ref_json "$out"
}

step "reference: plain --coverage, serial, in place"
run_ok cmake $STRICT -S "$SRC" -B "$REF" -G "$GENERATOR" \
  -DCMAKE_CXX_FLAGS="--coverage -fprofile-abs-path -O0"
run_ok cmake --build "$REF" -j2
run_ok ctest --test-dir "$REF" -j1 -E "$ABORT"
ref_json "$WORK/ref-all.json"
ref_alone "$WORK/ref-one.json" -R '^Mean\.ThrowsOnEmpty$'
ref_alone "$WORK/ref-post.json" -L '^post$'

step "ParallelCoverage: configure counts the directories with test-time tests"
run_ok cmake $STRICT -S "$SRC" -B "$OURS" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCMAKE_MODULE_PATH="$REPO/modules"
grep -q "ParallelCoverage: 6 targets instrumented, 1 tests isolated at configure time, 2 directories with tests added at test time" \
  "$WORK/last.log" || fail "the configure message does not count the discovery directories"
run_ok cmake --build "$OURS" -j2
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$OURS/CMakeCache.txt")
[ -x "$parcov" ] || fail "no parcov in $OURS/CMakeCache.txt"

step "POST_BUILD discovery (gtest, Catch2, doctest) leaves no data in the build tree"
# The build ran gtest_post --gtest_list_tests, catch_tests --list-test-names-only and
# doctest_tests --list-test-cases outside ctest: the runtime sent their data to
# coverage-data/discovery-runs/, which nothing reads.
stray=$(find "$OURS" -name '*.gcda' -not -path "$OURS/coverage-data/*")
[ -z "$stray" ] || fail "POST_BUILD discovery wrote into the build tree: $stray"
for obj in tests/CMakeFiles/gtest_post.dir/gtest_post.cpp tests/CMakeFiles/catch_tests.dir/catch_tests.cpp \
    tests/doctest/CMakeFiles/doctest_tests.dir/doctest_tests.cpp; do
  [ -f "$OURS/coverage-data/discovery-runs/$obj.gcda" ] ||
    fail "no data of the listing run of $obj in coverage-data/discovery-runs/"
done

step "ctest -j4 + coverage equals the serial reference"
run_ok ctest --test-dir "$OURS" -j4 -E "$ABORT"
run=$(readlink -f "$OURS/coverage-data/current")
# PRE_TEST discovery ran gtest_pre while ctest read the tests: its data went to the data
# set's discovery/ directory, not next to the object.
# (ctest's post-test then merged the tests' data there: the only file, parcov's own, and
# nothing of gtest_pre moved aside as written outside ctest.)
grep -q "tests/CMakeFiles/gtest_pre.dir/gtest_pre.cpp.gcda" "$OURS/coverage-data/combined.tsv" ||
  fail "ctest's post-test did not merge gtest_pre's data beside its object"
[ -z "$(find "$OURS/coverage-data" -path '*/stray/*' -name 'gtest_pre.cpp.gcda*')" ] ||
  fail "PRE_TEST discovery wrote its coverage data into the build tree"
[ -n "$(find "$run/discovery" -name 'gtest_pre.cpp.gcda*')" ] ||
  fail "PRE_TEST discovery's data is not in $run/discovery"
run_ok "$parcov" doctor -C "$OURS"
grep -q "outside ctest" "$WORK/last.log" && fail "doctor names data written outside ctest"
run_ok cmake --build "$OURS" --target coverage
grep -Eq "not written by parcov|stray" "$WORK/last.log" && fail "combine moved data aside after a clean build"
grep -q "Tests whose coverage is partial" "$OURS/coverage/summary.txt" &&
  fail "tests listed as partial or missing after a clean run"
json_equal "$WORK/ref-all.json" "$OURS/coverage/coverage.json" ||
  fail "ctest -j4 + coverage differs from the serial reference"

step "tests.tsv: every discovered test by its real name and parcov's directory"
ctest --test-dir "$OURS" -N -E "$ABORT" | sed -n 's/^ *Test *#[0-9]*: //p' | sort >"$WORK/names.txt"
[ "$(wc -l <"$WORK/names.txt")" = 19 ] || { cat "$WORK/names.txt"; fail "expected 19 tests"; }
python3 - "$OURS/coverage-data/tests.tsv" "$run/tests.tsv" "$WORK/names.txt" "$run/tests" <<'PY' >"$WORK/tsv.txt" || fail "tests.tsv check failed"
import os, sys
rows = []
for path in sys.argv[1:3]:
    for line in open(path):
        if line.strip():
            d, h = line.rstrip("\n").split("\t")
            rows.append((d, bytes.fromhex(h).decode()))
names = [l.rstrip("\n") for l in open(sys.argv[3])]
listed = sorted(n for _, n in rows)
missing = sorted(set(names) - set(listed))
if missing or len(listed) != len(set(listed)):
    sys.exit(f"tests.tsv: missing {missing}, or a name twice: {listed}")
for d, n in rows:
    if n in names and not os.path.isdir(os.path.join(sys.argv[4], d)):
        sys.exit(f"test {n!r}: no data directory {d}")
    print(f"{d}\t{n}")
PY
# The directories are parcov's for those names (src/testname.c).
while IFS=$'\t' read -r dir name; do
  [ "$("$parcov" test-dir "$name")" = "$dir" ] || fail "test '$name': $dir is not parcov's directory"
done <"$WORK/tsv.txt"
grep -q "own; test \[1\]" "$WORK/tsv.txt" || fail "the project's own include file's test is not listed"

step "timeout signals: ours unless the test chose its own, as at configure time"
ctest_version=$(ctest --version | sed -n 's/^ctest version \([0-9]*\.[0-9]*\).*/\1/p')
# CTest 4.3's --show-only=json-v1 lists both properties (3.29's does not; before 3.27 there
# are none).
if [ "$(printf '%s\n4.3\n' "$ctest_version" | sort -V | head -1)" = 4.3 ]; then
  ctest --test-dir "$OURS" --show-only=json-v1 >"$WORK/tests.json"
  python3 - "$WORK/tests.json" <<'PY' || fail "timeout signal properties differ from the test's own choice"
import json, sys
tests = {t["name"]: {p["name"]: p["value"] for p in t.get("properties", [])}
         for t in json.load(open(sys.argv[1]))["tests"]}
def expect(name, signal, grace):
    p = tests[name]
    got = (p.get("TIMEOUT_SIGNAL_NAME"), p.get("TIMEOUT_SIGNAL_GRACE_PERIOD"))
    if got[0] != signal or (got[1] is None) != (grace is None) or \
            (grace is not None and float(got[1]) != grace):
        sys.exit(f"{name}: {got}, expected {(signal, grace)}")
expect("Mean.ThrowsOnEmpty", "SIGTERM", 2)    # discovered: ours
expect("own; test [1]", "SIGINT", None)       # discovered, own signal: no grace of ours
expect("configure.zero", "SIGTERM", 3)        # configure time, own grace period kept
PY
else
  echo "NOT CHECKED: CTest $ctest_version does not show TIMEOUT_SIGNAL_* (tests/cmake-versions.sh runs this test on CMake 4.3)"
fi

step "ctest -R one discovered test: exactly its coverage"
run_ok ctest --test-dir "$OURS" -V -R '^Mean\.ThrowsOnEmpty$'
# Its TIMEOUT (gtest_discover_tests PROPERTIES) reaches the runtime's watchdog, as at configure time.
grep -q "PARCOV_TIMEOUT=60" "$WORK/last.log" || fail "the discovered test's TIMEOUT is not passed on"
run_ok cmake --build "$OURS" --target coverage
json_equal "$WORK/ref-one.json" "$OURS/coverage/coverage.json" ||
  fail "ctest -R Mean.ThrowsOnEmpty differs from that test alone"

step "ctest -L: the discovered tests of one label"
run_ok ctest --test-dir "$OURS" -j4 -L '^post$'
run_ok cmake --build "$OURS" --target coverage
json_equal "$WORK/ref-post.json" "$OURS/coverage/coverage.json" ||
  fail "ctest -L post differs from those tests alone"

step "a discovered test that aborts is named in the report"
run_fails 8 "own\.abort" ctest --test-dir "$OURS" -R "$ABORT"
run_ok cmake --build "$OURS" --target coverage
grep -Eq "own\.abort: process [0-9]+ ended by SIGABRT" "$OURS/coverage/summary.txt" ||
  fail "the report does not name own.abort"

step "a test program run by hand is still named; a listing run by hand is not data"
(cd "$OURS/tests" && ./gtest_post --gtest_list_tests >/dev/null && ./doctest/doctest_tests -ltc >/dev/null) ||
  fail "listing by hand failed"
[ -z "$(find "$OURS" -name '*.gcda' -not -path "$OURS/coverage-data/*" -newer "$OURS/coverage/summary.txt")" ] ||
  fail "a listing run by hand wrote into the build tree"
(cd "$OURS/tests" && CXX_FIXTURE=post ./gtest_post >/dev/null) || fail "gtest_post run by hand failed"
run_fails 1 "gtest_post.cpp.gcda" "$parcov" doctor -C "$OURS"
grep -q "outside ctest" "$WORK/last.log" || fail "doctor does not say the data came from outside ctest"
run_ok "$parcov" combine -C "$OURS"
grep -q "gtest_post.cpp.gcda was not written by parcov" "$WORK/last.log" ||
  fail "combine does not name the hand-run program's data"

step "llvm backend (clang-14): POST_BUILD discovery leaves no default.profraw; counts equal a serial run"
if ! command -v clang++-14 >/dev/null || ! command -v llvm-profdata-14 >/dev/null ||
   ! command -v llvm-cov-14 >/dev/null; then
  echo "NOT CHECKED: clang++-14, llvm-profdata-14 or llvm-cov-14 is not installed"
else
  LL="$WORK/llvm" LLREF="$WORK/llvm-ref"
  run_ok env CXX=clang++-14 cmake $STRICT -S "$SRC" -B "$LL" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_MODULE_PATH="$REPO/modules"
  run_ok cmake --build "$LL" -j2
  stray=$(find "$LL" -name '*.profraw' -not -path "$LL/coverage-data/*")
  [ -z "$stray" ] || fail "llvm: POST_BUILD discovery wrote profiles into the build tree: $stray"
  [ "$(find "$LL/coverage-data/discovery-runs" -name '*.profraw' | wc -l)" -ge 3 ] ||
    fail "llvm: the listing runs' profiles are not in coverage-data/discovery-runs/"
  run_ok ctest --test-dir "$LL" -j4 -E "$ABORT"
  stray=$(find "$LL" -name '*.profraw' -not -path "$LL/coverage-data/*")
  [ -z "$stray" ] || fail "llvm: profiles outside coverage-data after ctest: $stray"
  run_ok cmake --build "$LL" --target coverage
  # The reference: plain source-based coverage, serial, one profile per process, merged by hand.
  run_ok env CXX=clang++-14 cmake $STRICT -S "$SRC" -B "$LLREF" -G "$GENERATOR" \
    -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping -O0"
  run_ok cmake --build "$LLREF" -j2
  LLVM_PROFILE_FILE="$LLREF/profiles/%p.profraw" run_ok ctest --test-dir "$LLREF" -j1 -E "$ABORT"
  run_ok llvm-profdata-14 merge -sparse "$LLREF"/profiles/*.profraw -o "$LLREF/all.profdata"
  args=(-instr-profile="$LLREF/all.profdata" "$LLREF/libgeometry.so")
  for bin in tests/gtest_post tests/gtest_pre tests/catch_tests tests/own_check tests/doctest/doctest_tests; do
    args+=(-object="$LLREF/$bin")
  done
  for re in tests/ test/ examples/; do args+=(-ignore-filename-regex="^$SRC/$re"); done
  llvm-cov-14 export -format=lcov "${args[@]}" "$SRC" >"$WORK/llvm-ref.info" || fail "llvm-cov export failed"
  lcov_equal "$WORK/llvm-ref.info" "$LL/coverage/coverage.info" ||
    fail "llvm: counts differ from the serial reference"
  # Clang's gcov backend: the runtime sets GCOV_PREFIX for the listing runs, as with GCC.
  CG="$WORK/clang-gcov"
  run_ok env CXX=clang++-14 cmake $STRICT -S "$SRC" -B "$CG" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DPARALLEL_COVERAGE_BACKEND=gcov -DCMAKE_MODULE_PATH="$REPO/modules"
  run_ok cmake --build "$CG" -j2
  stray=$(find "$CG" -name '*.gcda' -not -path "$CG/coverage-data/*")
  [ -z "$stray" ] || fail "Clang gcov: POST_BUILD discovery wrote into the build tree: $stray"
  [ -f "$CG/coverage-data/discovery-runs/tests/CMakeFiles/gtest_post.dir/gtest_post.cpp.gcda" ] ||
    fail "Clang gcov: the listing run's data is not in coverage-data/discovery-runs/"
fi

echo "PASS"

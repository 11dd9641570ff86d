#!/bin/bash
# A project's own lcov and gcovr targets (the CodeCoverage.cmake pattern, written here from
# scratch, one with CodeCoverage.cmake's baseline, add and remove steps and genhtml): with the
# module injected they must not fail, and must give the numbers of the
# same project without the module, tests run serially. Both orders: the target running
# ctest itself ('lcov --zerocounters', ctest -j2, 'lcov --capture'), and the user running
# ctest -j2 and then a target that only captures. Per-test data is kept apart under
# coverage-data/, where lcov would stop at the first .gcda without its .gcno and gcovr would
# count nothing: ctest's post-test merges the run beside the .gcno files and renames the
# per-test files out of the *.gcda search (README "Using it in your project").
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
if ! command -v lcov >/dev/null || ! command -v gcovr >/dev/null; then
  echo "SKIP: lcov or gcovr is not installed (apt-get install lcov gcovr)"
  exit 77
fi
SRC="$WORK/src" REF="$WORK/ref" OURS="$WORK/ours"
mkdir -p "$SRC"
cat >"$SRC/words.h" <<'EOF'
int classify(int x);
int sum_to(int n);
static inline int twice(int x) { return x > 100 ? x : 2 * x; }
EOF
cat >"$SRC/words.c" <<'EOF'
#include "words.h"
int classify(int x)
{
	if (x < 0)
		return -1;
	if (x == 0)
		return 0;
	return twice(1) - 1;
}
int sum_to(int n)
{
	int s = 0;
	for (int i = 1; i <= n; i++)
		s += i;
	return s;
}
EOF
cat >"$SRC/tool.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "words.h"
int main(int argc, char **argv)
{
	int x = atoi(argv[1]);
	if (argc > 3) { /* a child process of the test, as real suites have */
		pid_t pid = fork();
		if (pid == 0)
			return sum_to(twice(x)) > 0 ? 0 : 3;
		waitpid(pid, NULL, 0);
	}
	printf("%d\n", sum_to(x > 0 ? x : 0));
	return classify(x) == atoi(argv[2]) ? 0 : 1;
}
EOF
cat >"$SRC/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(ownlcov C)
enable_testing()
# The project's own coverage build, as CodeCoverage.cmake sets it up.
add_compile_options(--coverage -O0)
add_link_options(--coverage)
add_subdirectory(lib)
add_executable(tool tool.c)
target_link_libraries(tool PRIVATE words)
target_include_directories(tool PRIVATE "${CMAKE_SOURCE_DIR}")
add_test(NAME negative COMMAND tool -3 -1)
add_test(NAME zero COMMAND tool 0 0)
add_test(NAME positive COMMAND tool 5 1)
add_test(NAME forks COMMAND tool 7 1 fork)
add_test(NAME fails COMMAND tool 4 0)
set_tests_properties(fails PROPERTIES WILL_FAIL TRUE)
set(OWN_CTEST_J 2 CACHE STRING "ctest -j of the project's own coverage target")
set(B "${CMAKE_BINARY_DIR}")
set(capture lcov --quiet --capture --rc lcov_branch_coverage=1 --directory "${B}"
  --output-file "${B}/own.info")
# Runs the tests itself: zero the counters, ctest, capture.
add_custom_target(coverage
  COMMAND lcov --quiet --zerocounters --directory "${B}"
  COMMAND ctest -j ${OWN_CTEST_J}
  COMMAND ${capture}
  WORKING_DIRECTORY "${B}" VERBATIM)
# CodeCoverage.cmake's lcov recipe: a baseline of every object (.gcno), the tests, the capture,
# both added up, system headers removed, genhtml.
set(rc --rc lcov_branch_coverage=1)
add_custom_target(baseline-coverage
  COMMAND lcov --quiet --directory . -b "${CMAKE_SOURCE_DIR}" --zerocounters
  COMMAND lcov --quiet ${rc} -c -i -d . -b "${CMAKE_SOURCE_DIR}" -o base.info
  COMMAND ctest -j ${OWN_CTEST_J}
  COMMAND lcov --quiet ${rc} -d . -b "${CMAKE_SOURCE_DIR}" --capture -o run.info
  COMMAND lcov --quiet ${rc} -a base.info -a run.info -o total.info
  COMMAND lcov --quiet ${rc} --remove total.info "/usr/*" -o own-baseline.info
  COMMAND genhtml --quiet --branch-coverage own-baseline.info -o own-html
  WORKING_DIRECTORY "${B}" VERBATIM)
# Captures what the last ctest left.
add_custom_target(lcov-capture COMMAND ${capture} WORKING_DIRECTORY "${B}" VERBATIM)
add_custom_target(gcovr-report
  COMMAND gcovr --root "${CMAKE_SOURCE_DIR}" --json "${B}/own.json" "${B}"
  WORKING_DIRECTORY "${B}" VERBATIM)
EOF
mkdir -p "$SRC/lib"
mv "$SRC/words.c" "$SRC/lib/"
cat >"$SRC/lib/CMakeLists.txt" <<'EOF'
add_library(words STATIC words.c)
target_include_directories(words PUBLIC "${CMAKE_SOURCE_DIR}")
EOF

# own_reports DIR NAME: the project's lcov tracefile and gcovr JSON, kept as NAME.info/.json.
own_reports() {
  run_ok cmake --build "$1" --target gcovr-report
  cp "$1/own.info" "$WORK/$2.info"
  cp "$1/own.json" "$WORK/$2.json"
}
# same_as_reference NAME: both of NAME's reports have the reference's counts.
same_as_reference() {
  lcov_equal "$WORK/ref.info" "$WORK/$1.info" || fail "$1: lcov's tracefile differs from the reference"
  json_equal "$WORK/ref.json" "$WORK/$1.json" || fail "$1: gcovr's JSON differs from the reference"
  grep -q '^DA:' "$WORK/$1.info" || fail "$1: no line counts in lcov's tracefile"
}

step "reference: the project alone, its coverage target running the tests serially"
run_ok cmake $STRICT -S "$SRC" -B "$REF" -G "$GENERATOR" -DOWN_CTEST_J=1
run_ok cmake --build "$REF" -j2
run_ok cmake --build "$REF" --target coverage
own_reports "$REF" ref
run_ok cmake --build "$REF" --target baseline-coverage
cp "$REF/own-baseline.info" "$WORK/ref-baseline.info"
grep -q "BRDA:.*,1\$" "$WORK/ref.info" || fail "the reference has no branch counts"

step "the module injected; the project's own coverage target runs ctest -j2 itself"
run_ok cmake $STRICT -S "$SRC" -B "$OURS" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
grep -q "ours is 'parcov-coverage' (the project's own reads the data of the last ctest run" \
  "$WORK/last.log" || fail "configure did not say what the project's own coverage target reads"
run_ok cmake --build "$OURS" -j2
run_ok cmake --build "$OURS" --target coverage
own_reports "$OURS" inside
same_as_reference inside
run_ok cmake --build "$OURS" --target baseline-coverage
lcov_equal "$WORK/ref-baseline.info" "$OURS/own-baseline.info" ||
  fail "the baseline recipe's tracefile differs from the reference"
[ -f "$OURS/own-html/index.html" ] || fail "genhtml wrote no report"
# Not one data file of the run left where lcov or gcovr search: only beside the .gcno files.
stray=$(find "$OURS" -name '*.gcda' | while read -r f; do [ -e "${f%.gcda}.gcno" ] || echo "$f"; done)
[ -z "$stray" ] || fail "data files without their .gcno are left in the build tree: $stray"

step "ours after theirs: the same numbers (their lcov --zerocounters removed our merged files)"
run_ok cmake --build "$OURS" --target parcov-coverage
json_equal "$WORK/ref.json" "$OURS/coverage/coverage.json" || fail "parcov-coverage differs from the reference"

step "the user runs ctest -j2 (again and again: recycled trees), then a target that only captures"
for i in 1 2 3 4; do
  run_ok ctest --test-dir "$OURS" -j2
done
run_ok cmake --build "$OURS" --target lcov-capture
own_reports "$OURS" after
same_as_reference after
# The recycled trees are reused in place, so the renaming costs no new files: the same inode
# for a test's data file three ctest runs later (trees go round current, kept and skeleton).
inode() { stat -c %i "$OURS"/coverage-data/current/tests/zero-*/lib/CMakeFiles/words.dir/words.c.gcda*; }
first=$(inode)
for i in 1 2 3; do run_ok ctest --test-dir "$OURS" -j2; done
[ "$(inode)" = "$first" ] || fail "the recycled data file of test zero was not reused ($first, now $(inode))"

step "ours, then theirs again: nothing counted twice"
run_ok cmake --build "$OURS" --target parcov-coverage
json_equal "$WORK/ref.json" "$OURS/coverage/coverage.json" || fail "parcov-coverage differs from the reference"
run_ok cmake --build "$OURS" --target lcov-capture
own_reports "$OURS" again
same_as_reference again
run_ok cmake --build "$OURS" --target coverage-doctor

step "Ninja Multi-Config: ctest -C Debug -j2, then the project's capture (its own config's data)"
if command -v ninja >/dev/null; then
  MC="$WORK/multi"
  run_ok cmake $STRICT -S "$SRC" -B "$MC" -G "Ninja Multi-Config" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
  run_ok cmake --build "$MC" --config Debug -j2
  for i in 1 2 3; do run_ok ctest --test-dir "$MC" -C Debug -j2; done
  run_ok cmake --build "$MC" --config Debug --target lcov-capture
  own_reports "$MC" multi
  same_as_reference multi
else
  echo "SKIPPED Ninja Multi-Config: ninja is not installed"
fi
echo "PASS: own-lcov"

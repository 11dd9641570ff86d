#!/bin/bash
# Every test gets its own data directory: hostile names (spaces, slashes, '..', ';', non-ASCII),
# tests declared before the include, in subdirectories, and tests that set ENVIRONMENT
# themselves (their variables must survive). Nothing is written outside the build tree.
. "$(dirname "$0")/lib.sh"
S="$WORK/src" B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$S/sub" "$S/early"
cat >"$S/probe.c" <<'C'
/* Exit 0 when the environment variable named by argv[1] (if any) equals argv[2]. */
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	const char *v = argc > 2 ? getenv(argv[1]) : NULL;
	return argc > 2 && (!v || strcmp(v, argv[2])) ? 1 : 0;
}
C
cat >"$S/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(names C)
enable_testing()
add_executable(probe probe.c)
add_test(NAME "declared before include" COMMAND probe)
add_subdirectory(early)
list(APPEND CMAKE_MODULE_PATH "$REPO/modules")
include(ParallelCoverage)
add_test(NAME "with space" COMMAND probe)
add_test(NAME "slash/inside" COMMAND probe)
add_test(NAME "../../escape" COMMAND probe)
add_test(NAME "semi;colon" COMMAND probe)
add_test(NAME "ünïcödé ✓" COMMAND probe)
add_test(NAME "own-env" COMMAND probe FOO bar)
set_tests_properties("own-env" PROPERTIES ENVIRONMENT "FOO=bar;BAZ=1")
add_subdirectory(sub)
CMAKE
cat >"$S/sub/CMakeLists.txt" <<'CMAKE'
add_test(NAME "in subdirectory" COMMAND probe)
add_test(NAME "sub own-env" COMMAND probe GCOV_PREFIX_STRIP_CHECK x)
set_tests_properties("sub own-env" PROPERTIES ENVIRONMENT "GCOV_PREFIX_STRIP_CHECK=x")
CMAKE
cat >"$S/early/CMakeLists.txt" <<'CMAKE'
add_test(NAME "in early subdirectory" COMMAND probe)
CMAKE

run_ok cmake $STRICT -S "$S" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON
cmake_minor=$(cmake --version | sed -n 's/^cmake version \([0-9]*\.[0-9]*\).*/\1/p')
if printf '%s\n3.28\n' "$cmake_minor" | sort -V -C; then
  expected=9   # before 3.28 the early subdirectory cannot be changed: a warning says so
  grep -q "declared before" "$WORK/last.log" ||
    fail "no warning about the early subdirectory"
else
  expected=10
fi
run_ok cmake --build "$B"
run_ok ctest --test-dir "$B" -j4
dirs=$(ls "$B/coverage-data/current/tests" | wc -l)
[ "$dirs" = "$expected" ] || fail "expected $expected test data directories, found $dirs"
for d in "$B"/coverage-data/current/tests/*; do
  [ -n "$(find "$d" -name 'probe.c.gcda*')" ] || fail "$d has no data"
done
# '../../escape' stayed inside: no .gcda anywhere outside the build tree's data.
[ -z "$(find "$WORK" -name '*.gcda*' -not -path "$B/coverage-data/*" -not -path "$B/CMakeFiles/probe.dir/*")" ] ||
  fail "data written outside the per-test directories"
run_ok cmake --build "$B" --target coverage
grep -q "^probe.c " "$B/coverage/summary.txt" || fail "probe.c missing from the summary"
echo "PASS: names"

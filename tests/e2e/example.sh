#!/bin/bash
# The example under ParallelCoverage in one of three setups (installed package, vendored
# copy, CMAKE_PROJECT_INCLUDE injection): ctest -j4 and ctest -j1 must both give exactly the
# reference's gcovr JSON (every line, branch and function count).
. "$(dirname "$0")/lib.sh"
mode=$1
B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$WORK"
case $mode in
installed)
  run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PREFIX_PATH="$PREFIX"
  grep -q "^PARALLEL_COVERAGE_PARCOV:FILEPATH=$PREFIX/bin/parcov$" "$B/CMakeCache.txt" ||
    fail "the installed parcov was not used"
  # The package holds the whole module, private files included, and configure read those.
  mod="$PREFIX/share/ParallelCoverage/modules"
  diff -r "$REPO/modules" "$mod" || fail "the installed module differs from $REPO/modules"
  for f in "$mod"/ParallelCoverage/*.cmake; do
    [ "${f##*/}" = DiscoveredTests.cmake ] && continue   # read by ctest, not by configure
    grep -qsF "$f" "$B/build.ninja" "$B/CMakeFiles/Makefile.cmake" ||
      fail "configure did not read the installed $f"
  done
  ;;
vendored)
  # A project that add_subdirectory()s this repository, then includes the module from a
  # subdirectory of its own: the module's deferred end runs in the top-level directory,
  # which does not see the subdirectory's variables.
  mkdir -p "$WORK/src/sub"
  cat >"$WORK/src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(vendoring C)
add_subdirectory("$REPO" parallelcoverage)
enable_testing()
add_subdirectory(sub)
CMAKE
  cat >"$WORK/src/sub/CMakeLists.txt" <<CMAKE
include(ParallelCoverage)
set(CALC_WITH_PARALLEL_COVERAGE OFF)
add_subdirectory("$EXAMPLE" calc)
CMAKE
  run_ok cmake $STRICT -S "$WORK/src" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DPARALLEL_COVERAGE_ROOT="$EXAMPLE"
  ;;
injected)
  # The example with its own include switched off: a project that knows nothing of us.
  run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
  ;;
*) fail "unknown mode $mode" ;;
esac
grep -q "ParallelCoverage: .* targets instrumented, 12 tests isolated" "$WORK/last.log" ||
  fail "configure did not report 12 isolated tests"
run_ok cmake --build "$B"

for jobs in 4 1; do
  step "$mode: ctest -j$jobs, then the coverage target"
  run_ok ctest --test-dir "$B" -j$jobs
  run_ok cmake --build "$B" --target coverage
  for f in summary.txt coverage.json coverage.xml html/index.html; do
    [ -s "$B/coverage/$f" ] || fail "coverage/$f missing or empty"
  done
  grep -q "^src/eval.c " "$B/coverage/summary.txt" || fail "summary.txt lacks src/eval.c"
  json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" ||
    fail "ctest -j$jobs: counts differ from the serial reference"
done
# parcov itself is never instrumented.
if find "$B" -path "$B/coverage-data" -prune -o -name '*.gcno' -print | grep -Eq 'parcov|_parcov'; then
  fail "parcov was built with coverage flags"
fi
if [ "$mode" = injected ]; then
  # The same build tree given another copy of the module: parcov is built from that copy,
  # not left as the first copy's build.
  step "injected: another copy of the module on the same build tree"
  copy="$WORK/other-copy"
  mkdir -p "$copy"
  cp -r "$REPO/CMakeLists.txt" "$REPO/cmake" "$REPO/modules" "$REPO/src" "$copy/"
  run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -DCMAKE_PROJECT_INCLUDE="$copy/modules/ParallelCoverage.cmake"
  grep -q "building it again from $copy" "$WORK/last.log" ||
    fail "configure did not say it rebuilds parcov from the other copy"
  grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$copy" "$B/_parcov/CMakeCache.txt" ||
    fail "parcov is still built from $(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$B/_parcov/CMakeCache.txt")"
  run_ok cmake $STRICT -S "$EXAMPLE" -B "$B"
  grep -q "building it again" "$WORK/last.log" && fail "parcov rebuilt although its sources did not move"
  run_ok ctest --test-dir "$B" -j4
  run_ok cmake --build "$B" --target coverage
  json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" ||
    fail "after the module moved: counts differ from the serial reference"
fi
echo "PASS: $mode"

#!/bin/bash
# Ninja Multi-Config with the module injected into the example: two configurations built side
# by side, each tested with ctest -C X -j4 and reported with cmake --build --config X -t
# coverage; every report must equal the serial reference exactly, whichever configuration
# ran last: switching configurations never mixes or drops their data. Also the
# coverage-doctor and coverage-clean targets per configuration.
# Exits 77 (skipped) when ninja is not installed.
. "$(dirname "$0")/lib.sh"
command -v ninja >/dev/null || { echo "SKIP: ninja is not installed (apt-get install ninja-build)"; exit 77; }
B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$WORK"

# coverage_of CONFIG REFERENCE.json: the coverage target of CONFIG equals the reference, and
# reads only CONFIG's objects.
coverage_of() {
  run_ok cmake --build "$B" --config "$1" --target coverage
  json_equal "$2" "$B/coverage/coverage.json" || fail "--config $1: counts differ from $2"
  if grep -E "^parcov: wrote [0-9]+ \.gcda" "$WORK/last.log" >/dev/null; then :; else
    fail "--config $1: combine wrote nothing"
  fi
}
# gcda_configs: the configuration directories the combined .gcda files of the build tree are in.
gcda_configs() {
  find "$B" -path "$B/coverage-data" -prune -o -path "$B/_parcov" -prune -o -name '*.gcda' -print |
    sed -n 's|.*\.dir/\([A-Za-z]*\)/.*|\1|p' | sort -u | tr '\n' ' '
}

run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -G "Ninja Multi-Config" -DCMAKE_CONFIGURATION_TYPES="Debug;Release" \
  -DPARALLEL_COVERAGE=ON -DCALC_WITH_PARALLEL_COVERAGE=OFF \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
grep -q "ParallelCoverage: .* targets instrumented, 12 tests isolated" "$WORK/last.log" ||
  fail "configure did not report 12 isolated tests"
run_ok cmake --build "$B" --config Debug
run_ok cmake --build "$B" --config Release

step "Debug: ctest -C Debug -j4, coverage --config Debug"
run_ok ctest --test-dir "$B" -C Debug -j4
coverage_of Debug "$REF_DIR/all.json"
[ "$(gcda_configs)" = "Debug " ] || fail "after Debug's coverage, .gcda files of: $(gcda_configs)"

step "Release: ctest -C Release -j4, coverage --config Release; Debug's report is unchanged"
run_ok ctest --test-dir "$B" -C Release -j4
coverage_of Release "$REF_DIR/all.json"
[ "$(gcda_configs)" = "Debug Release " ] || fail ".gcda files of: $(gcda_configs)"
coverage_of Debug "$REF_DIR/all.json"

step "ctest -C Release -R one test: Release shows exactly that test, Debug keeps its last run"
run_ok ctest --test-dir "$B" -C Release -R '^unit\.eval$'
coverage_of Release "$REF_DIR/one.json"
coverage_of Debug "$REF_DIR/all.json"

step "coverage-doctor and coverage-clean per configuration"
run_ok cmake --build "$B" --config Debug --target coverage-doctor
grep -q "parcov doctor: no problems found" "$WORK/last.log" || fail "Debug is not healthy"
run_ok cmake --build "$B" --config Release --target coverage-clean
[ "$(gcda_configs)" = "Debug " ] || fail "coverage-clean --config Release left .gcda files of: $(gcda_configs)"
set +e; cmake --build "$B" --config Release --target coverage >"$WORK/last.log" 2>&1; rc=$?; set -e
cat "$WORK/last.log"
[ $rc -ne 0 ] || fail "Release's coverage succeeded after coverage-clean"
grep -q "no coverage data" "$WORK/last.log" || fail "Release's coverage: no 'no coverage data' message"
coverage_of Debug "$REF_DIR/all.json"

step "parcov without --config takes the default configuration (Debug); an unknown one is an error"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
case $parcov in */_parcov/Release/parcov) ;; *) fail "bootstrap parcov at $parcov" ;; esac
run_ok "$parcov" combine -C "$B"
grep -q "coverage-data/configs/Debug/runs/" "$WORK/last.log" || fail "combine did not take Debug's data"
run_fails 1 "no configuration 'MinSizeRel' in this build tree: use --config with one of Debug, Release" \
  "$parcov" report -C "$B" --config MinSizeRel
echo "PASS: multiconfig"

#!/bin/bash
# Ninja Multi-Config with the module injected into the example: two configurations built side
# by side, each tested with ctest -C X -j4 and reported with cmake --build --config X -t
# coverage; every report must equal the serial reference exactly, whichever configuration
# ran last: switching configurations never mixes or drops their data. Also the
# coverage-doctor and coverage-clean targets per configuration. Then tests declared with the
# old signature add_test(name command), in a project of their own, against its own reference.
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
# What test programs listing their tests wrote at build time (the runtime writes it at the top
# of coverage-data/ in every configuration) goes too.
mkdir -p "$B/coverage-data/discovery-runs/calc/src"; : >"$B/coverage-data/discovery-runs/calc/src/main.c.gcda"
run_ok cmake --build "$B" --config Release --target coverage-clean
[ "$(gcda_configs)" = "Debug " ] || fail "coverage-clean --config Release left .gcda files of: $(gcda_configs)"
[ ! -e "$B/coverage-data/discovery-runs" ] || fail "coverage-clean --config Release left coverage-data/discovery-runs/"
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

step "add_test(name command) tests, whose properties CMake leaves unevaluated, count like the others"
# The example plus tests of the old signature at the top and in a directory of their own; the
# reference is the same project built with plain --coverage, its tests run serially.
P="$WORK/oldsig"; mkdir -p "$P/more"
cat >"$P/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(oldsig C)
enable_testing()
add_subdirectory("$EXAMPLE" calc)
# CTest finds the program of the configuration it tests in calc/src/<config>/.
add_test(old.sum "\${CMAKE_BINARY_DIR}/calc/src/calc-cli" "1 + 2")
set_tests_properties(old.sum PROPERTIES PASS_REGULAR_EXPRESSION "^3\\n" ENVIRONMENT "OLD=1")
add_subdirectory(more)
EOF
cat >"$P/more/CMakeLists.txt" <<'EOF'
add_test(old.raw "${CMAKE_BINARY_DIR}/calc/src/calc-cli" --raw "2 * 3 - 10")
add_test(old.fails "${CMAKE_BINARY_DIR}/calc/src/calc-cli" "1 / 0")
set_tests_properties(old.fails PROPERTIES WILL_FAIL TRUE)
EOF
R="$WORK/oldsig-ref"
run_ok cmake $STRICT -S "$P" -B "$R" -G "$GENERATOR" -DCALC_WITH_PARALLEL_COVERAGE=OFF \
  -DCMAKE_C_FLAGS="$COVERAGE_FLAGS"
run_ok cmake --build "$R"
run_ok ctest --test-dir "$R" -j1
gcovr_json "$R" "$WORK/oldsig-ref.json"
B2="$WORK/oldsig-build"
run_ok cmake $STRICT -S "$P" -B "$B2" -G "Ninja Multi-Config" -DCMAKE_CONFIGURATION_TYPES="Debug;Release" \
  -DPARALLEL_COVERAGE=ON -DCALC_WITH_PARALLEL_COVERAGE=OFF -DPARALLEL_COVERAGE_ROOT="$EXAMPLE" \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
grep -q "ParallelCoverage: .* targets instrumented, 15 tests isolated" "$WORK/last.log" ||
  fail "configure did not report 15 isolated tests"
run_ok cmake --build "$B2" --config Debug
run_ok cmake --build "$B2" --config Release
for config in Release Debug; do
  run_ok ctest --test-dir "$B2" -C $config -j4
  run_ok cmake --build "$B2" --config $config --target coverage
  json_equal "$WORK/oldsig-ref.json" "$B2/coverage/coverage.json" ||
    fail "old-signature tests, --config $config: counts differ from the serial reference"
done
# Without the old-signature tests' data the report would be the example's alone.
if json_equal "$REF_DIR/all.json" "$B2/coverage/coverage.json" >/dev/null; then
  fail "the report equals the example's alone: the old-signature tests' data is not in it"
fi
[ ! -e "$B2/coverage-data/configs/\$<CONFIG>" ] || fail "data written to a literal configs/\$<CONFIG>/"
run_ok cmake --build "$B2" --config Debug --target coverage-doctor
grep -q "parcov doctor: no problems found" "$WORK/last.log" || fail "the old-signature build is not healthy"
# Data an earlier version of the module left in a literal configs/$<CONFIG>/ is named.
lost="$B2/coverage-data/configs/\$<CONFIG>/current/tests/$("$parcov" test-dir old.sum)/calc/src"
mkdir -p "$lost"; : >"$lost/main.c.gcda"
run_fails 1 'problem: coverage data of 1 test declared with add_test\(name command\) is in .*configs/\$<CONFIG>, which no report reads .*: old\.sum$' \
  "$parcov" doctor -C "$B2" --config Release
rm -r "$B2/coverage-data/configs/\$<CONFIG>"
# ctest started in the subdirectory reads that CTestTestfile.cmake first, by a relative name.
(cd "$B2/more" && ctest -C Release --show-only=json-v1) >"$WORK/more.json"
python3 - "$WORK/more.json" "$B2/coverage-data/configs/Release/current/tests/" <<'PY' ||
import json, sys
tests = json.load(open(sys.argv[1]))["tests"]
env = {t["name"]: [v for p in t.get("properties", []) if p["name"] == "ENVIRONMENT" for v in p["value"]]
       for t in tests}
assert sorted(env) == ["old.fails", "old.raw"], env
for name, values in env.items():
    assert any(v.startswith("GCOV_PREFIX=" + sys.argv[2]) for v in values), (name, values)
PY
  fail "ctest in $B2/more -C Release: the old-signature tests do not write into Release's data"
# Without -C CTest runs the first build of the program it finds: said, not guessed silently.
run_ok ctest --test-dir "$B2" -N
grep -q "ParallelCoverage: ctest without -C: tests declared with" "$WORK/last.log" ||
  fail "ctest without -C: no warning about the old-signature tests"

echo "PASS: multiconfig"

#!/bin/bash
# Ground truth: the example built with plain --coverage (ParallelCoverage off), tests run
# serially in place, gcovr JSON of the whole suite and of one test alone.
. "$(dirname "$0")/lib.sh"
rm -rf "$REF_DIR"; mkdir -p "$REF_DIR"
configure() { # BUILD_DIR
  run_ok cmake $STRICT -S "$EXAMPLE" -B "$1" -G "$GENERATOR" -DCALC_WITH_PARALLEL_COVERAGE=OFF \
    -DCMAKE_C_FLAGS="$COVERAGE_FLAGS"
  run_ok cmake --build "$1"
}
step "reference: whole suite, serial"
configure "$REF_DIR/all"
run_ok ctest --test-dir "$REF_DIR/all" -j1
gcovr_json "$REF_DIR/all" "$REF_DIR/all.json"

step "reference: unit.eval alone"
configure "$REF_DIR/one"
run_ok ctest --test-dir "$REF_DIR/one" -R '^unit\.eval$'
gcovr_json "$REF_DIR/one" "$REF_DIR/one.json"

#!/bin/bash
# The compiler matrix: each compiler Debian bookworm ships, exact against a serial reference of
# the same compiler. Usage: tests/compilers.sh [COMPILER...]
#   default: gcc-11 gcc-12 clang-13 clang-14 clang-15 clang-16 clang-19
# Per compiler, the calc example and the known-count programs (tests/e2e/clang-project) are
# built with the module and tested with ctest -j4; every line, branch and function count must
# equal a plain build of the same compiler run serially (gcov: gcovr with that compiler's gcov;
# llvm: one profile per process, merged by hand with its llvm-profdata). GCC: both gcov;
# Clang: the llvm backend and Clang's gcov. The .gcda unit cases run on each compiler's files
# too (GCC: byte for byte against its gcov-tool's merges). Clang 18 and newer: tests/e2e/mcdc.sh.
# Needs the compilers installed (apt-get install gcc-11 g++-11 clang-N llvm-N, and
# libclang-rt-N-dev for Clang 16 and newer); a missing one fails naming the package.
# Prints a table: compiler, version, what was compared, seconds.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${PARCOV_COMPILERS_WORK:-$REPO/build/compilers}
GENERATOR=${GENERATOR:-Unix Makefiles}
export REPO WORK GENERATOR
compilers=("$@")
[ ${#compilers[@]} -gt 0 ] || compilers=(gcc-11 gcc-12 clang-13 clang-14 clang-15 clang-16 clang-19)
rm -rf "$WORK"
. "$REPO/tests/e2e/lib.sh"
. "$REPO/tests/e2e/compare-lib.sh"

# parcov's unit suite, built once with the default compiler: its .gcda cases read fixtures of
# any compiler.
step "parcov's unit suite"
run_ok cmake -S "$REPO" -B "$WORK/parcov" -G "$GENERATOR" -DCMAKE_BUILD_TYPE=Debug
run_ok cmake --build "$WORK/parcov" --target check_parcov -j2
check_parcov=$WORK/parcov/tests/check_parcov
fixtures=$REPO/tests/unit/gcda-fixtures

need() { # PROGRAM PACKAGE
  command -v "$1" >/dev/null || fail "$1 is not installed (apt-get install $2)"
}

# The known-count project as one source tree, as clang.sh makes it.
KNOWN="$WORK/known-src"
cp -r "$REPO/tests/e2e/clang-project" "$KNOWN"
cp "$fixtures/counted.c" "$KNOWN/"
KNOWN_BINS=(counted twice libshout.so)
CALC_BINS=(src/calc-cli tests/unit/check_lexer tests/unit/check_eval tests/unit/check_format
           tests/unit/check_stress)

# gcov_pair NAME SRC: ours (gcov backend) against a serial gcovr reference.
gcov_pair() {
  local name=$1 src=$2 dir=$WORK/$CC-$1
  ours gcov "$src" "$dir"
  if grep -q "gcovr makes the report" "$WORK/last.log"; then fail "$CC: $name: fell back to gcovr"; fi
  ref_gcov "$src" "$dir-ref" "$dir-ref.json"
  json_equal "$dir-ref.json" "$dir/coverage/coverage.json" ||
    fail "$CC: gcov: $name: parallel counts differ from the serial reference"
}

# llvm_pair NAME SRC BINARY...: ours (llvm backend) against profiles merged by hand.
llvm_pair() {
  local name=$1 src=$2 dir=$WORK/$CC-$1
  shift 2
  ours llvm "$src" "$dir"
  ref_llvm "$src" "$dir-ref" "$dir-ref.info" "$@"
  lcov_equal "$dir-ref.info" "$dir/coverage/coverage.info" ||
    fail "$CC: llvm: $name: parallel counts differ from the serial reference"
}

table=()
for CC in "${compilers[@]}"; do
  export CC
  start=$SECONDS
  case $CC in
  gcc-*)
    major=${CC#gcc-}
    need "$CC" "gcc-$major"
    need "gcov-$major" "gcc-$major"
    need "gcov-tool-$major" "gcc-$major"
    version=$("$CC" -dumpfullversion)
    step "$CC ($version): .gcda cases on its files, merges against gcov-tool-$major"
    run_ok bash "$fixtures/make-fixtures.sh" "$WORK/$CC-fixtures" "$CC" "gcov-tool-$major"
    PARCOV_FIXTURES=$WORK/$CC-fixtures CK_RUN_SUITE=gcda CK_RUN_CASE=real run_ok "$check_parcov"
    GCOV_CMD=gcov-$major REF_GCOV_FLAGS=$COVERAGE_FLAGS
    step "$CC: calc, gcov"
    gcov_pair calc "$EXAMPLE"
    step "$CC: known counts, gcov"
    gcov_pair known "$KNOWN"
    known_counts "$WORK/$CC-known/coverage/coverage.json" || fail "$CC: known counts are not exact"
    what="gcda unit, gcov: calc + known"
    ;;
  clang-*)
    major=${CC#clang-}
    need "$CC" "clang-$major"
    need "llvm-cov-$major" "llvm-$major"
    need "llvm-profdata-$major" "llvm-$major"
    version=$("$CC" -dumpversion)
    LLVM_PROFDATA=llvm-profdata-$major LLVM_COV=llvm-cov-$major GCOV_CMD="llvm-cov-$major gcov"
    REF_GCOV_FLAGS="--coverage -O0"
    step "$CC ($version): .gcda cases on its files, merges against its runtime's"
    sh "$fixtures/make-clang-fixtures.sh" "$WORK/$CC-fixtures" "$CC" >"$WORK/last.log" 2>&1 ||
      { cat "$WORK/last.log"; fail "$CC: no gcov fixtures (libclang-rt-$major-dev installed?)"; }
    PARCOV_FIXTURES=$WORK/$CC-fixtures PARCOV_CLANG_FIXTURES=$WORK/$CC-fixtures \
      CK_RUN_SUITE=gcda-clang run_ok "$check_parcov"
    step "$CC: calc, llvm"
    llvm_pair calc "$EXAMPLE" "${CALC_BINS[@]}"
    step "$CC: known counts, llvm"
    llvm_pair known-llvm "$KNOWN" "${KNOWN_BINS[@]}"
    known_counts "$WORK/$CC-known-llvm/coverage/coverage.json" || fail "$CC: llvm: known counts are not exact"
    step "$CC: calc, gcov"
    gcov_pair calc-gcov "$EXAMPLE"
    step "$CC: known counts, gcov"
    gcov_pair known "$KNOWN"
    known_counts "$WORK/$CC-known/coverage/coverage.json" || fail "$CC: gcov: known counts are not exact"
    what="gcda unit, llvm + gcov: calc + known"
    if [ "$major" -ge 18 ]; then
      step "$CC: MC/DC (tests/e2e/mcdc.sh)"
      PARCOV_MCDC_CC=$CC WORK=$WORK/$CC-mcdc bash "$REPO/tests/e2e/mcdc.sh" ||
        fail "$CC: MC/DC (tests/e2e/mcdc.sh) failed"
      what="$what, MC/DC"
    fi
    ;;
  *) fail "$CC: not gcc-N or clang-N" ;;
  esac
  table+=("$(printf '%-9s %-8s %-40s %4ss' "$CC" "$version" "$what" $((SECONDS - start)))")
done

printf '\n%-9s %-8s %-40s %5s\n' compiler version compared time
printf '%s\n' "${table[@]}"
echo "PASS: compilers (${compilers[*]})"

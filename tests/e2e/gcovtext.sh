#!/bin/bash
# gcov's text computed by parcov (src/gcovtext.c) against real gcov, byte for byte: for every
# data file of several projects built with plain --coverage (no module) and tested serially,
# `parcov gcov-text FILE` must print exactly what `gcov -t -b -c -m FILE` prints (run in the
# build directory, as the report runs it), for every .gcda and every .gcno without one (an
# object no test ran), and the same messages gcov prints on stderr (the report keeps them in
# coverage-data/gcov-messages.txt). Any difference, and any file parcov declines, fails.
# Projects: the example, tests/e2e/{cxx-project, report-cxx-project, pertest-project,
# strict-project} (C and C++: templates, inline header functions shared by objects, lambdas,
# exceptions, labels, conditions over several lines, loops on one line) and a generated one
# (bench/gen.py), and one naming its headers through ".." and ".". Demangled names come from libstdc++'s __cxa_demangle where gcov uses
# libiberty's cplus_demangle: this is the test that they agree on every name of these
# projects. With the argument gcc-11: GCC 11's compilers and gcov-11 (exits 77, skipped, when
# they are not installed). The second argument is the parcov binary under test.
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
FLAVOUR=${1:-gcc}
GCOV_EXE=gcov
case $FLAVOUR in
gcc) ;;
gcc-11)
  command -v gcc-11 >/dev/null && command -v g++-11 >/dev/null && command -v gcov-11 >/dev/null ||
    { echo "SKIP: gcc-11, g++-11 or gcov-11 is not installed"; exit 77; }
  export CC=gcc-11 CXX=g++-11; GCOV_EXE=gcov-11 ;;
*) fail "unknown flavour $FLAVOUR" ;;
esac
PARCOV=${2:-}
[ -x "$PARCOV" ] || fail "usage: gcovtext.sh gcc|gcc-11 PARCOV (the parcov to test)"

python3 "$REPO/bench/gen.py" "$WORK/src/gen" --files 40 --tests 12 --work 20 >/dev/null
for d in examples/calc tests/e2e/cxx-project tests/e2e/report-cxx-project tests/e2e/pertest-project \
         tests/e2e/strict-project; do
  cp -r "$REPO/$d" "$WORK/src/"; rm -rf "$WORK/src/$(basename "$d")"/build*
done

# Sources named through "..", "." and "//" (gcov canonicalises them, and names that become
# the same are one source), the same header included twice.
mkdir -p "$WORK/src/dotdot/sub"
cat >"$WORK/src/dotdot/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(dotdot C)
enable_testing()
add_executable(dd main.c)
add_test(NAME dd COMMAND dd)
EOF
cat >"$WORK/src/dotdot/impl.h" <<'EOF'
static int twice(int x)
{
  if (x > 2)
    return 2 * x;
  return x;
}
EOF
printf '#include "sub/../impl.h"\n#include ".//sub/./../other.h"\nint main(void) { return twice(1) + other(3) - 4; }\n' >"$WORK/src/dotdot/main.c"
printf 'static int other(int y) { for (int i = 0; i < 3; i++) y += i; return y - 3; }\n' >"$WORK/src/dotdot/other.h"

total=0
for p in calc cxx-project report-cxx-project pertest-project strict-project gen dotdot; do
  step "$p ($FLAVOUR)"
  B=$WORK/build-$p
  extra=()
  [ $p = calc ] && extra=(-DCALC_WITH_PARALLEL_COVERAGE=OFF)
  run_ok cmake -S "$WORK/src/$p" -B "$B" -G "$GENERATOR" $STRICT "${extra[@]}" \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$COVERAGE_FLAGS" -DCMAKE_CXX_FLAGS="$COVERAGE_FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS=--coverage -DCMAKE_SHARED_LINKER_FLAGS=--coverage >/dev/null
  run_ok cmake --build "$B" -j 2 >/dev/null
  # Failing tests are data too (some of these projects test their crashes).
  (cd "$B" && ctest -j 2 >/dev/null 2>&1) || true
  n=0 bad=0
  while IFS= read -r f; do
    case $f in *.gcno) [ -e "${f%.gcno}.gcda" ] && continue ;; esac
    n=$((n + 1))
    (cd "$B" && LC_ALL=C $GCOV_EXE -t -b -c -m "$f" >"$WORK/real.txt" 2>"$WORK/real.err") || true
    set +e; (cd "$B" && "$PARCOV" gcov-text --gcov "$GCOV_EXE" "$f" >"$WORK/ours.txt" 2>"$WORK/why.txt"); rc=$?; set -e
    if [ $rc != 0 ]; then
      cat "$WORK/why.txt"; bad=$((bad + 1)); echo "DECLINED: $f"
    elif ! cmp -s "$WORK/real.txt" "$WORK/ours.txt"; then
      diff "$WORK/real.txt" "$WORK/ours.txt" | head -20; bad=$((bad + 1)); echo "DIFFERS: $f"
    elif ! cmp -s "$WORK/real.err" "$WORK/why.txt"; then
      diff "$WORK/real.err" "$WORK/why.txt" | head -20; bad=$((bad + 1)); echo "MESSAGES DIFFER: $f"
    fi
  done < <(find "$B" \( -name '*.gcda' -o -name '*.gcno' \) | sort)
  echo "$p: $n data files compared, $bad different or declined"
  [ $n -gt 0 ] || fail "$p: no data files"
  [ $bad = 0 ] || fail "$p: parcov's gcov text differs from $GCOV_EXE's for $bad of $n files"
  total=$((total + n))
done
echo "OK: $total data files, identical to $GCOV_EXE -t -b -c -m"

#!/bin/bash
# Strict project settings never break the build, and coverage stays exact: a C project
# (tests/e2e/strict-project) and a C++-only one (cpp-only-project), each configured with one
# strict setting at a time (C90/C89 with -pedantic -Werror, -pedantic-errors -Wconversion with
# _POSIX_C_SOURCE, -fvisibility=hidden, -Werror with nearly every warning, LTO, ASan+UBSan),
# given through CFLAGS/CXXFLAGS like a user's environment (also testing that the bootstrap
# parcov takes none of them). Each must build with the module injected, run ctest -j4 and
# report exactly what a plain serial --coverage build with the same settings reports (gcov:
# gcovr JSON; llvm: the lcov export of per-process profiles merged by hand), with the runtime
# linked in.
# usage: strict.sh gcc | clang   (clang: gcov and llvm backends; exits 77 without clang-14)
. "$(dirname "$0")/lib.sh"
family=$1
rm -rf "$WORK"; mkdir -p "$WORK"
case $family in
gcc)
  export CC=gcc CXX=g++ backends="gcov"
  many="-Werror -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wcast-qual
    -Wcast-align=strict -Wundef -Wredundant-decls -Wswitch-default -Wswitch-enum -Wformat=2
    -Wnull-dereference -Wdouble-promotion -Wmissing-declarations -Wwrite-strings -Wunused-macros
    -Wlogical-op -Wduplicated-cond -Wduplicated-branches -Wfloat-equal -Wpointer-arith
    -Wstack-protector -Wvla -Walloca -Wtrampolines -Wstrict-overflow=5 -Wunused -Wuninitialized"
  many_c="$many -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wbad-function-cast
    -Wnested-externs -Wjump-misses-init -Wdeclaration-after-statement -Wc++-compat"
  many_cxx="$many -Wold-style-cast -Wuseless-cast -Wzero-as-null-pointer-constant -Wextra-semi
    -Wnon-virtual-dtor -Woverloaded-virtual -Weffc++"
  gcov_tool=gcov ;;
clang)
  command -v clang-14 >/dev/null || { echo "SKIP: clang-14 is not installed"; exit 77; }
  export CC=clang-14 CXX=clang++-14 backends="gcov llvm"
  many_c="-Werror -Weverything -Wno-padded"
  many_cxx="-Werror -Weverything -Wno-padded -Wno-c++98-compat -Wno-c++98-compat-pedantic"
  gcov_tool="llvm-cov-14 gcov" ;;
*) fail "usage: strict.sh gcc|clang" ;;
esac
# Each setting: NAME|CFLAGS|CXXFLAGS|CMAKE ARGS
settings=(
  "c90-standard|-pedantic -Werror|-pedantic -Werror|-DCMAKE_C_STANDARD=90 -DCMAKE_C_STANDARD_REQUIRED=ON -DCMAKE_C_EXTENSIONS=OFF -DCMAKE_CXX_STANDARD=11 -DCMAKE_CXX_EXTENSIONS=OFF"
  "c89-pedantic|-std=c89 -pedantic -Werror|-std=c++11 -pedantic -Werror|"
  "posix-conversion|-std=c99 -D_POSIX_C_SOURCE=200809L -pedantic-errors -Werror -Wconversion|-std=c++14 -D_POSIX_C_SOURCE=200809L -pedantic-errors -Werror -Wconversion|"
  "hidden|-fvisibility=hidden -Werror|-fvisibility=hidden -fvisibility-inlines-hidden -Werror|"
  "many-warnings|$(echo $many_c)|$(echo $many_cxx)|"
  "lto|-flto -Werror|-flto -Werror|-DCMAKE_INTERPROCEDURAL_OPTIMIZATION=ON"
  "sanitizers|-fsanitize=address,undefined -fno-sanitize-recover=all|-fsanitize=address,undefined -fno-sanitize-recover=all|"
)
projects=("strict-project:C:tally_test" "cpp-only-project:CXX:stats_test")
# A toolchain file through the environment, as a cross-building user has: the projects take
# it, the bootstrap parcov (a tool of the build machine) must not.
printf 'set(PARCOV_TOOLCHAIN_SEEN ON CACHE BOOL "set by the toolchain file of e2e.strict")\n' \
  >"$WORK/toolchain.cmake"
export CMAKE_TOOLCHAIN_FILE="$WORK/toolchain.cmake"
# ASan's leak checker needs ptrace, which containers may refuse; the counts do not need it.
export ASAN_OPTIONS=detect_leaks=0
parcov=""

# configure DIR SRC LANG FLAGS CMAKE_ARGS...: the setting's flags through the environment.
configure() {
  local b=$1 src=$2 lang=$3 flags=$4; shift 4
  if [ "$lang" = C ]; then
    CFLAGS="$flags" run_ok cmake $STRICT -S "$src" -B "$b" -G "$GENERATOR" "$@"
  else
    CXXFLAGS="$flags" run_ok cmake $STRICT -S "$src" -B "$b" -G "$GENERATOR" "$@"
  fi
}

checked=0
for p in "${projects[@]}"; do
  IFS=: read -r project lang program <<<"$p"
  src="$WORK/$project"
  cp -r "$REPO/tests/e2e/$project" "$src"
  for s in "${settings[@]}"; do
    IFS='|' read -r name cflags cxxflags args <<<"$s"
    flags=$cflags; [ "$lang" = CXX ] && flags=$cxxflags
    # shellcheck disable=SC2206
    args=($args)
    for backend in $backends; do
      b="$WORK/$family-$project-$name-$backend"
      step "$family $backend, $project, $name: $flags ${args[*]}"
      if [ $backend = llvm ]; then cov="-fprofile-instr-generate -fcoverage-mapping -O0"
      elif [ $family = gcc ]; then cov="$COVERAGE_FLAGS"
      else cov="--coverage -O0"; fi
      # The ground truth: a plain build with the same settings, tests run serially.
      configure "$b-ref" "$src" "$lang" "$flags $cov" "${args[@]}"
      run_ok cmake --build "$b-ref"
      if [ $backend = llvm ]; then
        LLVM_PROFILE_FILE="$b-ref/profiles/%p.profraw" run_ok ctest --test-dir "$b-ref" -j1
        run_ok llvm-profdata-14 merge -sparse "$b-ref"/profiles/*.profraw -o "$b-ref/all.profdata"
        lib=$(cd "$b-ref" && ls lib*.so)
        llvm-cov-14 export -format=lcov -instr-profile="$b-ref/all.profdata" "$b-ref/$program" \
          -object="$b-ref/$lib" "$src" >"$b-ref.info" || fail "llvm-cov export failed"
      else
        run_ok ctest --test-dir "$b-ref" -j1
        (cd "$src" && gcovr --gcov-executable "$gcov_tool" --root . --json "$b-ref.json" "$b-ref") ||
          fail "gcovr failed on the reference"
      fi
      # Ours: the module injected, tests in parallel.
      extra=()
      [ -n "$parcov" ] && extra=(-DPARALLEL_COVERAGE_PARCOV="$parcov")
      configure "$b" "$src" "$lang" "$flags" "${args[@]}" -DPARALLEL_COVERAGE=ON \
        -DPARALLEL_COVERAGE_BACKEND=$backend "${extra[@]}" \
        -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
      [ -n "$parcov" ] || parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$b/CMakeCache.txt")
      run_ok cmake --build "$b"
      nm "$b/$program" | grep -q ' parcov_rt_owner_v1$' || fail "the runtime is not linked into $program"
      run_ok ctest --test-dir "$b" -j4
      run_ok cmake --build "$b" --target coverage
      if [ $backend = llvm ]; then
        lcov_equal "$b-ref.info" "$b/coverage/coverage.info" || fail "$name: counts differ from the serial run"
      else
        json_equal "$b-ref.json" "$b/coverage/coverage.json" || fail "$name: counts differ from the serial run"
      fi
      checked=$((checked + 1))
    done
  done
done
# The bootstrap parcov was configured from an environment holding the project's CFLAGS and
# toolchain file: it must have taken none of them.
first="$WORK/$family-strict-project-c90-standard-gcov"
grep -q '^PARCOV_TOOLCHAIN_SEEN:BOOL=ON$' "$first/CMakeCache.txt" || fail "the project did not take the toolchain file"
cache="$first/_parcov/CMakeCache.txt"
[ "$parcov" = "$first/_parcov/parcov" ] || fail "parcov is $parcov, not the bootstrap build of $first"
grep -q '^CMAKE_C_FLAGS:STRING=$' "$cache" || fail "the bootstrap parcov took the project's CFLAGS"
if grep -Eq 'PARCOV_TOOLCHAIN_SEEN|^CMAKE_TOOLCHAIN_FILE' "$cache"; then
  fail "the bootstrap parcov took the project's toolchain file"
fi
echo "PASS: strict ($family): $checked builds exact"

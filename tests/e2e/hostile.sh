#!/bin/bash
# Hostile and broken input never crashes parcov, never loses data, and gets a one-line message
# naming the file: damaged per-test .gcda files (truncated, empty, zero-filled, random, from
# another GCC release), symbolic links out of the build tree (never followed), test names
# with '../', newlines and shell metacharacters, build and parcov paths with quotes,
# backslashes and '${', a full disk during combine (a real tmpfs when mount(8) is allowed),
# and two coverage runs at once.
. "$(dirname "$0")/lib.sh"
S="$WORK/src" B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$WORK"
cp -r "$EXAMPLE" "$S"
rm -rf "$S/build"
configure() { # BUILD_DIR
  run_ok cmake -S "$S" -B "$1" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
  run_ok cmake --build "$1"
}
# Checksums of what combine produced: the build tree's .gcda files and the manifest.
result_sums() { (cd "$1" && find . -path ./coverage-data -prune -o -name '*.gcda' -print | sort |
  xargs -r sha256sum; sha256sum coverage-data/combined.tsv); }
configure "$B"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
run_ok ctest --test-dir "$B" -j2
run_ok cmake --build "$B" --target coverage

step "damaged per-test data: skipped with a message naming each file, never deleted"
run=$(readlink -f "$B/coverage-data/current")
mapfile -t files < <(find "$run/tests" -name 'eval.c.gcda*' | sort | head -5)
[ ${#files[@]} = 5 ] || fail "expected 5 eval.c.gcda files"
head -c 30 "${files[0]}" >"$WORK/t" && mv "$WORK/t" "${files[0]}"                    # truncated
: >"${files[1]}"                                                                     # empty
head -c "$(stat -c %s "${files[2]}")" /dev/zero >"$WORK/t" && mv "$WORK/t" "${files[2]}"  # zeros
head -c 4096 /dev/urandom >"${files[3]}"                                             # random
printf '*23B' | dd of="${files[4]}" bs=1 seek=4 conv=notrunc status=none               # GCC 13.2
sums=$(sha256sum "${files[@]}")
run_ok "$parcov" combine -C "$B"
grep -q "warning: skipping ${files[0]}: truncated at byte 30" "$WORK/last.log" || fail "truncated"
grep -q "warning: skipping ${files[1]}: empty file" "$WORK/last.log" || fail "empty"
grep -q "warning: skipping ${files[2]}: not a .gcda file (bad magic)" "$WORK/last.log" || fail "zeros"
grep -q "warning: skipping ${files[3]}: " "$WORK/last.log" || fail "random"
grep -q "warning: skipping ${files[4]}: written by GCC version B32\* (GCC 13.2) but parcov reads GCC 11 and 12 data" \
  "$WORK/last.log" || fail "other GCC version"
[ "$(grep -c 'warning: skipping' "$WORK/last.log")" = 5 ] || fail "not exactly 5 files skipped"
[ "$(sha256sum "${files[@]}")" = "$sums" ] || fail "damaged inputs were changed or deleted"
run_fails 1 "5 data files are damaged or not GCC 11/12 or Clang data: ${files[0]} \(truncated at byte 30" \
  "$parcov" doctor -C "$B"
run_ok "$parcov" report -C "$B" --formats txt

step "nothing usable at all: combine fails, the previous result stays"
run_ok ctest --test-dir "$B" -j2
run_ok cmake --build "$B" --target coverage
run_ok ctest --test-dir "$B" -R '^unit\.eval$'
# ctest's post-test combined that run: its result is the previous one now.
before=$(result_sums "$B")
find "$(readlink -f "$B/coverage-data/current")/tests" -name '*.gcda*' -exec truncate -s 3 {} +
run_fails 1 "none of the [0-9]+ data files of .* could be used" "$parcov" combine -C "$B"
[ "$(result_sums "$B")" = "$before" ] || fail "a failed combine changed the previous result"

step "symbolic links out of the build tree are never followed, for deletion or writing"
mkdir -p "$WORK/outside/dir"
echo precious >"$WORK/outside/target.gcda"; echo precious >"$WORK/outside/dir/file.gcda"
echo precious >"$WORK/outside/result.gcda"
run_ok ctest --test-dir "$B" -j2
run=$(readlink -f "$B/coverage-data/current")
ln -s "$WORK/outside/target.gcda" "$B/src/CMakeFiles/calc.dir/link.gcda"
ln -s "$WORK/outside/dir" "$run/tests/evil-00000000"
ln -s "$WORK/outside/dir" "$B/coverage-data/stray"
eval_gcda=$(find "$B/src" -name eval.c.gcda)
rm "$eval_gcda"; ln -s "$WORK/outside/result.gcda" "$eval_gcda"
run_ok "$parcov" combine -C "$B"
[ -f "$eval_gcda" ] && [ ! -L "$eval_gcda" ] || fail "the result did not replace the link"
run_ok "$parcov" clean -C "$B"
for f in target.gcda dir/file.gcda result.gcda; do
  [ "$(cat "$WORK/outside/$f")" = precious ] || fail "$WORK/outside/$f was changed or deleted"
done
[ -z "$(find "$B/coverage-data" -name '*.gcda*')" ] || fail "clean left data"

step "test names with ../, newlines and shell metacharacters"
N="$WORK/names"
mkdir -p "$N/src"
printf 'int main(void) { return 0; }\n' >"$N/src/probe.c"
cat >"$N/src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(hostile_names C)
enable_testing()
list(APPEND CMAKE_MODULE_PATH "$REPO/modules")
include(ParallelCoverage)
add_executable(probe probe.c)
foreach(name "../../../escape" "new\nline" "\\\$(touch $WORK/pwned1)" "\\\`touch $WORK/pwned2\\\`"
             "; touch $WORK/pwned3" "a'b\\"c" "*?[x]|&<>" "-rf" "--help")
  add_test(NAME "\${name}" COMMAND probe)
endforeach()
CMAKE
run_ok cmake -S "$N/src" -B "$N/build" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON
run_ok cmake --build "$N/build"
run_ok ctest --test-dir "$N/build" -j4
[ "$(ls "$N/build/coverage-data/current/tests" | wc -l)" = 9 ] || fail "expected 9 test data directories"
for d in "$N"/build/coverage-data/current/tests/*; do
  [ -n "$(find "$d" -name 'probe.c.gcda*')" ] || fail "$d has no data"
done
run_ok "$parcov" doctor -C "$N/build"
grep -q "ok: all 9 tests of the last ctest run wrote coverage data" "$WORK/last.log" ||
  fail "doctor did not match the hostile names"
run_ok cmake --build "$N/build" --target coverage
[ ! -e "$WORK/pwned1" ] && [ ! -e "$WORK/pwned2" ] && [ ! -e "$WORK/pwned3" ] ||
  fail "a test name was run by a shell"
[ -z "$(find "$WORK" -name '*.gcda*' -not -path "$N/build/*" -not -path "$B/*" -not -path "$WORK/outside/*")" ] ||
  fail "data written outside the build tree"

step "hostile paths: a build tree and a parcov whose paths CTestCustom.cmake must quote"
# ctest runs CTestCustom.cmake's pre-test command (a CMake string, then a command line ctest
# splits itself) on every run: with these paths a wrong quote or escape makes ctest fail, or
# run something else. CMake cannot configure a tree whose path holds " or \, a parcov may.
H="$WORK/h a'q\$x&(1) \${HOME}"
P="$WORK/p \"dq\" \\bs\\ 'sq' \$x \${HOME}"
mkdir -p "$H" "$P"
cp "$parcov" "$P/parcov"
run_ok cmake -S "$S" -B "$H/build" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" \
  -DPARALLEL_COVERAGE_PARCOV="$P/parcov"
! grep -q "has no '.*' command" "$WORK/last.log" || fail "the given parcov was taken for an older one"
run_ok cmake --build "$H/build"
for run in 1 2; do
  run_ok ctest --test-dir "$H/build" -j2
  readlink -f "$H/build/coverage-data/current" >>"$WORK/hostile-runs"
done
[ "$(sort -u "$WORK/hostile-runs" | wc -l)" = 2 ] || fail "the two ctest runs did not start two data sets"
run_ok cmake --build "$H/build" --target coverage
json_equal "$REF_DIR/all.json" "$H/build/coverage/coverage.json" || fail "hostile paths changed the counts"
run_ok ctest --test-dir "$H/build/tests/unit" -j2   # the CTestCustom.cmake of a test directory
[ "$(readlink -f "$H/build/coverage-data/current")" != "$(tail -n 1 "$WORK/hostile-runs")" ] ||
  fail "ctest --test-dir build/tests/unit did not start a data set"

step "a given parcov older than the module: configure says so and the fix, and goes on"
O="$WORK/old-parcov"
printf '#!/bin/sh\ncase $1 in coverage) echo "parcov: unknown command $1" >&2; exit 2 ;; esac\nexec "%s" "$@"\n' \
  "$parcov" >"$O"
chmod +x "$O"
run_ok cmake -S "$S" -B "$WORK/old-build" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" \
  -DPARALLEL_COVERAGE_PARCOV="$O"
# CMake wraps a warning's words over lines: read them as one line.
flat=$(tr -s ' \n' '  ' <"$WORK/last.log")
case $flat in *"ParallelCoverage: $O has no 'coverage' command"*) ;; *) fail "configure with an older parcov: no warning naming it" ;; esac
case $flat in *"(cmake -U PARALLEL_COVERAGE_PARCOV)"*) ;; *) fail "configure with an older parcov: no fix" ;; esac

step "two coverage runs at once: one waits, neither corrupts"
run_ok ctest --test-dir "$B" -j2
flock "$B/coverage-data/lock" sleep 3 &
holder=$!
sleep 0.5
run_ok "$parcov" combine -C "$B"
grep -q "waiting for another parcov working on $B" "$WORK/last.log" || fail "combine did not wait"
wait $holder
( cmake --build "$B" --target coverage >"$WORK/c1.log" 2>&1; echo $? >"$WORK/c1.rc" ) &
( cmake --build "$B" --target coverage >"$WORK/c2.log" 2>&1; echo $? >"$WORK/c2.rc" ) &
wait
cat "$WORK/c1.log" "$WORK/c2.log"
[ "$(cat "$WORK/c1.rc")$(cat "$WORK/c2.rc")" = 00 ] || fail "a concurrent coverage run failed"
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "concurrent runs changed the counts"
[ -z "$(find "$B" -name '*.parcov-tmp')" ] || fail "temporary files left behind"

step "a full disk during combine leaves the previous result intact"
D="$WORK/disk"
mkdir -p "$D"
if mount -t tmpfs -o size=48m tmpfs "$D" 2>/dev/null; then
  trap 'umount -l "$D" 2>/dev/null || true' EXIT
  configure "$D/build"
  run_ok ctest --test-dir "$D/build" -j2
  run_ok ctest --test-dir "$D/build" -R '^unit\.(eval|format)$'
  # ctest's post-test combined that run: take one test's data away, so the next combine
  # has results to change.
  before=$(result_sums "$D/build")
  rm -r "$(readlink -f "$D/build/coverage-data/current")"/tests/unit.format-*
  dd if=/dev/zero of="$D/filler" bs=64k status=none 2>/dev/null || true   # until ENOSPC
  # Where the disk fills (a new result's temporary, or the journal) depends on which results
  # need new files; either way before the first old result changes.
  run_fails 1 "cannot write .*: No space left on device" \
    "$D/build/_parcov/parcov" combine -C "$D/build"
  [ "$(result_sums "$D/build")" = "$before" ] || fail "the failed combine changed the previous result"
  [ -z "$(find "$D/build" -name '*.parcov-tmp')" ] || fail "temporary files left on the full disk"
  rm "$D/filler"
  run_ok "$D/build/_parcov/parcov" combine -C "$D/build"
  [ "$(result_sums "$D/build")" != "$before" ] || fail "combine after freeing space changed nothing"
  umount -l "$D"; trap - EXIT
else
  echo "SKIPPED full disk: mounting a tmpfs is not permitted here (needs root)"
fi
echo "PASS: hostile"

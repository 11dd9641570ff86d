#!/bin/bash
# Data sets across ctest runs: coverage before ctest fails clearly; a second run replaces,
# never adds; ctest -N and a filter selecting nothing keep the data; ctest -R one test shows
# exactly that test; append mode adds; clean removes only coverage data.
. "$(dirname "$0")/lib.sh"
B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$WORK"
# A copy of the example, so a source can be changed; the module comes from this repository.
cp -r "$EXAMPLE" "$WORK/src"
rm -rf "$WORK/src/build"
EXAMPLE="$WORK/src"
run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
run_ok cmake --build "$B"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")

step "parcov: --help, usage errors (exit 2), wrong build trees (exit 1)"
run_ok "$parcov" --help
run_ok "$parcov" combine --help
grep -q "usage: parcov combine" "$WORK/last.log" || fail "combine --help shows no usage"
run_fails 2 "unknown command 'nosuch'" "$parcov" nosuch
run_fails 2 "usage: parcov combine" "$parcov" combine --bogus
run_fails 2 "unexpected argument 'extra'" "$parcov" report -C "$B" extra
run_fails 1 "build directory /nonexistent" "$parcov" combine -C /nonexistent
run_fails 1 "is not a CMake build tree" "$parcov" combine -C "$WORK/src"

step "coverage before any ctest run fails with the documented message"
run_fails 1 "no coverage data in .*: run the tests first" "$parcov" combine -C "$B"
set +e; cmake --build "$B" --target coverage >"$WORK/t.log" 2>&1; rc=$?; set -e
cat "$WORK/t.log"
[ $rc -ne 0 ] || fail "the coverage target succeeded without data"
grep -q "run the tests first" "$WORK/t.log" || fail "coverage target did not say to run ctest"

step "two ctest runs give the counts of one"
run_ok ctest --test-dir "$B" -j2
run_ok ctest --test-dir "$B" -j2
run_ok cmake --build "$B" --target coverage
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "second run changed the counts"

step "combine over unchanged data rewrites nothing; changed data is combined again, whatever its size and time"
# Each result's inode, modification time and digest, and the manifest's.
results() { (cd "$B" && find . -path ./coverage-data -prune -o -name '*.gcda' -printf '%p %i %T@\n' | sort &&
  find . -path ./coverage-data -prune -o -name '*.gcda' -print | sort | xargs sha256sum &&
  stat -c '%i %Y' coverage-data/combined.tsv); }
first=$(results)
run_ok "$parcov" combine -C "$B"
[ "$(results)" = "$first" ] || fail "a combine over unchanged data rewrote results"
# One test's data of eval.c made another's: the same size, given back its own time.
# Hidden as eval.c.gcda.parcov once ctest ended (out of the way of lcov and gcovr).
set -- "$B"/coverage-data/current/tests/*/src/CMakeFiles/calc.dir/eval.c.gcda.parcov
a=$1 other=""
for a in "$@"; do
  for f in "$@"; do
    [ "$(stat -c %s "$f")" = "$(stat -c %s "$a")" ] && ! cmp -s "$f" "$a" && { other=$f; break 2; }
  done
done
[ -n "$other" ] || fail "no two tests with different counts for eval.c in data of one size"
cp -p "$a" "$WORK/eval.saved"
cat "$other" >"$a"; touch -r "$WORK/eval.saved" "$a"
[ "$(stat -c '%s %Y' "$a")" = "$(stat -c '%s %Y' "$WORK/eval.saved")" ] || fail "the edit changed size or time"
result=$(find "$B/src" -name eval.c.gcda)
sum=$(sha256sum <"$result")
run_ok "$parcov" combine -C "$B"
[ "$(sha256sum <"$result")" != "$sum" ] || fail "changed per-test data was not combined again"
other_result=$(find "$B/src" -name format.c.gcda)
[ "$(stat -c '%i %Y' "$other_result")" = "$(echo "$first" | awk -v p="./${other_result#"$B/"}" '$1 == p { print $2, int($3) }')" ] ||
  fail "an unchanged result was rewritten"
cat "$WORK/eval.saved" >"$a"; touch -r "$WORK/eval.saved" "$a"
run_ok cmake --build "$B" --target coverage
[ "$(sha256sum <"$result")" = "$sum" ] || fail "the restored data did not give the first result back"
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "re-combined counts differ"

step "recycled directory trees carry no data over"
# A superseded set's trees, every file truncated to nothing by the background deletion, are
# moved into a later set (skeleton/, then runs/N/recycled/) and renamed into place by each
# test's first process. Wait for each deletion to end (a state, not a time) so that the tree
# of the run three before is the one reused, then check the counts are still one run's.
trash_gone() {
  for _ in $(seq 600); do [ -e "$B/coverage-data/trash" ] || return 0; sleep 0.2; done
  fail "the background deletion of superseded data sets never ended"
}
eval_dir() { echo "$B"/coverage-data/current/tests/unit.eval-*/src; }
inode=$(stat -c %i "$(eval_dir)")
for _ in 1 2 3; do trash_gone; run_ok ctest --test-dir "$B" -j2; done
[ "$(stat -c %i "$(eval_dir)")" = "$inode" ] || fail "unit.eval's directories were made again, not reused"
trash_gone
[ -z "$(find "$B/coverage-data/current/recycled" "$B/coverage-data/skeleton" -type f -size +0)" ] ||
  fail "a recycled tree holds data"
[ -n "$(find "$B/coverage-data/skeleton" -type f -empty)" ] || fail "recycled trees keep no files"
run_ok cmake --build "$B" --target coverage
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "a recycled tree changed the counts"

step "ctest -N and ctest -R nothing keep the data"
run_ok ctest --test-dir "$B" -N
run_ok ctest --test-dir "$B" -R 'no-such-test' --no-tests=ignore
run_ok cmake --build "$B" --target coverage
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "ctest -N lost the data"

step "ctest -R one test: the report shows exactly that test"
run_ok ctest --test-dir "$B" -R '^unit\.eval$'
run_ok cmake --build "$B" --target coverage
json_equal "$REF_DIR/one.json" "$B/coverage/coverage.json" || fail "ctest -R unit.eval differs"

step "ctest in a test subdirectory starts its own data set, read with that directory's log"
run_ok ctest --test-dir "$B/tests/cli" -j2
[ "$(ls "$B/coverage-data/current/tests" | wc -l)" = 5 ] || fail "tests/cli: expected 5 test directories"
run_ok cmake --build "$B" --target coverage
if grep -q "wrote no coverage data" "$WORK/last.log"; then fail "the top-level log was read"; fi
run_ok ctest --test-dir "$B" -R '^unit\.eval$'
run_ok cmake --build "$B" --target coverage

step "data of a program run outside ctest is moved aside, not counted"
run_ok "$B/src/calc-cli" "6 * 7"
stray=$(find "$B/src" -name '*.gcda' -newer "$B/coverage-data/combined.tsv" | head -1)
[ -n "$stray" ] || fail "calc-cli run by hand wrote no .gcda in the build tree"
run_ok "$parcov" combine -C "$B"
grep -q "not written by parcov" "$WORK/last.log" || fail "no warning about foreign data"
run_ok "$B/src/calc-cli" "6 * 7"
run_ok cmake --build "$B" --target coverage
# Once each: combine names every file it moves; doctor, before it, does not list them again.
[ "$(grep -c "calc-cli.dir/main.c.gcda" "$WORK/last.log")" = 1 ] || fail "stray data named more than once"
[ -n "$(find "$B/coverage-data/stray" -name '*.gcda.parcov')" ] || fail "foreign data not kept in stray/ (hidden)"
run_ok "$parcov" report -C "$B" --formats txt,json
json_equal "$REF_DIR/one.json" "$B/coverage/coverage.json" || fail "foreign data was counted"

step "a combine stopped while replacing its results is undone by the next one, nothing moved to stray/"
# The state a crash leaves after the new results are renamed in and before the manifest is:
# the journal names them, the manifest does not know them.
cut -f3 "$B/coverage-data/combined.tsv" >"$B/coverage-data/combined-pending.tsv"
: >"$B/coverage-data/combined.tsv"
rm -rf "$B/coverage-data/stray"
# parcov report alone would read that mix: it refuses, says what to run, and leaves the journal.
run_fails 1 "combine was interrupted.*run 'parcov combine -C $B' \(or the coverage target\) again" \
  "$parcov" report -C "$B" --formats txt,json
[ -e "$B/coverage-data/combined-pending.tsv" ] || fail "report removed the journal"
run_ok "$parcov" combine -C "$B"
grep -q "the last combine was interrupted" "$WORK/last.log" || fail "no word about the interrupted combine"
[ ! -e "$B/coverage-data/stray" ] || fail "combine moved its own results to stray/"
[ ! -e "$B/coverage-data/combined-pending.tsv" ] || fail "the journal is still there"
run_ok "$parcov" report -C "$B" --formats txt,json
json_equal "$REF_DIR/one.json" "$B/coverage/coverage.json" || fail "the recovered result differs"

step "combine refuses a data set while the ctest writing it still runs"
sleep 60 &
pid=$!
echo "$pid $(awk '{ print $22 }' /proc/$pid/stat)" >"$B/coverage-data/current/ctest-pid"
run_fails 1 "ctest \(process $pid\) is still running the tests" "$parcov" combine -C "$B"
kill $pid; wait $pid || true
run_ok "$parcov" combine -C "$B"

step "data from an older build of an object is skipped, naming the file"
run_ok ctest --test-dir "$B" -j2
echo "/* changed after the tests ran */" >>"$EXAMPLE/src/format.c"
run_ok cmake --build "$B"
run_ok "$parcov" combine -C "$B"
grep -q "written by an older build of .*format.c.gcno (rebuilt since the tests ran); re-run ctest" \
  "$WORK/last.log" || fail "no warning about data from an older build"
[ ! -e "$(find "$B" -path '*/calc.dir/format.c.gcda' -not -path '*/coverage-data/*')" ] ||
  fail "stale data of format.c was merged"
run_ok ctest --test-dir "$B" -j2
run_ok "$parcov" combine -C "$B"
if grep -q "older build" "$WORK/last.log"; then fail "warning after re-running ctest"; fi

step "append mode adds runs up"
run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -DPARALLEL_COVERAGE_APPEND=ON
before=$(readlink "$B/coverage-data/current")
run_ok ctest --test-dir "$B" -j2 -E '^unit\.eval$'
run_ok ctest --test-dir "$B" -j2 -R '^unit\.eval$'
[ "$(readlink "$B/coverage-data/current")" = "$before" ] || fail "append mode started a new data set"
run_ok cmake --build "$B" --target coverage
# unit.eval ran twice in total (once in the -R run before, once now): not the reference, so
# compare against the data set contents instead: each test's directory exists once.
[ "$(ls "$B/coverage-data/current/tests" | wc -l)" = 12 ] || fail "append mode lost tests"
run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -DPARALLEL_COVERAGE_APPEND=OFF

step "thresholds: the coverage target fails below them, with the variable's name"
run_ok ctest --test-dir "$B" -j2
run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -DPARALLEL_COVERAGE_FAIL_UNDER_LINE=99.5
run_fails 1 "line coverage [0-9.]+% is below PARALLEL_COVERAGE_FAIL_UNDER_LINE=99.5" \
  "$parcov" report -C "$B"
[ -s "$B/coverage/summary.txt" ] || fail "reports not written when below the threshold"
run_ok cmake $STRICT -S "$EXAMPLE" -B "$B" -DPARALLEL_COVERAGE_FAIL_UNDER_LINE=50 \
  -DPARALLEL_COVERAGE_FAIL_UNDER_BRANCH=50
run_ok "$parcov" report -C "$B"

step "--formats overrides the configured set"
rm -rf "$B/coverage"
run_ok "$parcov" report -C "$B" --formats txt,json
[ -f "$B/coverage/coverage.json" ] && [ -f "$B/coverage/summary.txt" ] || fail "txt,json missing"
[ ! -e "$B/coverage/html" ] && [ ! -e "$B/coverage/coverage.xml" ] || fail "unrequested formats written"
run_fails 1 "unknown report format 'pdf'" "$parcov" report -C "$B" --formats txt,pdf

step "clean removes coverage data and reports, nothing else"
run_ok "$parcov" clean -C "$B"
[ -z "$(find "$B" -name '*.gcda*')" ] || fail "clean left .gcda files"
[ ! -e "$B/coverage" ] || fail "clean left reports"
[ -x "$B/src/calc-cli" ] && [ -f "$B/coverage-data/parcov.conf" ] || fail "clean removed too much"
find "$B" -name '*.gcno' | grep -q . || fail "clean removed .gcno files"
echo "PASS: runs"

#!/bin/bash
# parcov coverage (what the coverage target runs) against the three commands it replaces,
# 'parcov doctor --before-report', 'parcov combine' and 'parcov report' run one after the
# other as the target ran them: from the same copy of a build tree, the same stdout, stderr
# and both interleaved (byte for byte), the same exit status, the same reports and combined
# .gcda files; when healthy, when doctor refuses (data older than its objects: combine must
# not run) and when combine fails (a damaged manifest: report must not run). And its --help,
# and the target's comment printed once under the test's generator.
. "$(dirname "$0")/lib.sh"
B="$WORK/build" SAVED="$WORK/saved"
# Cobertura's timestamp: the same for both sides.
export SOURCE_DATE_EPOCH=1700000000
rm -rf "$WORK"; mkdir -p "$WORK"
cp -r "$EXAMPLE" "$WORK/src"
rm -rf "$WORK/src/build"
run_ok cmake $STRICT -S "$WORK/src" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
run_ok cmake --build "$B"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")

step "parcov coverage --help, usage errors"
run_ok "$parcov" coverage --help
grep -q "^usage: parcov coverage " "$WORK/last.log" || fail "coverage --help shows no usage"
grep -q "doctor --before-report.*combine" "$WORK/last.log" || fail "coverage --help does not say what it runs"
run_ok "$parcov" help coverage
run_ok "$parcov" --help
grep -q "^  coverage " "$WORK/last.log" || fail "parcov --help does not list coverage"
run_fails 2 "usage: parcov coverage" "$parcov" coverage --bogus
run_fails 2 "unexpected argument 'extra'" "$parcov" coverage -C "$B" extra
run_fails 2 "give --diff or --since, not both" "$parcov" coverage -C "$B" --diff x --since HEAD

# snapshot: the state both sides start from. restore: back to it (cp -a keeps the times
# combine's manifest records, so its results stay its own).
snapshot() { rm -rf "$SAVED"; cp -a "$B" "$SAVED"; }
restore() { rm -rf "$B"; cp -a "$SAVED" "$B"; }
# results DIR: what the step left, for comparison: the reports and the combined .gcda files.
results() {
  mkdir -p "$1"
  [ ! -d "$B/coverage" ] || cp -a "$B/coverage" "$1/coverage"
  (cd "$B" && find . -name '*.gcda' -not -path './coverage-data/*' | sort | while read -r f; do
     mkdir -p "$1/gcda/$(dirname "$f")"; cp "$f" "$1/gcda/$f"; done)
  [ ! -d "$B/coverage-data/stray" ] || cp -a "$B/coverage-data/stray" "$1/stray"
}
three() {
  "$parcov" doctor --before-report -C "$B" && "$parcov" combine -C "$B" && "$parcov" report -C "$B"
}
one() { "$parcov" coverage -C "$B"; }
# side NAME FN: run FN from the snapshot three times (stdout and stderr apart, then
# together), keeping outputs, exit statuses and results under $WORK/NAME.
side() {
  local d="$WORK/$1"
  rm -rf "$d"; mkdir -p "$d"
  restore; set +e; $2 >"$d/out" 2>"$d/err"; echo $? >"$d/rc"; set -e
  results "$d/results"
  restore; set +e; $2 >"$d/all" 2>&1; echo $? >"$d/rc-all"; set -e
}
# compare WANT_STATUS: both sides exited WANT_STATUS and left the same bytes.
compare() {
  for f in out err all rc rc-all; do
    cmp "$WORK/three/$f" "$WORK/one/$f" ||
      { diff "$WORK/three/$f" "$WORK/one/$f" | head -20; fail "$f differs between the three commands and parcov coverage"; }
  done
  [ "$(cat "$WORK/one/rc")" = "$1" ] || fail "exit status $(cat "$WORK/one/rc"), expected $1"
  diff -r "$WORK/three/results" "$WORK/one/results" || fail "reports or combined data differ"
  cat "$WORK/one/all"
}

step "healthy: the same messages, summary, reports and combined data"
run_ok ctest --test-dir "$B" -j2
snapshot
side three three; side one one
compare 0
[ -s "$WORK/one/results/coverage/coverage.json" ] || fail "no coverage.json written"
grep -q "combining .* data files" "$WORK/one/out" || fail "combine's message missing"
grep -q "^TOTAL" "$WORK/one/out" || fail "no summary printed"
json_equal "$REF_DIR/all.json" "$WORK/one/results/coverage/coverage.json" ||
  fail "parcov coverage counts differ from the serial run"

step "again over the same data (combine keeps its results)"
run_ok "$parcov" coverage -C "$B"
snapshot
side three three; side one one
compare 0

step "a program run outside ctest: its data moved to stray/ by both, the same results"
run_ok ctest --test-dir "$B" -j2
run_ok "$B/src/calc-cli" "1+2"
snapshot
side three three; side one one
compare 0
grep -q "was not written by parcov" "$WORK/one/err" || fail "no foreign data moved"
[ -d "$WORK/one/results/stray" ] || fail "nothing in stray/"

step "an interrupted combine (its journal left): both remove its results first, the same results"
run_ok "$parcov" coverage -C "$B"
run_ok ctest --test-dir "$B" -j2
cut -f3 "$B/coverage-data/combined.tsv" >"$B/coverage-data/combined-pending.tsv"
snapshot
side three three; side one one
compare 0
grep -q "interrupted while replacing its results" "$WORK/one/err" || fail "the journal was not seen"

step "doctor refuses (data older than its objects): combine does not run, same status"
run_ok ctest --test-dir "$B" -j2
touch "$WORK/src/src/eval.c" # recompiled: a new stamp in its notes
run_ok cmake --build "$B"
snapshot
side three three; side one one
compare 1
grep -q "older than their objects" "$WORK/one/err" || fail "doctor's reason missing"
! grep -q "combining" "$WORK/one/all" || fail "combine ran after doctor refused"

step "stale data allowed (PARALLEL_COVERAGE_ALLOW_STALE=ON): combine leaves it out, the same report"
run_ok cmake -S "$WORK/src" -B "$B" -DPARALLEL_COVERAGE_ALLOW_STALE=ON
snapshot
side three three; side one one
compare 0
grep -q "written by an older build" "$WORK/one/err" || fail "combine did not name the stale data"

step "combine fails (damaged manifest): report does not run, same status"
run_ok ctest --test-dir "$B" -j2
echo "not a manifest" >"$B/coverage-data/combined.tsv"
rm -rf "$B/coverage"
snapshot
side three three; side one one
compare 1
grep -q "combined.tsv" "$WORK/one/err" || fail "combine's error does not name the manifest"
[ ! -e "$WORK/one/results/coverage" ] || fail "report ran after combine failed"

step "the coverage target runs parcov coverage and shows its comment once"
restore
rm "$B/coverage-data/combined.tsv"
run_ok cmake --build "$B" --target coverage
n=$(grep -c "Merging the coverage data of the last ctest run and writing reports" "$WORK/last.log")
[ "$n" = 1 ] || fail "the comment is shown $n times, expected once"
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "the coverage target's counts differ"
echo "PASS"

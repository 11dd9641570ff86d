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

# --- ctest's post-test records its merge in the set (merge-record): while every entry of the
# set, the results and their notes are unchanged, the coverage step reads the record instead
# of the set and merges nothing. (cp -a, as snapshot does, changes every inode: the steps
# above and below never see a record that holds.)
rec_results() { (cd "$B" && find . -name '*.gcda' -not -path './coverage-data/*' | sort | xargs sha256sum); }
step "merge record: the same output and results with it as without it"
run_ok ctest --test-dir "$B" -j2
record=$B/coverage-data/current/merge-record
[ -s "$record" ] || fail "post-test wrote no merge record"
first=$(rec_results)
set +e; "$parcov" coverage -C "$B" >"$WORK/rec.out" 2>"$WORK/rec.err"; echo $? >>"$WORK/rec.out"; set -e
cp "$B/coverage/coverage.json" "$WORK/rec.json"
mv "$record" "$WORK/record.saved"
set +e; "$parcov" coverage -C "$B" >"$WORK/norec.out" 2>"$WORK/norec.err"; echo $? >>"$WORK/norec.out"; set -e
mv "$WORK/record.saved" "$record"
cmp "$WORK/rec.out" "$WORK/norec.out" && cmp "$WORK/rec.err" "$WORK/norec.err" ||
  fail "parcov coverage says something else with the merge record"
cmp "$WORK/rec.json" "$B/coverage/coverage.json" || fail "the report differs with the merge record"
[ "$(rec_results)" = "$first" ] || fail "the results changed"
json_equal "$REF_DIR/all.json" "$WORK/rec.json" || fail "counts with the merge record differ from the serial run"

step "merge record: doctor takes the data files' headers from it; one cut short is not read"
cp "$record" "$WORK/record.saved"
# One input's stamp in the record made another's: doctor then sees data older than its object.
awk -F '\t' 'BEGIN { OFS = "\t" } !done && /^w [0-9a-f]+ [0-9a-f]+\t/ { $1 = substr($1, 1, 11) "00000000"; done = 1 } { print }' \
  "$WORK/record.saved" >"$record"
run_fails 1 "older than their objects" "$parcov" doctor -C "$B"
# The same record without its last lines: not read, the data files are.
head -n -2 "$record" >"$WORK/record.cut"; cp "$WORK/record.cut" "$record"
run_ok "$parcov" doctor -C "$B"
cp "$WORK/record.saved" "$record"
run_ok "$parcov" doctor -C "$B"

step "merge record: trusted while it holds (one that lies about a file is believed)"
set -- "$B"/coverage-data/current/tests/*/src/CMakeFiles/calc.dir/eval.c.gcda.parcov
a="" other=""
for x in "$@"; do
  for y in "$@"; do
    [ "$(stat -c %s "$x")" = "$(stat -c %s "$y")" ] && ! cmp -s "$x" "$y" && { a=$x other=$y; break 2; }
  done
done
[ -n "$a" ] || fail "no two tests with different counts for eval.c in data of one size"
rel=${a#"$B/coverage-data/current/"}
cp -p "$a" "$WORK/eval.saved"; cp "$record" "$WORK/record.saved"
cat "$other" >"$a"
# The record made to list the file as it is now: the merge it describes is then not this data's.
line=$(stat -c 'F %i %s %.9Y %.9Z' "$a")
awk -v rel="$rel" -v line="$line" -F '\t' 'BEGIN { OFS = "\t" } $2 == rel && $1 ~ /^F / { $1 = line } { print }' \
  "$WORK/record.saved" >"$record"
! cmp -s "$record" "$WORK/record.saved" || fail "the record does not list $rel"
run_ok "$parcov" coverage -C "$B"
[ "$(rec_results)" = "$first" ] || fail "a record that holds was not trusted: the set was merged again"

step "merge record: a data file changed in place (same size, its time given back) is merged again"
cp "$WORK/record.saved" "$record"
run_ok "$parcov" coverage -C "$B"
[ "$(rec_results)" != "$first" ] || fail "changed per-test data was not merged again"
cat "$WORK/eval.saved" >"$a"; touch -r "$WORK/eval.saved" "$a"
run_ok "$parcov" coverage -C "$B"
[ "$(rec_results)" = "$first" ] || fail "the restored data did not give the first results back"
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "re-combined counts differ"

step "merge record: a data file removed, a result changed, a program run outside ctest"
run_ok ctest --test-dir "$B" -j2
[ -s "$record" ] || fail "post-test wrote no merge record"
first=$(rec_results)
victim=$(ls "$B"/coverage-data/current/tests/*/src/CMakeFiles/calc.dir/eval.c.gcda.parcov | head -1)
mv "$victim" "$WORK/victim"
run_ok "$parcov" coverage -C "$B"
[ "$(rec_results)" != "$first" ] || fail "a removed data file still counts"
mv "$WORK/victim" "$victim"
run_ok "$parcov" coverage -C "$B"
[ "$(rec_results)" = "$first" ] || fail "the data file put back does not count again"
run_ok ctest --test-dir "$B" -j2
result=$(find "$B/src" -name eval.c.gcda)
# Its last byte changed, its size and time kept (the manifest records those only).
cp -p "$result" "$WORK/result.saved"
printf '\377' | dd of="$result" bs=1 seek=$(($(stat -c %s "$result") - 1)) conv=notrunc 2>/dev/null
touch -r "$WORK/result.saved" "$result"
! cmp -s "$result" "$WORK/result.saved" || fail "the result did not change"
run_ok "$parcov" coverage -C "$B"
cmp -s "$result" "$WORK/result.saved" || fail "a changed result was kept"
run_ok ctest --test-dir "$B" -j2
run_ok "$B/src/calc-cli" "1+2"
run_ok "$parcov" coverage -C "$B"
grep -q "was not written by parcov" "$WORK/last.log" || fail "data of a program run outside ctest was not moved"
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "counts differ from the serial run"
rm -rf "$B/coverage-data/stray"

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

#!/bin/bash
# parcov report's own reader (gcov's text output, one gcov per object in parallel, parsed
# in C) against gcovr on the same combined data: the example, a generated project
# (bench/gen.py: exclusion markers, a header shared by every object, objects no test ran)
# and a C++ project (tests/e2e/report-cxx-project: template instantiations, inline header
# functions compiled into several objects, lambdas, exceptions, a source #included three
# times). The JSON must be gcovr's byte for byte, Cobertura must have gcovr's totals, the
# lcov tracefile the same counts, and the gcovr fallback (PARCOV_REPORTER=gcovr) the same
# summary. Nothing of gcov's own reaches the terminal.
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"

# The totals gcovr puts on Cobertura's <coverage> element.
xml_totals() {
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(" ".join(f"{k}={r.get(k)}" for k in ("lines-covered", "lines-valid", "branches-covered",
      "branches-valid", "functions-covered", "functions-valid", "line-rate", "branch-rate")))
PY
}

# LF/LH/BRF/BRH/FNF/FNH of an lcov tracefile against gcovr's JSON, file by file.
lcov_matches_json() { # INFO JSON ROOT
  python3 - "$@" <<'PY'
import json, os, sys
info, js, root = sys.argv[1:4]
want = {}
for f in json.load(open(js))["files"]:
    lines = [l for l in f["lines"] if not l["gcovr/noncode"]]
    want[os.path.join(root, f["file"])] = dict(
        LF=len(lines), LH=sum(l["count"] > 0 for l in lines),
        BRF=sum(len(l["branches"]) for l in lines),
        BRH=sum(b["count"] > 0 for l in lines for b in l["branches"]),
        FNF=len(f["functions"]), FNH=sum(fn["execution_count"] > 0 for fn in f["functions"]))
got, cur = {}, None
for line in open(info):
    key, _, val = line.strip().partition(":")
    if key == "SF":
        cur = got.setdefault(val, {})
    elif key in ("LF", "LH", "BRF", "BRH", "FNF", "FNH"):
        cur[key] = int(val)
if got != want:
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            print(k, got.get(k), "!=", want.get(k))
    sys.exit(1)
PY
}

# check BUILD ROOT NAME: parcov report vs gcovr on BUILD's combined data.
check() {
  b=$1 root=$2 name=$3
  step "$name: parcov report (gcov JSON) vs gcovr on the same data"
  run_ok "$parcov" report -C "$b" --formats txt,json,xml,lcov
  grep -q "gcovr makes the report" "$WORK/last.log" && fail "$name: the fast path fell back to gcovr"
  grep -Eq "gcno:|gcda:|Cannot open" "$WORK/last.log" && fail "$name: gcov's own messages reached the terminal"
  (cd "$root" && gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
     --exclude-directories "$b/coverage-data\$" --json "$WORK/$name.gcovr.json" \
     --cobertura "$WORK/$name.gcovr.xml" "$b")
  json_equal "$WORK/$name.gcovr.json" "$b/coverage/coverage.json" ||
    fail "$name: counts differ from gcovr's"
  cmp "$WORK/$name.gcovr.json" "$b/coverage/coverage.json" ||
    fail "$name: coverage.json is not gcovr's JSON byte for byte"
  [ "$(xml_totals "$WORK/$name.gcovr.xml")" = "$(xml_totals "$b/coverage/coverage.xml")" ] ||
    fail "$name: Cobertura totals differ: $(xml_totals "$WORK/$name.gcovr.xml") vs $(xml_totals "$b/coverage/coverage.xml")"
  lcov_matches_json "$b/coverage/coverage.info" "$WORK/$name.gcovr.json" "$root" ||
    fail "$name: the lcov tracefile's totals differ from gcovr's"
  cp "$b/coverage/summary.txt" "$WORK/$name.fast.txt"
  step "$name: the gcovr fallback gives the same summary"
  PARCOV_REPORTER=gcovr run_ok "$parcov" report -C "$b" --formats txt,json
  grep -q "running gcovr" "$WORK/last.log" || fail "$name: PARCOV_REPORTER=gcovr did not run gcovr"
  diff "$WORK/$name.fast.txt" "$b/coverage/summary.txt" || fail "$name: summaries differ"
}

step "the example"
B="$WORK/calc"
run_ok cmake -S "$EXAMPLE" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
run_ok cmake --build "$B"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
run_ok ctest --test-dir "$B" -j4
run_ok "$parcov" combine -C "$B"
check "$B" "$EXAMPLE" calc

step "the example: a Python-only exclude pattern leaves the report to gcovr, said once"
run_ok cmake -S "$EXAMPLE" -B "$B" '-DPARALLEL_COVERAGE_EXCLUDE=tests/;(?:examples)/'
run_ok "$parcov" report -C "$B" --formats txt,json
[ "$(grep -c "the exclude pattern '(?:examples)/' is not a POSIX extended regular expression: gcovr makes the report" "$WORK/last.log")" = 1 ] ||
  fail "the fallback is not named once"
grep -q "running gcovr" "$WORK/last.log" || fail "gcovr did not make the report"

step "the example: gcov's version is kept while gcov is the same file, and asked again when it is replaced"
# The report caches gcov's --version answer (coverage-data/gcov-version.txt) keyed on the
# executable file: a kept wrong answer would make it emulate another gcov's text.
gcov=$(sed -n 's/^gcov=//p' "$B/coverage-data/parcov.conf")
GC="$WORK/gcov-copy"
cp "$(command -v "$gcov")" "$GC"
run_ok cmake -S "$EXAMPLE" -B "$B" -UPARALLEL_COVERAGE_EXCLUDE -DPARALLEL_COVERAGE_GCOV="$GC"
run_ok "$parcov" report -C "$B" --formats json
V="$B/coverage-data/gcov-version.txt"
grep -qx "$GC" "$V" || fail "gcov-version.txt does not name $GC"
real=$(tail -n 1 "$V")
json_equal "$WORK/calc.gcovr.json" "$B/coverage/coverage.json" || fail "with $GC: counts differ from gcovr's"
# A wrong answer under the same key is taken (the cache is read)...
sed -i '$s/.*/41414141/' "$V"
run_ok "$parcov" report -C "$B" --formats json
[ "$(tail -n 1 "$V")" = 41414141 ] || fail "the cached version was not kept for the same gcov"
# ...and a new file at the same path (another inode and time) is asked again.
cp "$GC" "$GC.new"; touch -d '2001-01-01' "$GC.new"; mv "$GC.new" "$GC"
run_ok "$parcov" report -C "$B" --formats json
[ "$(tail -n 1 "$V")" = "$real" ] || fail "gcov was replaced but its cached version was kept: $(tail -n 1 "$V")"
json_equal "$WORK/calc.gcovr.json" "$B/coverage/coverage.json" || fail "after replacing gcov: counts differ from gcovr's"
run_ok cmake -S "$EXAMPLE" -B "$B" -DPARALLEL_COVERAGE_GCOV="$gcov"

# project SRC BUILD: the module injected, built, ctest -j4, combined.
project() {
  run_ok cmake -S "$1" -B "$2" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" -DPARALLEL_COVERAGE_PARCOV="$parcov"
  run_ok cmake --build "$2"
  run_ok ctest --test-dir "$2" -j4
  run_ok "$parcov" combine -C "$2"
}

step "a generated project"
G="$WORK/gen"
run_ok python3 "$REPO/bench/gen.py" "$WORK/gen-src" --files 24 --tests 6 --work 50
project "$WORK/gen-src" "$G"
check "$G" "$WORK/gen-src" gen
# Exclusion markers were seen, and some objects never ran.
grep -q '"gcovr/noncode": true' "$G/coverage/coverage.json" || fail "no non-code lines"
grep -Eq '^src/m0023\.c +[0-9]+ +0 ' "$G/coverage/summary.txt" || fail "m0023.c (never called) is not at 0"
step "a C++ project"
X="$WORK/cxx"
project "$REPO/tests/e2e/report-cxx-project" "$X"
check "$X" "$REPO/tests/e2e/report-cxx-project" cxx
# What makes C++ different was there: instantiations listed after their template (gcovr
# counts those lines twice), a function made three times from one included source, a
# thrown exception's branch.
grep -q '"name": "Box<int>::Box(int)"' "$X/coverage/coverage.json" || fail "no template instantiation"
grep -q '"throw": true' "$X/coverage/coverage.json" || fail "no exception branch"
grep -Eq '^src/multi-impl\.h ' "$X/coverage/summary.txt" || fail "the included source is missing"
# gcov's own messages are kept, not shown: an object without functions.
grep -q "table.c.gcno:no functions found" "$X/coverage-data/gcov-messages.txt" ||
  fail "gcov's messages are not in coverage-data/gcov-messages.txt"
echo "PASS: report"

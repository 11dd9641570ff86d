#!/bin/bash
# MC/DC with Clang 18+ (PARALLEL_COVERAGE_MCDC, llvm backend), tests run with ctest -j4, against
# ground truth: llvm-cov's own totals for a serial run of a plain -fcoverage-mcdc build whose
# per-process profiles are merged by hand, on mcdc-project/ (decisions only the union of its
# four tests covers: 4 of 5 conditions; each test alone covers none). Also the summary line,
# JSON, Cobertura and HTML, PARALLEL_COVERAGE_FAIL_UNDER_MCDC, and the configure errors.
# The compiler: PARCOV_MCDC_CC (default clang-19; tests/compilers.sh passes each Clang 18+).
# Exits 77 (skipped) when it is not installed.
. "$(dirname "$0")/lib.sh"
cc=${PARCOV_MCDC_CC:-clang-19}
command -v "$cc" >/dev/null || { echo "SKIP: $cc is not installed"; exit 77; }
major=${cc#clang-}
LLVM_PROFDATA=llvm-profdata-$major LLVM_COV=llvm-cov-$major GCOV_CMD="llvm-cov-$major gcov"
for tool in "$LLVM_PROFDATA" "$LLVM_COV"; do
  command -v "$tool" >/dev/null || fail "$cc is installed but $tool is not (apt-get install llvm-$major)"
done
rm -rf "$WORK"; mkdir -p "$WORK"
export CC=$cc
. "$(dirname "$0")/compare-lib.sh"
SRC="$WORK/src"
cp -r "$REPO/tests/e2e/mcdc-project" "$SRC"

step "reference: serial run of a plain -fcoverage-mcdc build, profiles merged by hand"
R="$WORK/ref"
reference_build "$R" "$SRC" "-fprofile-instr-generate -fcoverage-mapping -fcoverage-mcdc -O0"
LLVM_PROFILE_FILE="$R/profiles/%p.profraw" run_ok ctest --test-dir "$R" -j1
profiles=("$R"/profiles/*.profraw)
[ ${#profiles[@]} = 4 ] || fail "the reference wrote ${#profiles[@]} profiles, want 4"
run_ok "$LLVM_PROFDATA" merge -sparse "${profiles[@]}" -o "$R/all.profdata"
"$LLVM_COV" export -summary-only -instr-profile="$R/all.profdata" "$R/decide" "$SRC" \
  >"$R/summary.json" || fail "llvm-cov export failed"
# mcdc_of JSON: "covered conditions" of llvm-cov's totals.
mcdc_of() {
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["data"][0]["totals"]["mcdc"]
print(m["covered"], m["count"])' "$1"
}
read -r C N <<<"$(mcdc_of "$R/summary.json")"
[ "$C $N" = "4 5" ] || fail "llvm-cov: the suite covers $C of $N conditions, want 4 of 5 (see mcdc-project)"
# No test alone covers any condition: only the union does.
for p in "${profiles[@]}"; do
  run_ok "$LLVM_PROFDATA" merge -sparse "$p" -o "$R/one.profdata"
  "$LLVM_COV" export -summary-only -instr-profile="$R/one.profdata" "$R/decide" "$SRC" >"$R/one.json"
  read -r c1 n1 <<<"$(mcdc_of "$R/one.json")"
  [ "$c1 $n1" = "0 5" ] || fail "one test alone ($p) covers $c1 of $n1 conditions, want 0 of 5"
done
want=$(python3 -c 'import sys; c,n=map(int,sys.argv[1:]); print(f"MC/DC: {c} of {n} conditions covered ({100*c/n:.1f}%)")' "$C" "$N")

step "ours: ctest -j4 with PARALLEL_COVERAGE_MCDC=ON"
B="$WORK/ours"
ours llvm "$SRC" "$B" -DPARALLEL_COVERAGE_MCDC=ON
grep -rq --include=flags.make --include='*.ninja' -- "-fcoverage-mcdc" "$B" ||
  fail "decide is not compiled with -fcoverage-mcdc"
grep -qxF "$want" "$B/coverage/summary.txt" || fail "summary.txt lacks the line '$want'"
grep -qxF "$want" "$WORK/last.log" || fail "the coverage target does not print '$want'"
# The line comes right under the table (after its Functions line).
python3 - "$B/coverage/summary.txt" "$want" <<'PY' || fail "MC/DC line not under the table"
import sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index(sys.argv[2])
sys.exit(0 if lines[i - 1].startswith("Functions:") and lines[i - 2].startswith("TOTAL") else 1)
PY
grep -E "^decide\.c .* +5 +4 +80\.0%" "$B/coverage/summary.txt" ||
  fail "no per-file MC/DC columns (5 conditions, 4 covered, 80.0%) for decide.c"
python3 - "$B/coverage/coverage.json" "$R/summary.json" "$SRC" <<'PY' || fail "coverage.json MC/DC differs from llvm-cov's"
import json, os, sys
ours = json.load(open(sys.argv[1]))
ref = json.load(open(sys.argv[2]))["data"][0]
want = {os.path.relpath(f["filename"], sys.argv[3]): f["summary"]["mcdc"] for f in ref["files"]}
got = {f["file"]: f["parcov/mcdc"] for f in ours["files"]}
bad = [n for n in want if got.get(n) != {"conditions": want[n]["count"], "covered": want[n]["covered"]}]
t = ref["totals"]["mcdc"]
if ours["parcov/mcdc"] != {"conditions": t["count"], "covered": t["covered"]}:
    bad.append("totals")
print(bad or "JSON MC/DC equals llvm-cov's")
sys.exit(1 if bad or set(got) != set(want) else 0)
PY
python3 - "$B/coverage/coverage.xml" "$C" "$N" <<'PY' || fail "coverage.xml lacks the MC/DC attributes"
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
top = d.documentElement
cls = d.getElementsByTagName("class")[0]
ok = all(e.getAttribute("conditions-covered") == sys.argv[2] and
         e.getAttribute("conditions-valid") == sys.argv[3] and
         abs(float(e.getAttribute("condition-rate")) - int(sys.argv[2]) / int(sys.argv[3])) < 1e-9
         for e in (top, cls))
sys.exit(0 if ok else 1)
PY
# parcov's pages: the decisions' conditions covered (e2e.browser-mcdc checks them in chromium).
grep -q "<summary>MC/DC 1/2</summary>" "$B"/coverage/html/f*-decide.c.html &&
  grep -q "<summary>MC/DC 3/3</summary>" "$B"/coverage/html/f*-decide.c.html ||
  fail "the HTML report does not show the decisions' MC/DC (3/3 and 1/2)"

step "PARALLEL_COVERAGE_FAIL_UNDER_MCDC"
parcov=$(parcov_of "$B")
run_ok cmake -S "$SRC" -B "$B" -DPARALLEL_COVERAGE_FAIL_UNDER_MCDC=80.5
run_fails 1 "MC/DC condition coverage 80\.0% is below PARALLEL_COVERAGE_FAIL_UNDER_MCDC=80\.5" \
  "$parcov" report -C "$B"
[ -s "$B/coverage/summary.txt" ] || fail "no reports when below the MC/DC threshold"
run_ok cmake -S "$SRC" -B "$B" -DPARALLEL_COVERAGE_FAIL_UNDER_MCDC=80
run_ok "$parcov" report -C "$B"

step "without PARALLEL_COVERAGE_MCDC: no MC/DC line or columns"
run_ok cmake -S "$SRC" -B "$B" -DPARALLEL_COVERAGE_MCDC=OFF -DPARALLEL_COVERAGE_FAIL_UNDER_MCDC=
run_ok "$parcov" report -C "$B"
if grep -q "MC/DC" "$B/coverage/summary.txt"; then fail "MC/DC in the summary with the option OFF"; fi

step "configure errors: a compiler without MC/DC, the gcov backend, a threshold without the option"
args=(-DPARALLEL_COVERAGE=ON -DCMAKE_MODULE_PATH="$REPO/modules")
# CMake wraps its messages: match them as one line.
said() { tr '\n' ' ' <"$WORK/last.log" | tr -s ' ' | grep -Eq -- "$1" || fail "the message lacks /$1/"; }
run_fails 1 "PARALLEL_COVERAGE_MCDC needs Clang 18 or newer" \
  env CC=gcc cmake -S "$SRC" -B "$WORK/gcc" "${args[@]}" -DPARALLEL_COVERAGE_MCDC=ON
said "the compiler is GNU [0-9.]+\. Configure with CC=clang-19 CXX=clang\+\+-19 \(Debian: apt-get install clang-19 llvm-19 libclang-rt-19-dev\) in a new build directory, or set -DPARALLEL_COVERAGE_MCDC=OFF"
if command -v clang-14 >/dev/null && command -v llvm-cov-14 >/dev/null; then
  run_fails 1 "PARALLEL_COVERAGE_MCDC needs Clang 18 or newer" \
    env CC=clang-14 cmake -S "$SRC" -B "$WORK/clang14" "${args[@]}" -DPARALLEL_COVERAGE_MCDC=ON
  said "the compiler is Clang 14\."
fi
run_fails 1 "PARALLEL_COVERAGE_MCDC needs the llvm backend" \
  cmake -S "$SRC" -B "$WORK/gcov" "${args[@]}" -DPARALLEL_COVERAGE_MCDC=ON -DPARALLEL_COVERAGE_BACKEND=gcov
said "set -DPARALLEL_COVERAGE_BACKEND=llvm"
run_fails 1 "PARALLEL_COVERAGE_FAIL_UNDER_MCDC=90" \
  cmake -S "$SRC" -B "$WORK/nomcdc" "${args[@]}" -DPARALLEL_COVERAGE_FAIL_UNDER_MCDC=90
said "PARALLEL_COVERAGE_FAIL_UNDER_MCDC=90 needs PARALLEL_COVERAGE_MCDC=ON"
echo "PASS: mcdc ($cc)"

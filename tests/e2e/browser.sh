#!/bin/bash
# The HTML report in a real browser: Debian's chromium, headless, loads the index and file
# pages from file:// (no server, no network) and the DOM after the scripts ran must show
# coverage.json's numbers, the source and each line's count; ?sort= reorders the files as the
# numbers say; a page of a 20,000-line source loads whole. Screenshots of the index and of a
# file page (light and dark) are left in $WORK for people to look at (never compared);
# PARCOV_SCREENSHOTS_DIR=DIR copies them there (README's pictures: docs/). Skipped (77) only
# when chromium is not installed.
# browser.sh llvm CC: the same for the llvm backend built with Clang CC, whose pages also show
# regions (and, Clang 18+, MC/DC with PARALLEL_COVERAGE_MCDC: tests/e2e/mcdc-project): the
# numbers must be those of llvm-cov export and report run directly on the same profdata, and
# the pages show the Tests column (per-test coverage) and Δ (a diff). Skipped (77) without CC.
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi

# browse dom|png OUT URL [WIDTHxHEIGHT]: headless chromium (as root it needs --no-sandbox), its
# profile in the work directory, several seconds of page time for the scripts to run.
browse() {
  what=$1 out=$2 url=$3 size=${4:-1280,900}
  args=(--headless --no-sandbox --disable-gpu --disable-extensions --no-first-run
        --user-data-dir="$WORK/chromium-profile" --virtual-time-budget=10000 --window-size="$size")
  if [ "$what" = dom ]; then
    timeout 300 "$chromium" "${args[@]}" --dump-dom "$url" >"$out" 2>"$WORK/chromium.log" ||
      { cat "$WORK/chromium.log"; fail "chromium could not load $url"; }
  else
    timeout 300 "$chromium" "${args[@]}" --screenshot="$out" "$url" >"$WORK/chromium.log" 2>&1 ||
      { cat "$WORK/chromium.log"; fail "chromium could not take a screenshot of $url"; }
  fi
  [ -s "$out" ] || { cat "$WORK/chromium.log"; fail "chromium wrote nothing for $url"; }
}

# dom_check KIND DOM COVERAGE_JSON ROOT [ARGS]: the browser's DOM against coverage.json.
dom_check() {
  python3 - "$@" <<'PY'
import json, os, re, sys
from html.parser import HTMLParser

kind, dom, cov, root = sys.argv[1:5]
args = sys.argv[5:]
# The llvm backend: llvm-cov's own export and report of the same profdata (ground truth).
export = os.environ.get("LLVM_EXPORT")
if export:
    ex_data = json.load(open(export))["data"][0]
    ex = {os.path.relpath(f["filename"], root): f for f in ex_data["files"]}
    mcdc_on = os.environ.get("LLVM_MCDC") == "1"

class Tables(HTMLParser):
    """Rows of every table by id: (row attributes, [cell text]); body and #shown attributes."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.stack, self.row, self.cell, self.body, self.ids = {}, [], None, None, {}, {}
        self.text_of = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if "id" in a and tag not in ("tr",):
            self.ids[a["id"]] = [tag, a, ""]
            self.text_of = a["id"]
        if tag == "table":
            self.stack.append(a.get("id", ""))
            self.tables.setdefault(self.stack[-1], [])
        elif tag == "tr" and self.stack:
            self.row = (a, [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag == "tr" and self.row is not None:
            self.tables[self.stack[-1]].append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row[1].append("".join(self.cell))
            self.cell = None
        elif self.text_of and tag in ("span", "button"):
            self.text_of = None
    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)
        if self.text_of:
            self.ids[self.text_of][2] += data

p = Tables()
p.feed(open(dom, encoding="utf-8").read())
files = json.load(open(cov))["files"]
problems = []
def code(f):
    return {l["line_number"]: l for l in f["lines"] if not l["gcovr/noncode"]}
def pct(h, t):
    return f"{100.0 * h / t:.1f}%" if t else "--"
def lines_pct(f):
    c = code(f).values()
    return (sum(l["count"] > 0 for l in c), len(c))

if p.ids.get("theme", [None, None, ""])[2] not in ("Dark theme", "Light theme"):
    problems.append(f"the theme button was not set up by the script: {p.ids.get('theme')}")
def ratio(s):
    return f"{pct(s['covered'], s['count'])} {s['covered']}/{s['count']}"
extra = (["Regions"] + (["MC/DC"] if mcdc_on else [])) if export else []
if kind == "index":
    want_order = args[0] if args else ""
    heads = [cells for a, cells in p.tables.get("filelist", []) if cells and cells[0] == "File"]
    if heads != [["File", "Lines", "Branches", "Functions"] + extra]:
        problems.append(f"the file list's columns are {heads}, want {extra} after Functions")
    rows = [cells for a, cells in p.tables.get("filelist", []) if cells and cells[0] != "File"]
    names = [r[0] for r in rows]
    shown = p.ids.get("shown", [None, None, ""])[2]
    if shown != f"{len(files)} of {len(files)} files shown":
        problems.append(f"the filter's count, written by the script, is {shown!r}")
    byname = {f["file"]: f for f in files}
    if sorted(names) != sorted(byname):
        problems.append(f"files shown {names} are not coverage.json's")
    for r in rows:
        h, t = lines_pct(byname[r[0]])
        if f"{pct(h, t)} {h}/{t}" not in " ".join(r[1].split()):
            problems.append(f"{r[0]}: lines cell {r[1]!r}, coverage.json {h}/{t}")
    if want_order == "lines-ascending":
        key = lambda n: (lambda h, t: 100.0 * h / t if t else -1)(*lines_pct(byname[n]))
        if names != sorted(names, key=key) or not names:
            problems.append(f"?sort=lines did not order the files by line coverage: {names}")
    totals = [cells for a, cells in p.tables.get("summary", []) if cells and cells[0] == "All"]
    h = sum(lines_pct(f)[0] for f in files); t = sum(lines_pct(f)[1] for f in files)
    if not totals or f"{pct(h, t)} {h}/{t}" not in " ".join(totals[0][1].split()):
        problems.append(f"the total {h}/{t} is not shown: {totals}")
    if export:
        # Regions and MC/DC of each file, directory and the whole: llvm-cov's.
        measures = ["regions"] + (["mcdc"] if mcdc_on else [])
        def cells_of(cells):
            return [" ".join(c.split()) for c in cells[4:4 + len(measures)]]
        for r in rows:
            want = [ratio(ex[r[0]]["summary"][m]) for m in measures]
            if cells_of(r) != want:
                problems.append(f"{r[0]}: {extra} cells {cells_of(r)}, llvm-cov export {want}")
        dirs = {}
        for n in names:
            d = dirs.setdefault(os.path.dirname(n) or ".", {m: {"count": 0, "covered": 0} for m in measures})
            for m in measures:
                for k in ("count", "covered"):
                    d[m][k] += ex[n]["summary"][m][k]
        for a, cells in p.tables.get("dirs", []):
            if cells and cells[0] in dirs:
                d = dirs.pop(cells[0])
                want = [ratio(d[m]) for m in measures]
                if [" ".join(c.split()) for c in cells[5:5 + len(measures)]] != want:
                    problems.append(f"directory {cells[0]}: {cells[5:]}, llvm-cov export {want}")
        if dirs:
            problems.append(f"directories not shown: {sorted(dirs)}")
        want = [ratio(ex_data["totals"][m]) for m in measures]
        if not totals or cells_of(totals[0]) != want:
            problems.append(f"the totals {totals}, llvm-cov export {want}")
        report = open(os.environ["LLVM_REPORT"]).read().split("\n")
        total = next(l.split() for l in report if l.startswith("TOTAL"))
        got = (ex_data["totals"]["regions"]["count"], ex_data["totals"]["regions"]["covered"])
        if got != (int(total[1]), int(total[1]) - int(total[2])):
            problems.append(f"llvm-cov report's TOTAL {total[:3]} is not the export's regions {got}")
        print(f"index: {extra} of {len(rows)} files, their directories and the total are llvm-cov's: {want}")
else:
    name, line = args[0], int(args[1])
    f = next(f for f in files if f["file"] == name)
    want = code(f)
    src = open(os.path.join(root, name), encoding="utf-8", errors="replace").read().split("\n")
    rows = {a.get("id"): (a, c) for a, c in p.tables.get("src", []) if a.get("id")}
    if len(rows) < max(want):
        problems.append(f"{len(rows)} source rows, coverage.json has line {max(want)}")
    marked_lines = {k for k, l in want.items() if l["count"] == 0 or any(b["count"] == 0 for b in l["branches"])}
    if export:
        # Lines that ran with a region that did not (region entries of the segments:
        # [line, col, count, has count, entry, gap]), and the MC/DC decisions by line.
        fe = ex[name]
        entries = {}
        for sg in fe["segments"]:
            if sg[3] and sg[4] and not sg[5]:
                entries.setdefault(sg[0], []).append(sg)
        part_regions = {n for n, e in entries.items() if n in want and want[n]["count"] > 0 and
                        any(sg[2] == 0 for sg in e)}
        decisions = {}
        for r in sorted(fe.get("mcdc_records", []), key=lambda r: (r[0], r[1])):
            decisions.setdefault(r[0], []).append(r[-1])
        if mcdc_on and not decisions:
            problems.append(f"{name}: llvm-cov exports no MC/DC decision")
        part_mcdc = {n for n, d in decisions.items() if n in want and not all(all(c) for c in d)}
        marked_lines |= part_regions | part_mcdc
        rows_ = {a.get("id"): (a, c) for a, c in p.tables.get("src", []) if a.get("id")}
        for rid, (a, c) in rows_.items():
            n = int(rid[1:])
            mark = " ".join(c[2].split()) if len(c) > 2 else ""
            if ("◔" in mark) != (n in part_regions):
                problems.append(f"{name}:{n}: region mark {mark!r}, llvm-cov's region entries {entries.get(n)}")
            elif n in part_regions:
                e = entries[n]
                head = f"◔ {sum(sg[2] > 0 for sg in e)}/{len(e)}"
                cols = [f"col {sg[1]}: " + (f"{sg[2]}×" if sg[2] else "not run") for sg in e]
                if head not in mark or any(x not in mark for x in cols) or a.get("class") != "p":
                    problems.append(f"{name}:{n}: {a} {mark!r}, want {head} {cols} (class p)")
            if ("MC/DC" in mark) != (n in decisions):
                problems.append(f"{name}:{n}: MC/DC mark {mark!r}, llvm-cov's decisions {decisions.get(n)}")
            elif n in decisions:
                heads = [f"MC/DC {sum(d)}/{len(d)}" for d in decisions[n]]
                flags = re.findall(r": (not covered|covered)", mark)
                wflags = ["covered" if x else "not covered" for d in decisions[n] for x in d]
                if any(h not in mark for h in heads) or flags != wflags:
                    problems.append(f"{name}:{n}: MC/DC {mark!r}, llvm-cov: {heads} {wflags}")
                else:
                    print(f"{name}:{n}: {heads} with its conditions {wflags}, as llvm-cov exports")
        print(f"{name}: {len(part_regions)} lines with a region not run, {len(decisions)} lines with "
              f"MC/DC decisions, as llvm-cov exports")
    if os.environ.get("CHANGED"):
        ch = int(os.environ["CHANGED"])
        rows_ = {a.get("id"): (a, c) for a, c in p.tables.get("src", []) if a.get("id")}
        got = sorted(int(k[1:]) for k, (a, c) in rows_.items() if a.get("data-changed"))
        if got != [ch] or rows_[f"L{ch}"][1][3] != "Δ":
            problems.append(f"{name}: lines marked changed {got}, the diff changes {ch}")
    marked = len(marked_lines)
    if p.body.get("data-ready") != str(marked):
        problems.append(f"the script found {p.body.get('data-ready')} lines to visit, coverage.json has {marked}")
    for n in sorted({line, max(want), min(want)} | {k for k, l in want.items() if l["count"] == 0}):
        a, c = rows.get(f"L{n}", ({}, []))
        l = want.get(n)
        if not c or c[0] != str(n) or c[-1] != src[n - 1]:
            problems.append(f"{name}:{n}: row {c} does not show the source line {src[n - 1]!r}")
            continue
        if l and c[1] != str(l["count"]):
            problems.append(f"{name}:{n}: count {c[1]!r}, coverage.json {l['count']}")
        if l and l["count"] == 0 and (a.get("class") != "u" or not c[2].startswith("✗")):
            problems.append(f"{name}:{n}: a line not run is not marked ✗: {a} {c[2]!r}")
    if len(args) > 2:
        # The tests that ran the line, as `parcov tests-for` prints them: the Tests cell
        # (next to the source) names exactly those.
        want_tests = open(args[2]).read().split("\n")[:-1]
        a, c = rows.get(f"L{line}", ({}, []))
        cell = c[-2] if len(c) >= 2 else ""
        if not want_tests:
            problems.append(f"{name}:{line}: tests-for names no test for the busiest line")
        head = f"{len(want_tests)} test{'' if len(want_tests) == 1 else 's'}"
        if not cell.startswith(head) or any(t not in cell for t in want_tests):
            problems.append(f"{name}:{line}: Tests cell {cell!r}, tests-for says {want_tests}")
        else:
            print(f"{name}: line {line} lists the {len(want_tests)} tests that ran it")
    print(f"{name}: line {line} shows count {rows[f'L{line}'][1][1]} and its source; "
          f"{len(rows)} rows, {marked} lines marked")
for x in problems[:20]:
    print(x)
sys.exit(1 if problems else 0)
PY
}

# The llvm backend (browser.sh llvm CC).
if [ "${1:-}" = llvm ]; then
  cc=${2:-clang-14}
  major=${cc#clang-}
  command -v "$cc" >/dev/null || { echo "SKIP: $cc is not installed"; exit 77; }
  LLVM_COV=llvm-cov-$major
  command -v "$LLVM_COV" >/dev/null || fail "$cc is installed but $LLVM_COV is not (apt-get install llvm-$major)"
  B="$WORK/llvm"
  if [ "$major" -ge 18 ]; then
    export LLVM_MCDC=1
    SRC="$WORK/mcdc-project"; file=decide.c
    cp -r "$REPO/tests/e2e/mcdc-project" "$SRC"
    set -- -DPARALLEL_COVERAGE_MCDC=ON -DCMAKE_MODULE_PATH="$REPO/modules"
  else
    export LLVM_MCDC=0
    SRC="$EXAMPLE"; file=src/eval.c
    set -- -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
  fi
  step "$cc, llvm backend$([ $LLVM_MCDC = 1 ] && echo ", MC/DC"): tests run with ctest -j4, per-test coverage"
  run_ok env CC="$cc" cmake -S "$SRC" -B "$B" -G "$GENERATOR" $STRICT -DPARALLEL_COVERAGE=ON \
    -DPARALLEL_COVERAGE_BACKEND=llvm -DPARALLEL_COVERAGE_PER_TEST=ON -DPARALLEL_COVERAGE_GCOVR=/bin/false "$@"
  run_ok cmake --build "$B"
  run_ok ctest --test-dir "$B" -j4
  run_ok cmake --build "$B" --target coverage
  H="$B/coverage/html" J="$B/coverage/coverage.json"
  grep -q "<th scope=\"col\">Regions</th>" "$H/index.html" || fail "the index is not parcov's HTML with regions"
  # The busiest line of the file, changed by a diff: the report again with it (Δ).
  line=$(python3 -c 'import json,sys; f=[f for f in json.load(open(sys.argv[1]))["files"] if f["file"]==sys.argv[2]][0]
print(max((l for l in f["lines"] if not l["gcovr/noncode"]), key=lambda l: l["count"])["line_number"])' "$J" "$file")
  mkdir -p "$WORK/a" "$WORK/b"
  cp "$SRC/$file" "$WORK/a/x"; sed "${line}s/\$/ \/* changed *\//" "$SRC/$file" >"$WORK/b/x"
  (cd "$WORK" && diff -u --label "a/$file" --label "b/$file" a/x b/x >"$WORK/one-line.diff") || true
  parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
  run_ok "$parcov" report -C "$B" --diff "$WORK/one-line.diff"
  grep -q "<th scope=\"col\">Changed lines</th>" "$H/index.html" || fail "no changed lines in the index"

  step "ground truth: llvm-cov export and report run directly on the same profdata"
  mapfile -t objects <"$B/coverage-data/objects.txt"
  truth=(-instr-profile="$B/coverage-data/coverage.profdata" "${objects[0]}")
  for o in "${objects[@]:1}"; do truth+=(-object="$o"); done
  truth+=(-ignore-filename-regex="^$SRC/(tests|test|examples)/" "$SRC")
  "$LLVM_COV" export -skip-functions "${truth[@]}" >"$WORK/export.json" 2>"$WORK/llvm-cov.log" ||
    { cat "$WORK/llvm-cov.log"; fail "llvm-cov export failed"; }
  "$LLVM_COV" report "${truth[@]}" >"$WORK/report.txt" 2>>"$WORK/llvm-cov.log" ||
    { cat "$WORK/llvm-cov.log"; fail "llvm-cov report failed"; }
  grep TOTAL "$WORK/report.txt"
  export LLVM_EXPORT="$WORK/export.json" LLVM_REPORT="$WORK/report.txt"

  step "chromium: the index and the page of $file (line $line)"
  page=$(sed -n "s/.*<a href=\"\(f[0-9]*-$(basename "$file")\.html\)\">.*/\1/p" "$H/index.html")
  [ -n "$page" ] || fail "no page for $file in the index"
  browse dom "$WORK/index.dom.html" "file://$H/index.html"
  run_ok dom_check index "$WORK/index.dom.html" "$J" "$SRC"
  browse dom "$WORK/index-sorted.dom.html" "file://$H/index.html?sort=lines"
  run_ok dom_check index "$WORK/index-sorted.dom.html" "$J" "$SRC" lines-ascending
  browse dom "$WORK/file.dom.html" "file://$H/$page#L$line"
  "$parcov" tests-for -C "$B" "$file:$line" >"$WORK/tests-for.txt" || fail "parcov tests-for failed"
  CHANGED=$line run_ok dom_check file "$WORK/file.dom.html" "$J" "$SRC" "$file" "$line" "$WORK/tests-for.txt"

  step "chromium: screenshots (for people to look at; not compared)"
  browse png "$WORK/llvm-index.png" "file://$H/index.html" 1100,640
  browse png "$WORK/llvm-file.png" "file://$H/$page" 1100,900
  ls -l "$WORK"/*.png
  if [ -n "${PARCOV_SCREENSHOTS_DIR:-}" ]; then
    mkdir -p "$PARCOV_SCREENSHOTS_DIR"
    cp "$WORK/llvm-file.png" "$PARCOV_SCREENSHOTS_DIR/html-llvm$([ "$LLVM_MCDC" = 1 ] && echo -mcdc).png"
  fi

  step "PARCOV_REPORTER=llvm-cov: llvm-cov's own HTML instead"
  PARCOV_REPORTER=llvm-cov run_ok "$parcov" report -C "$B"
  [ -f "$H/style.css" ] && [ ! -e "$H/parcov.css" ] || fail "PARCOV_REPORTER=llvm-cov did not give llvm-cov's HTML"
  grep -qi "mcdc\|MC/DC" "$H/index.html" || [ "$LLVM_MCDC" = 0 ] || fail "llvm-cov's HTML shows no MC/DC"
  echo "PASS: browser (llvm, $cc)"
  exit 0
fi

step "the example, reported by parcov alone"
B="$WORK/calc"
run_ok cmake -S "$EXAMPLE" -B "$B" -G "$GENERATOR" $STRICT -DPARALLEL_COVERAGE=ON -DCALC_WITH_PARALLEL_COVERAGE=OFF \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" -DPARALLEL_COVERAGE_GCOVR=/bin/false
run_ok cmake --build "$B"
run_ok ctest --test-dir "$B" -j4
run_ok cmake --build "$B" --target coverage
H="$B/coverage/html"
J="$B/coverage/coverage.json"
page=$(sed -n 's/.*<a href="\(f[0-9]*-eval\.c\.html\)">.*/\1/p' "$H/index.html")
[ -n "$page" ] || fail "no page for src/eval.c in the index"
# The busiest line of eval.c, from coverage.json.
line=$(python3 -c 'import json,sys; f=[f for f in json.load(open(sys.argv[1]))["files"] if f["file"]=="src/eval.c"][0]
print(max((l for l in f["lines"] if not l["gcovr/noncode"]), key=lambda l: l["count"])["line_number"])' "$J")

step "chromium: the index (DOM after its scripts ran)"
browse dom "$WORK/index.dom.html" "file://$H/index.html"
run_ok dom_check index "$WORK/index.dom.html" "$J" "$EXAMPLE"
browse dom "$WORK/index-sorted.dom.html" "file://$H/index.html?sort=lines"
run_ok dom_check index "$WORK/index-sorted.dom.html" "$J" "$EXAMPLE" lines-ascending

step "chromium: the page of src/eval.c (line $line)"
browse dom "$WORK/file.dom.html" "file://$H/$page#L$line"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
"$parcov" tests-for -C "$B" "src/eval.c:$line" >"$WORK/tests-for.txt" || fail "parcov tests-for failed"
run_ok dom_check file "$WORK/file.dom.html" "$J" "$EXAMPLE" src/eval.c "$line" "$WORK/tests-for.txt"

step "chromium: screenshots (for people to look at; not compared)"
# The short src/format.c whole (headless chromium draws nothing when a page starts scrolled
# to an anchor, so the picture is the top of a page).
fpage=$(sed -n 's/.*<a href="\(f[0-9]*-format\.c\.html\)">.*/\1/p' "$H/index.html")
browse png "$WORK/index.png" "file://$H/index.html" 1100,640
browse png "$WORK/file.png" "file://$H/$fpage" 1100,900
browse png "$WORK/file-dark.png" "file://$H/$fpage?theme=dark" 1100,900
ls -l "$WORK"/*.png
if [ -n "${PARCOV_SCREENSHOTS_DIR:-}" ]; then
  mkdir -p "$PARCOV_SCREENSHOTS_DIR"
  cp "$WORK/index.png" "$PARCOV_SCREENSHOTS_DIR/html-index.png"
  cp "$WORK/file.png" "$PARCOV_SCREENSHOTS_DIR/html-file.png"
  cp "$WORK/file-dark.png" "$PARCOV_SCREENSHOTS_DIR/html-file-dark.png"
fi

step "a 20,000-line source: its page loads whole"
S="$WORK/big-src"
mkdir -p "$S"
cat >"$S/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(big C)
enable_testing()
add_executable(big big.c)
add_test(NAME big COMMAND big)
EOF
python3 - "$S/big.c" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("volatile long x;\nstatic void f(int n)\n{\n")
    for i in range(4, 19999):
        out.write(f"\tif (n > {i % 3}) x += {i};\n" if i % 10 == 0 else f"\tx += {i};\n")
    out.write("}\nint main(int argc, char **argv) { (void)argv; f(argc); return 0; }\n")
PY
[ "$(wc -l <"$S/big.c")" = 20000 ] || fail "the generated source does not have 20000 lines"
run_ok cmake -S "$S" -B "$WORK/big" -G "$GENERATOR" $STRICT -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" -DPARALLEL_COVERAGE_GCOVR=/bin/false
run_ok cmake --build "$WORK/big"
run_ok ctest --test-dir "$WORK/big"
run_ok cmake --build "$WORK/big" --target coverage
bigpage=$(sed -n 's/.*<a href="\(f[0-9]*-big\.c\.html\)">.*/\1/p' "$WORK/big/coverage/html/index.html")
ls -l "$WORK/big/coverage/html/$bigpage"
browse dom "$WORK/big.dom.html" "file://$WORK/big/coverage/html/$bigpage#L19990"
run_ok dom_check file "$WORK/big.dom.html" "$WORK/big/coverage/coverage.json" "$S" big.c 19990
echo "PASS: browser"

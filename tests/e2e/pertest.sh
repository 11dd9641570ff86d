#!/bin/bash
# Per-test coverage against ground truth: each test run alone, serially, in a plain
# --coverage build (no module), read by gcovr: for every line of the report, the set of
# tests with count > 0 must be exactly the one coverage/tests.json and `parcov tests-for`
# give. On the example, a generated project (bench/gen.py) and a C++ project (templates,
# inline header functions, exceptions) and tests/e2e/pertest-project (labels, conditions over
# several lines: gcov counts a line by the blocks that end on it). Then `parcov affected` (a changed line selects
# every test that ran it; a file the data does not know selects all; --regex and
# --tests-file work with ctest) and patch coverage with known numbers (report --diff,
# --since, PARALLEL_COVERAGE_FAIL_UNDER_PATCH, PARALLEL_COVERAGE_DIFF_BASE).
# With an argument, only the ground truth of the example and the generated project with
# another .gcno flavour: gcc-11 (GCC 11's format) or clang (Clang 14's --coverage, the gcov
# backend); exits 77 (skipped) when that compiler is not installed.
. "$(dirname "$0")/lib.sh"
rm -rf "$WORK"; mkdir -p "$WORK"
# gcovr writes its .gcov files into the source tree it runs in, under names other runs of the
# same sources use too: each test measures its own copies, so tests running at the same time
# never share one.
for d in "$REPO/examples/calc" "$REPO/tests/e2e/pertest-project" "$REPO/tests/e2e/report-cxx-project" \
  "$REPO/tests/e2e/pertest-llvm-project"; do
  mkdir -p "$WORK/src"; cp -r "$d" "$WORK/src/"; rm -rf "$WORK/src/$(basename "$d")"/build*
done
EXAMPLE=$WORK/src/calc SHAPES=$WORK/src/pertest-project CXXPROJ=$WORK/src/report-cxx-project
TWO=$WORK/src/pertest-llvm-project
FLAVOUR=${1:-gcc}
GCOV_EXE=gcov
case $FLAVOUR in
gcc) ;;
gcc-11)
  command -v gcc-11 >/dev/null && command -v gcov-11 >/dev/null || { echo "SKIP: gcc-11 is not installed"; exit 77; }
  export CC=gcc-11 CXX=g++-11; GCOV_EXE=gcov-11 ;;
clang)
  command -v clang-14 >/dev/null && command -v llvm-cov-14 >/dev/null ||
    { echo "SKIP: clang-14 and llvm-cov-14 are not installed"; exit 77; }
  export CC=clang-14 CXX=clang++-14; GCOV_EXE="llvm-cov-14 gcov"
  # Clang has no -fprofile-abs-path; CMake's sources are absolute anyway.
  COVERAGE_FLAGS="--coverage -O0" ;;
*) fail "unknown flavour $FLAVOUR" ;;
esac

# truth SRC PLAIN_BUILD EXTRA_CMAKE_ARGS...: per-test gcovr JSON in $PLAIN_BUILD/truth/.
truth() {
  src=$1 plain=$2; shift 2
  run_ok cmake -S "$src" -B "$plain" -G "$GENERATOR" -DCMAKE_C_FLAGS="$COVERAGE_FLAGS" \
    -DCMAKE_CXX_FLAGS="$COVERAGE_FLAGS" "$@"
  run_ok cmake --build "$plain"
  mkdir -p "$plain/truth"
  ctest --test-dir "$plain" -N | sed -n 's/^ *Test *#[0-9]*: //p' >"$plain/truth/names.txt"
  [ -s "$plain/truth/names.txt" ] || fail "no tests in $plain"
  i=0
  while IFS= read -r name; do
    i=$((i + 1))
    find "$plain" -name '*.gcda' -delete
    re=$(python3 -c 'import re,sys; print("^" + re.sub(r"([][.^$|?*+(){}\\])", r"\\\1", sys.argv[1]) + "$")' "$name")
    ctest --test-dir "$plain" -R "$re" >"$WORK/last.log" 2>&1 || true
    grep -q "tests failed out of 1\$" "$WORK/last.log" ||
      { cat "$WORK/last.log"; fail "ctest -R '$re' did not run exactly one test"; }
    (cd "$src" && gcovr --gcov-executable "$GCOV_EXE" --root . --exclude 'tests/' --exclude 'test/' \
       --exclude 'examples/' --json "$plain/truth/$i.json" "$plain")
    printf '%s\t%s\n' "$i" "$name" >>"$plain/truth/index.tsv"
  done <"$plain/truth/names.txt"
}

# compare BUILD PLAIN: tests.json against the serial per-test truth, every report line.
compare() {
  python3 - "$1" "$2" <<'PY'
import json, sys
build, plain = sys.argv[1:3]
report = json.load(open(f"{build}/coverage/coverage.json"))
tj = json.load(open(f"{build}/coverage/tests.json"))
names = [t["name"] for t in tj["tests"]]
got = {(f["file"], int(n)): sorted(names[i] for i in ids)
       for f in tj["files"] for n, ids in f["lines"].items()}
want = {}
for line in open(f"{plain}/truth/index.tsv"):
    i, name = line.rstrip("\n").split("\t", 1)
    for f in json.load(open(f"{plain}/truth/{i}.json"))["files"]:
        for l in f["lines"]:
            if not l["gcovr/noncode"] and l["count"] > 0:
                want.setdefault((f["file"], l["line_number"]), []).append(name)
problems, lines, hit = [], 0, 0
for f in report["files"]:
    for l in f["lines"]:
        if l["gcovr/noncode"]:
            continue
        key = (f["file"], l["line_number"])
        lines += 1
        w, g = sorted(want.get(key, [])), got.get(key)
        hit += bool(w)
        if g is None:
            problems.append(f"{key}: not in tests.json")
        elif g != w:
            problems.append(f"{key}: tests.json {g} != serial truth {w}")
        if (l["count"] > 0) != bool(w):
            problems.append(f"{key}: report count {l['count']} but serial runs {w}")
extra = set(got) - {(f["file"], l["line_number"]) for f in report["files"] for l in f["lines"]
                    if not l["gcovr/noncode"]}
problems += [f"{k}: in tests.json, not a report line" for k in sorted(extra)]
print(f"{lines} report lines ({hit} run by some test) compared with {len(names)} tests' serial runs")
print("\n".join(problems[:30]))
sys.exit(1 if problems or not hit else 0)
PY
}

# tests_for_agrees BUILD: `parcov tests-for` prints, for every report line, what
# tests.json says (sorted, one per line).
tests_for_agrees() {
  python3 - "$1" "$parcov" <<'PY'
import json, subprocess, sys
build, parcov = sys.argv[1:3]
tj = json.load(open(f"{build}/coverage/tests.json"))
names = [t["name"] for t in tj["tests"]]
bad = 0
for f in tj["files"]:
    specs = [f"{f['file']}:{n}" for n in f["lines"]]
    # One call per line (a few hundred processes), and one for the whole file's lines.
    for spec, (n, ids) in zip(specs, f["lines"].items()):
        out = subprocess.run([parcov, "tests-for", "-C", build, spec], capture_output=True, text=True)
        want = "".join(x + "\n" for x in sorted(names[i] for i in ids))
        if out.returncode != 0 or out.stdout != want:
            print(f"{spec}: rc {out.returncode}, {out.stdout!r} != {want!r} {out.stderr}")
            bad += 1
    if not f["lines"]:
        continue
    lo, hi = min(map(int, f["lines"])), max(map(int, f["lines"]))
    out = subprocess.run([parcov, "tests-for", "-C", build, f"{f['file']}:{lo}-{hi}"],
                         capture_output=True, text=True)
    want = "".join(x + "\n" for x in sorted({names[i] for ids in f["lines"].values() for i in ids}))
    if out.returncode != 0 or out.stdout != want:
        print(f"{f['file']}:{lo}-{hi}: {out.stdout!r} != {want!r}")
        bad += 1
sys.exit(1 if bad else 0)
PY
}

# patch_known BUILD: a diff whose added lines (new side) are two covered code lines of
# src/eval.c, two uncovered ones and a comment line (not code: not counted), as BUILD's
# report says; the summary must end with exactly those numbers.
patch_known() {
  python3 - "$1" "$EXAMPLE" "$WORK" <<'PY'
import json, sys
b, ex, work = sys.argv[1:4]
f = next(f for f in json.load(open(f"{b}/coverage/coverage.json"))["files"] if f["file"] == "src/eval.c")
code = [l for l in f["lines"] if not l["gcovr/noncode"]]
cov = [l["line_number"] for l in code if l["count"] > 0][:2]
unc = [l["line_number"] for l in code if l["count"] == 0][:2]
text = open(f"{ex}/src/eval.c").read().split("\n")
noncode = next(i + 1 for i, t in enumerate(text) if t.strip().startswith(("/*", "//", "*")))
added = sorted(cov + unc + [noncode])
out = ["--- a/src/eval.c", "+++ b/src/eval.c"]
old = 0
for n in added:
    # Each added line is a one-line hunk: inserted after the old line before it.
    out.append(f"@@ -{n - 1 - old},0 +{n},1 @@")
    out.append("+" + text[n - 1])
    old += 1
open(f"{work}/patch.diff", "w").write("\n".join(out) + "\n")
u = ",".join(str(x) for x in unc) if unc[1] != unc[0] + 1 else f"{unc[0]}-{unc[1]}"
open(f"{work}/patch.want", "w").write(f"  src/eval.c: {u}\n\nPatch: 2 of 4 changed lines covered (50.0%)\n")
PY
  run_ok "$parcov" report -C "$1" --formats txt --diff "$WORK/patch.diff"
  tail -n 3 "$1/coverage/summary.txt" | diff "$WORK/patch.want" - || fail "patch coverage numbers"
  grep -q "^Patch: 2 of 4 changed lines covered (50.0%)$" "$WORK/last.log" || fail "Patch line not printed"
}

# module SRC BUILD ARGS...: the module injected, built, ctest -j2, the coverage target.
module() {
  src=$1 b=$2; shift 2
  run_ok cmake -S "$src" -B "$b" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" "-DPARALLEL_COVERAGE_FORMATS=txt;json;lcov" \
    -DPARALLEL_COVERAGE_BACKEND=gcov "$@"
  run_ok cmake --build "$b"
  parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$b/CMakeCache.txt")
  run_ok ctest --test-dir "$b" -j2
  run_ok cmake --build "$b" -t coverage
  [ -s "$b/coverage/tests.json" ] || fail "$b: no coverage/tests.json"
}

# llvm_module SRC BUILD ARGS...: module() with the llvm backend.
llvm_module() {
  src=$1 b=$2; shift 2
  run_ok cmake -S "$src" -B "$b" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" "-DPARALLEL_COVERAGE_FORMATS=txt;json;lcov" \
    -DPARALLEL_COVERAGE_BACKEND=llvm -DPARALLEL_COVERAGE_PER_TEST=ON "$@"
  run_ok cmake --build "$b"
  run_ok ctest --test-dir "$b" -j2
  run_ok cmake --build "$b" -t coverage
  [ -s "$b/coverage/tests.json" ] || fail "$b: no coverage/tests.json"
}

# truth_llvm SRC MODULE_BUILD PLAIN_BUILD EXTRA_CMAKE_ARGS...: each test run alone in a plain
# -fprofile-instr-generate -fcoverage-mapping build, its profiles merged and exported by
# llvm-cov with ITS binaries only: the program its command runs and the instrumented shared
# libraries that program loads (ldd), of those MODULE_BUILD lists (same layout). Written as
# gcovr-like JSON in $PLAIN_BUILD/truth/ for compare (counts per line of the files under SRC).
truth_llvm() {
  src=$1 mb=$2 plain=$3; shift 3
  run_ok cmake -S "$src" -B "$plain" -G "$GENERATOR" -DCMAKE_C_FLAGS="-fprofile-instr-generate -fcoverage-mapping -O0" \
    -DCMAKE_CXX_FLAGS="-fprofile-instr-generate -fcoverage-mapping -O0" "$@"
  run_ok cmake --build "$plain"
  mkdir -p "$plain/truth"
  ctest --test-dir "$plain" -N | sed -n 's/^ *Test *#[0-9]*: //p' >"$plain/truth/names.txt"
  [ -s "$plain/truth/names.txt" ] || fail "no tests in $plain"
  : >"$plain/truth/objects.txt"
  while IFS= read -r o; do
    o="$plain/${o#"$mb"/}"
    [ -e "$o" ] && realpath "$o" >>"$plain/truth/objects.txt"
  done <"$mb/coverage-data/objects.txt"
  [ -s "$plain/truth/objects.txt" ] || fail "no binaries of $mb/coverage-data/objects.txt in $plain"
  ctest --test-dir "$plain" --show-only=json-v1 >"$plain/truth/tests.json"
  i=0
  while IFS= read -r name; do
    i=$((i + 1))
    python3 - "$plain/truth/tests.json" "$name" "$plain/truth/objects.txt" >"$plain/truth/args" <<'PY' ||
import json, os, subprocess, sys
tests, name, objects = sys.argv[1:4]
listed = [l.rstrip("\n") for l in open(objects)]
cmd = next(t["command"] for t in json.load(open(tests))["tests"] if t["name"] == name)
exe = os.path.realpath(cmd[0])
libs = subprocess.run(["ldd", exe], capture_output=True, text=True).stdout.split()
ran = [o for o in listed if o == exe or o in {os.path.realpath(x) for x in libs if x.startswith("/")}]
if exe not in ran:
    sys.exit(f"the truth cannot name the binaries of test {name}: {exe} is not a listed binary")
print("\n".join([ran[0]] + ["-object=" + o for o in ran[1:]]))
PY
      fail "truth_llvm: the binaries of test $name"
    mapfile -t args <"$plain/truth/args"
    rm -rf "$plain/prof"; mkdir -p "$plain/prof"
    re=$(python3 -c 'import re,sys; print("^" + re.sub(r"([][.^$|?*+(){}\\])", r"\\\1", sys.argv[1]) + "$")' "$name")
    LLVM_PROFILE_FILE="$plain/prof/%p.profraw" ctest --test-dir "$plain" -R "$re" >"$WORK/last.log" 2>&1 || true
    grep -q "tests failed out of 1\$" "$WORK/last.log" ||
      { cat "$WORK/last.log"; fail "ctest -R '$re' did not run exactly one test"; }
    printf '%s\t%s\n' "$i" "$name" >>"$plain/truth/index.tsv"
    if ! ls "$plain"/prof/*.profraw >/dev/null 2>&1; then echo '{"files": []}' >"$plain/truth/$i.json"; continue; fi
    run_ok llvm-profdata-14 merge -sparse -o "$plain/prof/t.profdata" "$plain"/prof/*.profraw
    llvm-cov-14 export -format=lcov -instr-profile="$plain/prof/t.profdata" "${args[@]}" >"$plain/prof/t.info" 2>/dev/null ||
      fail "llvm-cov export of test $name"
    python3 - "$plain/prof/t.info" "$src" "$plain" "$mb" >"$plain/truth/$i.json" <<'PY'
import json, os, sys
info, src, plain, mb = sys.argv[1:5]
src = os.path.realpath(src) + "/"
files, cur = [], None
for line in open(info):
    line = line.rstrip("\n")
    if line.startswith("SF:"):
        p = os.path.realpath(line[3:])
        cur = {"file": p[len(src):], "lines": []} if p.startswith(src) else None
        if cur: files.append(cur)
    elif cur is not None and line.startswith("DA:"):
        n, c = line[3:].split(",")[:2]
        cur["lines"].append({"line_number": int(n), "count": int(c), "gcovr/noncode": False})
print(json.dumps({"files": files}))
PY
  done <"$plain/truth/names.txt"
}

step "the example: per-test coverage equals each test run alone"
B="$WORK/calc"
module "$EXAMPLE" "$B" -DCALC_WITH_PARALLEL_COVERAGE=OFF
truth "$EXAMPLE" "$WORK/calc-plain" -DCALC_WITH_PARALLEL_COVERAGE=OFF
compare "$B" "$WORK/calc-plain" || fail "the example: per-test coverage differs from serial runs"
tests_for_agrees "$B" || fail "the example: tests-for disagrees with tests.json"
grep -q '^TN:unit.eval$' "$B/coverage/tests.info" || fail "no TN: section per test in coverage/tests.info"
if [ "$FLAVOUR" != gcc ]; then
  step "$FLAVOUR: a generated project: per-test coverage equals each test run alone"
  run_ok python3 "$REPO/bench/gen.py" "$WORK/gen-src" --files 24 --tests 6 --work 50
  module "$WORK/gen-src" "$WORK/gen"
  truth "$WORK/gen-src" "$WORK/gen-plain"
  compare "$WORK/gen" "$WORK/gen-plain" || fail "$FLAVOUR: the generated project: per-test coverage differs"
  module "$SHAPES" "$WORK/shapes"
  truth "$SHAPES" "$WORK/shapes-plain"
  compare "$WORK/shapes" "$WORK/shapes-plain" || fail "$FLAVOUR: the shapes project: per-test coverage differs"
  if [ "$FLAVOUR" = clang ]; then
    step "clang, llvm backend: patch coverage from the same report model"
    run_ok cmake -S "$EXAMPLE" -B "$WORK/llvm" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON -DCALC_WITH_PARALLEL_COVERAGE=OFF \
      -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake" -DPARALLEL_COVERAGE_BACKEND=llvm \
      "-DPARALLEL_COVERAGE_FORMATS=txt;json"
    run_ok cmake --build "$WORK/llvm"
    run_ok ctest --test-dir "$WORK/llvm" -j2
    run_ok cmake --build "$WORK/llvm" -t coverage
    patch_known "$WORK/llvm"
    # PARALLEL_COVERAGE_PER_TEST's default (auto) is off with llvm.
    [ ! -e "$WORK/llvm/coverage/tests.json" ] || fail "llvm: per-test coverage recorded by default"
    run_fails 1 "no per-test coverage" "$parcov" tests-for -C "$WORK/llvm" src/eval.c:20
    step "clang, llvm backend: per-test coverage equals each test run alone (llvm-cov)"
    llvm_module "$EXAMPLE" "$WORK/llvm-calc" -DCALC_WITH_PARALLEL_COVERAGE=OFF
    truth_llvm "$EXAMPLE" "$WORK/llvm-calc" "$WORK/llvm-calc-plain" -DCALC_WITH_PARALLEL_COVERAGE=OFF
    compare "$WORK/llvm-calc" "$WORK/llvm-calc-plain" || fail "llvm: the example: per-test coverage differs"
    tests_for_agrees "$WORK/llvm-calc" || fail "llvm: the example: tests-for disagrees with tests.json"
    grep -q '^TN:unit.eval$' "$WORK/llvm-calc/coverage/tests.info" || fail "llvm: no TN: section per test"
    llvm_module "$WORK/gen-src" "$WORK/llvm-gen"
    truth_llvm "$WORK/gen-src" "$WORK/llvm-gen" "$WORK/llvm-gen-plain"
    compare "$WORK/llvm-gen" "$WORK/llvm-gen-plain" || fail "llvm: the generated project: per-test coverage differs"
    step "clang, llvm backend: two programs with a main and a report() of the same name and shape"
    # llvm-cov matches a profile to every binary with a function of that name and hash: each
    # test's export must have only the binaries it ran (found by build ID).
    llvm_module "$TWO" "$WORK/llvm-two"
    ! grep -q "not known by build ID" "$WORK/last.log" || fail "llvm: build IDs not read with $CC"
    truth_llvm "$TWO" "$WORK/llvm-two" "$WORK/llvm-two-plain"
    compare "$WORK/llvm-two" "$WORK/llvm-two-plain" || fail "llvm: two programs: per-test coverage differs"
    [ -z "$("$parcov" tests-for -C "$WORK/llvm-two" src/prog_b.c:9 | grep '^a\.')" ] ||
      fail "llvm: a test of prog_a is credited with prog_b.c"
    # Clang 16 and 19 write other raw profile versions (8, 10): their IDs are read too, and
    # the result is the same as each test run alone.
    for cc in clang-16 clang-19; do
      command -v "$cc" >/dev/null || { echo "note: $cc is not installed: not checked"; continue; }
      (export CC=$cc; llvm_module "$TWO" "$WORK/llvm-two-$cc")
      ! grep -q "not known by build ID" "$WORK/last.log" || fail "llvm: build IDs not read with $cc"
      compare "$WORK/llvm-two-$cc" "$WORK/llvm-two-plain" || fail "llvm: two programs, $cc: per-test coverage differs"
    done
    # Clang 13 writes no binary IDs: every binary for each test, as before, and said.
    if command -v clang-13 >/dev/null; then
      (export CC=clang-13; llvm_module "$TWO" "$WORK/llvm-two-clang-13")
      grep -q "the binaries 3 of 3 tests ran are not known by build ID" "$WORK/last.log" ||
        fail "llvm, clang-13: no info line for the tests exported with every binary"
    else
      echo "note: clang-13 is not installed: the fallback is not checked"
    fi
    # A changed line selects exactly the tests that ran it, as with gcov.
    read -r file line < <(python3 -c '
import json, sys
tj = json.load(open(sys.argv[1]))
f = next(f for f in tj["files"] for ids in f["lines"].values() if 0 < len(ids) < len(tj["tests"]))
print(f["file"], next(l for l, ids in f["lines"].items() if 0 < len(ids) < len(tj["tests"])))' \
      "$WORK/llvm-gen/coverage/tests.json")
    printf -- '--- a/%s\n+++ b/%s\n@@ -%s,1 +%s,1 @@\n-x\n+y\n' "$file" "$file" "$line" "$line" >"$WORK/llvm.diff"
    [ "$("$parcov" affected -C "$WORK/llvm-gen" --diff "$WORK/llvm.diff" 2>/dev/null)" = \
      "$("$parcov" tests-for -C "$WORK/llvm-gen" "$file:$line")" ] || fail "llvm: affected by $file:$line"
  fi
  echo "PASS: pertest $FLAVOUR"
  exit 0
fi

step "tests-for: errors"
run_fails 2 "not a file of the coverage report" "$parcov" tests-for -C "$B" src/nowhere.c:1
run_fails 2 "not a line of the coverage report" "$parcov" tests-for -C "$B" src/eval.c:1
run_fails 2 "FILE:LINE" "$parcov" tests-for -C "$B" src/eval.c
# An absolute path names the same file.
[ "$("$parcov" tests-for -C "$B" "$EXAMPLE/src/lexer.c:1-200")" = \
  "$("$parcov" tests-for -C "$B" src/lexer.c:1-200)" ] || fail "absolute and relative paths differ"

step "affected: a changed line selects every test that ran it, and only those"
# The first code line of eval.c that some tests ran and others did not.
read -r file line < <(python3 - "$B" <<'PY'
import json, sys
tj = json.load(open(f"{sys.argv[1]}/coverage/tests.json"))
n = len(tj["tests"])
for f in tj["files"]:
    for l, ids in f["lines"].items():
        if 0 < len(ids) < n - 1:
            print(f["file"], l); sys.exit(0)
sys.exit(1)
PY
)
want=$("$parcov" tests-for -C "$B" "$file:$line")
mkdir -p "$WORK/a" "$WORK/b"
cp "$EXAMPLE/$file" "$WORK/a/x"; sed "${line}s/\$/ \/* changed *\//" "$EXAMPLE/$file" >"$WORK/b/x"
(cd "$WORK" && diff -u --label "a/$file" --label "b/$file" a/x b/x >"$WORK/one-line.diff") || true
got=$("$parcov" affected -C "$B" --diff "$WORK/one-line.diff" 2>"$WORK/affected.err")
cat "$WORK/affected.err"
[ -n "$want" ] && [ "$got" = "$want" ] || fail "affected by $file:$line: '$got', tests that ran it: '$want'"
grep -Eq "^parcov: $(printf '%s\n' "$want" | wc -l) of [0-9]+ tests selected" "$WORK/affected.err" ||
  fail "affected does not say how many tests it selected"
# From stdin too; --regex selects exactly those with ctest; --tests-file lists them.
"$parcov" affected -C "$B" --diff - --regex <"$WORK/one-line.diff" >"$WORK/regex" 2>/dev/null
[ "$(ctest --test-dir "$B" -N -R "$(cat "$WORK/regex")" | sed -n 's/^ *Test *#[0-9]*: //p' | sort)" = \
  "$(printf '%s\n' "$want" | sort)" ] || fail "--regex does not select the same tests in ctest: $(cat "$WORK/regex")"
"$parcov" affected -C "$B" --diff "$WORK/one-line.diff" --tests-file "$WORK/tests.txt" 2>/dev/null
[ "$(cat "$WORK/tests.txt")" = "$want" ] || fail "--tests-file does not list the tests"
# Lines only inserted select the tests of the code lines around them.
sed "${line}a\\
	/* inserted */" "$EXAMPLE/$file" >"$WORK/b/x"
(cd "$WORK" && diff -u --label "a/$file" --label "b/$file" a/x b/x >"$WORK/insert.diff") || true
got=$("$parcov" affected -C "$B" --diff "$WORK/insert.diff" 2>/dev/null)
for t in $(printf '%s\n' "$want" | tr ' ' '@'); do
  printf '%s\n' "$got" | tr ' ' '@' | grep -qx "$t" || fail "an insertion after $file:$line does not select $t"
done
# A file the data does not know (a build file) selects every test, and says why.
printf -- '--- a/CMakeLists.txt\n+++ b/CMakeLists.txt\n@@ -1,1 +1,1 @@\n-x\n+y\n' >"$WORK/cmake.diff"
all=$(ctest --test-dir "$B" -N | sed -n 's/^ *Test *#[0-9]*: //p' | sort)
got=$("$parcov" affected -C "$B" --diff "$WORK/cmake.diff" 2>"$WORK/affected.err")
cat "$WORK/affected.err"
[ "$got" = "$all" ] || fail "a change of CMakeLists.txt does not select every test"
grep -q "CMakeLists.txt is not in the coverage data" "$WORK/affected.err" || fail "no reason given"
# A comment-only change selects nothing; the regex then matches no test.
printf -- '--- a/src/eval.c\n+++ b/src/eval.c\n@@ -1,1 +1,1 @@\n-x\n+y\n' >"$WORK/comment.diff"
[ -z "$("$parcov" affected -C "$B" --diff "$WORK/comment.diff" 2>/dev/null)" ] || fail "line 1 selected tests"
re=$("$parcov" affected -C "$B" --diff "$WORK/comment.diff" --regex 2>/dev/null)
[ -z "$(ctest --test-dir "$B" -N -R "$re" | sed -n 's/^ *Test *#[0-9]*: //p')" ] ||
  fail "the empty selection's regex '$re' selects tests"
run_fails 2 "exactly one of" "$parcov" affected -C "$B"


step "patch coverage: known numbers"
patch_known "$B"
run_fails 2 "not both" "$parcov" report -C "$B" --diff "$WORK/patch.diff" --since HEAD

step "patch coverage: --since REV in a git work tree, and the module's options"
G="$WORK/calc-git"
cp -r "$EXAMPLE" "$G"
rm -rf "$G"/build*
(cd "$G" && git init -q && git add -A && git -c user.name=t -c user.email=t@t commit -qm base)
python3 - "$G/src/eval.c" <<'PY'
import sys
p = sys.argv[1]; t = open(p).read()
# Two new lines: a covered-looking comment (not code) and nothing else executable.
open(p, "w").write("/* a changed comment */\n" + t)
PY
GB="$WORK/calc-git-build"
module "$G" "$GB" -DCALC_WITH_PARALLEL_COVERAGE=OFF -DPARALLEL_COVERAGE_DIFF_BASE=HEAD
grep -q "^Patch: 0 of 0 changed lines covered (100.0%)$" "$WORK/last.log" ||
  fail "PARALLEL_COVERAGE_DIFF_BASE=HEAD: no patch line for a comment-only change"
# A real change: an uncovered code line's text changed makes patch coverage 0 of 1.
unc=$(python3 -c '
import json,sys
f=next(f for f in json.load(open(sys.argv[1]))["files"] if f["file"]=="src/eval.c")
print(next(l["line_number"] for l in f["lines"] if not l["gcovr/noncode"] and l["count"]==0))' "$GB/coverage/coverage.json")
sed -i "${unc}s/\$/ \/\/ changed/" "$G/src/eval.c"
run_ok cmake --build "$GB"
run_ok ctest --test-dir "$GB" -j2
run_ok cmake -S "$G" -B "$GB" -DPARALLEL_COVERAGE_FAIL_UNDER_PATCH=50
# The build tool's own exit status on a failed target differs (ninja 1, make 2): any failure,
# with our message.
set +e; cmake --build "$GB" -t coverage >"$WORK/last.log" 2>&1; rc=$?; set -e
cat "$WORK/last.log"
[ $rc != 0 ] || fail "the coverage target passed below PARALLEL_COVERAGE_FAIL_UNDER_PATCH"
grep -q "patch coverage 0.0% is below PARALLEL_COVERAGE_FAIL_UNDER_PATCH=50" "$WORK/last.log" ||
  fail "no message naming PARALLEL_COVERAGE_FAIL_UNDER_PATCH"
grep -q "^Patch: 0 of 1 changed lines covered (0.0%)$" "$WORK/last.log" || fail "patch line of the changed uncovered line"
run_fails 1 "git diff no-such-rev" "$parcov" report -C "$GB" --since no-such-rev

step "PARALLEL_COVERAGE_PER_TEST=OFF records nothing; parcov clean removes what it recorded"
run_ok cmake -S "$G" -B "$GB" -DPARALLEL_COVERAGE_PER_TEST=OFF -DPARALLEL_COVERAGE_FAIL_UNDER_PATCH=
rm "$GB/coverage/tests.json" "$GB/coverage-data/tests-by-line.txt"
run_ok cmake --build "$GB" -t coverage
[ ! -e "$GB/coverage/tests.json" ] && [ ! -e "$GB/coverage-data/tests-by-line.txt" ] ||
  fail "PARALLEL_COVERAGE_PER_TEST=OFF still wrote per-test coverage"
run_fails 1 "no per-test coverage" "$parcov" tests-for -C "$GB" src/eval.c:1
run_ok "$parcov" clean -C "$B"
[ ! -e "$B/coverage-data/tests-by-line.txt" ] && [ ! -e "$B/coverage/tests.json" ] &&
  [ ! -e "$B/coverage/tests.info" ] || fail "parcov clean left per-test coverage behind"

step "a generated project: per-test coverage equals each test run alone"
run_ok python3 "$REPO/bench/gen.py" "$WORK/gen-src" --files 24 --tests 6 --work 50
module "$WORK/gen-src" "$WORK/gen"
truth "$WORK/gen-src" "$WORK/gen-plain"
compare "$WORK/gen" "$WORK/gen-plain" || fail "the generated project: per-test coverage differs"
tests_for_agrees "$WORK/gen" || fail "the generated project: tests-for disagrees"

step "code shapes gcov counts by the blocks a line ends: per-test coverage equals each test run alone"
module "$SHAPES" "$WORK/shapes"
truth "$SHAPES" "$WORK/shapes-plain"
compare "$WORK/shapes" "$WORK/shapes-plain" || fail "the shapes project: per-test coverage differs"

step "a C++ project: per-test coverage equals each test run alone"
module "$CXXPROJ" "$WORK/cxx"
truth "$CXXPROJ" "$WORK/cxx-plain"
compare "$WORK/cxx" "$WORK/cxx-plain" || fail "the C++ project: per-test coverage differs"
echo "PASS: pertest"

# Shared by clang.sh and tests/compilers.sh (after lib.sh): builds with and without the module
# and comparisons of their reports. The compiler is CC; the tools of its version are
#   LLVM_PROFDATA, LLVM_COV  (llvm backend)   GCOV_CMD  the gcov command gcovr runs
#   REF_GCOV_FLAGS           flags of the plain --coverage reference (default: Clang's)
: "${REF_GCOV_FLAGS:=--coverage -O0}"
EXCLUDES=(tests/ test/ examples/)

# ours BACKEND SRC BUILD [CMAKE ARGS...]: configure with the module, build, ctest -j4, coverage.
ours() {
  local backend=$1 src=$2 b=$3; shift 3
  run_ok cmake -S "$src" -B "$b" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
    -DPARALLEL_COVERAGE_BACKEND="$backend" -DCMAKE_MODULE_PATH="$REPO/modules" "$@"
  run_ok cmake --build "$b"
  run_ok ctest --test-dir "$b" -j4 --output-on-failure
  run_ok cmake --build "$b" --target coverage
}

# reference BUILD SRC FLAGS [CMAKE ARGS...]: a plain build with FLAGS, no module.
reference_build() {
  local b=$1 src=$2 flags=$3; shift 3
  run_ok cmake -S "$src" -B "$b" -G "$GENERATOR" -DPARALLEL_COVERAGE=OFF \
    -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_MODULE_PATH="$REPO/modules" -DCMAKE_C_FLAGS="$flags" "$@"
  run_ok cmake --build "$b"
}

# ref_llvm SRC BUILD OUT.info BINARY...: serial run, one profile per process, merged by hand.
ref_llvm() {
  local src=$1 b=$2 out=$3; shift 3
  reference_build "$b" "$src" "-fprofile-instr-generate -fcoverage-mapping -O0"
  LLVM_PROFILE_FILE="$b/profiles/%p.profraw" run_ok ctest --test-dir "$b" -j1
  run_ok "$LLVM_PROFDATA" merge -sparse "$b"/profiles/*.profraw -o "$b/all.profdata"
  local args=(-instr-profile="$b/all.profdata" "$b/$1") bin
  shift
  for bin in "$@"; do args+=(-object="$b/$bin"); done
  for re in "${EXCLUDES[@]}"; do args+=(-ignore-filename-regex="^$src/$re"); done
  "$LLVM_COV" export -format=lcov "${args[@]}" "$src" >"$out" || fail "llvm-cov export failed"
}

# ref_gcov SRC BUILD OUT.json: serial run in place, gcovr with Clang's llvm-cov gcov.
ref_gcov() {
  local src=$1 b=$2 out=$3 re args=()
  reference_build "$b" "$src" "$REF_GCOV_FLAGS"
  run_ok ctest --test-dir "$b" -j1
  for re in "${EXCLUDES[@]}"; do args+=(--exclude "$re"); done
  (cd "$src" && gcovr --gcov-executable "$GCOV_CMD" --root . "${args[@]}" --json "$out" "$b") ||
    fail "gcovr failed on the reference"
}

# json_lines_match_lcov JSON LCOV ROOT: our gcovr-style JSON holds the lcov's line counts.
json_lines_match_lcov() {
  python3 - "$@" <<'PY'
import json, os, sys
j = json.load(open(sys.argv[1]))
lc, cur = {}, None
for line in open(sys.argv[2]):
    if line.startswith("SF:"):
        cur = lc.setdefault(os.path.relpath(line[3:].strip(), sys.argv[3]), {})
    elif line.startswith("DA:"):
        n, c = line[3:].strip().split(",")[:2]; cur[int(n)] = int(c)
js = {f["file"]: {l["line_number"]: l["count"] for l in f["lines"]} for f in j["files"]}
sys.exit(0 if js == lc and js else (print(f"JSON {js}\n!= lcov {lc}"[:2000]) or 1))
PY
}

# known_counts JSON: exact counts of clang-project's tests (counted 0, 3, 10, 5; twice 4, 2).
known_counts() {
  python3 - "$1" <<'PY'
import json, sys
files = {f["file"]: f for f in json.load(open(sys.argv[1]))["files"]}
def line(name, n):
    return next(l["count"] for l in files[name]["lines"] if l["line_number"] == n)
def function(name, fn):
    return next(f["execution_count"] for f in files[name]["functions"] if f["name"].split(":")[-1] == fn)
want = [
    (line("counted.c", 11), 18, "counted.c:11 (step's body: 0+3+10+5)"),
    (function("counted.c", "step"), 18, "step() calls"),
    (function("counted.c", "main"), 4, "counted runs"),
    (function("counted.c", "never_called"), 0, "never_called() calls"),
    (line("shout.c", 7), 12, "shout.c:7 (loop body: 2*4 + 2*2)"),
    (function("shout.c", "shout"), 4, "shout() calls (2 per twice run)"),
    (function("twice.c", "main"), 2, "twice runs"),
]
bad = [f"{what}: {got}, want {exp}" for got, exp, what in want if got != exp]
print("\n".join(bad) or "known counts exact")
sys.exit(1 if bad else 0)
PY
}

parcov_of() { sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$1/CMakeCache.txt"; }

# Shared by the end-to-end tests: run real cmake/ctest/parcov as a user does and check
# exit statuses, output and gcovr JSON. Each script gets, from tests/CMakeLists.txt:
#   REPO       this repository          WORK      a scratch directory of its own (emptied)
#   GENERATOR  the CMake generator      REF_DIR   the reference run (reference.sh)
#   PREFIX     the installed package (installed mode)
set -eu

fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
step() { printf '\n=== %s\n' "$*"; }

# run_ok CMD...: run, show output, fail unless it exits 0.
run_ok() {
  set +e; "$@" >"$WORK/last.log" 2>&1; rc=$?; set -e
  [ $rc = 0 ] || { cat "$WORK/last.log"; fail "exit $rc from: $*"; }
  cat "$WORK/last.log"
}

# run_fails EXPECTED_STATUS REGEX CMD...: the command must exit with that status and print
# something matching REGEX (extended grep) on stdout or stderr.
run_fails() {
  want=$1 regex=$2; shift 2
  set +e; "$@" >"$WORK/last.log" 2>&1; got=$?; set -e
  cat "$WORK/last.log"
  [ "$got" = "$want" ] || fail "expected exit $want, got $got from: $*"
  grep -Eq -- "$regex" "$WORK/last.log" || fail "output of '$*' does not match /$regex/"
}

# Every configure of ours must be free of developer and deprecation warnings.
STRICT="-Werror=dev -Werror=deprecated"

# The calc example, configured with a plain --coverage build (no module): the ground truth.
COVERAGE_FLAGS="--coverage -fprofile-abs-path -O0"
EXAMPLE="$REPO/examples/calc"

# gcovr JSON of a build tree, as parcov's report writes it (same root and filters).
gcovr_json() { # BUILD_DIR OUT
  (cd "$EXAMPLE" && gcovr --root . --exclude 'tests/' --exclude 'test/' --exclude 'examples/' \
     --exclude-directories "$1/coverage-data\$" --json "$2" "$1")
}

# json_equal A B [A2]: every file, line count, branch count and function count equal. With a
# second reference A2 (the same serial run repeated), files whose counts differ between A and
# A2 are nondeterministic in the project itself: they are named and left out.
json_equal() {
  python3 - "$@" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def index(d):
    return {f["file"]: f for f in d["files"]}
fa, fb = index(a), index(b)
if len(sys.argv) > 3:
    fa2 = index(json.load(open(sys.argv[3])))
    for name in sorted(n for n in fa if fa[n] != fa2.get(n)):
        print(f"{name}: differs between two serial runs (nondeterministic): not compared")
        del fa[name]
        fb.pop(name, None)
problems = []
if sorted(fa) != sorted(fb):
    problems.append(f"files differ: {sorted(fa)} vs {sorted(fb)}")
for name in sorted(set(fa) & set(fb)):
    if fa[name] != fb[name]:
        la = {l["line_number"]: l for l in fa[name]["lines"]}
        lb = {l["line_number"]: l for l in fb[name]["lines"]}
        for n in sorted(set(la) | set(lb)):
            if la.get(n) != lb.get(n):
                problems.append(f"{name}:{n}: {la.get(n)} != {lb.get(n)}")
        if fa[name]["functions"] != fb[name]["functions"]:
            problems.append(f"{name}: functions differ")
if not fa:
    problems.append("no files in the report")
for p in problems[:20]:
    print(p)
sys.exit(1 if problems else 0)
PY
}

# lcov_equal A B: the same files with the same line, branch and function counts.
lcov_equal() {
  python3 - "$1" "$2" <<'PY'
import sys
def load(path):
    files, cur = {}, None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("SF:"):
            cur = files.setdefault(line[3:], {"DA": {}, "BRDA": [], "FNDA": {}})
        elif cur is None:
            continue
        elif line.startswith("DA:"):
            n, c = line[3:].split(",")[:2]; cur["DA"][int(n)] = int(c)
        elif line.startswith("BRDA:"):
            cur["BRDA"].append(line[5:])
        elif line.startswith("FNDA:"):
            c, name = line[5:].split(",", 1); cur["FNDA"][name] = int(c)
    for f in files.values():
        f["BRDA"].sort()
    return files
a, b = load(sys.argv[1]), load(sys.argv[2])
problems = []
if sorted(a) != sorted(b):
    problems.append(f"files differ: {sorted(a)} vs {sorted(b)}")
for name in sorted(set(a) & set(b)):
    for kind in ("DA", "BRDA", "FNDA"):
        if a[name][kind] != b[name][kind]:
            problems.append(f"{name}: {kind} differs: {a[name][kind]} vs {b[name][kind]}"[:400])
if not a:
    problems.append("no files")
print("\n".join(problems[:20]))
sys.exit(1 if problems else 0)
PY
}

mkdir -p "$WORK"

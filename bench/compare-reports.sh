#!/bin/bash
# Reports of two parcov builds on the same build trees, compared file by file: for a change
# that must keep every report as it was (a refactoring), and to show exactly what one changes.
#
#   bench/compare-reports.sh OLD_PARCOV NEW_PARCOV [-d DIR] [-f FORMATS] [TREE...]
#
# TREE: calc-gcc calc-gcovr calc-llvm calc-clang-gcov gen-gcc gen-llvm mcdc (default: all
# whose compiler is installed). Each tree is configured, built and tested once (kept in DIR,
# default /tmp/parcov-compare), then each parcov runs combine and report on it in turn with
# SOURCE_DATE_EPOCH=1. A file prints "identical", "identical with timestamp masked", "bytes
# differ, same data" (JSON equal after parsing; Cobertura: same elements and attributes,
# numbers compared as numbers) or "DIFFERS". Output and exit status of report are compared too.
# html: dates masked (gcovr and llvm-cov print when they ran). Exit status 1 if any DIFFERS.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
[ $# -ge 2 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2"); shift 2
D=/tmp/parcov-compare FORMATS=txt,xml,json,lcov,html
while getopts "d:f:" o; do
  case $o in d) D=$OPTARG ;; f) FORMATS=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
mkdir -p "$D"
status=0

same_data() {
  python3 - "$1" "$2" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
a, b = sys.argv[1:3]
if a.endswith(".json"):
    sys.exit(0 if json.load(open(a)) == json.load(open(b)) else 1)
if not a.endswith(".xml"):
    sys.exit(1)
def norm(v):
    try: return float(v)
    except ValueError: return v
def same(x, y, path):
    ax = {k: norm(v) for k, v in x.attrib.items() if k != "timestamp"}
    ay = {k: norm(v) for k, v in y.attrib.items() if k != "timestamp"}
    if x.tag != y.tag or ax != ay or (x.text or "").strip() != (y.text or "").strip() or len(x) != len(y):
        print(f"  first difference at {path}: {x.tag} {ax} != {y.tag} {ay}"[:400]); return False
    return all(same(p, q, f"{path}/{p.tag}[{i}]") for i, (p, q) in enumerate(zip(x, y)))
sys.exit(0 if same(ET.parse(a).getroot(), ET.parse(b).getroot(), "coverage") else 1)
PY
}

# tree NAME SOURCE CMAKE_ARGS...
tree() {
  local name=$1 src=$2 b=$D/$1 r=$D/results/$1; shift 2
  if [ ! -f "$b/.built" ]; then
    echo "compare: building $name in $b" >&2
    { cmake -S "$src" -B "$b" -DCMAKE_BUILD_TYPE=Debug -DPARALLEL_COVERAGE=ON "$@" &&
      cmake --build "$b" -j"$(nproc)" && { ctest --test-dir "$b" -j"$(nproc)" || true; }
    } >"$D/$name.build.log" 2>&1 && touch "$b/.built" ||
      { echo "$name: build failed (see $D/$name.build.log)"; status=1; return; }
  fi
  for who in old new; do
    local p=$OLD; [ $who = new ] && p=$NEW
    rm -rf "$b/coverage" "$r/$who" && mkdir -p "$r/$who"
    "$p" combine -q -C "$b" >"$r/$who.combine.log" 2>&1
    env SOURCE_DATE_EPOCH=1 ${REPORTER:+PARCOV_REPORTER=$REPORTER} "$p" report -C "$b" \
      --formats "$FORMATS" >"$r/$who/stdout" 2>"$r/$who/stderr"
    echo "exit status $?" >>"$r/$who/stdout"
    [ -d "$b/coverage" ] && cp -r "$b/coverage/." "$r/$who/"
    [ -d "$r/$who/html" ] && find "$r/$who/html" -type f -exec sed -i -E \
      's/[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?/DATE/g' {} +
  done
  sed -i "s|$b|BUILD|g" "$r/old/stdout" "$r/new/stdout"
  (cd "$r/old" && find . -type f; cd "$r/new" && find . -type f) | sort -u | while read -r f; do
    local x=$r/old/$f y=$r/new/$f
    if [ ! -e "$x" ] || [ ! -e "$y" ]; then echo "$name $f: only in $( [ -e "$x" ] && echo old || echo new)"
    elif cmp -s "$x" "$y"; then echo "$name $f: identical"
    elif [ "${f##*.}" = xml ] && cmp -s <(sed 's/timestamp="[0-9]*"/timestamp="T"/' "$x") \
                                        <(sed 's/timestamp="[0-9]*"/timestamp="T"/' "$y"); then
      echo "$name $f: identical with timestamp masked"
    elif same_data "$x" "$y" >"$r/why" 2>&1; then echo "$name $f: bytes differ, same data"
    else echo "$name $f: DIFFERS"; cat "$r/why"; fi
  done | tee "$r/verdict"
  grep -q "DIFFERS\|only in" "$r/verdict" && status=1
}

gen() { [ -d "$D/gen-src" ] || python3 "$repo/bench/gen.py" "$D/gen-src" --files 300 --tests 60 --work 100 >/dev/null; }
has() { command -v "$1" >/dev/null; }
inject=-DCMAKE_PROJECT_INCLUDE=$repo/modules/ParallelCoverage.cmake
[ $# -gt 0 ] || set -- calc-gcc calc-gcovr calc-llvm calc-clang-gcov gen-gcc gen-llvm mcdc
for t in "$@"; do
  case $t in
  calc-gcc) tree calc-gcc "$repo/examples/calc" -DCMAKE_C_COMPILER=gcc ;;
  calc-gcovr) REPORTER=gcovr tree calc-gcovr "$repo/examples/calc" -DCMAKE_C_COMPILER=gcc ;;
  calc-llvm) has clang-14 && tree calc-llvm "$repo/examples/calc" -DCMAKE_C_COMPILER=clang-14 -DPARALLEL_COVERAGE_BACKEND=llvm ;;
  calc-clang-gcov) has clang-14 && tree calc-clang-gcov "$repo/examples/calc" -DCMAKE_C_COMPILER=clang-14 -DPARALLEL_COVERAGE_BACKEND=gcov ;;
  gen-gcc) gen; tree gen-gcc "$D/gen-src" -DCMAKE_C_COMPILER=gcc "$inject" ;;
  gen-llvm) has clang-14 && { gen; tree gen-llvm "$D/gen-src" -DCMAKE_C_COMPILER=clang-14 -DPARALLEL_COVERAGE_BACKEND=llvm "$inject"; } ;;
  mcdc) has clang-19 && tree mcdc "$repo/tests/e2e/mcdc-project" -DCMAKE_C_COMPILER=clang-19 \
          -DPARALLEL_COVERAGE_BACKEND=llvm -DPARALLEL_COVERAGE_MCDC=ON "-DCMAKE_MODULE_PATH=$repo/modules" ;;
  *) echo "compare: unknown tree $t" >&2; exit 2 ;;
  esac
done
exit $status

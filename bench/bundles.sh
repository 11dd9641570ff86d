#!/bin/bash
# Combine time and peak memory: 8 bundles (the suite split with ctest -I k,,8, as 8 CI
# machines would) against the same tests' data combined on one machine. Default bench size
# (bench/gen.py: 1000 files, 200 tests). Ratios of medians, alternated repetitions.
#
#   bench/bundles.sh [-r REPS] [-d DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
R=3 D=/tmp/parcov-bench-bundles
while getopts "r:d:h" o; do
  case $o in r) R=$OPTARG ;; d) D=$OPTARG ;; *) sed -n '2,7p' "$0"; exit 2 ;; esac
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$D"
python3 "$here/gen.py" "$D/src" >/dev/null
B=$D/ours
cmake -S "$D/src" -B "$B" -DPARALLEL_COVERAGE=ON \
  -DCMAKE_PROJECT_INCLUDE="$repo/modules/ParallelCoverage.cmake" >/dev/null
cmake --build "$B" -j"$(nproc)" >/dev/null
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")
for k in 1 2 3 4 5 6 7 8; do
  "$parcov" clean -C "$B" -q
  ctest --test-dir "$B" -I "$k,,8" -j"$(nproc)" >/dev/null
  "$parcov" bundle -C "$B" -q -o "$D/b$k.parcov"
done
"$parcov" clean -C "$B" -q
ctest --test-dir "$B" -j"$(nproc)" >/dev/null
one=$(ls -d "$B"/coverage-data/runs/* | tail -1)
cp -a "$one" "$D/one-run"
# measure NAME CMD...: wall seconds and peak RSS (KiB) of one run, appended to $D/NAME.
measure() {
  local name=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$D/time.log"
  awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; w=s}
              /Maximum resident/{m=$2} END{print w, m}' "$D/time.log" >>"$D/$name"
}
rm -f "$D/single" "$D/bundles"
for r in $(seq "$R"); do
  "$parcov" clean -C "$B" -q; mkdir -p "$B/coverage-data/runs"; cp -a "$D/one-run" "$B/coverage-data/runs/000001"
  measure single "$parcov" combine -C "$B" -q
  "$parcov" clean -C "$B" -q
  measure bundles "$parcov" combine -C "$B" -q --bundles "$D"/b[1-8].parcov
done
python3 - "$D/single" "$D/bundles" "$(du -cb "$D"/b[1-8].parcov | tail -1 | cut -f1)" <<'PY'
import statistics, sys
def load(p): return [tuple(map(float, l.split())) for l in open(p)]
s, b = load(sys.argv[1]), load(sys.argv[2])
med = lambda v, i: statistics.median(x[i] for x in v)
print(f"8 bundles, {int(sys.argv[3]) / 1e6:.1f} MB in all")
print(f"combine, one machine's data: {med(s,0):.2f} s (runs {[x[0] for x in s]}), peak {med(s,1)/1024:.1f} MiB")
print(f"combine --bundles (8):       {med(b,0):.2f} s (runs {[x[0] for x in b]}), peak {med(b,1)/1024:.1f} MiB")
print(f"ratio time {med(b,0)/med(s,0):.2f}x, peak memory {med(b,1)/med(s,1):.2f}x")
PY

#!/bin/bash
# Sharded CI runs: one build, three "machines" each running a third of the suite
# (ctest -I k,,3 -j2, the data wiped in between), one bundle each, combined on a clean tree:
# the report equals one serial run in every count, and the test that ran nothing instrumented
# is named (each machine's LastTest.log travels in its bundle). A version 1 bundle (without
# it), repeated, damaged (truncated, a flipped byte) and stale (object rebuilt) bundles. The llvm backend too when clang-14 is installed
# (the step is skipped visibly otherwise: exit 77 after the gcov part passed).
. "$(dirname "$0")/lib.sh"
B="$WORK/build"
rm -rf "$WORK"; mkdir -p "$WORK"
cp -r "$EXAMPLE" "$WORK/src"
rm -rf "$WORK/src/build"
SRC="$WORK/src"
# A test that runs nothing instrumented: only its machine's LastTest.log says it ran.
echo 'add_test(NAME nodata COMMAND sh -c "exit 0")' >>"$SRC/tests/CMakeLists.txt"
run_ok cmake $STRICT -S "$SRC" -B "$B" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DCALC_WITH_PARALLEL_COVERAGE=OFF -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
run_ok cmake --build "$B"
parcov=$(sed -n 's/^PARALLEL_COVERAGE_PARCOV:FILEPATH=//p' "$B/CMakeCache.txt")

step "usage: --help, missing operands exit 2"
run_ok "$parcov" bundle --help
grep -q "usage: parcov bundle" "$WORK/last.log" || fail "bundle --help shows no usage"
run_fails 2 "needs a FILE" "$parcov" bundle -C "$B" -o
run_fails 2 "needs at least one FILE" "$parcov" combine -C "$B" --bundles
run_fails 2 "unexpected argument" "$parcov" bundle -C "$B" extra
run_fails 1 "no coverage data" "$parcov" bundle -C "$B"

# shard K FILE: machine K of 3 runs its share on a tree without data, then bundles it.
shard() {
  run_ok "$parcov" clean -C "$B"
  run_ok ctest --test-dir "$B" -I "$1,,3" -j2
  grep -Eq "tests passed, 0 tests failed out of [1-9]" "$WORK/last.log" || fail "shard $1 ran no test"
  run_ok "$parcov" bundle -C "$B" -o "$2"
  [ -s "$2" ] || fail "no bundle $2"
  [ -z "$(find "$(dirname "$2")" -name '*.parcov-tmp')" ] || fail "bundle left a temporary"
}
step "gcov: three shards, three bundles"
for k in 1 2 3; do shard $k "$WORK/b$k.parcov"; done
# The default name is in coverage-data/.
run_ok "$parcov" bundle -C "$B"
ls "$B"/coverage-data/bundle-*-*.parcov >/dev/null || fail "no bundle under its default name"

step "gcov: combined on a clean tree, the report equals one serial run"
run_ok "$parcov" clean -C "$B"
run_ok "$parcov" combine -C "$B" --bundles "$WORK/b1.parcov" "$WORK/b2.parcov" "$WORK/b3.parcov"
run_ok "$parcov" report -C "$B" --formats txt,json
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "three bundles differ from a serial run"
# The coverage target's report step works on it too (doctor first, then report).
run_ok cmake --build "$B" --target coverage
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "the coverage target changed the counts"
cp "$B/coverage/coverage.json" "$WORK/good.json"
# Each machine's LastTest.log came along: the test without data is named, as after one run.
grep -qx "  nodata: wrote no coverage data" "$B/coverage-data/endings.txt" ||
  fail "combined bundles: endings.txt does not name the test that wrote no data"
run_ok "$parcov" doctor -C "$B"
grep -q "note: 1 of the 13 tests of the last ctest run run nothing instrumented .*'nodata'" "$WORK/last.log" ||
  fail "combined bundles: doctor does not name the test that ran nothing instrumented"

step "a bundle of format version 1 (no LastTest.log) still unpacks, with a warning naming it"
python3 - "$WORK/b1.parcov" "$WORK/v1.parcov" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"PARCOVB\x02", d[:8]
out, off, n = bytearray(b"PARCOVB\x01"), 8, 0
while True:
    kind, plen, dlen = d[off], *struct.unpack_from("<IQ", d, off + 1)
    if kind == ord("E"):
        break
    if kind != ord("L"):
        out += d[off:off + 13 + plen + dlen]
        n += 1
    off += 13 + plen + dlen
out += bytes([ord("E")]) + struct.pack("<IQ", 0, n)
h = 0xcbf29ce484222325
for byte in out:
    h = ((h ^ byte) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
open(sys.argv[2], "wb").write(out + struct.pack("<Q", h))
PY
run_ok "$parcov" combine -C "$B" --bundles "$WORK/v1.parcov" "$WORK/b2.parcov" "$WORK/b3.parcov"
grep -q "v1.parcov carries no LastTest.log" "$WORK/last.log" || fail "no warning naming the version 1 bundle"
set=$(sed -n 's/^parcov: the 3 bundles are data set //p' "$WORK/last.log")
[ -d "$set/tests" ] || fail "combine did not name the data set it made"
[ ! -e "$set/ctest-logs" ] || fail "the logs of only some machines were kept: they would hide the others' tests"
run_ok "$parcov" report -C "$B" --formats json
json_equal "$REF_DIR/all.json" "$B/coverage/coverage.json" || fail "a version 1 bundle changed the counts"
printf 'PARCOVB\003' >"$WORK/v3.parcov"
run_fails 1 "v3.parcov is damaged or unreadable: format version 3, this parcov reads versions 1 to 2" \
  "$parcov" combine -C "$B" --bundles "$WORK/v3.parcov"

# state: what a refused combine must leave untouched.
state() { (cd "$B" && find coverage-data/runs coverage-data/combined.tsv -type f | sort | xargs md5sum; find . -name '*.gcda' -not -path './coverage-data/*' | sort | xargs md5sum); }

step "the same bundle twice (also under another name) is refused, naming it, nothing changed"
state >"$WORK/before"
cp "$WORK/b2.parcov" "$WORK/b2-copy.parcov"
run_fails 1 "b2-copy.parcov is the same bundle as .*b2.parcov" \
  "$parcov" combine -C "$B" --bundles "$WORK/b1.parcov" "$WORK/b2.parcov" "$WORK/b2-copy.parcov"
state | cmp -s - "$WORK/before" || fail "a refused combine changed the data"

step "damaged bundles (truncated, a flipped byte, not a bundle) are named, nothing half-merged"
size=$(stat -c %s "$WORK/b3.parcov")
for cut in 3 20 $((size / 2)) $((size - 4)); do
  head -c "$cut" "$WORK/b3.parcov" >"$WORK/cut.parcov"
  run_fails 1 "cut.parcov is damaged or unreadable: truncated" \
    "$parcov" combine -C "$B" --bundles "$WORK/b1.parcov" "$WORK/cut.parcov"
  grep -q "Nothing was combined" "$WORK/last.log" || fail "no word that nothing was combined"
done
python3 - "$WORK/b3.parcov" "$WORK/flip.parcov" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) * 2 // 3] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
run_fails 1 "flip.parcov is damaged or unreadable: .*(checksum|damaged|truncated)" \
  "$parcov" combine -C "$B" --bundles "$WORK/b1.parcov" "$WORK/b2.parcov" "$WORK/flip.parcov"
echo "not a bundle" >"$WORK/text.parcov"
run_fails 1 "text.parcov is damaged or unreadable: not a parcov bundle" \
  "$parcov" combine -C "$B" --bundles "$WORK/text.parcov"
run_fails 1 "missing.parcov is damaged or unreadable: cannot read it" \
  "$parcov" combine -C "$B" --bundles "$WORK/missing.parcov"
state | cmp -s - "$WORK/before" || fail "a damaged bundle changed the data"
run_ok "$parcov" report -C "$B" --formats json
json_equal "$WORK/good.json" "$B/coverage/coverage.json" || fail "the last good result changed"

step "stale: an object rebuilt since the bundles were made is skipped with a warning naming it"
echo "/* changed */" >>"$SRC/src/eval.c"
run_ok cmake --build "$B"
run_ok "$parcov" combine -C "$B" --bundles "$WORK/b1.parcov" "$WORK/b2.parcov" "$WORK/b3.parcov"
grep -Eq "skipping the data of .*b[123].parcov for .*eval.c.gcno: it comes from another build" \
  "$WORK/last.log" || fail "no warning naming the rebuilt object"
run_ok "$parcov" report -C "$B" --formats json
python3 - "$B/coverage/coverage.json" "$WORK/good.json" <<'PY' || fail "stale data counted, or other data lost"
import json, sys
new, old = ({f["file"]: f for f in json.load(open(p))["files"]} for p in sys.argv[1:])
ev = [n for n in new if n.endswith("src/eval.c")]
assert ev and all(l["count"] == 0 for l in new[ev[0]]["lines"]), "eval.c counted"
for name in old:
    if not name.endswith("src/eval.c") and name.startswith("src/"):
        assert new[name] == old[name], name + " changed"
PY

# --- llvm backend ------------------------------------------------------------------------
if ! command -v clang-14 >/dev/null; then
  echo "SKIP: clang-14 is not installed: the llvm part did not run"
  exit 77
fi
step "llvm: three shards' bundles equal one run of the whole suite"
L="$WORK/llvm"
run_ok env CC=clang-14 cmake -S "$SRC" -B "$L" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DPARALLEL_COVERAGE_BACKEND=llvm -DCALC_WITH_PARALLEL_COVERAGE=OFF \
  -DCMAKE_PROJECT_INCLUDE="$REPO/modules/ParallelCoverage.cmake"
run_ok cmake --build "$L"
run_ok ctest --test-dir "$L" -j2
run_ok "$parcov" combine -C "$L"
run_ok "$parcov" report -C "$L" --formats txt,lcov
cp "$L/coverage/coverage.info" "$WORK/llvm-whole.info"
for k in 1 2 3; do
  run_ok "$parcov" clean -C "$L"
  run_ok ctest --test-dir "$L" -I "$k,,3" -j2
  run_ok "$parcov" bundle -C "$L" -o "$WORK/l$k.parcov"
done
run_ok "$parcov" clean -C "$L"
run_ok "$parcov" combine -C "$L" --bundles "$WORK/l1.parcov" "$WORK/l2.parcov" "$WORK/l3.parcov"
run_ok "$parcov" report -C "$L" --formats txt,lcov
cmp "$WORK/llvm-whole.info" "$L/coverage/coverage.info" || fail "llvm: bundles differ from the whole suite"
run_fails 1 "is the same bundle as" "$parcov" combine -C "$L" --bundles "$WORK/l1.parcov" "$WORK/l1.parcov"
run_fails 1 "holds data of the gcov backend" "$parcov" combine -C "$L" --bundles "$WORK/b1.parcov"
step "llvm: a rebuilt binary's bundle is left out with a warning naming it"
printf 'int calc_changed(void) { return 1; }\n' >>"$SRC/src/eval.c"
run_ok cmake --build "$L"
set +e; "$parcov" combine -C "$L" --bundles "$WORK/l1.parcov" >"$WORK/last.log" 2>&1; set -e
cat "$WORK/last.log"
grep -q "skipping the data of .*l1.parcov for .*: it comes from another build" "$WORK/last.log" ||
  fail "llvm: no warning naming the rebuilt binary"
echo "bundles: all checks passed"

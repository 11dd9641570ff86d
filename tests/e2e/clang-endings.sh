#!/bin/bash
# The runtime's Clang side (README "Endings"): the known-count programs of tests/e2e/endings/
# built with clang-14 under the llvm backend (then under Clang's gcov) and run with ctest -j4. Each test's own profiles,
# merged by hand and exported by llvm-cov, must hold exactly the expected counts: SIGSEGV after
# work here and in an instrumented shared library, abort(), _exit(), CTest's and Check's
# timeouts, fork() with work before and after (counted once), a failing Check assertion in
# fork mode, four threads. CTest must see the same results and the programs the same exit
# statuses as a build without ParallelCoverage, the report must name the tests that ended
# abnormally, and without the runtime the same counts must be wrong in the known ways.
# Counts are checked per test because llvm-profdata keys functions by name and structural
# hash: the main()s of two of these programs with the same shape would be summed in the one
# combined profile (see the final report of this branch). Exits 77 without clang-14.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/endings-lib.sh"
command -v clang-14 >/dev/null || { echo "SKIP: clang-14 is not installed"; exit 77; }
for tool in llvm-cov-14 llvm-profdata-14; do
  command -v $tool >/dev/null || fail "clang-14 is installed but $tool is not (apt-get install llvm-14)"
done
S="$REPO/tests/e2e/endings"
rm -rf "$WORK"; mkdir -p "$WORK"
export CC=clang-14

# test_counts BUILD OUT: "<mark> <count>" for the MARK:<mark> lines of each test's programs,
# from that test's own profiles only ("none" when the test wrote no profile): the profiles
# in its directory, and for a process that never ended (killed at a timeout) the snapshot
# parcov uses, as combine chooses it (its last event is that snapshot).
test_counts() {
  local b=$1 out=$2 t bin srcs dir snap
  : >"$out"
  while read -r t bin srcs; do
    dir=$(echo "$b"/coverage-data/current/tests/"$t"-*)
    local objs=("$b/$bin") files=("$dir"/*.profraw)
    [ "$bin" = segv ] && objs+=(-object "$b/libshared.so")
    [ "$bin" = libexit ] && objs+=(-object "$b/liblib2.so")
    [ -f "$dir/parcov-endings.tsv" ] &&
      for snap in $(awk -F'\t' '$3 != "snapshot-abandoned" { last[$1] = $3; k[$1] = $4 }
                                END { for (p in last) if (last[p] == "snapshot") print p "." k[p] }' \
                      "$dir/parcov-endings.tsv"); do
        files+=("$dir/parcov-snap/$snap"/*.profraw)
      done
    files=($(ls "${files[@]}" 2>/dev/null || true))
    if [ ${#files[@]} -gt 0 ]; then
      run_ok llvm-profdata-14 merge -sparse "${files[@]}" -o "$WORK/$t.profdata"
      llvm-cov-14 export -format=lcov -instr-profile="$WORK/$t.profdata" "${objs[@]}" \
        >"$WORK/$t.info" || fail "llvm-cov export failed for $t"
    else
      : >"$WORK/$t.info"
    fi
    python3 - "$WORK/$t.info" "$S" $srcs >>"$out" <<'PY'
import os, re, sys
info, src, files = sys.argv[1], sys.argv[2], sys.argv[3:]
counts, cur = {}, None
for line in open(info):
    if line.startswith("SF:"):
        cur = counts.setdefault(os.path.basename(line[3:].strip()), {})
    elif line.startswith("DA:"):
        n, c = line[3:].split(",")[:2]; cur[int(n)] = int(c)
for f in files:
    for n, text in enumerate(open(os.path.join(src, f)), 1):
        m = re.search(r"MARK:(\S+)", text)
        if m:
            print(m.group(1), counts.get(f, {}).get(n, "none"))
PY
  done <<'EOF'
check.fail check_fail check_fail.c
check.timeout check_timeout check_timeout.c
crash.segv segv segv.c shared.c
crash.abort abort abort.c
ctest.timeout hang hang.c
exit.underscore exit exit.c
fork.uninstrumented fork fork.c
threads threads threads.c
own.sigterm.handler sigterm sigterm.c
crash.sigkill sigkill sigkill.c
lib.exit libexit libexit.c lib2.c
crash.at.exit exitcrash exitcrash.c
fork.exec execer execer.c
vfork.crash vfork vfork.c
plugin.dlclose libplugin.so plugin.c
threads.snapshot tsnap tsnap.c
ctest.timeout.threads hang_threads hang_threads.c
single.thread single single.c
EOF
  cat "$out"
}

step "clang-14 without ParallelCoverage: what ctest and the programs report"
run_ok cmake -S "$S" -B "$WORK/off" -G "$GENERATOR"
run_ok cmake --build "$WORK/off"
ctest_results "$WORK/off" "$WORK/off.results"
statuses "$WORK/off" "$WORK/off.statuses" LLVM_PROFILE_FILE="$WORK/direct/%m.profraw"
echo "$ENDINGS_STATUSES" | diff - "$WORK/off.statuses" || fail "the test programs do not end as designed"

step "llvm backend with the runtime: same results, exact counts per test"
run_ok cmake -S "$S" -B "$WORK/on" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DPARALLEL_COVERAGE_BACKEND=llvm -DPARCOV_MODULE_DIR="$REPO/modules"
run_ok cmake --build "$WORK/on"
nm "$WORK/on/segv" | grep -q parcov_rt_state_v1 || fail "the runtime is not linked into segv"
ctest_results "$WORK/on" "$WORK/on.results"
diff "$WORK/off.results" "$WORK/on.results" || fail "ctest saw different results with coverage"
# Nothing of ours in the tests' output (tests match it): compiler-rt prints a note when its
# exit-time writer finds the profile already written.
! grep -n "LLVM Profile" "$WORK/on/Testing/Temporary/LastTest.log" ||
  fail "compiler-rt printed into a test's output"
run_ok cmake --build "$WORK/on" --target coverage
grep -q "10 tests crashed, timed out or wrote no coverage data" "$WORK/last.log" ||
  fail "combine did not count the 10 tests that ended abnormally"
test_counts "$WORK/on" "$WORK/on.counts"
# segv.after is 1, not gcov's 0: source-based coverage counts regions, which split only at
# branches, so the lines after the faulting store share main's entry count.
expect_counts "$WORK/on.counts" \
  "check_fail.main 1" "check_fail.hit 5" "check_fail.never 0" \
  "check_timeout.hit 3" "check_timeout.end 1" \
  "segv.loop 3" "shared.hit 3" "segv.after 1" \
  "abort.loop 2" "hang.loop 4" "exit.loop 5" \
  "fork.before 1" "fork.child 2" "fork.child2 2" "fork.after 1" \
  "threads.hit 800000" "sigterm.handler 2" "sigterm.end 1" \
  "sigkill.before none" "libexit.loop 4" "lib2.hit 4" "exitcrash.loop 3" \
  "execer.before 1" "execer.after 1" "vfork.before 1" "vfork.after 1" "plugin.hit 3" \
  "tsnap.hit $(cat "$WORK/on/tsnap.calls")" "hang_threads.hit 200000" "single.end 1" ||
  fail "wrong counts (see above)"
# One profile per binary: the shared library's and segv's, written by the signal handler.
n=$(find "$WORK"/on/coverage-data/current/tests/crash.segv-* -name '*.profraw' | wc -l)
[ "$n" = 2 ] || fail "crash.segv wrote $n profiles, want 2 (segv and libshared.so)"

step "the report names the tests that crashed, timed out or wrote no data, and only those"
expect_listed_endings "$WORK/on/coverage/summary.txt"

step "the programs' own exit statuses and signals are unchanged"
statuses "$WORK/on" "$WORK/on.statuses" LLVM_PROFILE_FILE="$WORK/direct/%m.profraw"
diff "$WORK/off.statuses" "$WORK/on.statuses" || fail "exit statuses changed under coverage"

step "without the runtime the same suite loses and doubles counts (the test can fail)"
run_ok cmake -S "$S" -B "$WORK/on" -DPARALLEL_COVERAGE_RUNTIME=OFF
run_ok cmake --build "$WORK/on"
! nm "$WORK/on/segv" | grep -q parcov_rt_state_v1 || fail "the runtime is still linked"
ctest_results "$WORK/on" "$WORK/bare.results"
diff "$WORK/off.results" "$WORK/bare.results" || fail "ctest saw different results"
test_counts "$WORK/on" "$WORK/bare.counts"
expect_counts "$WORK/bare.counts" "check_fail.hit 3" "check_fail.main 2" "fork.before 3" \
  "segv.loop none" "abort.loop none" "exit.loop none" "hang.loop none" "libexit.loop none" \
  "vfork.after none" ||
  fail "without the runtime, counts were expected to be wrong in the known ways"

# json_counts JSON OUT: "<mark> <count>" for every MARK:<mark> line, from gcovr-style JSON.
json_counts() {
  python3 - "$1" "$S" >"$2" <<'PY'
import json, os, re, sys
report, src = sys.argv[1:3]
for f in json.load(open(report))["files"]:
    lines = {l["line_number"]: l["count"] for l in f["lines"]}
    for n, text in enumerate(open(os.path.join(src, f["file"])), 1):
        m = re.search(r"MARK:(\S+)", text)
        if m:
            print(m.group(1), lines.get(n, "none"))
PY
  cat "$2"
}

step "Clang's gcov backend with the runtime: same results, exact counts"
run_ok cmake -S "$S" -B "$WORK/gcov" -G "$GENERATOR" -DPARALLEL_COVERAGE=ON \
  -DPARALLEL_COVERAGE_BACKEND=gcov -DPARCOV_MODULE_DIR="$REPO/modules"
run_ok cmake --build "$WORK/gcov"
nm "$WORK/gcov/segv" | grep -q parcov_rt_state_v1 || fail "the runtime is not linked into segv"
ctest_results "$WORK/gcov" "$WORK/gcov.results"
diff "$WORK/off.results" "$WORK/gcov.results" || fail "ctest saw different results with coverage"
run_ok cmake --build "$WORK/gcov" --target coverage
grep -q "10 tests crashed, timed out or wrote no coverage data" "$WORK/last.log" ||
  fail "combine did not count the 10 tests that ended abnormally"
json_counts "$WORK/gcov/coverage/coverage.json" "$WORK/gcov.counts"
# segv.after is 1 here too: llvm-cov gcov gives a line its block's count, and the block
# runs on past the faulting store.
expect_counts "$WORK/gcov.counts" \
  "check_fail.main 1" "check_fail.hit 5" "check_fail.never 0" \
  "check_timeout.hit 3" "check_timeout.end 1" \
  "segv.loop 3" "shared.hit 3" "segv.after 1" \
  "abort.loop 2" "hang.loop 4" "exit.loop 5" \
  "fork.before 1" "fork.child 2" "fork.child2 2" "fork.after 1" \
  "threads.hit 800000" "sigterm.handler 2" "sigterm.end 1" \
  "sigkill.before 0" "libexit.loop 4" "lib2.hit 4" "exitcrash.loop 3" \
  "execer.before 1" "execer.after 1" "vfork.before 1" "vfork.after 1" "plugin.hit 3" \
  "tsnap.hit $(cat "$WORK/gcov/tsnap.calls")" "hang_threads.hit 200000" "single.end 1" ||
  fail "wrong counts (see above)"
statuses "$WORK/gcov" "$WORK/gcov.statuses" LLVM_PROFILE_FILE="$WORK/direct/%m.profraw"
diff "$WORK/off.statuses" "$WORK/gcov.statuses" || fail "exit statuses changed under coverage"

step "Clang's gcov backend without the runtime loses and doubles counts"
run_ok cmake -S "$S" -B "$WORK/gcov" -DPARALLEL_COVERAGE_RUNTIME=OFF
run_ok cmake --build "$WORK/gcov"
ctest_results "$WORK/gcov" "$WORK/gcov-bare.results"
run_ok cmake --build "$WORK/gcov" --target coverage
json_counts "$WORK/gcov/coverage/coverage.json" "$WORK/gcov-bare.counts"
expect_counts "$WORK/gcov-bare.counts" "check_fail.hit 3" "check_fail.main 2" "fork.before 3" \
  "segv.loop 0" "abort.loop 0" "exit.loop 0" "libexit.loop 0" "vfork.after 0" ||
  fail "without the runtime, counts were expected to be wrong in the known ways"
echo "PASS: clang-endings"

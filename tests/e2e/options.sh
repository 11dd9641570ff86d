#!/bin/bash
# Per-target compile options (README "Optimisation and atomic counters"): atomic counter
# updates exactly for the targets whose code runs in threads (PARALLEL_COVERAGE_ATOMIC auto),
# for all (ON) or none (OFF); -O0 only where the project chose no optimisation of its own.
# Asserted on the compile commands CMake generates, and on the counts of a library function
# two threads of a program call at once, under the defaults.
. "$(dirname "$0")/lib.sh"
S="$REPO/tests/e2e/options"
rm -rf "$WORK"; mkdir -p "$WORK"
# compile_commands.json needs a Makefile or Ninja generator.
gen=$GENERATOR
[ "$gen" = "Ninja Multi-Config" ] && gen=Ninja

# configure NAME ARGS...: a build tree of the options project.
configure() {
  local name=$1; shift
  run_ok cmake -S "$S" -B "$WORK/$name" -G "$gen" $STRICT -DPARALLEL_COVERAGE=ON \
    -DPARCOV_MODULE_DIR="$REPO/modules" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@"
  cp "$WORK/last.log" "$WORK/$name.configure.log"
}

# flags BUILD: "<target> <updates> <effective -O>" per object, from compile_commands.json:
# updates = atomic, single or default; the effective -O is the last one on the line.
flags() {
  python3 - "$1/compile_commands.json" <<'PY' | sort -u
import json, re, shlex, sys
for e in json.load(open(sys.argv[1])):
    args = shlex.split(e["command"])
    out = args[args.index("-o") + 1]
    m = re.search(r"CMakeFiles/([^/]+)\.dir/", out)
    if not m:
        continue
    upd = [a.split("=", 1)[1] for a in args if a.startswith("-fprofile-update=")]
    opt = [a for a in args if re.fullmatch(r"-O([0-9sgz]|fast)?", a)]
    print(m.group(1), upd[-1] if upd else "default", opt[-1] if opt else "none")
PY
}

# expect BUILD "target updates -O"...: each listed target compiles exactly so.
expect() {
  local build=$1; shift
  flags "$build" >"$build.flags"
  cat "$build.flags"
  local bad=0 line got
  for line in "$@"; do
    got=$(awk -v t="${line%% *}" '$1 == t' "$build.flags")
    [ "$got" = "$line" ] || { echo "expected '$line', got '$got'"; bad=1; }
  done
  return $bad
}

step "defaults: atomic exactly where code runs in threads, -O0 unless the target has its own -O"
configure auto
grep -q "atomic counters (PARALLEL_COVERAGE_ATOMIC=auto) in 10 targets" "$WORK/auto.configure.log" ||
  fail "the configure message does not count the 10 targets running threads"
grep -q "worker (linked into threads_exe, which runs threads)" "$WORK/auto.configure.log" ||
  fail "the configure message does not say why worker is atomic"
grep -q "targets keeping their own -O: opt_flags, opt_options, opt_genex, dir_opt" \
  "$WORK/auto.configure.log" || fail "the configure message does not name the targets keeping their -O"
expect "$WORK/auto" \
  "plain single -O0" "plain_exe single -O0" "plain_cxx single -O0" \
  "threads_only single -O0" "pthread_flag single -O0" \
  "threads_exe atomic -O0" "worker atomic -O0" \
  "pool atomic -O0" "helper atomic -O0" "pool_user atomic -O0" \
  "cxx_thread atomic -O0" "omp atomic -O0" \
  "forced_on atomic -O0" "forced_off single -O0" \
  "opt_flags single -O3" "opt_options single -O2" "opt_genex single none" \
  "dir_opt atomic -Os" "dir_flags atomic -O0" || fail "wrong per-target options (see above)"

step "two threads on one function of a library are counted exactly with the defaults"
run_ok cmake --build "$WORK/auto" --target threads_exe plain_exe
run_ok ctest --test-dir "$WORK/auto" -j2
run_ok cmake --build "$WORK/auto" --target coverage
python3 - "$WORK/auto/coverage/coverage.json" "$S/worker.c" <<'PY' || fail "threads lost counts"
import json, sys
report, src = sys.argv[1:]
mark = next(n for n, l in enumerate(open(src), 1) if "MARK:hit" in l)
f = next(f for f in json.load(open(report))["files"] if f["file"].endswith("worker.c"))
got = {l["line_number"]: l["count"] for l in f["lines"]}[mark]
print("worker.c hit:", got)
sys.exit(0 if got == 600000 else 1)
PY

step "Release: CMake's default -O3 gives way to -O0, the target's own -O does not"
configure release -DCMAKE_BUILD_TYPE=Release
grep -q "CMake's default -O of Release is overridden" "$WORK/release.configure.log" ||
  fail "the configure message does not say the build type's -O3 is overridden"
expect "$WORK/release" "plain single -O0" "opt_options single -O2" "opt_genex single -O1" \
  "opt_flags single -O3" || fail "wrong options under Release"

step "flags the project chose itself keep their -O"
configure own_release -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE=-O2
grep -q "the project's own -O kept in C:CMAKE_C_FLAGS_RELEASE" "$WORK/own_release.configure.log" ||
  fail "the configure message does not say CMAKE_C_FLAGS_RELEASE is kept"
expect "$WORK/own_release" "plain single -O2" "plain_cxx single -O0" ||
  fail "an explicit CMAKE_C_FLAGS_RELEASE was overridden"
configure own_flags -DCMAKE_C_FLAGS=-O1
expect "$WORK/own_flags" "plain single -O1" "threads_exe atomic -O1" ||
  fail "an explicit CMAKE_C_FLAGS -O was overridden"

step "PARALLEL_COVERAGE_ATOMIC=ON and OFF force every target; the target property still wins"
configure on -DPARALLEL_COVERAGE_ATOMIC=ON
expect "$WORK/on" "plain atomic -O0" "plain_cxx atomic -O0" "threads_only atomic -O0" \
  "forced_off single -O0" || fail "ATOMIC=ON did not make every target atomic"
configure off -DPARALLEL_COVERAGE_ATOMIC=OFF
expect "$WORK/off" "plain single -O0" "threads_exe single -O0" "worker single -O0" \
  "cxx_thread single -O0" "forced_on atomic -O0" || fail "ATOMIC=OFF did not make every target single"
run_fails 1 "PARALLEL_COVERAGE_ATOMIC='sometimes'" \
  cmake -S "$S" -B "$WORK/bad" -G "$gen" -DPARALLEL_COVERAGE=ON \
  -DPARCOV_MODULE_DIR="$REPO/modules" -DPARALLEL_COVERAGE_ATOMIC=sometimes

step "PARALLEL_COVERAGE_COMPILE_OPTIONS is used as given"
configure given "-DPARALLEL_COVERAGE_COMPILE_OPTIONS=--coverage;-fprofile-abs-path"
grep -q "used as given" "$WORK/given.configure.log" || fail "no message about the given options"
expect "$WORK/given" "plain default none" "threads_exe default none" "opt_options default -O2" ||
  fail "PARALLEL_COVERAGE_COMPILE_OPTIONS was not used as given"
echo "PASS: options"

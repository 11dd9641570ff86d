# Shared by endings.sh (GCC) and clang-endings.sh: the programs of tests/e2e/endings/ and what
# CTest, the programs themselves and the report must say about them. Source after lib.sh.

# ctest_results BUILD OUT [CTEST ARGS]: "<test> <result>" per test, from ctest -j4 (which must
# fail); without arguments every test but ctest.cmdline.timeout (it needs ctest --timeout).
# On CMake >= 3.27 the module makes CTest end a timed-out test with SIGTERM, which CTest
# reports as "Timeout (SIGTERM)": still a timeout.
ctest_results() {
  local build=$1 out=$2 want=19
  shift 2
  if [ $# -gt 0 ]; then want=1; else set -- -E '^ctest[.]cmdline[.]timeout$'; fi
  set +e; ctest --test-dir "$build" -j4 "$@" >"$WORK/ctest.log" 2>&1; rc=$?; set -e
  cat "$WORK/ctest.log"
  [ $rc -ne 0 ] || fail "ctest passed although tests must fail"
  sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \([^ ]*\) [. ]*\(.*\)$/\1 \2/p' "$WORK/ctest.log" |
    sed -e 's/ *[0-9.]* sec$//' -e 's/Timeout (SIGTERM)$/Timeout/' | sort >"$out"
  [ "$(wc -l <"$out")" = $want ] || fail "expected $want test results in $out"
}

# The exit status of each program run directly, without ParallelCoverage: 128+N is signal N.
ENDINGS_STATUSES="check_fail 1
check_timeout 1
segv 139
abort 134
exit 3
threads 0
fork 0
sigterm 0
sigkill 137
libexit 5
exitcrash 139
execer 0
vfork 134
single 0
host 143"

# statuses BUILD OUT VAR=VALUE...: exit status of each program run directly (128+N: signal
# N), with the given environment (where its coverage data goes).
statuses() {
  local build=$1 out=$2 p args
  shift 2
  for p in check_fail check_timeout segv abort exit threads fork sigterm sigkill libexit \
           exitcrash execer vfork single host; do
    args=()
    [ $p = host ] && args=("$build/libplugin.so")
    set +e; (cd "$WORK" && env "$@" "$build/$p" "${args[@]}" >/dev/null 2>&1); rc=$?; set -e
    echo "$p $rc"
  done >"$out"
}

# expect_counts FILE "mark count"...: each listed mark has exactly that count.
expect_counts() {
  file=$1; shift
  bad=0
  for pair in "$@"; do
    got=$(awk -v m="${pair% *}" '$1 == m { print $2 }' "$file")
    [ "$got" = "${pair#* }" ] || { echo "${pair% *}: expected ${pair#* }, got '${got}'"; bad=1; }
  done
  return $bad
}

# expect_listed_endings SUMMARY: the report names exactly the ten tests that crashed, timed
# out or wrote no data, each with its true reason.
expect_listed_endings() {
  sed -n '/^Tests whose coverage is partial/,$p' "$1" >"$WORK/listed"
  cat "$WORK/listed"
  for t in "check.timeout: process [0-9]+ was killed by Check's timeout \(its counts were saved first\)$" \
           "crash.abort: process [0-9]+ ended by SIGABRT \(its counts were saved first\)$" \
           "crash.segv: process [0-9]+ ended by SIGSEGV \(its counts were saved first\)$" \
           "crash.sigkill: .*vanished.*wrote no coverage data" \
           "ctest.timeout: process [0-9]+ timed out" \
           "ctest.timeout.threads: process [0-9]+ timed out" \
           "crash.at.exit: process [0-9]+ ended by SIGSEGV \(its counts were saved first\)$" \
           "vfork.crash: process [0-9]+ ended by SIGABRT \(its counts were saved first\)$" \
           "plugin.dlclose: process [0-9]+ ended by SIGTERM \(its counts were saved first\)$" \
           "no.data: wrote no coverage data"; do
    grep -Eq "^  $t" "$WORK/listed" || fail "the report does not list /$t/"
  done
  [ "$(grep -c '^  ' "$WORK/listed")" = 10 ] || fail "the report lists tests that ended normally"
}

# Shared by endings.sh (GCC) and clang-endings.sh: the programs of tests/e2e/endings/ and what
# CTest, the programs themselves and the report must say about them. Source after lib.sh.

# ctest_results BUILD OUT: "<test> <result>" per test, from ctest -j4 (which must fail). On
# CMake >= 3.27 the module makes CTest end a timed-out test with SIGTERM, which CTest reports
# as "Timeout (SIGTERM)": still a timeout.
ctest_results() {
  set +e; ctest --test-dir "$1" -j4 >"$WORK/ctest.log" 2>&1; rc=$?; set -e
  cat "$WORK/ctest.log"
  [ $rc -ne 0 ] || fail "ctest passed although tests must fail"
  sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \([^ ]*\) [. ]*\(.*\)$/\1 \2/p' "$WORK/ctest.log" |
    sed -e 's/ *[0-9.]* sec$//' -e 's/Timeout (SIGTERM)$/Timeout/' | sort >"$2"
  [ "$(wc -l <"$2")" = 11 ] || fail "expected 11 test results in $2"
}

# statuses BUILD OUT VAR=VALUE...: exit status of each program run directly (128+N: signal
# N), with the given environment (where its coverage data goes).
statuses() {
  local build=$1 out=$2 p
  shift 2
  for p in check_fail check_timeout segv abort exit fork threads sigterm sigkill; do
    set +e; (cd "$WORK" && env "$@" CK_DEFAULT_TIMEOUT=1 "$build/$p" >/dev/null 2>&1); rc=$?; set -e
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

# expect_listed_endings SUMMARY: the report names exactly the six tests that crashed, timed
# out or wrote no data.
expect_listed_endings() {
  sed -n '/^Tests whose coverage is partial/,$p' "$1" >"$WORK/listed"
  cat "$WORK/listed"
  for t in "check.timeout: .*killed by Check's timeout" "crash.abort: .*SIGABRT" \
           "crash.segv: .*SIGSEGV" "crash.sigkill: .*vanished.*wrote no coverage data" \
           "ctest.timeout: .*timed out" "no.data: wrote no coverage data"; do
    grep -Eq "^  $t" "$WORK/listed" || fail "the report does not list /$t/"
  done
  [ "$(grep -c '^  ' "$WORK/listed")" = 6 ] || fail "the report lists tests that ended normally"
}

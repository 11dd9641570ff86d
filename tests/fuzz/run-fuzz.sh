#!/bin/bash
# Fuzz the .gcda reader for a bounded time.
#
# usage: run-fuzz.sh FUZZER SEED_DIR WORK_DIR SECONDS [JOBS]
#   FUZZER    the fuzz_gcda binary (built when clang with libFuzzer is found: tests/fuzz/)
#   SEED_DIR  .gcda files written by real GCC runs (built next to the fuzzer)
#   WORK_DIR  keeps the grown corpus between runs; crashes land there as crash-*
# The CTest test fuzz.gcda runs it for 20 s. A longer run, from the build tree:
#   bash tests/fuzz/run-fuzz.sh build/ci/tests/fuzz/fuzz_gcda build/ci/tests/fuzz/seeds /tmp/fuzz 3600
set -eu
if [ $# -lt 4 ]; then
  echo "usage: $0 FUZZER SEED_DIR WORK_DIR SECONDS [JOBS]" >&2
  exit 2
fi
fuzzer=$1 seeds=$2 work=$3 seconds=$4 jobs=${5:-1}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/corpus"
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096
      -dict="$here/gcda.dict" -artifact_prefix="$work/" -print_final_stats=1)
if [ "$jobs" -gt 1 ]; then
  args+=(-jobs="$jobs" -workers="$jobs")
fi
echo "fuzzing $fuzzer for ${seconds}s, corpus $work/corpus, seeds $seeds"
cd "$work"
set +e
"$fuzzer" "${args[@]}" "$work/corpus" "$seeds" 2>"$work/fuzz.log"
rc=$?
set -e
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$work/fuzz.log" || true
if [ $rc -ne 0 ] || ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* >/dev/null 2>&1; then
  tail -n 60 "$work/fuzz.log"
  echo "FAIL: the fuzzer found a problem (exit $rc); reproduce with: $fuzzer $work/crash-..." >&2
  exit 1
fi
echo "PASS: no crash, leak or timeout in ${seconds}s ($(ls "$work/corpus" | wc -l) corpus files)"

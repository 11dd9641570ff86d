#!/bin/bash
# Cost of exact counts in threaded code: the same hot loop compiled with --coverage and
# -fprofile-update=single (GCC's default, loses increments when threads race) and =atomic
# (ParallelCoverage's default), run alternately in the same session. Prints each median wall
# time, the counts each kept, and the ratio atomic/single.
#   bench/atomic-counters.sh [THREADS] [CALLS_PER_THREAD] [REPEATS]
set -eu
threads=${1:-2} calls=${2:-20000000} repeats=${3:-5}
W=$(mktemp -d /tmp/parcov-bench-atomic.XXXXXX)
trap 'rm -rf "$W"' EXIT
cat >"$W/hot.c" <<'C'
#include <pthread.h>
#include <stdlib.h>
static long calls;
static volatile int sink;
static void hit(int i)
{
	if (i & 1)
		sink += i;
	else
		sink -= 1;
}
static void *run(void *arg)
{
	for (long i = 0; i < calls; i++)
		hit((int)i);
	return arg;
}
int main(int argc, char **argv)
{
	int n = atoi(argv[1]);
	pthread_t t[64];
	calls = atol(argv[2]);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], 0, run, 0);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], 0);
	return 0;
}
C
for mode in single atomic; do
  mkdir -p "$W/$mode"
  (cd "$W/$mode" && gcc --coverage -O0 -fprofile-update=$mode -pthread -c ../hot.c -o hot.o &&
   gcc --coverage -pthread hot.o -o hot)
done
declare -A times
for ((r = 0; r < repeats; r++)); do
  for mode in single atomic; do
    rm -f "$W/$mode"/*.gcda
    s=$(date +%s%N)
    (cd "$W/$mode" && ./hot "$threads" "$calls")
    e=$(date +%s%N)
    times[$mode]+="$(( (e - s) / 1000000 )) "
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
expected=$((threads * calls))
for mode in single atomic; do
  m=$(echo "${times[$mode]}" | median)
  eval "med_$mode=$m"
  count=$(cd "$W/$mode" && gcov -t hot.c 2>/dev/null | awk -F: '/static void hit\(int i\)/ { gsub(/ /, "", $1); print $1; exit }')
  printf '%-7s median %6d ms over %d runs; hit() counted %d of %d calls\n' \
    "$mode" "$m" "$repeats" "$count" "$expected"
done
awk -v a="$med_atomic" -v s="$med_single" 'BEGIN { printf "ratio atomic/single: %.2f (%d threads, %d calls each)\n", a / s, '"$threads"', '"$calls"' }'

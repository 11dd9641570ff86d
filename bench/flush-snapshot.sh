#!/bin/bash
# How a watchdog flush behaves while threads run: libgcov's dump followed by a reset (the
# runtime's old watchdog) against the snapshot the runtime takes now (a clone()d copy of the
# process writes the counters elsewhere; the live counters are untouched). Four threads call
# one function for about a second while the main thread flushes FLUSHES times, 50 ms apart;
# the process then exits normally. Each repetition runs no flush, dump+reset and snapshot in
# turn. Prints each flush's median/min/max latency (in the flushing thread), the threads'
# call rate, and the calls the final data lost (gcov's count of the function's line against
# the calls the threads made).
#   bench/flush-snapshot.sh [REPEATS]
set -eu
repeats=${1:-3}
W=$(mktemp -d /tmp/parcov-bench-flush.XXXXXX)
trap 'rm -rf "$W"' EXIT
cat >"$W/flush.c" <<'C'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
void __gcov_dump(void);
void __gcov_reset(void);
void __gcov_dump_int(void);
extern pthread_mutex_t __gcov_mx;
static volatile int sink, stop;
static long calls[4];
static void hit(void)
{
	sink = 1;
}
static void *run(void *a)
{
	long *n = a;
	while (!stop) {
		hit();
		(*n)++;
	}
	return 0;
}
static long long now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	const char *mode = argv[1];
	int K = 20;
	long long lat[20], t0 = 0;
	pthread_t t[4];
	struct timespec gap = {0, 50000000};
	long total = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, run, &calls[i]);
	nanosleep(&gap, 0);
	t0 = now();
	for (int k = 0; k < K; k++) {
		long long a = now();
		if (!strcmp(mode, "dumpreset")) {
			__gcov_dump();
			__gcov_reset();
		} else if (!strcmp(mode, "snapshot")) {
			long c = syscall(SYS_clone, 0L, 0, 0, 0, 0);
			if (c == 0) {
				char dir[256];
				pthread_mutex_init(&__gcov_mx, 0);
				snprintf(dir, sizeof dir, "%s/snap%d", getenv("SNAPDIR"), k);
				setenv("GCOV_PREFIX", dir, 1);
				__gcov_dump_int();
				syscall(SYS_exit_group, 0);
			}
			waitpid((pid_t)c, 0, (int)__WCLONE);
		}
		lat[k] = now() - a;
		nanosleep(&gap, 0);
	}
	stop = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], 0);
		total += calls[i];
	}
	qsort(lat, K, sizeof lat[0], cmp);
	printf("%s: flush median %.3f ms (min %.3f, max %.3f); %ld calls in %.2f s: %.1f M calls/s\n",
	       mode, lat[K / 2] / 1e6, lat[0] / 1e6, lat[K - 1] / 1e6, total, (now() - t0) / 1e9,
	       total / ((now() - t0) / 1e9) / 1e6);
	fprintf(stderr, "%ld\n", total);
	return 0;
}
C
cd "$W"
gcc --coverage -fprofile-update=atomic -O0 -pthread flush.c -o flush
line=$(grep -n 'sink = 1;' flush.c | cut -d: -f1)
for r in $(seq "$repeats"); do
  for mode in none dumpreset snapshot; do
    rm -rf out flush.gcda && mkdir out
    calls=$(GCOV_PREFIX="$W/out/final" SNAPDIR="$W/out" ./flush $mode 2>&1 >out/line)
    cp "$(find out/final -name '*.gcda')" flush.gcda
    counted=$(gcov --json-format --stdout flush.gcda 2>/dev/null | python3 -c '
import json, sys
for f in json.load(sys.stdin)["files"]:
    for l in f["lines"]:
        if l["line_number"] == '"$line"' and f["file"].endswith("flush.c"): print(l["count"])')
    echo "$(cat out/line); counted $counted of $calls: lost $((calls - counted))"
  done
done

/* Two threads call hit() while the watchdog (TIMEOUT 30: snapshots at 15 s and 28 s) takes
 * its first snapshot, then the process ends normally: every call is counted, the snapshot is
 * not used. The threads stop once the record says the snapshot is complete, or 22 s after
 * the start (without ParallelCoverage). The number of calls is written to tsnap.calls (in
 * the working directory). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static volatile int sink, stop;
static long calls[2];
static void hit(void)
{
	sink = 1; /* MARK:tsnap.hit */
}
static void *run(void *arg)
{
	long *n = arg;
	while (!stop) {
		hit();
		(*n)++;
	}
	return NULL;
}
/* The runtime recorded this process's first snapshot in the test's data directory. */
static int snapshot_taken(void)
{
	const char *dir = getenv("GCOV_PREFIX"), *f = getenv("LLVM_PROFILE_FILE");
	char path[4096], line[256], want[64];
	FILE *record;
	int found = 0;

	if (dir)
		snprintf(path, sizeof path, "%s/parcov-endings.tsv", dir);
	else if (f && strrchr(f, '/'))
		snprintf(path, sizeof path, "%.*s/parcov-endings.tsv", (int)(strrchr(f, '/') - f), f);
	else
		return 0;
	snprintf(want, sizeof want, "%ld\t", (long)getpid());
	record = fopen(path, "r");
	while (record && !found && fgets(line, sizeof line, record))
		found = !strncmp(line, want, strlen(want)) && strstr(line, "\tsnapshot\t1\n");
	if (record)
		fclose(record);
	return found;
}
static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
int main(void)
{
	pthread_t t[2];
	struct timespec tick = {0, 50000000};
	double start = seconds();
	FILE *f;
	long total = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], 0, run, &calls[i]);
	while (seconds() - start < 22 && !snapshot_taken())
		nanosleep(&tick, NULL);
	nanosleep(&tick, NULL);
	stop = 1;
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], 0);
		total += calls[i];
	}
	f = fopen("tsnap.calls", "w");
	if (!f)
		return 1;
	fprintf(f, "%ld\n", total);
	return fclose(f) != 0;
}

/* Four threads call hit() while the watchdog (TIMEOUT 12: snapshots at 6 s and 10 s) takes
 * its snapshot, then the process ends normally: every call is counted, the snapshot is not
 * used. The number of calls is written to tsnap.calls (in the working directory). */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static volatile int sink, stop;
static long calls[4];
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
/* The watchdog wrote a snapshot into the test's data directory. */
static int snapshot_taken(void)
{
	const char *dir = getenv("GCOV_PREFIX");
	char path[4096];
	DIR *d;
	if (!dir) {
		const char *f = getenv("LLVM_PROFILE_FILE");
		if (!f || !strrchr(f, '/'))
			return 0;
		snprintf(path, sizeof path, "%.*s/parcov-snap", (int)(strrchr(f, '/') - f), f);
	} else {
		snprintf(path, sizeof path, "%s/parcov-snap", dir);
	}
	d = opendir(path);
	if (d)
		closedir(d);
	return d != NULL;
}
int main(void)
{
	pthread_t t[4];
	struct timespec tick = {0, 50000000};
	FILE *f;
	long total = 0;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, run, &calls[i]);
	/* Until the snapshot, then a little longer; at most 9 s (without ParallelCoverage). */
	for (int i = 0; i < 180 && !snapshot_taken(); i++)
		nanosleep(&tick, NULL);
	nanosleep(&tick, NULL);
	stop = 1;
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], 0);
		total += calls[i];
	}
	f = fopen("tsnap.calls", "w");
	if (!f)
		return 1;
	fprintf(f, "%ld\n", total);
	return fclose(f) != 0;
}

/* Without a timeout the runtime starts no thread: this process must stay single-threaded
 * (unshare(CLONE_NEWUSER) needs that). */
#include <stdio.h>
#include <string.h>
int main(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	int threads = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "Threads:", 8))
			sscanf(line + 8, "%d", &threads);
	if (f)
		fclose(f);
	if (threads != 1) {
		fprintf(stderr, "%d threads\n", threads);
		return 1;
	}
	return 0; /* MARK:single.end */
}

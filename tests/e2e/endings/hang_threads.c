/* Runs into CTest's TIMEOUT with threads: each does known work, then everyone blocks. The
 * snapshot has every call; the process never ends, so the snapshot is what counts. */
#include <pthread.h>
#include <unistd.h>
static volatile int sink;
static void hit(void)
{
	sink = 1; /* MARK:hang_threads.hit */
}
static void *run(void *arg)
{
	for (int i = 0; i < 50000; i++)
		hit();
	for (;;)
		pause();
	return arg;
}
int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, run, 0);
	for (;;)
		pause();
}

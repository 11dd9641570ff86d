/* Four threads hammer one function: every call must be counted. */
#include <pthread.h>
static volatile int sink;
static void hit(void)
{
	sink = 1; /* MARK:threads.hit */
}
static void *run(void *arg)
{
	for (int i = 0; i < 200000; i++)
		hit();
	return arg;
}
int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], 0, run, 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], 0);
	return 0;
}

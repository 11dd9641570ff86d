/* A thread pool of one: runs its caller's function in a thread. */
#include <pthread.h>
void pool_run(void *(*fn)(void *))
{
	pthread_t t;
	if (pthread_create(&t, 0, fn, 0) == 0)
		pthread_join(t, 0);
}

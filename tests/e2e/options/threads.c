/* Two threads on one function of another target (worker.c). */
#include <pthread.h>
void hit(void);
static void *run(void *arg)
{
	for (int i = 0; i < 300000; i++)
		hit();
	return arg;
}
int main(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], 0, run, 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], 0);
	return 0;
}

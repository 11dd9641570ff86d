/* Crashes after exit() began: in an atexit handler registered before the runtime's own. */
#include <stdlib.h>
static volatile int sink;
static void late(void)
{
	*(volatile int *)0 = 1;
}
__attribute__((constructor(101))) static void early(void)
{
	atexit(late);
}
int main(void)
{
	for (int i = 0; i < 3; i++)
		sink++; /* MARK:exitcrash.loop */
	return 0;
}

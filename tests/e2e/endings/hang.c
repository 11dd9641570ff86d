/* Runs into CTest's TIMEOUT. */
#include <unistd.h>
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 4; i++)
		sink++; /* MARK:hang.loop */
	for (;;)
		pause();
}

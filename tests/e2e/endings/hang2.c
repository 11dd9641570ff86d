/* Runs into ctest --timeout (no TIMEOUT property): blocks at most 60 s after known work. */
#include <unistd.h>
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 2; i++)
		sink++; /* MARK:hang2.loop */
	sleep(60);
	return 0;
}

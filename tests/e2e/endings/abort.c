#include <stdlib.h>
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 2; i++)
		sink++; /* MARK:abort.loop */
	abort();
}

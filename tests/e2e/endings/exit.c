#include <unistd.h>
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 5; i++)
		sink++; /* MARK:exit.loop */
	_exit(3);
}

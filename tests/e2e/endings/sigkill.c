/* SIGKILL cannot be caught: its counts are lost, and parcov says so. */
#include <signal.h>
static volatile int sink;
int main(void)
{
	sink++; /* MARK:sigkill.before */
	raise(SIGKILL);
	return 0;
}

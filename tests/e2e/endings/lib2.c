/* An instrumented shared library whose own code ends the process with _exit(). */
#include <unistd.h>
static volatile int sink;
void lib2_hit(void)
{
	sink++; /* MARK:lib2.hit */
}
void lib2_exit(int status)
{
	_exit(status);
}

/* vfork() + a failing exec + _exit(127) in the child (an uninstrumented library, as
 * posix_spawn-like code does), then the parent crashes: the child must not write the
 * parent's counters (it shares its memory), and the parent's crash is still flushed. */
#include <stdlib.h>
int spawn_vfork(const char *path);
static volatile int sink;
int main(void)
{
	sink++; /* MARK:vfork.before */
	if (spawn_vfork("/nonexistent/program") != 127)
		return 1;
	sink++; /* MARK:vfork.after */
	abort();
}

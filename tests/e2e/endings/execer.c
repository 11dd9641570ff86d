/* An uninstrumented library forks and execs an uninstrumented program: the child's start is
 * followed by an exec, not by a disappearance. */
int spawn_exec(const char *path);
static volatile int sink;
int main(void)
{
	int status;
	sink++; /* MARK:execer.before */
	status = spawn_exec("/bin/true");
	sink++; /* MARK:execer.after */
	return status;
}

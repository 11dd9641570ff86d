/* Not instrumented: forks like libcheck does, out of libgcov's sight. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
int spawn(void (*fn)(void))
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
/* fork() + exec of a program, as a test harness library does. */
int spawn_exec(const char *path)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		execv(path, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
/* vfork() + exec: the child runs on the parent's memory until the exec (or _exit). */
int spawn_vfork(const char *path)
{
	int status;
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = {(char *)path, NULL};
		execv(path, argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

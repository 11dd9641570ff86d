/* LD_PRELOAD shim for tests: every fcntl() record lock fails with ENOLCK, as on an NFS mount
 * whose lock daemon is unreachable. Other fcntl() commands pass through. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>

static int is_lock(int cmd)
{
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK || cmd == F_OFD_SETLK ||
	       cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
}

typedef int fcntl_fn(int, int, ...);

/* The argument is an int or a pointer: passing it on as a pointer-sized value is what
 * glibc's own fcntl wrappers do on x86_64 and aarch64. */
static int forward(const char *name, int fd, int cmd, void *arg)
{
	fcntl_fn *real = (fcntl_fn *)dlsym(RTLD_NEXT, name);
	if (is_lock(cmd)) {
		errno = ENOLCK;
		return -1;
	}
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, cmd, arg);
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return forward("fcntl", fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;
	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return forward("fcntl64", fd, cmd, arg);
}

#define _GNU_SOURCE
#include "doctor_checks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "proc.h"
/* --- Locks ------------------------------------------------------------------------------- */

/* A few statfs magics, to name the filesystem in the message. */
static const char *fs_name(const char *dir)
{
	static const struct {
		long magic;
		const char *name;
	} names[] = {
		{0x6969, "NFS"}, {(long)0xff534d42, "CIFS"}, {(long)0xfe534d42, "SMB2"},
		{0x01021997, "9p"}, {0x65735546, "FUSE"}, {0x786f4256, "vboxsf"},
		{0x0bd00bd0, "Lustre"}, {0x01021994, "tmpfs"}, {0xef53, "ext2/3/4"},
		{0x58465342, "XFS"}, {(long)0x9123683e, "Btrfs"}, {0x794c7630, "overlayfs"},
	};
	struct statfs st;
	if (statfs(dir, &st) < 0)
		return "unknown";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((long)st.f_type == names[i].magic)
			return names[i].name;
	return "unknown";
}

/* libgcov serialises concurrent updates of one .gcda with fcntl(F_SETLKW) and goes on
 * without the lock if that fails: on such a filesystem parallel runs of one program lose
 * counts silently. Try a lock here, and a conflicting one from a second process. Returns
 * NULL if locks work, else why not (static). */
static const char *probe_fcntl_locks(const char *dir)
{
	static char why[256];
	char *path = xasprintf("%s/lock-probe.%ld.parcov-tmp", dir, (long)getpid());
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	const char *ret = NULL;
	int fd, status;
	pid_t pid;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		free(path);
		return NULL; /* cannot even create a file: other checks say so */
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		snprintf(why, sizeof why, "fcntl(F_SETLK) fails: %s", strerror(errno));
		ret = why;
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		int fd2 = open(path, O_RDWR | O_CLOEXEC);
		struct flock f2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fd2 < 0)
			_exit(3);
		if (fcntl(fd2, F_SETLK, &f2) == 0)
			_exit(1);
		_exit(errno == EAGAIN || errno == EACCES ? 0 : 2);
	}
	if (pid < 0)
		goto out;
	status = proc_wait(pid);
	if (status == 1) {
		snprintf(why, sizeof why, "a second process got the same fcntl lock: locks are not "
		         "enforced");
		ret = why;
	} else if (status == 2) {
		snprintf(why, sizeof why, "fcntl(F_SETLK) fails in a second process");
		ret = why;
	}
out:
	close(fd);
	unlink(path);
	free(path);
	return ret;
}

void doctor_locks(struct doctor *d)
{
	const char *why;

	if (mkdirs(d->c->data_dir, 0777) < 0)
		return;
	why = probe_fcntl_locks(d->c->data_dir);
	if (why)
		finding(d, FINDING_PROBLEM, xasprintf("put the build tree on a local filesystem (cmake -S SOURCE_DIR -B "
		                                      "/local/disk/build)"),
		        "%s is on a filesystem (%s) without working fcntl locks (%s): libgcov then "
		        "loses counts silently when two processes write the same .gcda at once",
		        d->c->build_dir, fs_name(d->c->data_dir), why);
	else
		finding(d, FINDING_OK, NULL, "fcntl locks work on the build tree's filesystem (%s)", fs_name(d->c->data_dir));
}


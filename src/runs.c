#define _GNU_SOURCE
#include "runs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* Data set numbers present in runs/, ascending. */
static size_t list_runs(const char *runs_dir, unsigned long **out)
{
	unsigned long *ids = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(runs_dir);

	if (!d) {
		*out = NULL;
		return 0;
	}
	while ((e = readdir(d))) {
		char *end;
		unsigned long id;
		if (strlen(e->d_name) != 6 || strspn(e->d_name, "0123456789") != 6)
			continue;
		id = strtoul(e->d_name, &end, 10);
		ids = xreallocarray(ids, n + 1, sizeof *ids);
		ids[n++] = id;
	}
	closedir(d);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			unsigned long t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	*out = ids;
	return n;
}

static int found_file(const char *path, const char *rel, void *ctx)
{
	(void)path;
	(void)rel;
	(void)ctx;
	return 1;
}

static int has_data(const char *run)
{
	char *tests = path_join(run, "tests");
	int ret = is_dir(tests) && walk_files(tests, NULL, found_file, NULL) == 1;
	free(tests);
	return ret;
}

static char *run_path(const struct config *c, unsigned long id)
{
	return xasprintf("%s/runs/%06lu", c->data_dir, id);
}

/* Point 'current' at runs/NNNNNN atomically: tests starting now write there. */
static int point_current(const struct config *c, unsigned long id)
{
	char *target = xasprintf("runs/%06lu", id);
	char *link = path_join(c->data_dir, "current");
	char *tmp = xasprintf("%s.parcov-tmp", link);
	int ret = 0;

	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, link) < 0) {
		error("cannot point %s at %s:", link, target);
		unlink(tmp);
		ret = -1;
	}
	free(target);
	free(link);
	free(tmp);
	return ret;
}

static char *trash_path(const struct config *c)
{
	return path_join(c->data_dir, "trash");
}

/* Move a data set into trash/ under a name no other set can take; delete it here if that
 * fails. */
static void discard(const struct config *c, const char *run, unsigned long id)
{
	char *trash = trash_path(c);
	char *dest = xasprintf("%s/%06lu-%ld", trash, id, (long)getpid());

	if (mkdirs(trash, 0777) < 0 || rename(run, dest) < 0)
		remove_tree(run);
	free(dest);
	free(trash);
}

/* Delete trash/ in a detached grandchild with no link to ctest's pipes, so ctest does not
 * wait for it. A deletion cut short is finished by the next run. */
static void empty_trash_in_background(const struct config *c)
{
	char *trash = trash_path(c);
	pid_t pid;

	if (!is_dir(trash)) {
		free(trash);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int fd;
		setsid();
		if (fork() != 0)
			_exit(0);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		for (int i = 3; i < 1024; i++)
			close(i);
		_exit(remove_tree(trash) < 0);
	}
	if (pid < 0)
		remove_tree(trash);
	else
		waitpid(pid, NULL, 0);
	free(trash);
}

/* Remember where ctest runs (pre-test's working directory): its log of the run is there. */
static void record_ctest_dir(const struct config *c)
{
	char cwd[4096];
	char *path = xasprintf("%s/current/ctest-dir", c->data_dir);

	if (getcwd(cwd, sizeof cwd) && write_file_atomic(path, cwd, strlen(cwd)) < 0)
		warn("cannot write %s:", path);
	free(path);
}

char *runs_ctest_log(const struct config *c, const char *run)
{
	char *record = path_join(run, "ctest-dir");
	struct buffer b = {0};
	char *log;

	if (read_file(record, &b) == 0 && b.len > 0 && b.data[0] == '/')
		log = xasprintf("%s/Testing/Temporary/LastTest.log", b.data);
	else
		log = xasprintf("%s/Testing/Temporary/LastTest.log", c->build_dir);
	buf_free(&b);
	free(record);
	return log;
}

int runs_start(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	char *current = path_join(c->data_dir, "current");
	unsigned long *ids, next;
	struct stat st;
	size_t n;
	int ret = -1, keep = -1;
	char *path;

	if (mkdirs(runs_dir, 0777) < 0) {
		error("cannot create %s:", runs_dir);
		goto out_free;
	}
	n = list_runs(runs_dir, &ids);
	if (c->append && n > 0 && stat(current, &st) == 0 && S_ISDIR(st.st_mode)) {
		record_ctest_dir(c);
		ret = 0;
		goto out;
	}
	next = n ? ids[n - 1] + 1 : 1;
	path = run_path(c, next);
	if (mkdirs(path, 0777) < 0) {
		error("cannot create %s:", path);
		free(path);
		goto out;
	}
	free(path);
	if (point_current(c, next) < 0)
		goto out;
	/* Superseded sets go to trash/ at once (a rename) and are deleted in the background:
	 * thousands of files need not delay the first test. */
	for (size_t i = n; i-- > 0;) {
		char *old = run_path(c, ids[i]);
		if (keep < 0 && has_data(old))
			keep = (int)i;
		else
			discard(c, old, ids[i]);
		free(old);
	}
	empty_trash_in_background(c);
	record_ctest_dir(c);
	ret = 0;
out:
	free(ids);
out_free:
	free(runs_dir);
	free(current);
	return ret;
}

char *runs_latest_with_data(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	unsigned long *ids;
	size_t n = list_runs(runs_dir, &ids);
	char *found = NULL;

	for (size_t i = n; i-- > 0 && !found;) {
		char *run = run_path(c, ids[i]);
		if (has_data(run))
			found = run;
		else
			free(run);
	}
	free(ids);
	free(runs_dir);
	return found;
}

int runs_remove_all(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	char *current = path_join(c->data_dir, "current");
	char *trash;
	int ret = 0;

	if (unlink(current) < 0 && errno != ENOENT) {
		warn("cannot remove %s:", current);
		ret = -1;
	}
	if (remove_tree(runs_dir) < 0)
		ret = -1;
	trash = trash_path(c);
	if (remove_tree(trash) < 0)
		ret = -1;
	free(trash);
	free(runs_dir);
	free(current);
	return ret;
}

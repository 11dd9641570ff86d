#define _GNU_SOURCE
#include "runs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
		/* At least six digits: run 1000000 has seven. */
		if (strlen(e->d_name) < 6 || strspn(e->d_name, "0123456789") != strlen(e->d_name))
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
	int ret = is_dir(tests) && walk_data(tests, NULL, found_file, NULL) == 1;
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

static char *skeleton_path(const struct config *c)
{
	return path_join(c->data_dir, "skeleton");
}

/* Empty one directory of a test's data for reuse: truncate every file to nothing with the
 * time 0 (see walk_data), remove the snapshots and every directory without a file below it;
 * keep the directories and files that held data, which the test's processes would otherwise
 * make again in the next data set (see recycle). Returns 1 if path held a file (kept, now
 * with only empty files), 0 if it held none (removed), -1 if something could not be emptied
 * or removed. Never follows a symbolic link. */
/* Truncate path, a regular file, and set its time: 1, or -1. */
static int empty_file(const char *path, const struct timespec *times)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = futimens(fd, times) == 0 ? 1 : -1;
	close(fd);
	return ret;
}

/* An emptied NAME.gcda hidden as the post-test hides data (DATA_HIDDEN in util.h): the
 * skeleton stays out of the way of tools searching the build tree for *.gcda, and the
 * runtime renames it back when it moves the tree in. One already there: this one holds
 * nothing, so it goes. 1, or -1. */
static int hide_emptied(const char *path)
{
	char *to = xasprintf("%s%s", path, DATA_HIDDEN);
	int r = renameat2(AT_FDCWD, path, AT_FDCWD, to, RENAME_NOREPLACE) == 0 ||
	        (errno == EEXIST && unlink(path) == 0);
	free(to);
	return r ? 1 : -1;
}

static int strip_files(const char *path)
{
	static const struct timespec epoch[2] = {{0, 0}, {0, 0}}; /* marks a recycled file */
	DIR *d = opendir(path);
	struct dirent *e;
	int held = 0, ret = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char *sub;
		struct stat st;
		int r;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = path_join(path, e->d_name);
		if (lstat(sub, &st) < 0)
			r = -1;
		else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".gcda"))
			r = empty_file(sub, epoch) > 0 ? hide_emptied(sub) : -1;
		else if (S_ISREG(st.st_mode))
			r = empty_file(sub, epoch);
		else if (!S_ISDIR(st.st_mode))
			r = unlink(sub) < 0 ? -1 : 0;
		else if (!strcmp(e->d_name, "parcov-snap"))
			r = remove_tree(sub) < 0 ? -1 : 0; /* a process's snapshots: its own names */
		else
			r = strip_files(sub);
		if (r < 0)
			ret = -1;
		held |= r > 0;
		free(sub);
	}
	closedir(d);
	if (ret < 0)
		return -1;
	if (!held)
		return rmdir(path) < 0 ? -1 : 0;
	return 1;
}

/* Move a tree into skeleton/, under the build tree's lock: parcov clean (which holds it)
 * removes runs/ and skeleton/, and no tree may come back after it. */
static void give_to_skeleton(const struct config *c, const char *from, const char *to)
{
	char *lock = path_join(c->data_dir, "lock"), *runs = path_join(c->data_dir, "runs");
	char *skel = skeleton_path(c);
	int fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0 && flock(fd, LOCK_EX) == 0 && is_dir(runs) && mkdirs(skel, 0777) == 0)
		renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
	if (fd >= 0)
		close(fd);
	free(lock);
	free(runs);
	free(skel);
}

/* Superseded data sets give their tests' directory trees, every file truncated to nothing,
 * to skeleton/, which the next pre-test moves into its new set as recycled/; the runtime
 * moves recycled/<test dir> to tests/<test dir> when the test's first process starts (one
 * rename). GCC's and Clang's runtimes then rewrite existing empty files (they hold nothing
 * to merge) where they would otherwise make every directory and file again: on ext4 without
 * a journal each new inode costs a scan of the recently deleted ones, which made most of
 * the system time of short tests. Readers of a data set skip those files (walk_data). A
 * tree goes to skeleton/ only once every file in it is empty, and never over one already
 * there; everything else is deleted. */
static void recycle(const struct config *c)
{
	char *trash = trash_path(c), *skel = skeleton_path(c);
	DIR *sets = opendir(trash);
	struct dirent *e;

	if (!sets)
		goto out;
	while ((e = readdir(sets))) {
		char *tests;
		DIR *d;
		struct dirent *t;

		if (e->d_name[0] == '.')
			continue;
		tests = xasprintf("%s/%s/tests", trash, e->d_name);
		if ((d = opendir(tests))) {
			while ((t = readdir(d))) {
				char *from, *to;
				if (t->d_name[0] == '.')
					continue;
				from = path_join(tests, t->d_name);
				to = path_join(skel, t->d_name);
				if (!exists(to) && strip_files(from) > 0)
					give_to_skeleton(c, from, to);
				free(from);
				free(to);
			}
			closedir(d);
		}
		free(tests);
	}
out:
	if (sets)
		closedir(sets);
	free(trash);
	free(skel);
}

/* Delete trash/ in a detached grandchild with no link to ctest's pipes, so ctest does not
 * wait for it, after recycling its directories. A deletion cut short is finished by the
 * next run. */
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
		recycle(c);
		_exit(remove_tree(trash) < 0);
	}
	if (pid < 0)
		remove_tree(trash);
	else
		waitpid(pid, NULL, 0);
	free(trash);
}

/* Field 22 of /proc/PID/stat: when the process started (tells a reused pid apart), or -1. */
static long long start_time(long pid)
{
	char *path = xasprintf("/proc/%ld/stat", pid);
	struct buffer b = {0};
	long long t = -1;
	const char *p;

	/* The name (field 2) may hold spaces and parentheses: count from the last ')'. */
	if (read_file(path, &b) == 0 && b.len && (p = strrchr(b.data, ')'))) {
		int field = 2;
		for (; *p && field < 22; p++)
			if (*p == ' ')
				field++;
		if (field == 22)
			t = strtoll(p, NULL, 10);
	}
	buf_free(&b);
	free(path);
	return t;
}

/* ctest's command line (pre-test's parent), NUL-separated; len 0 when the parent is not
 * ctest. */
static void ctest_cmdline(struct buffer *b)
{
	char *path = xasprintf("/proc/%ld/cmdline", (long)getppid());
	const char *name;

	if (read_file(path, b) < 0 || b->len == 0)
		b->len = 0;
	else if (strncmp((name = strrchr(b->data, '/') ? strrchr(b->data, '/') + 1 : b->data), "ctest", 5))
		b->len = 0;
	free(path);
}

/* Write (or, given NULL, remove) one small file of a data set. */
static int record_file(const char *run, const char *name, const char *text)
{
	char *path = path_join(run, name);
	int ret = 0;

	if (text ? write_file_atomic(path, text, strlen(text)) < 0 : unlink(path) < 0 && errno != ENOENT) {
		warn("cannot write %s:", path);
		ret = -1;
	}
	free(path);
	return ret;
}

int runs_record_write(const char *run, const struct run_record *r)
{
	char *pid = r->pid > 0 ? xasprintf("%ld %lld\n", r->pid, r->started) : NULL;
	int ret = 0;

	ret |= record_file(run, "ctest-dir", r->ctest_dir);
	ret |= record_file(run, "ctest-pid", pid);
	ret |= record_file(run, "ctest-timeout", r->timeout);
	free(pid);
	return ret ? -1 : 0;
}

/* One record file's text without its final newline, or NULL when it is missing. */
static char *record_text(const char *run, const char *name)
{
	char *path = path_join(run, name);
	struct buffer b = {0};
	char *text = NULL;

	if (read_file(path, &b) == 0) {
		if (b.len && b.data[b.len - 1] == '\n')
			b.data[--b.len] = '\0';
		text = xstrdup(b.data ? b.data : "");
	}
	buf_free(&b);
	free(path);
	return text;
}

int runs_record_read(const char *run, struct run_record *r, char *err, size_t errlen)
{
	char *pid = record_text(run, "ctest-pid");
	int ret = 0, end = 0;

	memset(r, 0, sizeof *r);
	r->ctest_dir = record_text(run, "ctest-dir");
	r->timeout = record_text(run, "ctest-timeout");
	if (r->ctest_dir && r->ctest_dir[0] != '/') {
		snprintf(err, errlen, "%s/ctest-dir is damaged: '%.200s' is not an absolute directory",
			 run, r->ctest_dir);
		free(r->ctest_dir);
		r->ctest_dir = NULL;
		ret = -1;
	}
	if (pid && (sscanf(pid, "%ld %lld%n", &r->pid, &r->started, &end) != 2 || r->pid <= 0 ||
		    pid[end] != '\0')) {
		snprintf(err, errlen, "%s/ctest-pid is damaged: '%.200s' is not 'PID START_TIME'", run,
			 pid);
		r->pid = 0;
		r->started = 0;
		ret = -1;
	}
	free(pid);
	return ret;
}

void runs_record_free(struct run_record *r)
{
	free(r->ctest_dir);
	free(r->timeout);
	memset(r, 0, sizeof *r);
}

/* Remember where ctest runs (pre-test's working directory: its log of the run is there),
 * which ctest process writes into the set (combine waits for it to end), and its --timeout
 * (the runtime's watchdog reads it for tests without a TIMEOUT of their own). */
static void record_ctest(const struct config *c)
{
	char cwd[4096];
	struct buffer cmd = {0};
	struct run_record r = {0};
	char *current = path_join(c->data_dir, "current");

	if (getcwd(cwd, sizeof cwd))
		r.ctest_dir = cwd;
	ctest_cmdline(&cmd);
	for (size_t i = 0; i < cmd.len; i += strlen(cmd.data + i) + 1) {
		char *a = cmd.data + i;
		size_t next = i + strlen(a) + 1;
		if (!strcmp(a, "--timeout") && next < cmd.len)
			r.timeout = cmd.data + next;
		else if (!strncmp(a, "--timeout=", 10))
			r.timeout = a + 10;
	}
	if (cmd.len) {
		r.pid = (long)getppid();
		r.started = start_time(r.pid);
	}
	runs_record_write(current, &r);
	buf_free(&cmd);
	free(current);
}

int runs_check_idle(const struct config *c, const char *run)
{
	struct run_record r;
	char err[512];
	int ret = 0;

	(void)c;
	if (runs_record_read(run, &r, err, sizeof err) < 0)
		warn("%s; if ctest still runs these tests, wait for it to end before the coverage target",
		     err);
	if (r.pid > 0 && r.pid != (long)getppid() && start_time(r.pid) == r.started) {
		error("ctest (process %ld) is still running the tests that write %s: run the coverage "
		      "target after it ends", r.pid, run);
		ret = -1;
	}
	runs_record_free(&r);
	return ret;
}

int runs_ctest_running(const char *run)
{
	struct run_record r;
	char err[512];
	int running;

	runs_record_read(run, &r, err, sizeof err); /* damaged: runs_check_idle() warns */
	running = r.pid > 0 && r.pid != (long)getppid() && start_time(r.pid) == r.started;
	runs_record_free(&r);
	return running;
}

/* --- post-test (the project's own coverage tools) --- */
int runs_ours_with_data(const struct config *c)
{
	char *current = path_join(c->data_dir, "current");
	struct run_record r;
	char err[512];
	int ret = 0;

	/* Our parent started this set (pre-test recorded it): a set another ctest started, or
	 * one left from an earlier run, is not this run's to merge. */
	if (runs_record_read(current, &r, err, sizeof err) == 0 && r.pid == (long)getppid() &&
	    start_time(r.pid) == r.started)
		ret = has_data(current);
	runs_record_free(&r);
	free(current);
	return ret;
}

/* Rename one data file out of the *.gcda search (see DATA_HIDDEN in util.h): NAME.gcda.parcov,
 * or .parcovN when that is taken (never over another file: a process that outlived its test
 * may have written NAME.gcda again), unless replace (data never counted). 0, or -1 (warned). */
static int hide_file(int dir, const char *name, const char *shown, int replace)
{
	if (replace) {
		char *to = xasprintf("%s%s", name, DATA_HIDDEN);
		int r = renameat(dir, name, dir, to);
		free(to);
		if (r == 0 || errno == ENOENT)
			return 0;
	}
	for (int i = 1; !replace && i < 1000; i++) {
		char *to = i == 1 ? xasprintf("%s%s", name, DATA_HIDDEN)
		                  : xasprintf("%s%s%d", name, DATA_HIDDEN, i);
		int r = renameat2(dir, name, dir, to, RENAME_NOREPLACE);
		free(to);
		if (r == 0 || errno == ENOENT)
			return 0;
		if (errno != EEXIST)
			break;
	}
	warn("cannot rename %s/%s out of the way of tools searching for .gcda files:", shown, name);
	return -1;
}

/* Hide every NAME.gcda below the directory name of parent (shown: its path, for messages),
 * never following a symbolic link. 0, or -1 when something was left (warned). */
static int hide_tree(int parent, const char *name, const char *shown, int replace)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret = 0;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		if (errno == ENOENT)
			return 0;
		warn("cannot open directory %s:", shown);
		return -1;
	}
	while ((e = readdir(d))) {
		unsigned char type = e->d_type;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (type == DT_UNKNOWN && fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		if (type == DT_DIR) {
			char *sub = path_join(shown, e->d_name);
			ret |= hide_tree(fd, e->d_name, sub, replace);
			free(sub);
		} else if (type == DT_REG && ends_with(e->d_name, ".gcda")) {
			ret |= hide_file(fd, e->d_name, shown, replace);
		}
	}
	closedir(d);
	return ret ? -1 : 0;
}

/* A set hidden whole (and no longer written: not the current one) is not walked again. */
#define HIDDEN_MARK "data-hidden"

int runs_hide_data(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs"), *current = path_join(c->data_dir, "current");
	char cur[64];
	ssize_t n = readlink(current, cur, sizeof cur - 1);
	unsigned long *ids;
	size_t count = list_runs(runs_dir, &ids);
	int ret = 0;

	cur[n > 0 ? n : 0] = '\0';
	for (size_t i = 0; i < count; i++) {
		char *run = run_path(c, ids[i]), *mark = path_join(run, HIDDEN_MARK);
		char *target = xasprintf("runs/%06lu", ids[i]);
		int is_current = !strcmp(cur, target);
		free(target);
		if (is_current || !exists(mark)) {
			if (hide_tree(AT_FDCWD, run, run, 0) == 0)
				write_file_atomic(mark, "", 0);
			else
				ret = -1;
		}
		free(mark);
		free(run);
	}
	/* Data of test programs run by the build to list their tests (never counted: each
	 * build's replaces the last; the runtime writes it at the top of coverage-data/, in
	 * every configuration), and data combine moved aside (kept, every file). */
	for (int i = 0; i < 2; i++) {
		char *dir = i == 0 ? xasprintf("%s/coverage-data/discovery-runs", c->build_dir)
		                   : path_join(c->data_dir, "stray");
		ret |= hide_tree(AT_FDCWD, dir, dir, i == 0);
		free(dir);
	}
	free(ids);
	free(runs_dir);
	free(current);
	return ret ? -1 : 0;
}
/* --- end post-test --- */

char *runs_ctest_log(const struct config *c, const char *run)
{
	struct run_record r;
	char err[512];
	char *log;

	if (runs_record_read(run, &r, err, sizeof err) < 0 && !r.ctest_dir)
		warn("%s: reading the LastTest.log of %s instead", err, c->build_dir);
	log = xasprintf("%s/Testing/Temporary/LastTest.log", r.ctest_dir ? r.ctest_dir : c->build_dir);
	runs_record_free(&r);
	return log;
}

/* At p, a line "I/T Testing: ": its length up to the name, or 0. */
static size_t testing_prefix(const char *p)
{
	size_t n = strspn(p, "0123456789");

	if (!n || p[n] != '/')
		return 0;
	n += 1 + strspn(p + n + 1, "0123456789");
	if (p[n - 1] == '/' || strncmp(p + n, " Testing: ", 10))
		return 0;
	return n;
}

/* Whether a name of len bytes at name, ended by a newline, is followed by the rest of the
 * header: "I/T Test: NAME\nCommand: ". Returns the newline before "Command: ", or NULL. */
static const char *header_rest(const char *name, size_t len, const char *index, size_t ilen)
{
	const char *p = name + len + 1;

	if (strncmp(p, index, ilen) || strncmp(p + ilen, " Test: ", 7))
		return NULL;
	p += ilen + 7;
	if (strncmp(p, name, len) || strncmp(p + len, "\nCommand: ", 10))
		return NULL;
	return p + len;
}

/* Sorts pointers into one array by the strings they point at, equal ones in array order. */
static int cmp_entry_in_order(const void *a, const void *b)
{
	char **const *x = a, **const *y = b;
	int d = strcmp(**x, **y);
	return d ? d : (*x > *y) - (*x < *y);
}

void runs_parse_ctest_log(const char *text, struct strings *names)
{
	const char *line = text;
	size_t first = names->n;

	while (line && *line) {
		size_t ilen = testing_prefix(line);
		const char *name = line + ilen + 10, *nl = name, *end = NULL;
		/* A name may hold newlines: try each of its first lines' ends. */
		for (int tries = 0; ilen && tries < 16 && (nl = strchr(nl, '\n')); tries++, nl++)
			if ((end = header_rest(name, (size_t)(nl - name), line, ilen))) {
				strings_add(names, xasprintf("%.*s", (int)(nl - name), name));
				break;
			}
		line = end ? end : strchr(line, '\n');
		if (line)
			line++;
	}
	/* Each test once (ctest --repeat logs a test per run), where it came first. */
	if (names->n - first > 1) {
		size_t n = names->n - first, kept = first;
		char ***order = xreallocarray(NULL, n, sizeof *order);
		char *dup = xcalloc(n, 1);
		for (size_t i = 0; i < n; i++)
			order[i] = &names->v[first + i];
		qsort(order, n, sizeof *order, cmp_entry_in_order);
		for (size_t i = 1; i < n; i++)
			if (!strcmp(*order[i], *order[i - 1]))
				dup[order[i] - &names->v[first]] = 1;
		for (size_t i = 0; i < n; i++) {
			if (dup[i])
				free(names->v[first + i]);
			else
				names->v[kept++] = names->v[first + i];
		}
		names->n = kept;
		free(dup);
		free(order);
	}
}

/* A set unpacked from bundles: the logs of its machines, one after the other. */
static int read_bundled_logs(const char *logs, struct buffer *out)
{
	struct strings files = {0};
	struct dirent *e;
	DIR *d = opendir(logs);
	int ret = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			strings_add(&files, path_join(logs, e->d_name));
	closedir(d);
	qsort(files.v, files.n, sizeof *files.v, cmp_strp);
	buf_add(out, "", 0);
	for (size_t i = 0; i < files.n && ret == 0; i++) {
		struct buffer b = {0};
		if ((ret = read_file(files.v[i], &b)) == 0 && b.len) {
			buf_add(out, b.data, b.len);
			buf_add(out, "\n", 1);
		}
		buf_free(&b);
	}
	strings_free(&files);
	return ret;
}

int runs_ctest_log_read(const struct config *c, const char *run, struct buffer *out)
{
	char *logs = path_join(run, RUNS_CTEST_LOGS), *log;
	struct stat sl, sr;
	int ret = -1;

	if (is_dir(logs)) {
		ret = read_bundled_logs(logs, out);
		free(logs);
		return ret;
	}
	free(logs);
	log = runs_ctest_log(c, run);
	if (stat(log, &sl) == 0 && stat(run, &sr) == 0 && sl.st_mtim.tv_sec >= sr.st_mtim.tv_sec &&
	    read_file(log, out) == 0)
		ret = 0;
	free(log);
	return ret;
}

int runs_ctest_tests(const struct config *c, const char *run, struct strings *names)
{
	struct buffer b = {0};
	int ret = runs_ctest_log_read(c, run, &b);

	if (ret == 0)
		runs_parse_ctest_log(b.data ? b.data : "", names);
	buf_free(&b);
	return ret;
}

int runs_start(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	char *current = path_join(c->data_dir, "current");
	unsigned long *ids, next;
	struct stat st;
	size_t n;
	int ret = -1, keep = -1;
	char *path, *recycled;

	if (mkdirs(runs_dir, 0777) < 0) {
		error("cannot create %s:", runs_dir);
		goto out_free;
	}
	n = list_runs(runs_dir, &ids);
	if (c->append && n > 0 && stat(current, &st) == 0 && S_ISDIR(st.st_mode)) {
		record_ctest(c);
		ret = 0;
		goto out;
	}
	next = n ? ids[n - 1] + 1 : 1;
	/* With its tests/: the runtime moves recycled directories into it (see recycle). */
	path = xasprintf("%s/runs/%06lu/tests", c->data_dir, next);
	if (mkdirs(path, 0777) < 0) {
		error("cannot create %s:", path);
		free(path);
		goto out;
	}
	free(path);
	/* The trees the last background deletion emptied (one still running gives the rest of
	 * its trees to a new skeleton/, for the next run). */
	path = skeleton_path(c);
	recycled = xasprintf("%s/runs/%06lu/recycled", c->data_dir, next);
	rename(path, recycled);
	free(path);
	free(recycled);
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
	record_ctest(c);
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

static void listing_line(const struct stat *st, const char *rel, struct buffer *out)
{
	char type = S_ISDIR(st->st_mode) ? 'D' : S_ISREG(st->st_mode) ? 'F' : S_ISLNK(st->st_mode) ? 'L' : 'O';
	buf_printf(out, "%c %llu %lld %lld.%09ld %lld.%09ld\t%s\n", type, (unsigned long long)st->st_ino,
		   (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		   (long long)st->st_ctim.tv_sec, st->st_ctim.tv_nsec, rel);
}

int runs_listing_line(int dir, const char *path, const char *rel, struct buffer *out)
{
	struct stat st;

	if (fstatat(dir, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	listing_line(&st, rel, out);
	return 0;
}

/* The entries of the directory open at fd (shown as rel), each a line, directories'
 * contents after their own line. */
static int list_dir(int fd, const char *rel, struct buffer *out)
{
	DIR *d = fdopendir(fd);
	struct strings names = {0};
	struct dirent *e;
	int ret = 0;

	if (!d) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			strings_add(&names, xstrdup(e->d_name));
	qsort(names.v, names.n, sizeof *names.v, cmp_strp);
	for (size_t i = 0; i < names.n && ret == 0; i++) {
		char *sub = xasprintf("%s/%s", rel, names.v[i]);
		struct stat st;
		int sub_fd;
		if (strpbrk(names.v[i], "\n\t") || fstatat(fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -1;
		} else {
			listing_line(&st, sub, out);
			if (S_ISDIR(st.st_mode)) {
				sub_fd = openat(fd, names.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				ret = sub_fd < 0 ? -1 : list_dir(sub_fd, sub, out);
			}
		}
		free(sub);
	}
	closedir(d);
	strings_free(&names);
	return ret;
}

int runs_listing(const char *run, struct buffer *out)
{
	char *tests = path_join(run, "tests");
	struct stat st;
	int fd = open(tests, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), ret = -1;

	buf_add(out, "", 0);
	if (fd >= 0 && fstat(fd, &st) == 0) {
		listing_line(&st, "tests", out);
		ret = list_dir(fd, "tests", out);
	} else if (fd >= 0) {
		close(fd);
	}
	free(tests);
	return ret;
}

char *runs_next_path(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	unsigned long *ids;
	size_t n = list_runs(runs_dir, &ids);
	char *path = run_path(c, n ? ids[n - 1] + 1 : 1);

	free(ids);
	free(runs_dir);
	return path;
}

int runs_remove_all(const struct config *c)
{
	char *runs_dir = path_join(c->data_dir, "runs");
	char *current = path_join(c->data_dir, "current");
	char *trash;
	int ret = 0;

	if (remove_file(current) < 0)
		ret = -1;
	if (remove_tree(runs_dir) < 0)
		ret = -1;
	trash = trash_path(c);
	if (remove_tree(trash) < 0)
		ret = -1;
	free(trash);
	trash = skeleton_path(c);
	if (remove_tree(trash) < 0)
		ret = -1;
	free(trash);
	free(runs_dir);
	free(current);
	return ret;
}

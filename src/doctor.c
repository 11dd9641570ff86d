#define _GNU_SOURCE
#include "doctor.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "config.h"
#include "endings.h"
#include "gcda.h"
#include "proc.h"
#include "runs.h"
#include "testname.h"
#include "util.h"

extern char **environ;

/* Names listed in one diagnosis at most; the rest are counted. */
enum { SHOW = 5 };

/* gcovr's first release with the options parcov passes (--json, --exclude-directories). */
#define GCOVR_MIN_MAJOR 5

struct doctor {
	const struct config *c;
	enum doctor_mode mode;
	int problems, fatal;
};

/* A growable list of strings. */
struct list {
	char **v;
	size_t n;
};

static void list_add(struct list *l, char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	l->v[l->n++] = s;
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int list_has(const struct list *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

/* "a, b, c and 4 more" */
static char *list_join(const struct list *l)
{
	struct buffer b = {0};
	buf_add(&b, "", 0);
	for (size_t i = 0; i < l->n && i < SHOW; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > SHOW)
		buf_printf(&b, " and %zu more", l->n - SHOW);
	return b.data;
}

static void ok(struct doctor *d, const char *fmt, ...)
{
	va_list ap;
	if (d->mode != DOCTOR_FULL || !verbose)
		return;
	va_start(ap, fmt);
	printf("ok: ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

static void note(struct doctor *d, const char *fmt, ...)
{
	va_list ap;
	if (d->mode != DOCTOR_FULL || !verbose)
		return;
	va_start(ap, fmt);
	printf("note: ");
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

/* One diagnosis: what is wrong, then the exact fix (taken and freed). Fatal ones make the
 * report empty or wrong: the coverage target stops on them. */
static void problem(struct doctor *d, int stops, char *fix, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	d->problems++;
	d->fatal += stops;
	if (d->mode == DOCTOR_FULL)
		printf("problem: %s\n  fix: %s\n", what, fix);
	else if (stops)
		error("%s; fix: %s", what, fix);
	else
		warn("%s; fix: %s", what, fix);
	free(what);
	free(fix);
}

/* The value of KEY in a CMakeCache.txt ("KEY:TYPE=value"), or NULL. Caller frees. */
static char *cache_value(const char *build, const char *key)
{
	char *path = path_join(build, "CMakeCache.txt");
	struct buffer b = {0};
	char *found = NULL, *line, *next;
	size_t klen = strlen(key);

	if (read_file(path, &b) == 0) {
		for (line = b.data; line && *line && !found; line = next) {
			char *eq;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (strncmp(line, key, klen) || line[klen] != ':' || !(eq = strchr(line, '=')))
				continue;
			found = xstrdup(eq + 1);
		}
	}
	buf_free(&b);
	free(path);
	return found;
}

static int cache_bool_off(const char *v)
{
	static const char *const off[] = {"OFF", "0", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", ""};
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
		if (!strcasecmp(v, off[i]))
			return 1;
	return ends_with(v, "-NOTFOUND");
}

/* Run argv, capture its standard output (stderr discarded). Returns the exit status, or -1
 * if it could not start (errno set). */
static int capture(char *const argv[], struct buffer *out)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], rc;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		errno = rc;
		return -1;
	}
	while ((n = read(pipefd[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	return proc_wait(pid);
}

/* The last "X.Y" or "X.Y.Z" of the first line of a --version output. */
static int parse_version(const char *text, int *major, int *minor)
{
	const char *end = strchr(text, '\n');
	int found = 0;

	if (!end)
		end = text + strlen(text);
	for (const char *p = text; p < end; p++) {
		int a, b;
		if ((p == text || p[-1] == ' ' || p[-1] == '(') && sscanf(p, "%d.%d", &a, &b) == 2) {
			*major = a;
			*minor = b;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

/* GCC's version word: "B22*" for 12.2 (gcov-iov.cc). Only the first three characters say
 * the release; the fourth is its status. */
static uint32_t gcc_version_word(int major, int minor)
{
	return (uint32_t)('A' + major / 10) << 24 | (uint32_t)('0' + major % 10) << 16 |
	       (uint32_t)('0' + minor) << 8 | '*';
}

static void version_chars(uint32_t v, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char ch = (char)(v >> (24 - 8 * i));
		out[i] = ch >= 0x20 && ch <= 0x7e ? ch : '?';
	}
	out[4] = '\0';
}

/* "12.2" from a GCC version word. */
static void version_release(uint32_t v, char *out, size_t n)
{
	int hi = (int)(v >> 24) - 'A', lo = (int)((v >> 16) & 0xff) - '0', mi = (int)((v >> 8) & 0xff) - '0';
	if (hi < 0 || hi > 25 || lo < 0 || lo > 9 || mi < 0 || mi > 9)
		snprintf(out, n, "unknown (version word 0x%08" PRIx32 ")", v);
	else
		snprintf(out, n, "%d.%d", hi * 10 + lo, mi);
}

/* --- The objects of the build tree ---------------------------------------------------- */

struct notes {
	char *rel;       /* build-relative, without ".gcno" */
	uint32_t version, stamp;
	int readable;
};

struct objects {
	struct notes *v;
	size_t n;
	struct list objs;        /* build-relative .o/.obj */
	struct list build_gcda;  /* build-relative .gcda outside coverage-data */
};


static int scan_build(const char *path, const char *rel, void *ctx)
{
	struct objects *o = ctx;

	if (ends_with(rel, ".gcno")) {
		unsigned char h[12];
		FILE *fp = fopen(path, "rb");
		struct notes *n;
		o->v = xreallocarray(o->v, o->n + 1, sizeof *o->v);
		n = &o->v[o->n++];
		memset(n, 0, sizeof *n);
		n->rel = xasprintf("%.*s", (int)(strlen(rel) - 5), rel);
		if (fp && fread(h, 1, sizeof h, fp) == sizeof h) {
			uint32_t magic;
			memcpy(&magic, h, 4);
			memcpy(&n->version, h + 4, 4);
			memcpy(&n->stamp, h + 8, 4);
			n->readable = magic == GCNO_MAGIC;
		}
		if (fp)
			fclose(fp);
	} else if (ends_with(rel, ".o") || ends_with(rel, ".obj")) {
		list_add(&o->objs, xstrdup(rel));
	} else if (ends_with(rel, ".gcda")) {
		list_add(&o->build_gcda, xstrdup(rel));
	}
	return 0;
}

static const struct notes *find_notes(const struct objects *o, const char *rel, size_t len)
{
	for (size_t i = 0; i < o->n; i++)
		if (strlen(o->v[i].rel) == len && !strncmp(o->v[i].rel, rel, len))
			return &o->v[i];
	return NULL;
}

static void objects_free(struct objects *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].rel);
	free(o->v);
	list_free(&o->objs);
	list_free(&o->build_gcda);
}

/* 1 if the object file calls into libgcov (GCC's instrumentation registers its counters
 * with __gcov_merge_add). The Clang backend looks for __llvm_gcov or __llvm_profile here. */
static int object_instrumented(const char *path)
{
	struct buffer b = {0};
	int found = 0;
	/* GCC's objects call __gcov_*, Clang's --coverage objects llvm_gcda_*. */
	if (read_file(path, &b) == 0)
		found = memmem(b.data, b.len, "__gcov_", 7) || memmem(b.data, b.len, "llvm_gcda_", 10);
	buf_free(&b);
	return found;
}

static long long mtime_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* Objects rebuilt without the coverage flags keep a stale .gcno beside them. */
static void check_objects(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	struct list plain = {0}, rebuilt = {0};
	char *names;

	for (size_t i = 0; i < o->objs.n; i++) {
		const char *rel = o->objs.v[i];
		size_t stem = strlen(rel) - (ends_with(rel, ".obj") ? 4 : 2);
		const struct notes *n = find_notes(o, rel, stem);
		char *obj, *gcno;
		if (!n) {
			list_add(&plain, xstrdup(rel));
			continue;
		}
		obj = path_join(c->build_dir, rel);
		gcno = xasprintf("%s/%s.gcno", c->build_dir, n->rel);
		/* Compiling writes the .gcno, then assembles the object: a much newer object was
		 * compiled again without writing notes. Only then read it. */
		if (mtime_of(obj) > mtime_of(gcno) + 2000000000LL && !object_instrumented(obj))
			list_add(&rebuilt, xstrdup(rel));
		free(obj);
		free(gcno);
	}
	if (o->n == 0) {
		char *src = cache_value(c->build_dir, "CMAKE_HOME_DIRECTORY");
		if (o->objs.n == 0)
			problem(d, 1, xasprintf("build it: cmake --build %s, then ctest --test-dir %s -j N",
			                        c->build_dir, c->build_dir),
			        "%s has no object files: it was configured but never built", c->build_dir);
		else
			problem(d, 1, xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s "
			                        "--clean-first; if PARALLEL_COVERAGE is ON already, check that "
			                        "PARALLEL_COVERAGE_COMPILE_OPTIONS has --coverage and your targets "
			                        "are not in PARALLEL_COVERAGE_EXCLUDE_TARGETS",
			                        src ? src : "SOURCE_DIR", c->build_dir, c->build_dir),
			        "no instrumented objects: none of the %zu object files of %s has a .gcno "
			        "notes file (built without --coverage)", o->objs.n, c->build_dir);
		free(src);
	} else {
		ok(d, "%zu instrumented objects (.gcno notes files)", o->n);
	}
	if (rebuilt.n) {
		names = list_join(&rebuilt);
		problem(d, 1, xasprintf("reconfigure with -DPARALLEL_COVERAGE=ON, rebuild (cmake --build %s) "
		                        "and re-run ctest", c->build_dir),
		        "%zu objects were rebuilt without coverage flags since their .gcno was written "
		        "(PARALLEL_COVERAGE switched OFF?): %s", rebuilt.n, names);
		free(names);
	}
	if (plain.n && o->n) {
		names = list_join(&plain);
		note(d, "%zu objects are not instrumented (excluded targets, or compiled outside "
		     "CMake's targets): %s", plain.n, names);
		free(names);
	}
	list_free(&plain);
	list_free(&rebuilt);
}

/* --- Tools ----------------------------------------------------------------------------- */

/* The notes' compiler release: the version word most .gcno files carry. */
static uint32_t notes_version(const struct objects *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].readable)
			return o->v[i].version;
	return 0;
}

static void check_gcov(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	char *argv[] = {c->gcov, "--version", NULL};
	struct buffer out = {0};
	uint32_t want = notes_version(o);
	char want_rel[64], want_word[5];
	int major, minor, rc;

	version_release(want, want_rel, sizeof want_rel);
	version_chars(want, want_word);
	buf_add(&out, "", 0);
	rc = capture(argv, &out);
	if (rc < 0) {
		problem(d, 1, want ? xasprintf("install gcov %s (Debian: apt-get install gcc-%.*s) and "
		                               "reconfigure, or set -DPARALLEL_COVERAGE_GCOV=/path/to/gcov",
		                               want_rel, (int)strcspn(want_rel, "."), want_rel)
		                   : xstrdup("install the gcov of your GCC, or set "
		                             "-DPARALLEL_COVERAGE_GCOV=/path/to/gcov"),
		        "gcov %s cannot run: %s", c->gcov, strerror(errno));
	} else if (strstr(out.data, "LLVM")) {
		/* llvm-cov gcov reads GCC notes only of old formats: the Clang backend's checks
		 * decide when it is the right tool. */
		problem(d, 1, xasprintf("set -DPARALLEL_COVERAGE_GCOV=gcov-%.*s (the gcov of the GCC "
		                        "that compiled the objects)", (int)strcspn(want_rel, "."), want_rel),
		        "%s is LLVM's gcov, but the objects were compiled by GCC %s", c->gcov, want_rel);
	} else if (rc != 0 || parse_version(out.data, &major, &minor) < 0) {
		problem(d, 1, xstrdup("install the gcov of your GCC, or set "
		                      "-DPARALLEL_COVERAGE_GCOV=/path/to/gcov"),
		        "'%s --version' did not print a gcov version (exit status %d)", c->gcov, rc);
	} else if (want && (gcc_version_word(major, minor) >> 8) != (want >> 8)) {
		char have_word[5];
		version_chars(gcc_version_word(major, minor), have_word);
		problem(d, 1, xasprintf("reconfigure with -DPARALLEL_COVERAGE_GCOV=/usr/bin/gcov-%.*s (the "
		                        "gcov of the compiler, GCC %s)", (int)strcspn(want_rel, "."),
		                        want_rel, want_rel),
		        "%s is gcov %d.%d but the objects were compiled by GCC %s: gcov would warn "
		        "\"version '%s', prefer '%s'\" and misread the data", c->gcov, major, minor,
		        want_rel, want_word, have_word);
	} else {
		ok(d, "gcov %s is version %d.%d, like the compiler of the objects", c->gcov, major, minor);
	}
	buf_free(&out);
}

/* parcov writes every report itself: gcovr is needed only for PARCOV_REPORTER=gcovr and
 * the fallback (gcovjson.h), so a missing one is a problem only when it is asked for. */
static void check_gcovr(struct doctor *d)
{
	const struct config *c = d->c;
	char *argv[] = {c->gcovr, "--version", NULL};
	const char *engine = getenv("PARCOV_REPORTER");
	struct buffer out = {0}, what = {0};
	int major, minor, rc;

	/* Before a report that will not run it, starting gcovr (Python) is most of doctor's time. */
	if (d->mode != DOCTOR_FULL && !(engine && !strcmp(engine, "gcovr")))
		return;
	buf_add(&out, "", 0);
	rc = capture(argv, &out);
	if (rc < 0)
		buf_printf(&what, "gcovr %s cannot run: %s", c->gcovr, strerror(errno));
	else if (rc != 0 || parse_version(out.data, &major, &minor) < 0)
		buf_printf(&what, "'%s --version' did not print a gcovr version (exit status %d)", c->gcovr, rc);
	else if (major < GCOVR_MIN_MAJOR)
		buf_printf(&what, "%s is gcovr %d.%d, too old: parcov needs gcovr %d.0 or newer", c->gcovr,
			   major, minor, GCOVR_MIN_MAJOR);
	else
		ok(d, "gcovr %s is version %d.%d", c->gcovr, major, minor);
	if (what.data && engine && !strcmp(engine, "gcovr"))
		problem(d, 1, xstrdup("install gcovr 5.0 or newer (Debian: apt-get install gcovr) and "
				      "reconfigure, or set -DPARALLEL_COVERAGE_GCOVR=/path/to/gcovr"),
			"%s, and PARCOV_REPORTER=gcovr asks for it", what.data);
	else if (what.data)
		note(d, "%s: parcov writes the reports itself; gcovr (5.0 or newer) is needed only for "
			"PARCOV_REPORTER=gcovr and the fallback (README, Reporting)", what.data);
	buf_free(&what);
	buf_free(&out);
}

/* Each coverage backend checks its own tools: GCC's gcov here; the Clang backend adds its
 * llvm-cov/llvm-profdata checks beside this one. */
static void check_tools(struct doctor *d, const struct objects *o)
{
	/* Clang's gcov backend runs "llvm-cov-N gcov" (a command, not one executable): its
	 * version follows the compiler's by construction (module: _parcov_find_llvm_tools). */
	if (strchr(d->c->gcov, ' '))
		note(d, "gcov is '%s' (Clang): version checks of GNU gcov do not apply", d->c->gcov);
	else
		check_gcov(d, o);
	check_gcovr(d);
}

/* --- Data -------------------------------------------------------------------------------- */

struct data_scan {
	const struct objects *o;
	struct list tests;        /* test directories holding data */
	struct list unreadable;   /* "path (reason)" */
	struct list no_notes, stale, other_version;
	struct list executed;     /* objects with usable data, build-relative without .gcda */
	size_t files, usable;
	const char *run;
};

static int scan_data(const char *path, const char *rel, void *ctx)
{
	struct data_scan *s = ctx;
	const char *slash = strchr(rel, '/'), *object;
	const struct notes *n;
	struct gcda_file f;
	char err[256];
	char *test;

	if (!slash || !ends_with(rel, ".gcda"))
		return 0;
	/* A watchdog's snapshot: read as combine does (endings.h), for its object. */
	if (endings_snapshot_file(s->run, rel, &object) == 0)
		return 0;
	s->files++;
	test = xasprintf("%.*s", (int)(slash - rel), rel);
	if (!list_has(&s->tests, test))
		list_add(&s->tests, test);
	else
		free(test);
	if (gcda_read(path, &f, err, sizeof err) < 0) {
		list_add(&s->unreadable, xasprintf("%s (%s)", path, err));
		return 0;
	}
	n = find_notes(s->o, object, strlen(object) - 5);
	if (!n || !n->readable)
		list_add(&s->no_notes, xstrdup(object));
	else if ((f.version >> 8) != (n->version >> 8))
		list_add(&s->other_version, xasprintf("%s (%c%c%c%c)", path, (char)(f.version >> 24),
		                                      (char)(f.version >> 16), (char)(f.version >> 8),
		                                      (char)f.version));
	else if (f.stamp != n->stamp)
		list_add(&s->stale, xstrdup(path));
	else {
		s->usable++;
		if (!list_has(&s->executed, n->rel))
			list_add(&s->executed, xstrdup(n->rel));
	}
	gcda_free(&f);
	return 0;
}

/* Test names of the ctest run that made data set run, from CTest's own log. */
static void last_tests(const struct config *c, const char *run, struct list *names)
{
	char *path = runs_ctest_log(c, run);
	struct buffer b = {0};
	char *line, *next;

	if (read_file(path, &b) == 0) {
		for (line = b.data; line && *line; line = next) {
			char *t;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (strspn(line, "0123456789") && (t = strstr(line, " Testing: ")) &&
			    strspn(line, "0123456789/") == (size_t)(t - line))
				list_add(names, xstrdup(t + 10));
		}
	}
	buf_free(&b);
	free(path);
}

/* The tests the module isolated (tests.tsv: directory, hex-encoded name), at configure time
 * and, for tests added at test time, in the data set run. */
static void isolated_tests(const struct config *c, const char *run, struct list *dirs,
                           struct list *names)
{
	struct buffer b = {0};
	char *line, *next;

	if (testname_read_tsv(c->data_dir, run, &b) == 0) {
		for (line = b.data; line && *line; line = next) {
			char *tab = strchr(line, '\t'), *name;
			size_t len; /* hex_decode NUL-terminates */
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (!tab || hex_decode(tab + 1, &name, &len) < 0)
				continue;
			*tab = '\0';
			list_add(dirs, xstrdup(line));
			list_add(names, name);
		}
	}
	buf_free(&b);
}

/* The combine manifest: build-relative paths of the .gcda files it wrote, unchanged since. */
static void combined_files(const struct config *c, struct list *ours)
{
	char *path = path_join(c->data_dir, "combined.tsv");
	struct buffer b = {0};
	char *line, *next;

	if (read_file(path, &b) == 0) {
		for (line = b.data; line && *line; line = next) {
			long long size, mtime;
			int off = 0;
			char *full;
			struct stat st;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (sscanf(line, "%lld\t%lld\t%n", &size, &mtime, &off) != 2 || !off)
				continue;
			full = path_join(c->build_dir, line + off);
			if (lstat(full, &st) == 0 && st.st_size == size &&
			    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec == mtime)
				list_add(ours, xstrdup(line + off));
			free(full);
		}
	}
	buf_free(&b);
	free(path);
}

/* Did an instrumented process start in this test? The runtime records every start in the
 * test's parcov-endings.tsv (src/endings.c); without the runtime we cannot tell. */
static int ran_instrumented(const struct doctor *d, const char *run, const char *test_dir)
{
	char *record;
	struct stat st;
	int ret;

	if (!d->c->runtime)
		return 1;
	record = xasprintf("%s/tests/%s/%s", run, test_dir, ENDINGS_RECORD);
	ret = stat(record, &st) == 0 && st.st_size > 0;
	free(record);
	return ret;
}

/* Tests that ran in the data set's ctest run but left no data there. */
static void check_tests_without_data(struct doctor *d, const char *run, const struct list *have)
{
	char *current = path_join(d->c->data_dir, "current");
	char real_current[PATH_MAX], real_run[PATH_MAX];
	struct list ran = {0}, missing = {0}, known_dirs = {0}, known_names = {0}, idle = {0};

	/* Only the current set belongs to the last ctest run that CTest's log describes. */
	if (!realpath(current, real_current) || !realpath(run, real_run) ||
	    strcmp(real_current, real_run)) {
		free(current);
		return;
	}
	last_tests(d->c, run, &ran);
	isolated_tests(d->c, run, &known_dirs, &known_names);
	for (size_t i = 0; i < ran.n; i++) {
		/* CTest's log cuts a name at its first newline: match tests.tsv's names on that. */
		size_t len = strlen(ran.v[i]);
		for (size_t k = 0; k < known_names.n; k++) {
			const char *name = known_names.v[k];
			if (strncmp(name, ran.v[i], len) || (name[len] && name[len] != '\n'))
				continue;
			if (list_has(have, known_dirs.v[k]))
				break;
			if (ran_instrumented(d, run, known_dirs.v[k]))
				list_add(&missing, xasprintf("'%s'", ran.v[i]));
			else
				list_add(&idle, xasprintf("'%s'", ran.v[i]));
			break;
		}
	}
	if (idle.n) {
		char *names = list_join(&idle);
		note(d, "%zu of the %zu tests of the last ctest run run nothing instrumented (no program "
		     "of this build started in them), so they add nothing to the report: %s",
		     idle.n, ran.n, names);
		free(names);
	}
	if (missing.n) {
		char *names = list_join(&missing);
		problem(d, 0, xstrdup("make such a test run a program built in this tree (tests that "
		                      "only run scripts have nothing to measure); a process killed by "
		                      "SIGKILL writes nothing, and without PARALLEL_COVERAGE_RUNTIME=ON "
		                      "neither do crashes, abort(), _exit() and timeouts"),
		        "%zu of the %zu tests of the last ctest run wrote no coverage data: %s",
		        missing.n, ran.n, names);
		free(names);
	} else if (!idle.n && ran.n) {
		ok(d, "all %zu tests of the last ctest run wrote coverage data", ran.n);
	} else if (ran.n > idle.n) {
		ok(d, "the other %zu tests of the last ctest run wrote coverage data", ran.n - idle.n);
	}
	list_free(&idle);
	list_free(&ran);
	list_free(&missing);
	list_free(&known_dirs);
	list_free(&known_names);
	free(current);
}

/* Where did the data go, when a ctest run left none? */
static void explain_no_data(struct doctor *d, const struct objects *o, const struct list *foreign)
{
	const struct config *c = d->c;
	char *runs = path_join(c->data_dir, "runs"), *cleaned = path_join(c->data_dir, "cleaned");
	const char *prefix = getenv("GCOV_PREFIX");

	if (foreign->n) {
		char *names = list_join(foreign);
		problem(d, 1, xasprintf("run the tests through ctest (ctest --test-dir %s -j N): each test "
		                        "then writes into its own data directory", c->build_dir),
		        "no coverage data from ctest, but %zu .gcda files in the build tree were written "
		        "by programs run outside ctest: %s", foreign->n, names);
		free(names);
	} else if (!is_dir(runs) && exists(cleaned)) {
		problem(d, 1, xasprintf("run the tests: ctest --test-dir %s -j N, then the coverage target",
		                        c->build_dir),
		        "no coverage data: 'parcov clean' removed it, and ctest has not run in %s since",
		        c->build_dir);
	} else if (!is_dir(runs)) {
		problem(d, 1, xasprintf("run the tests first: ctest --test-dir %s -j N, then the coverage "
		                        "target", c->build_dir),
		        "no coverage data: ctest has not run in %s since it was configured with coverage "
		        "(the tests were never run, or run by hand)", c->build_dir);
	} else {
		problem(d, 1, xasprintf("run the tests first: ctest --test-dir %s -j N (a run that selects "
		                        "no test, or ctest -N, records nothing); if tests ran and still "
		                        "nothing came, they run no program built in this tree, or it died "
		                        "before exiting (gcov writes the data at exit)", c->build_dir),
		        "no coverage data: no ctest run of %s left any .gcda file", c->build_dir);
	}
	if (prefix && *prefix)
		problem(d, 0, xstrdup("unset GCOV_PREFIX and GCOV_PREFIX_STRIP, and run the programs as "
		                      "CTest tests"),
		        "GCOV_PREFIX=%s is set in this environment: programs run by hand write their "
		        "coverage data under it, not into this build tree", prefix);
	(void)o;
	free(runs);
	free(cleaned);
}

static void check_data(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	char *run = runs_latest_with_data(c), *tests, *names;
	struct data_scan s = {0};
	struct list ours = {0}, foreign = {0}, never = {0};

	combined_files(c, &ours);
	for (size_t i = 0; i < o->build_gcda.n; i++)
		if (!list_has(&ours, o->build_gcda.v[i]))
			list_add(&foreign, path_join(c->build_dir, o->build_gcda.v[i]));
	if (!run) {
		if (o->n)
			explain_no_data(d, o, &foreign);
		goto out;
	}
	s.o = o;
	s.run = run;
	tests = path_join(run, "tests");
	walk_files(tests, NULL, scan_data, &s);
	endings_forget();
	free(tests);

	if (s.unreadable.n) {
		names = list_join(&s.unreadable);
		problem(d, s.usable == 0, xasprintf("delete those files and re-run the tests: "
		                                    "ctest --test-dir %s -j N", c->build_dir),
		        "%zu data files are damaged or not GCC 11/12 or Clang data: %s", s.unreadable.n, names);
		free(names);
	}
	if (s.other_version.n) {
		names = list_join(&s.other_version);
		problem(d, s.usable == 0, xasprintf("rebuild with one compiler (cmake --build %s "
		                                    "--clean-first) and re-run ctest", c->build_dir),
		        "%zu data files were written by another GCC version than the one that compiled "
		        "their objects: %s", s.other_version.n, names);
		free(names);
	}
	/* A report without them would be wrong: the coverage target stops, unless the user
	 * asked for a partial report (then combine names each file it leaves out) and some
	 * data is still good. */
	if (s.stale.n && (d->mode == DOCTOR_FULL || !c->allow_stale || s.usable == 0)) {
		names = list_join(&s.stale);
		problem(d, s.usable == 0 || !c->allow_stale,
		        xasprintf("re-run the tests: ctest --test-dir %s -j N, then the coverage target "
		                  "(or set PARALLEL_COVERAGE_ALLOW_STALE=ON for a report without them)",
		                  c->build_dir),
		        "%zu data files are older than their objects (rebuilt since the tests ran), so "
		        "they are not counted: %s", s.stale.n, names);
		free(names);
	}
	if (s.no_notes.n) {
		names = list_join(&s.no_notes);
		problem(d, s.usable == 0, xasprintf("re-run the tests: ctest --test-dir %s -j N",
		                                    c->build_dir),
		        "%zu data files belong to no object of this build tree (objects removed or "
		        "renamed since the tests ran): %s", s.no_notes.n, names);
		free(names);
	}
	if (s.usable)
		ok(d, "%zu of %zu data files of %zu tests in %s match the current build", s.usable,
		   s.files, s.tests.n, run);
	check_tests_without_data(d, run, &s.tests);
	/* Before a report, combine names each of them as it moves it aside. */
	if (foreign.n && d->mode == DOCTOR_FULL) {
		names = list_join(&foreign);
		problem(d, 0, xasprintf("run them as CTest tests; the coverage target moves such files "
		                        "to %s/stray/ and does not count them", c->data_dir),
		        "%zu .gcda files in the build tree were written by programs run outside ctest: %s",
		        foreign.n, names);
		free(names);
	}

	/* Objects no test executed: gcovr reports their .gcno alone, at 0%. */
	for (size_t i = 0; i < o->n; i++)
		if (!list_has(&s.executed, o->v[i].rel))
			list_add(&never, xasprintf("%s.gcno", o->v[i].rel));
	if (never.n && s.usable) {
		names = list_join(&never);
		note(d, "%zu instrumented objects were executed by no test of the last run; the report "
		     "shows their sources at 0%%: %s", never.n, names);
		free(names);
	}
out:
	list_free(&s.tests);
	list_free(&s.unreadable);
	list_free(&s.no_notes);
	list_free(&s.stale);
	list_free(&s.other_version);
	list_free(&s.executed);
	list_free(&ours);
	list_free(&foreign);
	list_free(&never);
	free(run);
}

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

static void check_locks(struct doctor *d)
{
	const char *why;

	if (mkdirs(d->c->data_dir, 0777) < 0)
		return;
	why = probe_fcntl_locks(d->c->data_dir);
	if (why)
		problem(d, 0, xasprintf("put the build tree on a local filesystem (cmake -S SOURCE_DIR -B "
		                        "/local/disk/build)"),
		        "%s is on a filesystem (%s) without working fcntl locks (%s): libgcov then "
		        "loses counts silently when two processes write the same .gcda at once",
		        d->c->build_dir, fs_name(d->c->data_dir), why);
	else
		ok(d, "fcntl locks work on the build tree's filesystem (%s)", fs_name(d->c->data_dir));
}

/* --- The build tree itself --------------------------------------------------------------- */

/* Build trees configured with coverage one or two levels below a source directory
 * (build/, build/dev/): where the user probably meant to point. */
static void find_build_trees(const char *src, int depth, struct list *found)
{
	DIR *dir = opendir(src);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char *sub, *conf;
		if (e->d_name[0] == '.')
			continue;
		sub = path_join(src, e->d_name);
		conf = path_join(sub, "coverage-data/parcov.conf");
		if (exists(conf))
			list_add(found, xstrdup(sub));
		else if (depth > 1 && is_dir(sub))
			find_build_trees(sub, depth - 1, found);
		free(conf);
		free(sub);
	}
	closedir(dir);
}

/* Before parcov.conf can be read: say what the directory is and where to look instead.
 * Returns 0 if it is a ParallelCoverage build tree. */
static int check_build_dir(struct doctor *d, const char *dir, const char *real)
{
	char *conf = xasprintf("%s/coverage-data/parcov.conf", real);
	char *cache = path_join(real, "CMakeCache.txt");
	char *lists = path_join(real, "CMakeLists.txt");
	int ret = -1;

	(void)dir;
	if (exists(conf)) {
		ret = 0;
	} else if (exists(cache)) {
		char *src = cache_value(real, "CMAKE_HOME_DIRECTORY");
		char *on = cache_value(real, "PARALLEL_COVERAGE");
		problem(d, 1, on ? xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s",
		                             src ? src : "SOURCE_DIR", real, real)
		                 : xasprintf("include(ParallelCoverage) in the project (or configure with "
		                             "-DCMAKE_PROJECT_INCLUDE=/path/to/ParallelCoverage.cmake), then "
		                             "cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s",
		                             src ? src : "SOURCE_DIR", real, real),
		        "%s was configured without coverage (no coverage-data/parcov.conf; "
		        "PARALLEL_COVERAGE is %s)", real, on ? on : "not defined: the module is not included");
		free(src);
		free(on);
	} else if (exists(lists)) {
		struct list found = {0};
		char *names;
		find_build_trees(real, 2, &found);
		names = list_join(&found);
		problem(d, 1, found.n ? xasprintf("name the build directory: parcov doctor -C %s", found.v[0])
		                      : xstrdup("name the build directory: parcov doctor -C BUILD_DIR"),
		        "%s is a source directory, not a build tree%s%s", real,
		        found.n ? "; build trees configured with coverage below it: " : "", names);
		free(names);
		list_free(&found);
	} else {
		problem(d, 1, xstrdup("run in the build directory or name it: parcov doctor -C BUILD_DIR"),
		        "%s is not a CMake build tree (no CMakeCache.txt)", real);
	}
	free(conf);
	free(cache);
	free(lists);
	return ret;
}

/* Settings that make the data go elsewhere, or nowhere. */
static void check_configuration(struct doctor *d)
{
	const struct config *c = d->c;
	char *on = cache_value(c->build_dir, "PARALLEL_COVERAGE");
	char *src = cache_value(c->build_dir, "CMAKE_HOME_DIRECTORY");
	char *conf = path_join(c->build_dir, "coverage-data/parcov.conf");
	struct buffer b = {0};
	char *written = NULL;

	if (on && cache_bool_off(on))
		problem(d, 1, xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s, then "
		                        "ctest --test-dir %s -j N", src ? src : "SOURCE_DIR", c->build_dir,
		                        c->build_dir, c->build_dir),
		        "PARALLEL_COVERAGE is %s in %s/CMakeCache.txt: nothing is instrumented or isolated "
		        "(coverage-data/ is left from an earlier configuration)", on, c->build_dir);
	if (read_file(conf, &b) == 0) {
		char *p = strstr(b.data, "\nbuild_dir=");
		if (p) {
			p += strlen("\nbuild_dir=");
			written = xasprintf("%.*s", (int)strcspn(p, "\n"), p);
		}
	}
	if (written) {
		char real[PATH_MAX];
		if (!realpath(written, real) || strcmp(real, c->build_dir))
			problem(d, 1, xasprintf("reconfigure and rebuild it where it is: cmake -S %s -B %s && "
			                        "cmake --build %s --clean-first (objects remember the absolute "
			                        "path of their data)", src ? src : "SOURCE_DIR", c->build_dir,
			                        c->build_dir),
			        "%s was configured as %s (copied or moved since): its tests write their "
			        "coverage data into the other tree", c->build_dir, written);
		else
			ok(d, "%s is configured with ParallelCoverage", c->build_dir);
	}
	free(written);
	buf_free(&b);
	free(conf);
	free(on);
	free(src);
}

int doctor(const char *dir, enum doctor_mode mode)
{
	struct doctor d = {NULL, mode, 0, 0};
	struct objects o = {0};
	struct config c;
	char real[PATH_MAX];
	int lock;

	if (!realpath(dir ? dir : ".", real)) {
		problem(&d, 1, xstrdup("name an existing build directory: parcov doctor -C BUILD_DIR"),
		        "build directory %s: %s", dir ? dir : ".", strerror(errno));
		return 1;
	}
	if (mode == DOCTOR_FULL)
		printf("parcov doctor: checking %s\n", real);
	if (check_build_dir(&d, dir, real) < 0 || config_load(&c, real) < 0)
		goto done;
	d.c = &c;
	/* Read what combine and pre-test write only while neither is writing it. */
	if ((lock = config_lock(&c)) < 0) {
		config_free(&c);
		return 1;
	}
	check_configuration(&d);
	if (c.backend && !strcmp(c.backend, "llvm")) {
		/* The object and data checks below read gcov's files; llvm's are still to come. */
		if (mode == DOCTOR_FULL)
			printf("note: backend llvm: only the configuration and lock checks apply so far\n");
		check_locks(&d);
		config_unlock(lock);
		config_free(&c);
		goto done;
	}
	walk_files(c.build_dir, c.skip_dirs, scan_build, &o);
	check_objects(&d, &o);
	if (o.n) {
		check_tools(&d, &o);
		check_data(&d, &o);
	}
	check_locks(&d);
	objects_free(&o);
	config_unlock(lock);
	config_free(&c);
done:
	if (mode == DOCTOR_FULL) {
		if (d.problems)
			printf("parcov doctor: %d problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
		else
			printf("parcov doctor: no problems found\n");
		return d.problems ? 1 : 0;
	}
	return d.fatal ? 1 : 0;
}

/* --- ctest -j ------------------------------------------------------------------------------ */

/* 1 if s is a positive decimal number. */
static int is_count(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strtol(s, NULL, 10) > 0;
}

void doctor_check_ctest_parallel(void)
{
	char *path = xasprintf("/proc/%ld/cmdline", (long)getppid());
	char exe[PATH_MAX];
	struct buffer b = {0}, out = {0};
	const char *bad = NULL, *name;
	ssize_t n;
	int major = 0, minor = 0;

	if (read_file(path, &b) < 0 || b.len == 0)
		goto out;
	name = strrchr(b.data, '/') ? strrchr(b.data, '/') + 1 : b.data;
	if (strncmp(name, "ctest", 5))
		goto out;
	for (size_t i = 0; i < b.len; i += strlen(b.data + i) + 1) {
		const char *a = b.data + i, *v = NULL;
		if (!strcmp(a, "-j") || !strcmp(a, "--parallel")) {
			size_t next = i + strlen(a) + 1;
			v = next < b.len ? b.data + next : NULL;
		} else if (!strncmp(a, "-j", 2)) {
			v = a + 2;
		} else if (!strncmp(a, "--parallel=", 11)) {
			v = a + 11;
		}
		if (v && *v && *v != '-' && !is_count(v))
			bad = v;
	}
	if (!bad)
		goto out;
	n = readlink(strstr(path, "/cmdline") ? (strcpy(strstr(path, "/cmdline"), "/exe"), path) : path,
	             exe, sizeof exe - 1);
	if (n > 0) {
		char *argv[] = {exe, "--version", NULL};
		exe[n] = '\0';
		buf_add(&out, "", 0);
		if (capture(argv, &out) == 0)
			parse_version(out.data, &major, &minor);
	}
	if (major > 3 || (major == 3 && minor >= 29))
		warn("ctest -j %s is not a number of jobs: type a bare -j (as many jobs as CPUs) or "
		     "-j N", bad);
	else
		warn("ctest -j %s runs the tests one at a time: CMake %d.%d reads '%s' as 1 (a bare -j "
		     "needs CMake 3.29); type -j N or -j$(nproc)", bad, major ? major : 3,
		     major ? minor : 25, bad);
out:
	buf_free(&b);
	buf_free(&out);
	free(path);
}

#define _GNU_SOURCE
#include "doctor_checks.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "combine.h"
#include "endings.h"
#include "gcda.h"
#include "manifest.h"
#include "runs.h"
#include "testname.h"

/* --- The objects of the build tree ---------------------------------------------------- */

static long long mtime_of(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -1;
	return (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/* One read of a .gcno's header serves doctor's checks and combine (combine_seen), and its
 * fstat() the rebuilt-object check. */
static void read_notes(const char *path, struct notes *n)
{
	unsigned char h[16];
	char err[256];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, h, sizeof h);

	if (got >= 12) {
		uint32_t magic;
		memcpy(&magic, h, 4);
		memcpy(&n->version, h + 4, 4);
		memcpy(&n->stamp, h + 8, 4);
		n->readable = magic == GCNO_MAGIC;
	}
	if (got >= 0)
		n->parsed = gcno_parse_header(h, (size_t)got, &n->h_version, &n->h_stamp, &n->h_checksum, err,
		                              sizeof err) == 0;
	n->mtime_ns = fd >= 0 && fstat(fd, &st) == 0
	                      ? (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec
	                      : mtime_of(path);
	if (fd >= 0)
		close(fd);
}

static int scan_build(const char *path, const char *rel, void *ctx)
{
	struct objects *o = ctx;

	if (ends_with(rel, ".gcno")) {
		struct notes *n;
		o->v = xreallocarray(o->v, o->n + 1, sizeof *o->v);
		n = &o->v[o->n++];
		memset(n, 0, sizeof *n);
		n->rel = xasprintf("%.*s", (int)(strlen(rel) - 5), rel);
		read_notes(path, n);
	} else if (ends_with(rel, ".o") || ends_with(rel, ".obj")) {
		strings_add(&o->objs, xstrdup(rel));
	} else if (ends_with(rel, ".gcda")) {
		strings_add(&o->build_gcda, xstrdup(rel));
	}
	return 0;
}

static const struct objects *sorting;

static int cmp_by_rel(const void *a, const void *b)
{
	return strcmp(sorting->v[*(const size_t *)a].rel, sorting->v[*(const size_t *)b].rel);
}

void objects_scan(const struct config *c, struct objects *o)
{
	o->whole = walk_files(c->build_dir, c->skip_dirs, scan_build, o) == 0;
	/* Thousands of objects, looked up for every data file: sorted, not scanned. */
	o->by_rel = xcalloc(o->n ? o->n : 1, sizeof *o->by_rel);
	for (size_t i = 0; i < o->n; i++)
		o->by_rel[i] = i;
	sorting = o;
	qsort(o->by_rel, o->n, sizeof *o->by_rel, cmp_by_rel);
}

/* The notes of the object rel (its first len bytes), or NULL. */
static struct notes *find_notes(const struct objects *o, const char *rel, size_t len)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct notes *n = &o->v[o->by_rel[mid]];
		int d = strncmp(rel, n->rel, len);
		if (!d && n->rel[len])
			d = -1; /* rel's first len bytes are a prefix of n->rel: they sort first */
		if (!d)
			return n;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void objects_free(struct objects *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].rel);
	free(o->v);
	free(o->by_rel);
	strings_free(&o->objs);
	strings_free(&o->build_gcda);
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

/* Objects rebuilt without the coverage flags keep a stale .gcno beside them. */
void doctor_objects(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	struct strings plain = {0}, rebuilt = {0};
	char *names;

	for (size_t i = 0; i < o->objs.n; i++) {
		const char *rel = o->objs.v[i];
		size_t stem = strlen(rel) - (ends_with(rel, ".obj") ? 4 : 2);
		const struct notes *n = find_notes(o, rel, stem);
		char *obj;
		if (!n) {
			strings_add(&plain, xstrdup(rel));
			continue;
		}
		obj = path_join(c->build_dir, rel);
		/* Compiling writes the .gcno, then assembles the object: a much newer object was
		 * compiled again without writing notes. Only then read it. */
		if (mtime_of(obj) > n->mtime_ns + 2000000000LL && !object_instrumented(obj))
			strings_add(&rebuilt, xstrdup(rel));
		free(obj);
	}
	if (o->n == 0) {
		char *src = cache_value(c->build_dir, "CMAKE_HOME_DIRECTORY");
		if (o->objs.n == 0)
			finding(d, FINDING_STOP, xasprintf("build it: cmake --build %s, then ctest --test-dir %s -j N",
			                                   c->build_dir, c->build_dir),
			        "%s has no object files: it was configured but never built", c->build_dir);
		else
			finding(d, FINDING_STOP, xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s "
			                                   "--clean-first; if PARALLEL_COVERAGE is ON already, check that "
			                                   "PARALLEL_COVERAGE_COMPILE_OPTIONS has --coverage and your targets "
			                                   "are not in PARALLEL_COVERAGE_EXCLUDE_TARGETS",
			                                   src ? src : "SOURCE_DIR", c->build_dir, c->build_dir),
			        "no instrumented objects: none of the %zu object files of %s has a .gcno "
			        "notes file (built without --coverage)", o->objs.n, c->build_dir);
		free(src);
	} else {
		finding(d, FINDING_OK, NULL, "%zu instrumented objects (.gcno notes files)", o->n);
	}
	if (rebuilt.n) {
		names = names_join(&rebuilt);
		finding(d, FINDING_STOP, xasprintf("reconfigure with -DPARALLEL_COVERAGE=ON, rebuild (cmake --build %s) "
		                                   "and re-run ctest", c->build_dir),
		        "%zu objects were rebuilt without coverage flags since their .gcno was written "
		        "(PARALLEL_COVERAGE switched OFF?): %s", rebuilt.n, names);
		free(names);
	}
	if (plain.n && o->n) {
		names = names_join(&plain);
		finding(d, FINDING_NOTE, NULL, "%zu objects are not instrumented (excluded targets, or compiled outside "
		     "CMake's targets): %s", plain.n, names);
		free(names);
	}
	strings_free(&plain);
	strings_free(&rebuilt);
}

/* --- Data -------------------------------------------------------------------------------- */

struct data_scan {
	const struct objects *o;
	struct strings tests;        /* test directories holding data */
	struct strings unreadable;   /* "path (reason)" */
	struct strings no_notes, stale, other_version;
	size_t files, usable;
	const char *run;
	struct combine_seen *seen;
};

/* One data file: read (known NULL), or with the header the merge record gives (known). */
static void scan_file(struct data_scan *s, const char *path, const char *rel, const struct gcda_file *known)
{
	const char *slash = strchr(rel, '/'), *object;
	struct notes *n;
	struct gcda_file f;
	char err[256];
	char *test;

	if (s->seen)
		combine_seen_file(path, rel, s->seen);
	if (!slash || !ends_with(rel, ".gcda"))
		return;
	/* A watchdog's snapshot: read as combine does (endings.h), for its object. */
	if (endings_snapshot_file(s->run, rel, &object) == 0)
		return;
	s->files++;
	test = xasprintf("%.*s", (int)(slash - rel), rel);
	/* The walk visits one test's files together: only the last test can be this one. */
	if (!s->tests.n || strcmp(s->tests.v[s->tests.n - 1], test))
		strings_add(&s->tests, test);
	else
		free(test);
	if (known) {
		f = *known;
	} else if (gcda_read(path, &f, err, sizeof err) < 0) {
		strings_add(&s->unreadable, xasprintf("%s (%s)", path, err));
		return;
	}
	n = find_notes(s->o, object, strlen(object) - 5);
	if (!n || !n->readable)
		strings_add(&s->no_notes, xstrdup(object));
	else if ((f.version >> 8) != (n->version >> 8))
		strings_add(&s->other_version, xasprintf("%s (%c%c%c%c)", path, (char)(f.version >> 24),
		                                      (char)(f.version >> 16), (char)(f.version >> 8),
		                                      (char)f.version));
	else if (f.stamp != n->stamp)
		strings_add(&s->stale, xstrdup(path));
	else {
		s->usable++;
		n->executed = 1;
	}
	if (!known && (!s->seen || !combine_seen_parsed(s->seen, path, &f)))
		gcda_free(&f);
}

static int scan_data(const char *path, const char *rel, void *ctx)
{
	scan_file(ctx, path, rel, NULL);
	return 0;
}

/* The same from the merge record: its files, as the walk gave them when they were merged
 * (every entry of the set unchanged since). An input combine read comes with its header;
 * any other file the checks would read is read. */
static void scan_recorded(const char *path, const char *rel, int have, uint32_t version, uint32_t stamp,
			  void *ctx)
{
	struct gcda_file f = {0};

	f.version = version;
	f.stamp = stamp;
	scan_file(ctx, path, rel, have ? &f : NULL);
}

/* The .gcda files of the build tree that combine wrote (its manifest lists them as they are
 * now): SEEN_OURS in state, the others SEEN_FOREIGN, or SEEN_GONE when gone since the walk.
 * Returns 0, or -1 when the manifest cannot be read (then none is ours). */
static int combined_files(struct doctor *d, const struct objects *o, char *state)
{
	const struct config *c = d->c;
	struct manifest m;
	char err[1024];

	memset(state, SEEN_FOREIGN, o->build_gcda.n);
	if (manifest_load(c, &m, err, sizeof err) < 0) {
		finding(d, FINDING_PROBLEM, xasprintf("delete it, then run the coverage target again (the "
		                                      ".gcda files it listed are then moved to %s/stray/, "
		                                      "not lost)", c->data_dir),
		        "%s", err);
		return -1;
	}
	for (size_t i = 0; i < o->build_gcda.n; i++) {
		char *full = path_join(c->build_dir, o->build_gcda.v[i]);
		struct stat st;
		int found = lstat(full, &st) == 0;
		if (found && manifest_unchanged(&m, o->build_gcda.v[i], &st))
			state[i] = SEEN_OURS;
		else if (!found && errno == ENOENT)
			state[i] = SEEN_GONE;
		free(full);
	}
	manifest_free(&m);
	return 0;
}

/* Did an instrumented process start in this test? The runtime records every start (see
 * endings.h); without the runtime we cannot tell. */
static int ran_instrumented(const struct doctor *d, const char *run, const char *test_dir)
{
	return !d->c->runtime || endings_recorded(run, test_dir);
}

/* Tests that ran in the data set's ctest run but left no data there. */
static void check_tests_without_data(struct doctor *d, const char *run, const struct strings *have)
{
	char *current = path_join(d->c->data_dir, "current");
	char real_current[PATH_MAX], real_run[PATH_MAX];
	struct strings ran = {0}, missing = {0}, idle = {0};
	struct test_list known;

	/* Only the current set belongs to the last ctest run that CTest's log describes; a set
	 * unpacked from bundles carries the logs of its machines' runs. */
	char *own_logs = path_join(run, RUNS_CTEST_LOGS);
	int bundled = is_dir(own_logs);
	free(own_logs);
	if (!bundled && (!realpath(current, real_current) || !realpath(run, real_run) ||
	                 strcmp(real_current, real_run))) {
		free(current);
		return;
	}
	runs_ctest_tests(d->c, run, &ran);
	testname_load(d->c->data_dir, run, &known);
	for (size_t i = 0; i < ran.n; i++) {
		for (size_t k = 0; k < known.n; k++) {
			if (strcmp(known.v[k].name, ran.v[i]))
				continue;
			if (strings_has(have, known.v[k].dir))
				break;
			if (ran_instrumented(d, run, known.v[k].dir))
				strings_add(&missing, xasprintf("'%s'", ran.v[i]));
			else
				strings_add(&idle, xasprintf("'%s'", ran.v[i]));
			break;
		}
	}
	if (idle.n) {
		char *names = names_join(&idle);
		finding(d, FINDING_NOTE, NULL, "%zu of the %zu tests of the last ctest run run nothing instrumented (no program "
		     "of this build started in them), so they add nothing to the report: %s",
		     idle.n, ran.n, names);
		free(names);
	}
	if (missing.n) {
		char *names = names_join(&missing);
		finding(d, FINDING_PROBLEM, xstrdup("make such a test run a program built in this tree (tests that "
		                                    "only run scripts have nothing to measure); a process killed by "
		                                    "SIGKILL writes nothing, and without PARALLEL_COVERAGE_RUNTIME=ON "
		                                    "neither do crashes, abort(), _exit() and timeouts"),
		        "%zu of the %zu tests of the last ctest run wrote no coverage data: %s",
		        missing.n, ran.n, names);
		free(names);
	} else if (!idle.n && ran.n) {
		finding(d, FINDING_OK, NULL, "all %zu tests of the last ctest run wrote coverage data", ran.n);
	} else if (ran.n > idle.n) {
		finding(d, FINDING_OK, NULL, "the other %zu tests of the last ctest run wrote coverage data", ran.n - idle.n);
	}
	strings_free(&idle);
	strings_free(&ran);
	strings_free(&missing);
	testname_free(&known);
	free(current);
}

/* Where did the data go, when a ctest run left none? */
static void explain_no_data(struct doctor *d, const struct objects *o, const struct strings *foreign)
{
	const struct config *c = d->c;
	char *runs = path_join(c->data_dir, "runs"), *cleaned = path_join(c->data_dir, "cleaned");
	const char *prefix = getenv("GCOV_PREFIX");

	if (foreign->n) {
		char *names = names_join(foreign);
		finding(d, FINDING_STOP, xasprintf("run the tests through ctest (ctest --test-dir %s -j N): each test "
		                                   "then writes into its own data directory", c->build_dir),
		        "no coverage data from ctest, but %zu .gcda files in the build tree were written "
		        "by programs run outside ctest: %s", foreign->n, names);
		free(names);
	} else if (!is_dir(runs) && exists(cleaned)) {
		finding(d, FINDING_STOP, xasprintf("run the tests: ctest --test-dir %s -j N, then the coverage target",
		                                   c->build_dir),
		        "no coverage data: 'parcov clean' removed it, and ctest has not run in %s since",
		        c->build_dir);
	} else if (!is_dir(runs)) {
		finding(d, FINDING_STOP, xasprintf("run the tests first: ctest --test-dir %s -j N, then the coverage "
		                                   "target", c->build_dir),
		        "no coverage data: ctest has not run in %s since it was configured with coverage "
		        "(the tests were never run, or run by hand)", c->build_dir);
	} else {
		finding(d, FINDING_STOP, xasprintf("run the tests first: ctest --test-dir %s -j N (a run that selects "
		                                   "no test, or ctest -N, records nothing); if tests ran and still "
		                                   "nothing came, they run no program built in this tree, or it died "
		                                   "before exiting (gcov writes the data at exit)", c->build_dir),
		        "no coverage data: no ctest run of %s left any .gcda file", c->build_dir);
	}
	if (prefix && *prefix)
		finding(d, FINDING_PROBLEM, xstrdup("unset GCOV_PREFIX and GCOV_PREFIX_STRIP, and run the programs as "
		                                    "CTest tests"),
		        "GCOV_PREFIX=%s is set in this environment: programs run by hand write their "
		        "coverage data under it, not into this build tree", prefix);
	(void)o;
	free(runs);
	free(cleaned);
}

void doctor_data(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	char *run = runs_latest_with_data(c), *tests, *names;
	struct data_scan s = {0};
	struct strings foreign = {0}, never = {0};
	struct merge_record *record;
	char *state = xmalloc(o->build_gcda.n + 1);

	if (combined_files(d, o, state) == 0 && d->seen) {
		d->seen->build_state = state; /* combine takes doctor's lstat()s */
		state = NULL;
	}
	for (size_t i = 0; i < o->build_gcda.n; i++)
		if ((state ? state[i] : d->seen->build_state[i]) != SEEN_OURS)
			strings_add(&foreign, path_join(c->build_dir, o->build_gcda.v[i]));
	free(state);
	if (!run) {
		if (o->n)
			explain_no_data(d, o, &foreign);
		goto out;
	}
	s.o = o;
	s.run = run;
	tests = path_join(run, "tests");
	/* parcov coverage: combine takes this walk's files, unless a ctest was still writing the
	 * set (combine then stops) or the walk missed some (combine then says so). */
	if (d->seen && !runs_ctest_running(run)) {
		s.seen = d->seen;
		s.seen->run = xstrdup(run);
	}
	/* After ctest's post-test merged the set, its record instead of the set itself while
	 * the record holds: a stat() of each entry instead of reading the directories and files. */
	if ((record = merge_record_load(run))) {
		merge_record_files(record, scan_recorded, &s);
		if (s.seen) {
			s.seen->data_whole = 1;
			s.seen->record = record;
			record = NULL;
		}
		merge_record_free(record);
	} else if (walk_data(tests, NULL, scan_data, &s) == 0 && s.seen) {
		s.seen->data_whole = 1;
	}
	endings_forget();
	free(tests);

	if (s.unreadable.n) {
		names = names_join(&s.unreadable);
		finding(d, s.usable == 0 ? FINDING_STOP : FINDING_PROBLEM, xasprintf("delete those files and re-run the tests: "
		                                                                     "ctest --test-dir %s -j N", c->build_dir),
		        "%zu data files are damaged or not GCC 11/12 or Clang data: %s", s.unreadable.n, names);
		free(names);
	}
	if (s.other_version.n) {
		names = names_join(&s.other_version);
		finding(d, s.usable == 0 ? FINDING_STOP : FINDING_PROBLEM, xasprintf("rebuild with one compiler (cmake --build %s "
		                                                                     "--clean-first) and re-run ctest", c->build_dir),
		        "%zu data files were written by another GCC version than the one that compiled "
		        "their objects: %s", s.other_version.n, names);
		free(names);
	}
	/* A report without them would be wrong: the coverage target stops, unless the user
	 * asked for a partial report (then combine names each file it leaves out) and some
	 * data is still good. */
	if (s.stale.n && (d->full || !c->allow_stale || s.usable == 0)) {
		names = names_join(&s.stale);
		finding(d, s.usable == 0 || !c->allow_stale ? FINDING_STOP : FINDING_PROBLEM,
		        xasprintf("re-run the tests: ctest --test-dir %s -j N, then the coverage target "
		                  "(or set PARALLEL_COVERAGE_ALLOW_STALE=ON for a report without them)",
		                  c->build_dir),
		        "%zu data files are older than their objects (rebuilt since the tests ran), so "
		        "they are not counted: %s", s.stale.n, names);
		free(names);
	}
	if (s.no_notes.n) {
		names = names_join(&s.no_notes);
		finding(d, s.usable == 0 ? FINDING_STOP : FINDING_PROBLEM, xasprintf("re-run the tests: ctest --test-dir %s -j N",
		                                                                     c->build_dir),
		        "%zu data files belong to no object of this build tree (objects removed or "
		        "renamed since the tests ran): %s", s.no_notes.n, names);
		free(names);
	}
	if (s.usable)
		finding(d, FINDING_OK, NULL, "%zu of %zu data files of %zu tests in %s match the current build", s.usable,
		   s.files, s.tests.n, run);
	check_tests_without_data(d, run, &s.tests);
	/* Before a report, combine names each of them as it moves it aside. */
	if (foreign.n && d->full) {
		names = names_join(&foreign);
		finding(d, FINDING_PROBLEM, xasprintf("run them as CTest tests; the coverage target moves such files "
		                                      "to %s/stray/ and does not count them", c->data_dir),
		        "%zu .gcda files in the build tree were written by programs run outside ctest: %s",
		        foreign.n, names);
		free(names);
	}

	/* Objects no test executed: gcovr reports their .gcno alone, at 0%. */
	for (size_t i = 0; i < o->n; i++)
		if (!o->v[i].executed)
			strings_add(&never, xasprintf("%s.gcno", o->v[i].rel));
	if (never.n && s.usable) {
		names = names_join(&never);
		finding(d, FINDING_NOTE, NULL, "%zu instrumented objects were executed by no test of the last run; the report "
		     "shows their sources at 0%%: %s", never.n, names);
		free(names);
	}
out:
	strings_free(&s.tests);
	strings_free(&s.unreadable);
	strings_free(&s.no_notes);
	strings_free(&s.stale);
	strings_free(&s.other_version);
	strings_free(&foreign);
	strings_free(&never);
	free(run);
}


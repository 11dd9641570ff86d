/* Per-test coverage for the llvm backend: each test's .profraw files are merged by
 * themselves (llvm-profdata merge) and exported (llvm-cov export -format=lcov, with the
 * exclusions and root of the combined report), several tests at a time; the lines with a
 * count > 0 in a test's own export are the lines it ran: exactly what running that test
 * alone and reporting it would show. The store is pertest.c's (src/pertest.h).
 *
 * Each test's export gets only the binaries the test ran: llvm-cov matches profile records
 * to binaries by function name and hash, so with every binary a test's main (or any function
 * of the same name and shape in another program) would be credited to code of programs it
 * never ran; and reading every binary's mapping for every test is what made this slow. The
 * binaries are found by build ID: each raw profile names the binary that wrote it
 * (buildid.h), matched against the build IDs of the listed binaries. A test with a profile
 * naming no listed binary, or none at all (Clang 13, a binary linked without a build ID), is
 * exported with all the binaries, as before, and an info line says how many. */
#define _GNU_SOURCE
#include "pertest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buildid.h"
#include "endings.h"
#include "llvm.h"
#include "proc.h"
#include "util.h"

struct job {
	struct buffer list; /* llvm-profdata's input file list: "1,<path>" lines */
	char *listfile, *profdata, *export;
	unsigned char *ran; /* per listed binary: 1 if a profile of this test names it */
	int unknown;        /* a profile names no listed binary: export with all of them */
	struct argv objects; /* the binaries of its export */
	pid_t pid;
	int stage; /* 0: waiting, 1: merging, 2: exporting, 3: done, -1: failed */
};

struct object_id {
	char *id;
	size_t object; /* index in the listed binaries */
};

static int cmp_object_id(const void *a, const void *b)
{
	const struct object_id *x = a, *y = b;
	int d = strcmp(x->id, y->id);
	return d ? d : (x->object > y->object) - (x->object < y->object);
}

struct gather {
	struct pertest_feed *f;
	struct job *jobs;
	const char *run;
	const struct argv *objects;
	struct object_id *ids; /* the listed binaries with a build ID, sorted by it */
	size_t nids;
};

/* The listed binaries a profile of job j names (by build ID). */
static void mark_binaries(struct gather *g, struct job *j, const char *path)
{
	struct strings ids = {0};

	if (buildid_profraw(path, &ids) <= 0)
		j->unknown = 1;
	for (size_t i = 0; i < ids.n; i++) {
		/* The first binary with that ID, then the others with it (copies of one file). */
		size_t lo = 0, hi = g->nids;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (strcmp(g->ids[mid].id, ids.v[i]) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		j->unknown |= lo == g->nids || strcmp(g->ids[lo].id, ids.v[i]) != 0;
		for (; lo < g->nids && !strcmp(g->ids[lo].id, ids.v[i]); lo++)
			j->ran[g->ids[lo].object] = 1;
	}
	strings_free(&ids);
}

static int gather_profile(const char *path, const char *rel, void *ctx)
{
	struct gather *g = ctx;
	const char *object;
	size_t t;

	/* As combine: a watchdog's snapshot counts only for a process that never ended. */
	if (!ends_with(path, ".profraw") || endings_snapshot_file(g->run, rel, &object) == 0)
		return 0;
	t = pertest_feed_test_of(g->f, rel);
	if (t == pertest_feed_ntests(g->f) || strchr(path, '\n'))
		return 0; /* not counted by combine's report either */
	buf_printf(&g->jobs[t].list, "1,%s\n", path);
	mark_binaries(g, &g->jobs[t], path);
	return 0;
}

/* Start the next stage of job j. Returns 0, or -1 after an error. */
static int start(const struct config *c, struct job *j, const char *log)
{
	struct argv a = {0};

	if (j->stage == 0) {
		if (write_file_atomic(j->listfile, j->list.data, j->list.len) < 0) {
			error("cannot write %s:", j->listfile);
			return -1;
		}
		arg(&a, xstrdup(c->llvm_profdata));
		arg(&a, xstrdup("merge"));
		arg(&a, xstrdup("-sparse"));
		/* The tests are merged side by side: one thread each. */
		arg(&a, xstrdup("-num-threads=1"));
		arg(&a, xstrdup("-failure-mode=all"));
		arg(&a, xasprintf("-input-files=%s", j->listfile));
		arg(&a, xasprintf("-output=%s", j->profdata));
		j->pid = proc_start_logged(a.v, c->build_dir, NULL, log);
	} else {
		llvm_command(&a, c, "export", j->profdata, &j->objects,
			     (const char *const[]){"-format=lcov", "-skip-functions", NULL});
		j->pid = proc_start_logged(a.v, c->source_root, j->export, log);
	}
	if (j->pid < 0)
		error("cannot run %s: %s", a.v[0], strerror(errno));
	argv_free(&a);
	j->stage++;
	return j->pid < 0 ? -1 : 0;
}

/* The DA lines with a count > 0 of one test's export. */
static int read_export(struct pertest_feed *f, size_t t, const char *path)
{
	struct buffer b = {0};
	char *line, *next, *file = NULL;

	if (read_file(path, &b) < 0) {
		error("cannot read %s:", path);
		return -1;
	}
	for (line = b.data; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "SF:", 3)) {
			file = line + 3;
		} else if (file && !strncmp(line, "DA:", 3)) {
			char *comma;
			long n = strtol(line + 3, &comma, 10);
			if (n > 0 && *comma == ',' && strtoll(comma + 1, NULL, 10) > 0)
				pertest_feed_line(f, t, file, n);
		} else if (!strcmp(line, "end_of_record")) {
			file = NULL;
		}
	}
	buf_free(&b);
	return 0;
}

static int llvm_source(struct pertest_feed *f, void *ctx)
{
	const struct config *c = ctx;
	size_t n = pertest_feed_ntests(f), done = 0, total = 0, next = 0, running = 0;
	struct gather g = {f, xcalloc(n ? n : 1, sizeof *g.jobs), pertest_feed_run(f), NULL, NULL, 0};
	char *tests = path_join(g.run, "tests"), *dir = path_join(c->data_dir, "pertest-llvm");
	char *log = path_join(c->data_dir, "llvm-pertest-messages.txt");
	struct argv objects = {0};
	size_t *fifo = xcalloc(n ? n : 1, sizeof *fifo), head = 0, guessed = 0;
	long jobs = cpu_count();
	int ret = 0;

	if (llvm_objects(c, &objects) == 0 || mkdirs(dir, 0777) < 0) {
		if (!objects.n)
			error("none of the instrumented binaries listed in %s/objects.txt exists", c->data_dir);
		else
			error("cannot create %s:", dir);
		ret = -1;
	}
	g.objects = &objects;
	g.ids = xcalloc(objects.n ? objects.n : 1, sizeof *g.ids);
	for (size_t k = 0; k < objects.n; k++)
		if ((g.ids[g.nids].id = buildid_elf(objects.v[k])))
			g.ids[g.nids++].object = k;
	qsort(g.ids, g.nids, sizeof *g.ids, cmp_object_id);
	for (size_t t = 0; t < n; t++)
		g.jobs[t].ran = xcalloc(objects.n ? objects.n : 1, 1);
	if (ret == 0 && walk_data(tests, NULL, gather_profile, &g) < 0) {
		error("cannot read all the data of %s (see above): no per-test coverage written", g.run);
		ret = -1;
	}
	endings_forget();
	if (truncate(log, 0) < 0 && errno != ENOENT)
		warn("cannot empty %s:", log);
	for (size_t t = 0; t < n; t++) {
		struct job *j = &g.jobs[t];
		j->listfile = xasprintf("%s/%zu.list", dir, t);
		j->profdata = xasprintf("%s/%zu.profdata", dir, t);
		j->export = xasprintf("%s/%zu.info", dir, t);
		j->stage = j->list.len ? 0 : 3;
		total += j->list.len != 0;
		guessed += j->list.len && j->unknown;
		for (size_t k = 0; k < objects.n; k++)
			if (j->unknown || j->ran[k])
				arg(&j->objects, xstrdup(objects.v[k]));
	}
	if (guessed)
		info("per-test coverage: the binaries %zu of %zu tests ran are not known by build ID "
		     "(a profile without binary IDs: Clang 13, or a binary linked without "
		     "-Wl,--build-id; or of a binary not in %s/objects.txt): those tests are exported "
		     "with all %zu binaries, and a function of the same name and shape in another "
		     "program (each program's main) is credited to them too", guessed, total,
		     c->data_dir, objects.n);
	/* A pool of cpu_count() jobs; each test's merge then export. Waited for oldest first,
	 * which keeps all of them busy as the tests' sizes are alike. */
	while (ret == 0 && (next < n || running)) {
		struct job *j;
		int status;

		while (next < n && running < (size_t)(jobs > 0 ? jobs : 1)) {
			if (g.jobs[next].stage == 3) {
				next++;
				continue;
			}
			if (start(c, &g.jobs[next], log) < 0) {
				ret = -1;
				break;
			}
			fifo[(head + running++) % n] = next++;
		}
		if (!running)
			break;
		j = &g.jobs[fifo[head]];
		status = proc_wait(j->pid);
		head = (head + 1) % n;
		running--;
		if (status != 0) {
			/* As gcov's per-test data that cannot be read: that test's lines are left
			 * out (it is stored as partial), the report goes on, as combine's merge
			 * skips what it cannot read. */
			const char *first = j->list.data + 2, *nl = strchr(first, '\n');
			warn("per-test coverage leaves out the test of %.*s: %s failed (status %d); its "
			     "messages are in %s", (int)(nl - first), first,
			     j->stage == 1 ? c->llvm_profdata : c->llvm_cov, status, log);
			j->stage = -1;
			pertest_feed_partial(f, (size_t)(j - g.jobs));
		} else if (j->stage == 1) {
			if (start(c, j, log) < 0)
				ret = -1;
			else
				fifo[(head + running++) % n] = (size_t)(j - g.jobs);
		} else {
			j->stage = 3;
			progress(++done, total, "per-test coverage");
		}
	}
	/* After an error, the others still running are waited for, their results unused. */
	for (size_t i = 0; i < running; i++)
		proc_wait(g.jobs[fifo[(head + i) % n]].pid);
	/* In test order, as the store wants each line's tests. */
	for (size_t t = 0; ret == 0 && t < n; t++)
		if (g.jobs[t].stage == 3 && g.jobs[t].list.len && read_export(f, t, g.jobs[t].export) < 0)
			ret = -1;
	for (size_t t = 0; t < n; t++) {
		unlink(g.jobs[t].listfile);
		unlink(g.jobs[t].profdata);
		unlink(g.jobs[t].export);
		buf_free(&g.jobs[t].list);
		argv_free(&g.jobs[t].objects);
		free(g.jobs[t].ran);
		free(g.jobs[t].listfile);
		free(g.jobs[t].profdata);
		free(g.jobs[t].export);
	}
	rmdir(dir);
	for (size_t k = 0; k < g.nids; k++)
		free(g.ids[k].id);
	free(g.ids);
	argv_free(&objects);
	free(g.jobs);
	free(fifo);
	free(tests);
	free(dir);
	free(log);
	return ret;
}

int pertest_llvm_build(const struct config *c, const struct covdata *cd, int lcov)
{
	return pertest_build_from(c, cd, lcov, llvm_source, (void *)c);
}

/* The gcov backend: GCC's and Clang's --coverage data. combine.c merges the per-test .gcda
 * files into the build tree; its collect reads them with gcov in parallel (gcovjson.c), or
 * with gcovr when that cannot give gcovr's exact numbers, and gcovr renders the HTML. */
#define _GNU_SOURCE
#include "backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "combine.h"
#include "covdata.h"
#include "gcda.h"
#include "gcno.h"
#include "gcovjson.h"
#include "proc.h"
#include "report.h"
#include "runs.h"
#include "util.h"

/* Per-test data of the last run written by an older build of its object (the object was
 * rebuilt since the tests ran: combine leaves such data out). */
/* Which of the data set's files are stale, found on every processor: reading the objects'
 * .gcno files (gcno_cached(), kept for gcovtext and the per-test coverage) is most of it. */
struct stale {
	const struct config *c;
	const struct data_file *files;
	char **gcno; /* per file: its object's .gcno when stale, else NULL */
};

static void find_stale(void *ctx, size_t i)
{
	struct stale *s = ctx;
	const struct data_file *f = &s->files[i];
	const char *rel = f->rel, *obj = strchr(rel, '/');
	uint32_t h[3];
	const struct gcno_cached *g;
	char *gcno;

	if (!obj || !ends_with(rel, ".gcda"))
		return;
	if (!f->data.data || f->data.len < sizeof h)
		return; /* damaged: combine and doctor name it */
	memcpy(h, f->data.data, sizeof h);
	if (h[0] != GCDA_MAGIC)
		return;
	/* Every test's data of an object names the same .gcno: read once. */
	gcno = xasprintf("%s/%.*s.gcno", s->c->build_dir, (int)(strlen(obj + 1) - 5), obj + 1);
	g = gcno_cached(gcno);
	/* Data of another GCC version is another problem (combine and doctor name it). */
	if (g->header_ok && (g->version >> 8) == (h[1] >> 8) && g->stamp != h[2])
		s->gcno[i] = gcno;
	else
		free(gcno);
}

/* 1 (after an error with the fix) when the report would silently leave stale data out. */
static int stale_data(const struct config *c)
{
	char *run = runs_latest_with_data(c), *tests, *first = NULL;
	struct stale st = {.c = c};
	size_t n, stale = 0;

	if (!run)
		return 0;
	tests = path_join(run, "tests");
	/* Read once for the per-test coverage too (pertest.c). */
	data_files(tests, ".gcda", &st.files, &n);
	st.gcno = xcalloc(n ? n : 1, sizeof *st.gcno);
	parallel_for(n, find_stale, &st);
	for (size_t i = 0; i < n; i++) {
		if (st.gcno[i] && !stale++)
			first = xasprintf("%s (object %s)", st.files[i].path, st.gcno[i]);
		free(st.gcno[i]);
	}
	free(st.gcno);
	if (stale && !c->allow_stale)
		error("%zu data file%s of the last test run %s older than %s object (rebuilt since the "
		      "tests ran): %s%s. A report without %s would be wrong. Fix: re-run the tests "
		      "(ctest --test-dir %s -j N), then the coverage target; or, for a report that leaves "
		      "%s out, set PARALLEL_COVERAGE_ALLOW_STALE=ON (parcov report --allow-stale)",
		      stale, stale == 1 ? "" : "s", stale == 1 ? "is" : "are", stale == 1 ? "its" : "their",
		      first, stale == 1 ? "" : " and others", stale == 1 ? "it" : "them", c->build_dir,
		      stale == 1 ? "it" : "them");
	free(first);
	free(tests);
	free(run);
	return stale && !c->allow_stale;
}

/* Run gcovr to make its JSON report at json_path: the fallback when our reader cannot give
 * its numbers (gcovjson.h). */
static int gcovr_json(const struct config *c, const char *json_path)
{
	struct argv a = {0};
	int rc;

	arg(&a, xstrdup(c->gcovr));
	arg(&a, xstrdup("--root"));
	arg(&a, xstrdup(c->source_root));
	arg(&a, xstrdup("--gcov-executable"));
	arg(&a, xstrdup(c->gcov));
	arg(&a, xasprintf("-j%ld", cpu_count()));
	/* Our per-test data and the bootstrap build of parcov are not the project's objects. */
	for (const char *const *d = (const char *const[]){"coverage-data", "_parcov", NULL}; *d; d++) {
		char *dir = path_join(c->build_dir, *d), *re = regex_escape(dir);
		arg(&a, xstrdup("--exclude-directories"));
		arg(&a, xasprintf("%s$", re));
		free(dir);
		free(re);
	}
	for (const char *const *d = c->skip_dirs; d && *d; d++) {
		char *re;
		if (strncmp(*d, "*/", 2))
			continue;
		re = regex_escape(*d + 2);
		arg(&a, xstrdup("--exclude-directories"));
		arg(&a, xasprintf(".*/%s$", re));
		free(re);
	}
	for (size_t i = 0; i < c->n_exclude; i++) {
		arg(&a, xstrdup("--exclude"));
		arg(&a, xstrdup(c->exclude[i]));
	}
	arg(&a, xstrdup("--json"));
	arg(&a, xstrdup(json_path));
	arg(&a, xstrdup(c->build_dir));
	info("running gcovr on %zu .gcda files", combined_count(c));
	rc = proc_run(a.v, c->source_root);
	if (rc < 0)
		error("cannot run %s: %s (install gcovr, or set PARALLEL_COVERAGE_GCOVR)", c->gcovr,
		      strerror(errno));
	else if (rc > 0)
		error("gcovr failed with exit status %d (its messages are above)", rc);
	argv_free(&a);
	return rc == 0 ? 0 : -1;
}

/* gcovr renders the HTML from our JSON report (--add-tracefile): same numbers, its pages. */
static int gcovr_html(const struct config *c, const char *json_path, const char *html_dir)
{
	struct argv a = {0};
	int rc;

	arg(&a, xstrdup(c->gcovr));
	arg(&a, xstrdup("--root"));
	arg(&a, xstrdup(c->source_root));
	arg(&a, xstrdup("--add-tracefile"));
	arg(&a, xstrdup(json_path));
	arg(&a, xstrdup("--html-details"));
	arg(&a, path_join(html_dir, "index.html"));
	rc = proc_run(a.v, c->source_root);
	if (rc < 0)
		error("cannot run %s: %s (install gcovr, or set PARALLEL_COVERAGE_GCOVR)", c->gcovr,
		      strerror(errno));
	else if (rc > 0)
		error("gcovr failed to write the HTML report with exit status %d (its messages are above)",
		      rc);
	argv_free(&a);
	return rc == 0 ? 0 : -1;
}

static int check(const struct config *c)
{
	if (combine_interrupted(c))
		return 1;
	if (combined_count(c) == 0) {
		error("no combined coverage data in %s: run the tests (ctest --test-dir %s -j N), then "
		      "'parcov combine' (the coverage target runs both combine and report)",
		      c->build_dir, c->build_dir);
		return 1;
	}
	return stale_data(c);
}

/* gcov run per object in parallel, its text read as gcovr does; gcovr when that cannot give
 * its exact numbers (then its JSON is the report's). */
static int collect(const struct config *c, int mask, struct covdata *cd, struct native_reports *native)
{
	const char *engine = getenv("PARCOV_REPORTER");
	int rc = 1;

	(void)mask;
	if (!engine || strcmp(engine, "gcovr") != 0) {
		rc = gcovjson_collect(c, cd);
		if (rc < 0)
			return 1;
		if (rc > 0)
			covdata_free(cd);
	}
	if (rc == 0)
		return 0;
	native->json = xasprintf("%s/coverage.json.parcov-tmp", c->output_dir);
	if (gcovr_json(c, native->json) < 0 || covdata_load_gcovr_json(cd, native->json, c->source_root) < 0)
		return 1;
	return 0;
}

static int html(const struct config *c, const char *json, const char *dir)
{
	info("writing the HTML report (gcovr)");
	return gcovr_html(c, json, dir);
}

const struct backend backend_gcov = {
	.name = "gcov",
	.combine = combine,
	.clean = combine_clean,
	.check = check,
	.collect = collect,
	.html = html,
};

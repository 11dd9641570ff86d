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
/* Which of the data set's files are stale: each distinct object's .gcno read once, all of
 * them on every processor (gcno_cached(), kept for gcovtext and the per-test coverage), then
 * the stamps compared. Loading them per data file had the threads waiting on each other for
 * the object both wanted. */
struct stale {
	char **gcno; /* distinct .gcno paths */
};

static void load_gcno(void *ctx, size_t i)
{
	gcno_cached(((struct stale *)ctx)->gcno[i]);
}

/* The .gcno of a data file of the set (rel: relative to tests/), or NULL when it is not a
 * .gcda of GCC's data (damaged: combine and doctor name it). */
static char *gcno_of(const struct config *c, const struct data_file *f)
{
	const char *rel = f->rel, *obj = strchr(rel, '/');
	uint32_t magic;

	if (!obj || !ends_with(rel, ".gcda") || !f->data.data || f->data.len < 3 * sizeof magic)
		return NULL;
	memcpy(&magic, f->data.data, sizeof magic);
	if (magic != GCDA_MAGIC)
		return NULL;
	return xasprintf("%s/%.*s.gcno", c->build_dir, (int)(strlen(obj + 1) - 5), obj + 1);
}

/* Whether data file f is older than its object's .gcno (at gcno). */
static int is_stale(const struct data_file *f, const char *gcno)
{
	const struct gcno_cached *g = gcno_cached(gcno);
	uint32_t h[3];

	memcpy(h, f->data.data, sizeof h);
	/* Data of another GCC version is another problem (combine and doctor name it). */
	return g->header_ok && (g->version >> 8) == (h[1] >> 8) && g->stamp != h[2];
}

/* 1 (after an error with the fix) when the report would silently leave stale data out. */
static int stale_data(const struct config *c)
{
	char *run = runs_latest_with_data(c), *tests, *first = NULL;
	const struct data_file *files;
	char **gcno;
	struct stale st = {0};
	size_t n, stale = 0, nd = 0;

	if (!run)
		return 0;
	tests = path_join(run, "tests");
	/* Read once for the per-test coverage too (pertest.c). */
	data_files(tests, ".gcda", &files, &n);
	gcno = xcalloc(n ? n : 1, sizeof *gcno);
	st.gcno = xcalloc(n ? n : 1, sizeof *st.gcno);
	for (size_t i = 0; i < n; i++)
		if ((gcno[i] = gcno_of(c, &files[i])))
			st.gcno[nd++] = gcno[i];
	qsort(st.gcno, nd, sizeof *st.gcno, cmp_strp);
	{
		size_t k = 0;
		for (size_t i = 0; i < nd; i++)
			if (!k || strcmp(st.gcno[k - 1], st.gcno[i]))
				st.gcno[k++] = st.gcno[i];
		nd = k;
	}
	parallel_for(nd, load_gcno, &st);
	for (size_t i = 0; i < n; i++) {
		if (gcno[i] && is_stale(&files[i], gcno[i]) && !stale++)
			first = xasprintf("%s (object %s)", files[i].path, gcno[i]);
		free(gcno[i]);
	}
	free(gcno);
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

/* gcov's text (computed, or gcov run per object in parallel) read as gcovr does: 0 (cd
 * filled), -1 after an error, 1 when that cannot give gcovr's exact numbers (or
 * PARCOV_REPORTER=gcovr asks for gcovr's). */
static int collect_ahead(const struct config *c, struct covdata *cd)
{
	const char *engine = getenv("PARCOV_REPORTER");
	int rc;

	if (engine && !strcmp(engine, "gcovr"))
		return 1;
	rc = gcovjson_collect(c, cd);
	if (rc > 0)
		covdata_free(cd);
	return rc < 0 ? -1 : rc;
}

/* Otherwise gcovr, whose JSON is then the report's. */
static int collect_rest(const struct config *c, int mask, struct covdata *cd,
			struct native_reports *native)
{
	(void)mask;
	native->json = xasprintf("%s/coverage.json.parcov-tmp", c->output_dir);
	if (gcovr_json(c, native->json) < 0 || covdata_load_gcovr_json(cd, native->json, c->source_root) < 0)
		return 1;
	return 0;
}

static int collect(const struct config *c, int mask, struct covdata *cd, struct native_reports *native)
{
	int rc = collect_ahead(c, cd);
	return rc < 0 ? 1 : rc == 0 ? 0 : collect_rest(c, mask, cd, native);
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
	.collect_ahead = collect_ahead,
	.collect_rest = collect_rest,
	.html = html,
};

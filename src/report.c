#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "combine.h"
#include "covdata.h"
#include "ciformats.h"
#include "endings.h"
#include "gcda.h"
#include "gcovjson.h"
#include "html.h"
#include "llvm.h"
#include "proc.h"
#include "runs.h"
#include "util.h"

int report_parse_formats(const char *list, int *out)
{
	char *copy = xstrdup(list), *save = NULL;
	int mask = 0;

	for (char *f = strtok_r(copy, ", ", &save); f; f = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(f, "txt"))
			mask |= FMT_TXT;
		else if (!strcmp(f, "html"))
			mask |= FMT_HTML;
		else if (!strcmp(f, "xml"))
			mask |= FMT_XML;
		else if (!strcmp(f, "json"))
			mask |= FMT_JSON;
		else if (!strcmp(f, "lcov"))
			mask |= FMT_LCOV;
		else if (!strcmp(f, "md"))
			mask |= FMT_MD;
		else if (!strcmp(f, "sonarqube"))
			mask |= FMT_SONARQUBE;
		else if (!strcmp(f, "coveralls"))
			mask |= FMT_COVERALLS;
		else {
			error("unknown report format '%s' (known: txt, html, xml, json, lcov, md, sonarqube, "
			      "coveralls)", f);
			free(copy);
			return -1;
		}
	}
	free(copy);
	*out = mask;
	return 0;
}

/* gcovr regexes are Python's: escape a literal path for them. */
char *regex_escape(const char *s)
{
	struct buffer b = {0};
	for (; *s; s++) {
		if (strchr("\\.^$|?*+()[]{}", *s))
			buf_add(&b, "\\", 1);
		buf_add(&b, s, 1);
	}
	buf_add(&b, "", 0);
	return b.data;
}

void format_missing(const long *numbers, const int *covered, size_t n, struct buffer *out)
{
	long start = -1, end = -1;
	int first = 1;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && !covered[i]) {
			if (start < 0)
				start = numbers[i];
			end = numbers[i];
			continue;
		}
		if (start >= 0) {
			if (start == end)
				buf_printf(out, "%s%ld", first ? "" : ",", start);
			else
				buf_printf(out, "%s%ld-%ld", first ? "" : ",", start, end);
			first = 0;
			start = -1;
		}
	}
}

double report_percent(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

void report_pct(char *buf, size_t size, long part, long whole)
{
	if (whole)
		snprintf(buf, size, "%.1f%%", report_percent(part, whole));
	else
		snprintf(buf, size, "--");
}

static void table_row(struct buffer *b, const char *name, const struct totals *t, const char *missing)
{
	char lp[16], bp[16];
	report_pct(lp, sizeof lp, t->lines_hit, t->lines);
	report_pct(bp, sizeof bp, t->branches_taken, t->branches);
	buf_printf(b, "%-36s %7ld %7ld %7s %9ld %7ld %7s   %s\n", name, t->lines, t->lines_hit, lp,
		   t->branches, t->branches_taken, bp, missing);
}

/* The summary table (per-file lines and branches with missing line ranges). Totals follow
 * gcovr's rules: non-code and excluded lines do not count. */
static void summarize(const struct covdata *cd, struct buffer *out, struct totals *total)
{
	const char *rule = "------------------------------------------------------------------------"
			   "----------------------------------------\n";

	memset(total, 0, sizeof *total);
	buf_printf(out, "%-36s %7s %7s %7s %9s %7s %7s   %s\n", "File", "Lines", "Exec", "Cover",
		   "Branches", "Taken", "Cover", "Missing");
	buf_add(out, rule, strlen(rule));
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		long *numbers = xcalloc(f->nlines + 1, sizeof *numbers);
		int *covered = xcalloc(f->nlines + 1, sizeof *covered);
		size_t m = 0;
		struct cov_totals ct;
		struct totals t;
		struct buffer missing = {0};

		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!l->present || l->noncode || l->excluded)
				continue;
			numbers[m] = (long)n;
			covered[m++] = l->count > 0;
		}
		cov_file_totals(f, &ct, NULL);
		t = (struct totals){ct.lines, ct.lines_hit, ct.branches, ct.branches_taken};
		format_missing(numbers, covered, m, &missing);
		table_row(out, f->name, &t, missing.data ? missing.data : "");
		total->lines += t.lines;
		total->lines_hit += t.lines_hit;
		total->branches += t.branches;
		total->branches_taken += t.branches_taken;
		buf_free(&missing);
		free(numbers);
		free(covered);
	}
	buf_add(out, rule, strlen(rule));
	table_row(out, "TOTAL", total, "");
}

int report_threshold_missed(const char *threshold, const char *what, const char *variable,
			    long part, long whole)
{
	char *end;
	double min;

	if (!threshold || !*threshold)
		return 0;
	min = strtod(threshold, &end);
	if (*end || min < 0 || min > 100) {
		error("%s=%s is not a percentage between 0 and 100", variable, threshold);
		return 1;
	}
	if (report_percent(part, whole) + 1e-9 < min) {
		error("%s coverage %.1f%% is below %s=%s", what, report_percent(part, whole), variable, threshold);
		return 1;
	}
	return 0;
}

/* Per-test data of the last run written by an older build of its object (the object was
 * rebuilt since the tests ran: combine leaves such data out). */
struct stale {
	const struct config *c;
	size_t n;
	char *first;
};

static int find_stale(const char *path, const char *rel, void *ctx)
{
	struct stale *s = ctx;
	const char *obj = strchr(rel, '/');
	uint32_t h[3], version, stamp, checksum;
	char err[256], *gcno;
	FILE *fp;
	int n;

	if (!obj || !ends_with(rel, ".gcda"))
		return 0;
	fp = fopen(path, "rb");
	n = fp ? (int)fread(h, sizeof *h, 3, fp) : 0;
	if (fp)
		fclose(fp);
	if (n != 3 || h[0] != GCDA_MAGIC)
		return 0; /* damaged: combine and doctor name it */
	gcno = xasprintf("%s/%.*s.gcno", s->c->build_dir, (int)(strlen(obj + 1) - 5), obj + 1);
	/* Data of another GCC version is another problem (combine and doctor name it). */
	if (gcno_read_header(gcno, &version, &stamp, &checksum, err, sizeof err) == 0 &&
	    (version >> 8) == (h[1] >> 8) && stamp != h[2] && !s->n++)
		s->first = xasprintf("%s (object %s)", path, gcno);
	free(gcno);
	return 0;
}

/* 1 (after an error with the fix) when the report would silently leave stale data out. */
static int stale_data(const struct config *c)
{
	char *run = runs_latest_with_data(c), *tests;
	struct stale s = {.c = c};

	if (!run)
		return 0;
	tests = path_join(run, "tests");
	walk_files(tests, NULL, find_stale, &s);
	if (s.n && !c->allow_stale)
		error("%zu data file%s of the last test run %s older than %s object (rebuilt since the "
		      "tests ran): %s%s. A report without %s would be wrong. Fix: re-run the tests "
		      "(ctest --test-dir %s -j N), then the coverage target; or, for a report that leaves "
		      "%s out, set PARALLEL_COVERAGE_ALLOW_STALE=ON (parcov report --allow-stale)",
		      s.n, s.n == 1 ? "" : "s", s.n == 1 ? "is" : "are", s.n == 1 ? "its" : "their",
		      s.first, s.n == 1 ? "" : " and others", s.n == 1 ? "it" : "them", c->build_dir,
		      s.n == 1 ? "it" : "them");
	free(s.first);
	free(tests);
	free(run);
	return s.n && !c->allow_stale;
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
	arg(&a, xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1));
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

/* gcovr renders its HTML from our JSON report (--add-tracefile): same numbers, its pages
 * (PARCOV_REPORTER=gcovr; the HTML is ours otherwise). */
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

/* Write one output to its temporary name; remembered for install or clean-up. */
struct pending {
	char *tmp[12], *dest[12];
	int n;
};

static int stage(struct pending *p, const char *dir, const char *name, const struct buffer *b)
{
	/* Reports are made again by re-running report: no fsync (megabytes of JSON would wait
	 * for the disk). */
	char *dest = path_join(dir, name), *tmp = write_temp_unsynced(dest, b->data ? b->data : "", b->len);
	if (!tmp) {
		error("cannot write %s.parcov-tmp:", dest);
		free(dest);
		return -1;
	}
	p->tmp[p->n] = tmp;
	p->dest[p->n++] = dest;
	return 0;
}

static long long timestamp(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	return e && *e ? atoll(e) : (long long)time(NULL);
}

int report(const struct config *c, const char *formats)
{
	struct covdata cd = {0};
	struct pending p = {0};
	const struct {
		int bit;
		const char *name;
	} ci[] = {{FMT_MD, "summary.md"}, {FMT_SONARQUBE, "sonarqube.xml"}, {FMT_COVERALLS, "coveralls.json"}};
	struct buffer summary = {0}, b = {0};
	struct totals total;
	const char *engine = getenv("PARCOV_REPORTER");
	char *json_tmp, *html_tmp = NULL, *out = c->output_dir;
	int mask, rc = 1, ret = 1, gcovr_made_json = 0, gcovr_reports = engine && !strcmp(engine, "gcovr");

	if (report_parse_formats(formats ? formats : c->formats, &mask) < 0)
		return 1;
	if (llvm_backend(c) && (mask & (FMT_MD | FMT_SONARQUBE | FMT_COVERALLS))) {
		error("the md, sonarqube and coveralls formats need the gcov backend for now "
		      "(PARALLEL_COVERAGE_BACKEND=gcov)");
		return 1;
	}
	if (llvm_backend(c))
		return llvm_report(c, formats);
	if (combine_interrupted(c))
		return 1;
	if (combined_count(c) == 0) {
		error("no combined coverage data in %s: run the tests (ctest --test-dir %s -j N), then "
		      "'parcov combine' (the coverage target runs both combine and report)",
		      c->build_dir, c->build_dir);
		return 1;
	}
	if (stale_data(c))
		return 1;
	if (mkdirs(out, 0777) < 0) {
		error("cannot create %s:", out);
		return 1;
	}
	json_tmp = xasprintf("%s/coverage.json.parcov-tmp", out);

	/* gcov run per object in parallel, its text read as gcovr does; gcovr when that cannot
	 * give its exact numbers. */
	if (!gcovr_reports) {
		rc = gcovjson_collect(c, &cd);
		if (rc < 0)
			goto out;
		if (rc > 0)
			covdata_free(&cd);
	}
	if (rc != 0) {
		if (gcovr_json(c, json_tmp) < 0 || covdata_load_gcovr_json(&cd, json_tmp, c->source_root) < 0)
			goto out;
		gcovr_made_json = 1;
	}
	summarize(&cd, &summary, &total);
	endings_append(c, &summary);

	if ((mask & FMT_JSON || (mask & FMT_HTML && gcovr_reports)) && !gcovr_made_json) {
		char *tmp;
		covdata_json(&cd, &b);
		tmp = write_temp_unsynced(json_tmp, b.data, b.len);
		if (!tmp || rename(tmp, json_tmp) < 0) {
			error("cannot write %s:", json_tmp);
			if (tmp)
				unlink(tmp);
			free(tmp);
			goto out;
		}
		free(tmp);
		buf_free(&b);
	}
	if (mask & FMT_HTML) {
		html_tmp = xasprintf("%s/html.parcov-tmp", out);
		remove_tree(html_tmp);
		if (mkdirs(html_tmp, 0777) < 0) {
			error("cannot create %s:", html_tmp);
			goto out;
		}
		if (gcovr_reports) {
			info("writing the HTML report (gcovr)");
			if (gcovr_html(c, json_tmp, html_tmp) < 0)
				goto out;
		} else {
			const char *slash = strrchr(c->source_root, '/');
			if (html_write(&cd, html_tmp, slash && slash[1] ? slash + 1 : c->source_root, NULL) < 0)
				goto out;
		}
	}
	for (size_t i = 0; i < sizeof ci / sizeof *ci; i++) {
		if (!(mask & ci[i].bit))
			continue;
		if (ci[i].bit == FMT_MD)
			write_md(&cd, NULL, &b);
		else if (ci[i].bit == FMT_SONARQUBE)
			write_sonarqube(&cd, &b);
		else
			write_coveralls(&cd, &b);
		if (stage(&p, out, ci[i].name, &b) < 0)
			goto out;
		buf_free(&b);
	}
	if (mask & FMT_XML) {
		covdata_cobertura(&cd, c->source_root, timestamp(), &b);
		if (stage(&p, out, "coverage.xml", &b) < 0)
			goto out;
		buf_free(&b);
	}
	if (mask & FMT_LCOV) {
		covdata_lcov(&cd, &b);
		if (stage(&p, out, "coverage.info", &b) < 0)
			goto out;
		buf_free(&b);
	}
	if (mask & FMT_TXT && stage(&p, out, "summary.txt", &summary) < 0)
		goto out;

	/* Everything is written: put it in place. */
	if (mask & FMT_JSON) {
		p.tmp[p.n] = xstrdup(json_tmp);
		p.dest[p.n++] = path_join(out, "coverage.json");
	}
	for (int i = 0; i < p.n; i++) {
		if (rename(p.tmp[i], p.dest[i]) < 0) {
			error("cannot rename %s to %s:", p.tmp[i], p.dest[i]);
			goto out;
		}
	}
	if (html_tmp) {
		char *path = path_join(out, "html"), *old = path_join(out, "html.parcov-old");
		remove_tree(old);
		if ((exists(path) && rename(path, old) < 0) || rename(html_tmp, path) < 0) {
			error("cannot replace %s:", path);
			free(path);
			free(old);
			goto out;
		}
		remove_tree(old);
		free(path);
		free(old);
	}
	fwrite(summary.data, 1, summary.len, stdout);
	printf("Reports in %s:%s%s%s%s%s%s%s%s\n", out, mask & FMT_TXT ? " summary.txt" : "",
	       mask & FMT_HTML ? " html/index.html" : "", mask & FMT_XML ? " coverage.xml" : "",
	       mask & FMT_JSON ? " coverage.json" : "", mask & FMT_LCOV ? " coverage.info" : "",
	       mask & FMT_MD ? " summary.md" : "", mask & FMT_SONARQUBE ? " sonarqube.xml" : "",
	       mask & FMT_COVERALLS ? " coveralls.json" : "");
	ret = report_threshold_missed(c->fail_under_line, "line", "PARALLEL_COVERAGE_FAIL_UNDER_LINE",
				      total.lines_hit, total.lines);
	ret |= report_threshold_missed(c->fail_under_branch, "branch",
				       "PARALLEL_COVERAGE_FAIL_UNDER_BRANCH", total.branches_taken,
				       total.branches);
out:
	for (int i = 0; i < p.n; i++) {
		unlink(p.tmp[i]);
		free(p.tmp[i]);
		free(p.dest[i]);
	}
	unlink(json_tmp);
	if (html_tmp)
		remove_tree(html_tmp);
	free(json_tmp);
	free(html_tmp);
	buf_free(&summary);
	buf_free(&b);
	covdata_free(&cd);
	return ret;
}

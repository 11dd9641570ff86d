#define _GNU_SOURCE
#include "affected.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "pertest.h"
#include "report.h"
#include "runs.h"
#include "testname.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n;
};

static void add_name(struct names *s, const char *name)
{
	s->v = xreallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n++] = xstrdup(name);
}

static void sort_unique(struct names *s)
{
	size_t k = 0;
	qsort(s->v, s->n, sizeof *s->v, cmp_str);
	for (size_t i = 0; i < s->n; i++) {
		if (k && !strcmp(s->v[k - 1], s->v[i])) {
			free(s->v[i]);
			continue;
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
}

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

int tests_for(const struct config *c, char *const *specs, size_t n)
{
	struct pertest *pt = pertest_load(c);
	struct names out = {0};
	int ret = 0;

	if (!pt)
		return 1;
	for (size_t i = 0; i < n && !ret; i++) {
		char *spec = xstrdup(specs[i]), *colon = strrchr(spec, ':'), *end;
		long first, last, in_report = 0;
		if (!colon || colon == spec) {
			error("'%s': expected FILE:LINE or FILE:FIRST-LAST", specs[i]);
			free(spec);
			ret = 2;
			break;
		}
		*colon = '\0';
		first = strtol(colon + 1, &end, 10);
		last = first;
		if (*end == '-')
			last = strtol(end + 1, &end, 10);
		if (*end || first <= 0 || last < first) {
			error("'%s': expected FILE:LINE or FILE:FIRST-LAST with line numbers from 1", specs[i]);
			free(spec);
			ret = 2;
			break;
		}
		for (long line = first; line <= last; line++) {
			const char *const *names;
			size_t k;
			int r = pertest_tests_for_line(pt, spec, line, &names, &k);
			if (r < 0) {
				error("%s is not a file of the coverage report (give its path relative to the "
				      "root %s, as the report shows it, or an absolute path)", spec, c->source_root);
				ret = 2;
				break;
			}
			in_report += r;
			for (size_t j = 0; j < k; j++)
				add_name(&out, names[j]);
		}
		if (!ret && !in_report) {
			error("%s:%s is not a line of the coverage report (no code there, or excluded)", spec,
			      colon + 1);
			ret = 2;
		}
		free(spec);
	}
	if (!ret) {
		sort_unique(&out);
		for (size_t i = 0; i < out.n; i++)
			printf("%s\n", out.v[i]);
	}
	names_free(&out);
	pertest_free(pt);
	return ret;
}

/* The tests ctest would run now: the configure-time list and those the newest data set's
 * ctest discovered. */
static void current_tests(const struct config *c, struct names *out)
{
	struct test_list t;
	char *run = runs_latest_with_data(c);

	if (testname_load(c->data_dir, run, &t) == 0) {
		for (size_t i = 0; i < t.n; i++)
			add_name(out, t.v[i].name);
		testname_free(&t);
	}
	free(run);
	sort_unique(out);
}

static void select_line(const struct pertest *pt, const char *path, long line, struct names *sel)
{
	const char *const *names;
	size_t k;
	if (line > 0 && pertest_tests_for_line(pt, path, line, &names, &k) == 1)
		for (size_t j = 0; j < k; j++)
			add_name(sel, names[j]);
}

static int write_selection(const struct names *sel, enum affected_output out, const char *tests_file)
{
	struct buffer b = {0};
	int ret = 0;

	if (out == AFFECTED_REGEX) {
		/* An empty -R matches every test: select none with a regex no name matches. */
		buf_printf(&b, "^(");
		for (size_t i = 0; i < sel->n; i++) {
			char *e = regex_escape(sel->v[i]);
			buf_printf(&b, "%s%s", i ? "|" : "", e);
			free(e);
		}
		buf_printf(&b, ")$\n");
	} else {
		for (size_t i = 0; i < sel->n; i++)
			buf_printf(&b, "%s\n", sel->v[i]);
	}
	if (tests_file) {
		if (write_file_atomic(tests_file, b.data ? b.data : "", b.len) < 0) {
			error("cannot write %s:", tests_file);
			ret = 1;
		}
	} else if (b.len) {
		fwrite(b.data, 1, b.len, stdout);
	}
	buf_free(&b);
	return ret;
}

int affected(const struct config *c, const char *diff_file, const char *since,
	     enum affected_output out, const char *tests_file)
{
	struct pertest *pt;
	struct diff d;
	struct names sel = {0}, now = {0};
	const char *all_because = NULL;
	char *why = NULL;
	size_t measured, unmeasured = 0, partial = 0;
	int ret;

	if ((diff_file ? diff_load(diff_file, &d) : diff_since(c, since, &d)) < 0)
		return 1;
	pt = pertest_load(c);
	if (!pt) {
		diff_free(&d);
		return 1;
	}
	measured = pertest_n_tests(pt);
	current_tests(c, &now);
	for (size_t i = 0; i < d.n; i++) {
		const struct diff_file *f = &d.f[i];
		const char *const *names;
		size_t k;
		if (!f->old_path || f->no_lines || pertest_tests_for_line(pt, f->old_path, 1, &names, &k) < 0) {
			/* A file no instrumented object ran or compiled (a header compiled nowhere, a
			 * test script, a build file, a new file): nothing tells which tests it changes. */
			if (!all_because) {
				all_because = f->old_path ? f->old_path : f->new_path;
				why = xstrdup(!f->old_path ? "is new" : f->no_lines ? "changed in no line a diff shows (binary, renamed?)" : "is not in the coverage data");
			}
			continue;
		}
		for (size_t j = 0; j < f->nremoved; j++)
			select_line(pt, f->old_path, f->removed[j], &sel);
		for (size_t j = 0; j < f->ninserted; j++) {
			select_line(pt, f->old_path, pertest_nearest_line(pt, f->old_path, f->inserted[j], -1), &sel);
			select_line(pt, f->old_path, pertest_nearest_line(pt, f->old_path, f->inserted[j] + 1, 1), &sel);
		}
	}
	if (all_because) {
		fprintf(stderr, "%s: %s %s (a header compiled nowhere, a test script, a build file?): "
			"every test is selected\n", argv0, all_because, why);
		for (size_t i = 0; i < measured; i++)
			add_name(&sel, pertest_test_name(pt, i));
		for (size_t i = 0; i < now.n; i++)
			add_name(&sel, now.v[i]);
	}
	/* Safe by default: tests the data cannot judge run too. */
	for (size_t i = 0; i < measured; i++)
		if (pertest_test_partial(pt, i)) {
			add_name(&sel, pertest_test_name(pt, i));
			partial++;
		}
	for (size_t i = 0; i < now.n; i++) {
		/* The store lists its tests sorted by name. */
		size_t lo = 0, hi = measured;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int d = strcmp(pertest_test_name(pt, mid), now.v[i]);
			if (d == 0)
				lo = hi = mid + measured + 1;
			else if (d < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo <= measured) {
			add_name(&sel, now.v[i]);
			unmeasured++;
		}
	}
	sort_unique(&sel);
	if (partial)
		fprintf(stderr, "%s: %zu test%s with partial data (crashed or timed out) selected\n", argv0,
			partial, partial == 1 ? "" : "s");
	if (unmeasured)
		fprintf(stderr, "%s: %zu test%s not measured by the last coverage run selected\n", argv0,
			unmeasured, unmeasured == 1 ? "" : "s");
	{
		/* Every test known: measured ones and the ones ctest has now. */
		struct names all = {0};
		for (size_t i = 0; i < measured; i++)
			add_name(&all, pertest_test_name(pt, i));
		for (size_t i = 0; i < now.n; i++)
			add_name(&all, now.v[i]);
		sort_unique(&all);
		fprintf(stderr, "%s: %zu of %zu tests selected\n", argv0, sel.n, all.n);
		names_free(&all);
	}
	ret = write_selection(&sel, out, tests_file);
	free(why);
	names_free(&sel);
	names_free(&now);
	diff_free(&d);
	pertest_free(pt);
	return ret;
}

#define _GNU_SOURCE
#include "diff.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "covdata.h"
#include "proc.h"
#include "writers.h"
#include "util.h"

const char *diff_option_file, *diff_option_since;

static void push(long **v, size_t *n, long x)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = x;
}

/* The path of a ---/+++ line: up to a tab (diff -u's timestamp), without a/ or b/. */
static char *header_path(const char *p, const char *eol, const char *prefix)
{
	const char *end = memchr(p, '\t', (size_t)(eol - p));
	size_t len;
	if (!end)
		end = eol;
	while (end > p && (end[-1] == ' ' || end[-1] == '\r'))
		end--;
	len = (size_t)(end - p);
	if (len == 9 && !memcmp(p, "/dev/null", 9))
		return NULL;
	if (len > 2 && !memcmp(p, prefix, 2)) {
		p += 2;
		len -= 2;
	}
	return strndup(p, len);
}

static struct diff_file *add_file(struct diff *d, char *old_path, char *new_path)
{
	struct diff_file *f;
	d->f = xreallocarray(d->f, d->n + 1, sizeof *d->f);
	f = &d->f[d->n++];
	memset(f, 0, sizeof *f);
	f->old_path = old_path;
	f->new_path = new_path;
	return f;
}

/* git's "diff --git a/X b/Y" starts a file whose change may have no hunks (a binary file, a
 * rename, a mode change): kept as a file changed in unknown lines. */
static void git_header_unused(struct diff *d, char **old_path, char **new_path)
{
	if (*old_path || *new_path)
		add_file(d, *old_path, *new_path)->no_lines = 1;
	*old_path = *new_path = NULL;
}

int diff_parse(const char *text, const char *what, struct diff *d)
{
	const char *p = text, *eol;
	struct diff_file *f = NULL;
	long old = 0, new = 0, oleft = 0, nleft = 0;
	int lineno = 0, replaced = 0;
	char *git_old = NULL, *git_new = NULL;

	memset(d, 0, sizeof *d);
	for (; *p; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (!eol)
			eol = p + strlen(p);
		lineno++;
		if (oleft > 0 || nleft > 0) {
			if (*p == ' ' || p == eol) {
				old++, new++, oleft--, nleft--;
				replaced = 0;
			} else if (*p == '-') {
				push(&f->removed, &f->nremoved, old++);
				oleft--;
				replaced = 1;
			} else if (*p == '+') {
				/* Lines added where none was removed fall between two old lines. */
				if (!replaced && (!f->ninserted || f->inserted[f->ninserted - 1] != old - 1))
					push(&f->inserted, &f->ninserted, old - 1);
				push(&f->added, &f->nadded, new++);
				nleft--;
			} else if (*p != '\\') {
				error("%s:%d: the hunk ends early (a truncated diff?)", what, lineno);
				free(git_old);
				free(git_new);
				diff_free(d);
				return -1;
			}
			continue;
		}
		if (!strncmp(p, "diff --git a/", 13)) {
			const char *b = NULL;
			git_header_unused(d, &git_old, &git_new);
			for (const char *q = p + 13; q + 3 <= eol; q++)
				if (!strncmp(q, " b/", 3))
					b = q;
			if (b) {
				git_old = strndup(p + 13, (size_t)(b - p - 13));
				git_new = strndup(b + 3, (size_t)(eol - b - 3));
			}
		} else if (!strncmp(p, "--- ", 4) && !strncmp(eol[0] ? eol + 1 : eol, "+++ ", 4)) {
			const char *next = eol + 1, *eol2 = strchr(next, '\n');
			if (!eol2)
				eol2 = next + strlen(next);
			free(git_old);
			free(git_new);
			git_old = git_new = NULL;
			f = add_file(d, header_path(p + 4, eol, "a/"), header_path(next + 4, eol2, "b/"));
			eol = eol2;
			lineno++;
		} else if (!strncmp(p, "@@ -", 4)) {
			long os, oc = 1, ns, nc = 1;
			char *q;
			if (!f) {
				error("%s:%d: a hunk before any ---/+++ file header", what, lineno);
				free(git_old);
				free(git_new);
				diff_free(d);
				return -1;
			}
			os = strtol(p + 4, &q, 10);
			if (*q == ',')
				oc = strtol(q + 1, &q, 10);
			if (strncmp(q, " +", 2)) {
				error("%s:%d: not a unified diff hunk header", what, lineno);
				free(git_old);
				free(git_new);
				diff_free(d);
				return -1;
			}
			ns = strtol(q + 2, &q, 10);
			if (*q == ',')
				nc = strtol(q + 1, &q, 10);
			/* An empty side names the line before the hunk. */
			old = oc ? os : os + 1;
			new = nc ? ns : ns + 1;
			oleft = oc;
			nleft = nc;
			replaced = 0;
		}
		/* Anything else (git's "index", mode and rename lines, text between files) is not
		 * about lines. */
	}
	git_header_unused(d, &git_old, &git_new);
	return 0;
}

int diff_load(const char *path, struct diff *d)
{
	struct buffer b = {0};
	int ret;

	if (!strcmp(path, "-")) {
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
			buf_add(&b, chunk, n);
		if (ferror(stdin)) {
			error("cannot read the diff from stdin:");
			buf_free(&b);
			return -1;
		}
		buf_add(&b, "", 0);
	} else if (read_file(path, &b) < 0) {
		error("cannot read the diff %s:", path);
		return -1;
	}
	ret = diff_parse(b.data ? b.data : "", strcmp(path, "-") ? path : "<stdin>", d);
	buf_free(&b);
	return ret;
}

int diff_since(const struct config *c, const char *rev, struct diff *d)
{
	struct argv a = {0};
	/* git's output goes to a file of the build tree: parcov writes nowhere else. */
	char *tmpl = xasprintf("%s/git-diff.parcov-tmp-XXXXXX", c->data_dir);
	int fd = mkstemp(tmpl), status, ret;
	struct buffer b = {0};
	pid_t pid;

	if (fd < 0) {
		error("cannot create %s for git diff:", tmpl);
		free(tmpl);
		return -1;
	}
	close(fd);
	arg(&a, xstrdup("git"));
	arg(&a, xstrdup("diff"));
	arg(&a, xstrdup("--no-color"));
	arg(&a, xstrdup("--no-ext-diff"));
	arg(&a, xstrdup("--relative"));
	arg(&a, xstrdup("-U0"));
	arg(&a, xstrdup(rev));
	arg(&a, xstrdup("--"));
	pid = proc_start(a.v, c->source_root, tmpl);
	status = pid < 0 ? -1 : proc_wait(pid);
	argv_free(&a);
	if (status != 0) {
		error("git diff %s in %s failed (status %d): is it a git work tree, and does the "
		      "revision exist (git fetch it)?", rev, c->source_root, status);
		unlink(tmpl);
		free(tmpl);
		return -1;
	}
	if (read_file(tmpl, &b) < 0) {
		error("cannot read %s:", tmpl);
		unlink(tmpl);
		free(tmpl);
		return -1;
	}
	unlink(tmpl);
	free(tmpl);
	ret = diff_parse(b.data, "git diff", d);
	buf_free(&b);
	return ret;
}

void diff_free(struct diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->f[i].old_path);
		free(d->f[i].new_path);
		free(d->f[i].removed);
		free(d->f[i].inserted);
		free(d->f[i].added);
	}
	free(d->f);
	memset(d, 0, sizeof *d);
}

/* The report's relative name of a diff path: relative to the root as given, or absolute
 * below the root. */
static int same_file(const struct config *c, const char *diff_path, const char *path)
{
	size_t rl = strlen(c->source_root);
	if (!diff_path)
		return 0;
	if (!strcmp(diff_path, path))
		return 1;
	if (path[0] == '/' && !strncmp(path, c->source_root, rl) && path[rl] == '/' &&
	    !strcmp(path + rl + 1, diff_path))
		return 1;
	return diff_path[0] == '/' && !strncmp(diff_path, c->source_root, rl) &&
	       diff_path[rl] == '/' && !strcmp(diff_path + rl + 1, path);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

int diff_changed(const struct diff *d, const struct config *c, const char *path, long line)
{
	for (size_t i = 0; i < d->n; i++)
		if (same_file(c, d->f[i].new_path, path) &&
		    bsearch(&line, d->f[i].added, d->f[i].nadded, sizeof line, cmp_long))
			return 1;
	return 0;
}

int diff_wanted(const struct config *c, struct diff *d)
{
	int ret;

	if (diff_option_file)
		ret = diff_load(diff_option_file, d);
	else if (diff_option_since)
		ret = diff_since(c, diff_option_since, d);
	else if (c->diff_base && *c->diff_base)
		ret = diff_since(c, c->diff_base, d);
	else
		return 0;
	return ret < 0 ? -1 : 1;
}

int diff_patch_summary(const struct config *c, const struct diff *diff, const struct covdata *cd,
		       struct buffer *summary)
{
	const struct diff d = *diff;
	struct buffer list = {0};
	long total = 0, covered = 0;
	char pct[16];

	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		long *numbers = NULL;
		int *cov = NULL;
		size_t m = 0, uncovered = 0;
		for (size_t k = 0; k < d.n; k++) {
			const struct diff_file *df = &d.f[k];
			if (!same_file(c, df->new_path, f->name) && !same_file(c, df->new_path, f->path))
				continue;
			for (size_t j = 0; j < df->nadded; j++) {
				long n = df->added[j];
				const struct cov_line *l;
				if (n <= 0 || (size_t)n >= f->nlines)
					continue;
				l = &f->lines[n];
				if (!l->present || l->noncode || l->excluded)
					continue;
				numbers = xreallocarray(numbers, m + 1, sizeof *numbers);
				cov = xreallocarray(cov, m + 1, sizeof *cov);
				numbers[m] = n;
				cov[m] = l->count > 0;
				uncovered += !cov[m];
				m++;
			}
		}
		total += (long)m;
		covered += (long)(m - uncovered);
		if (uncovered) {
			/* Runs of consecutive uncovered line numbers, as the table's Missing column. */
			int first = 1;
			buf_printf(&list, "  %s: ", f->name);
			for (size_t j = 0; j < m; j++) {
				size_t e = j;
				if (cov[j])
					continue;
				while (e + 1 < m && !cov[e + 1] && numbers[e + 1] == numbers[e] + 1)
					e++;
				if (e == j)
					buf_printf(&list, "%s%ld", first ? "" : ",", numbers[j]);
				else
					buf_printf(&list, "%s%ld-%ld", first ? "" : ",", numbers[j], numbers[e]);
				first = 0;
				j = e;
			}
			buf_add(&list, "\n", 1);
		}
		free(numbers);
		free(cov);
	}
	if (list.len)
		buf_printf(summary, "\nChanged lines not covered:\n%s", list.data);
	/* No changed code line: nothing uncovered, 100% as the thresholds count it. */
	snprintf(pct, sizeof pct, "%.1f%%", report_percent(covered, total));
	buf_printf(summary, "\nPatch: %ld of %ld changed lines covered (%s)\n", covered, total, pct);
	buf_free(&list);
	return report_threshold_missed(c->fail_under_patch, "patch", "PARALLEL_COVERAGE_FAIL_UNDER_PATCH",
				       covered, total);
}

#define _GNU_SOURCE
#include "html.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "writers.h"
#include "util.h"

/* Text as HTML: the five characters that could end an element or an attribute. */
static void esc(struct buffer *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *r;
		switch (s[i]) {
		case '&': r = "&amp;"; break;
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&#39;"; break;
		case '\r': r = ""; break; /* CRLF sources: the row ends the line */
		default: continue;
		}
		buf_add(b, s + start, i - start);
		buf_add(b, r, strlen(r));
		start = i + 1;
	}
	buf_add(b, s + start, n - start);
}

static void escs(struct buffer *b, const char *s)
{
	esc(b, s, strlen(s));
}

char *html_page_name(const struct cov_file *f, size_t i)
{
	const char *base = strrchr(f->name, '/');
	char *name = xasprintf("f%04zu-%s.html", i, base ? base + 1 : f->name);
	/* Only characters that need no escaping in a URL or a file name. */
	for (char *p = name + 6; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') && !(*p >= '0' && *p <= '9') &&
		    *p != '.' && *p != '-' && *p != '_')
			*p = '_';
	return name;
}

static void head(struct buffer *b, const char *title, const char *what)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		      "<title>");
	escs(b, what);
	buf_printf(b, " — coverage of ");
	escs(b, title);
	buf_printf(b, "</title><link rel=\"stylesheet\" href=\"parcov.css\">"
		      "<script src=\"parcov.js\" defer></script></head>\n<body>"
		      "<a class=\"skip\" href=\"#main\">Skip to content</a><header><nav><a href=\"index.html\">");
	escs(b, title);
	buf_printf(b, "</a></nav><button type=\"button\" id=\"theme\" aria-pressed=\"false\" "
		      "title=\"Light or dark theme (t)\">Theme</button></header>\n<main id=\"main\">");
}

static void foot(struct buffer *b)
{
	buf_printf(b, "</main><footer>Written by parcov (ParallelCoverage). Keys: <kbd>t</kbd> theme"
		      "</footer></body></html>\n");
}

/* One "percent (part of whole)" cell, sortable by its percentage; a bar for the eye, the
 * number for everyone. Nothing to cover (0/0) draws an empty bar: a full one would read as
 * "all covered" next to files that are. */
static void pct_cell(struct buffer *b, long part, long whole)
{
	char p[16];
	report_pct(p, sizeof p, part, whole);
	buf_printf(b, "<td class=\"num\" data-v=\"%.4f\"><span class=\"bar\" aria-hidden=\"true\">"
		      "<span style=\"width:%.0f%%\"></span></span> %s <span class=\"of\">%ld/%ld</span></td>",
		   whole ? report_percent(part, whole) : -1.0, whole ? report_percent(part, whole) : 0.0,
		   p, part, whole);
}

/* The totals' cells; regions and MC/DC conditions only when the backend measured them. */
static void totals_cells(struct buffer *b, const struct covdata *cd, const struct cov_totals *t)
{
	pct_cell(b, t->lines_hit, t->lines);
	pct_cell(b, t->branches_taken, t->branches);
	pct_cell(b, t->functions_hit, t->functions);
	if (cd->has_regions)
		pct_cell(b, t->regions_hit, t->regions);
	if (cd->has_mcdc)
		pct_cell(b, t->mcdc_hit, t->mcdc);
}

/* Their headings: sort buttons in the index's tables, plain in a summary. */
static void totals_head(struct buffer *b, const struct covdata *cd, int sortable)
{
	const char *names[] = {"Lines", "Branches", "Functions", cd->has_regions ? "Regions" : NULL,
			       cd->has_mcdc ? "MC/DC" : NULL};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (names[i])
			buf_printf(b, sortable ? "<th scope=\"col\"><button type=\"button\">%s</button></th>"
					       : "<th scope=\"col\">%s</th>", names[i]);
}

static void summary_table(struct buffer *b, const struct covdata *cd, const struct cov_totals *t,
			  long patch, long patch_hit)
{
	buf_printf(b, "<table class=\"summary\" id=\"summary\"><thead><tr><th scope=\"col\">Total</th>");
	totals_head(b, cd, 0);
	buf_printf(b, "%s</tr></thead><tbody><tr><th scope=\"row\">All</th>",
		   patch >= 0 ? "<th scope=\"col\">Changed lines</th>" : "");
	totals_cells(b, cd, t);
	if (patch >= 0)
		pct_cell(b, patch_hit, patch);
	buf_printf(b, "</tr></tbody></table>\n");
}

/* One write per page. Over a previous page, cut to length after writing, not to 0 before:
 * ext4 flushes a file truncated to 0 when it is closed (its guard for rewrite-in-place),
 * a disk write per page for nothing. */
static int put(const char *dir, const char *name, const struct buffer *b)
{
	char *path = path_join(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	int ok = fd >= 0 && write_all(fd, b->data ? b->data : "", b->len) == 0 &&
		 ftruncate(fd, (off_t)b->len) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (!ok)
		error("cannot write %s:", path);
	free(path);
	return ok ? 0 : -1;
}

/* --- The page of one file ------------------------------------------------------------------ */

struct source {
	const char **line; /* line[n] for n in 1..n */
	size_t *len, n;
	int unread; /* the file could not be read */
};

static void source_read(struct source *s, const char *path)
{
	/* Read once for gcovtext and this (util.h). */
	const struct source_file *sf = source_file(path, 1);
	size_t cap = 0;
	memset(s, 0, sizeof *s);
	if ((s->unread = sf->read_errno != 0))
		return;
	for (const char *p = sf->text.data, *end = p + sf->text.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (s->n + 2 > cap) {
			cap = cap ? cap * 2 : 1024;
			s->line = xreallocarray(s->line, cap, sizeof *s->line);
			s->len = xreallocarray(s->len, cap, sizeof *s->len);
		}
		s->n++;
		s->line[s->n] = p;
		s->len[s->n] = len;
		p += len + 1;
	}
}

static void source_free(struct source *s)
{
	free(s->line);
	free(s->len);
}

/* The lines not run, as links ("12, 14-16"). */
static void missing_links(struct buffer *b, const struct cov_file *f)
{
	long start = -1, end = -1;
	int first = 1;
	for (size_t n = 1; n <= f->nlines; n++) {
		const struct cov_line *l = n < f->nlines ? &f->lines[n] : NULL;
		if (l && !cov_line_counts(l))
			continue; /* non-code lines do not break a run (gcovr's Missing column) */
		if (l && l->count == 0) {
			if (start < 0)
				start = (long)n;
			end = (long)n;
			continue;
		}
		if (start >= 0) {
			buf_printf(b, "%s<a href=\"#L%ld\">%ld", first ? "" : ", ", start, start);
			if (end != start)
				buf_printf(b, "–%ld", end);
			buf_printf(b, "</a>");
			first = 0;
			start = -1;
		}
	}
	if (first)
		buf_printf(b, "none");
}

static void branch_details(struct buffer *b, const struct cov_line *l)
{
	size_t taken = cov_line_taken(l);
	buf_printf(b, "<details><summary>%s %zu/%zu</summary>", taken == l->nbr ? "✓" : "◐", taken, l->nbr);
	for (size_t i = 0; i < l->nbr; i++) {
		const struct cov_branch *br = &l->br[i];
		buf_printf(b, "<br>%zu%s: ", i, br->thrown ? " (exception)" : br->fallthrough ? " (fallthrough)" : "");
		if (br->count > 0)
			buf_printf(b, "taken %lld×", br->count);
		else
			buf_printf(b, "<b>not taken</b>");
	}
	buf_printf(b, "</details>");
}

/* The regions starting on a line that ran, when one of them did not (llvm). */
static void region_details(struct buffer *b, const struct cov_region *r, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++)
		run += r[i].count > 0;
	buf_printf(b, "<details><summary>◔ %zu/%zu</summary>", run, n);
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "<br>col %ld: ", r[i].col);
		if (r[i].count > 0)
			buf_printf(b, "%lld×", r[i].count);
		else
			buf_printf(b, "<b>not run</b>");
	}
	buf_printf(b, "</details>");
}

/* An MC/DC decision starting on this line: its conditions in llvm-cov's order (C1, ...),
 * each with its place, its source text and its branch counts when known. */
static void mcdc_details(struct buffer *b, const struct cov_file *f, const struct cov_decision *d,
			 const struct source *s)
{
	size_t shown = 0;
	for (size_t i = 0; i < d->n; i++)
		shown += f->cond[d->first + i].covered;
	buf_printf(b, "<details><summary>MC/DC %zu/%zu</summary>decision %ld:%ld–%ld:%ld", shown, d->n,
		   d->line, d->col, d->end_line, d->end_col);
	for (size_t i = 0; i < d->n; i++) {
		const struct cov_condition *c = &f->cond[d->first + i];
		buf_printf(b, "<br>C%zu", i + 1);
		if (c->line > 0) {
			buf_printf(b, " %ld:%ld", c->line, c->col);
			if (c->end_line == c->line && (size_t)c->line <= s->n && c->col > 0 &&
			    c->end_col > c->col && (size_t)c->end_col - 1 <= s->len[c->line]) {
				buf_printf(b, " <code>");
				esc(b, s->line[c->line] + c->col - 1, (size_t)(c->end_col - c->col));
				buf_printf(b, "</code>");
			}
		}
		buf_printf(b, c->covered ? ": covered" : ": <b>not covered</b>");
		if (c->line > 0)
			buf_printf(b, " (true %lld×, false %lld×)", c->true_count, c->false_count);
	}
	buf_printf(b, "</details>");
}

static void tests_cell(struct buffer *b, const struct cov_extras *x, const struct cov_file *f, long n)
{
	size_t nt = 0;
	const char *const *t = x->tests_for(x->ctx, f, n, &nt);
	buf_str(b, "<td>");
	if (t && nt) {
		buf_str(b, "<details><summary>");
		buf_num(b, (long long)nt);
		buf_str(b, nt == 1 ? " test</summary><ul>" : " tests</summary><ul>");
		for (size_t i = 0; i < nt; i++) {
			buf_str(b, "<li>");
			escs(b, t[i]);
			buf_str(b, "</li>");
		}
		buf_str(b, "</ul></details>");
	}
	buf_str(b, "</td>");
}

static void file_page(struct buffer *b, const struct covdata *cd, const struct cov_file *f,
		      const char *title, const struct cov_extras *x)
{
	struct source s;
	struct cov_totals t;
	size_t last, reg = 0, dec = 0;
	long patch = -1, patch_hit = 0;
	int tests = x && x->tests_for, changed = x && x->changed;

	source_read(&s, f->path);
	cov_file_totals(f, &t, NULL);
	if (changed) {
		patch = 0;
		cov_patch_totals(x, f, &patch, &patch_hit);
	}
	head(b, title, f->name);
	buf_printf(b, "<h1>");
	escs(b, f->name);
	buf_printf(b, "</h1>\n");
	summary_table(b, cd, &t, patch, patch_hit);
	buf_printf(b, "<p class=\"missing\" id=\"missing\"><strong>Lines not run:</strong> ");
	missing_links(b, f);
	buf_printf(b, "</p>\n<p class=\"keys\">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous line not run "
		      "or with a branch not taken%s, <kbd>t</kbd> theme. Marks: <span class=\"mk\">✗</span> not run, "
		      "<span class=\"mk\">◐</span> a branch not taken, <span class=\"mk\">✓</span> all "
		      "branches taken, %s%s<span class=\"mk\">–</span> excluded%s.</p>\n",
		   cd->has_mcdc ? ", a region not run or an MC/DC condition not covered"
		   : cd->has_regions ? " or a region not run" : "",
		   cd->has_regions ? "<span class=\"mk\">◔ 1/2</span> one of the two regions starting on the "
				     "line not run (their columns when opened), " : "",
		   cd->has_mcdc ? "<span class=\"mk\">MC/DC 1/2</span> one of a decision's two conditions "
				  "covered (shown to change the outcome alone), " : "",
		   changed ? ", <span class=\"mk\">Δ</span> changed by the diff" : "");
	if (s.unread)
		buf_printf(b, "<p class=\"warn\" role=\"note\">The source file could not be read: counts "
			      "only.</p>\n");

	buf_printf(b, "<h2 id=\"functions\">Functions</h2>\n");
	if (f->nfn) {
		buf_printf(b, "<table class=\"sortable fns\"><thead><tr>"
			      "<th scope=\"col\"><button type=\"button\">Function</button></th>"
			      "<th scope=\"col\"><button type=\"button\">Line</button></th>"
			      "<th scope=\"col\"><button type=\"button\">Calls</button></th></tr></thead><tbody>");
		for (size_t i = 0; i < f->nfn; i++) {
			const struct cov_function *fn = &f->fn[i];
			buf_printf(b, "<tr%s><td><a href=\"#L%ld\">", fn->count ? "" : " class=\"u\"", fn->lineno);
			escs(b, fn->name);
			buf_printf(b, "</a></td><td class=\"num\" data-v=\"%ld\">%ld</td>"
				      "<td class=\"num\" data-v=\"%lld\">%s%lld</td></tr>",
				   fn->lineno, fn->lineno, fn->count, fn->count ? "" : "✗ ", fn->count);
		}
		buf_printf(b, "</tbody></table>\n");
	} else {
		buf_printf(b, "<p>None recorded.</p>\n");
	}

	buf_printf(b, "<h2 id=\"source\">Source</h2>\n<table class=\"src%s%s\" id=\"src\"><thead><tr>"
		      "<th scope=\"col\">Line</th><th scope=\"col\">Count</th><th scope=\"col\">Mark</th>%s%s"
		      "<th scope=\"col\">Source</th></tr></thead><tbody>\n",
		   changed ? " with-changed" : "", tests ? " with-tests" : "", changed ? "<th scope=\"col\"><abbr title=\"changed by the diff\">Δ</abbr></th>" : "",
		   tests ? "<th scope=\"col\">Tests</th>" : "");
	last = cov_file_last_line(f);
	if (s.n > last)
		last = s.n;
	for (size_t n = 1; n <= last; n++) {
		const struct cov_line *l = n < f->nlines ? &f->lines[n] : NULL;
		const char *cls = "", *mark = "";
		int code = l && cov_line_counts(l), partial = code && l->nbr && cov_line_taken(l) < l->nbr;
		int ch = changed && x->changed(x->ctx, f, (long)n);
		size_t r0 = reg, d0 = dec;

		/* This line's regions (one not run: partly run) and decisions (a condition not
		 * covered: partly covered); both sorted by line. */
		for (; reg < f->nreg && f->reg[reg].line <= (long)n; reg++)
			if (f->reg[reg].line < (long)n)
				r0 = reg + 1;
		partial |= code && reg > r0;
		for (; dec < f->ndec && f->dec[dec].line <= (long)n; dec++)
			if (f->dec[dec].line < (long)n)
				d0 = dec + 1;
			else
				for (size_t i = 0; i < f->dec[dec].n; i++)
					partial |= code && !f->cond[f->dec[dec].first + i].covered;

		if (code && l->count == 0)
			cls = " class=\"u\"", mark = "✗";
		else if (partial)
			cls = " class=\"p\"";
		else if (code)
			cls = " class=\"h\"";
		else if (l && l->present && l->excluded)
			cls = " class=\"x\"", mark = "–";
		/* Sources of 20,000 lines: the columns are styled by position, not by a class. */
		buf_str(b, "<tr id=\"L");
		buf_num(b, (long long)n);
		buf_str(b, "\"");
		buf_str(b, cls);
		if (ch)
			buf_str(b, " data-changed=\"1\"");
		buf_str(b, "><td>");
		buf_num(b, (long long)n);
		buf_str(b, "</td><td>");
		if (code)
			buf_num(b, l->count);
		buf_str(b, "</td><td>");
		buf_str(b, mark);
		if (code && l->nbr)
			branch_details(b, l);
		/* llvm's marks after the others, a space apart (gcov's cells stay as they were). */
		if (code && reg > r0) {
			buf_printf(b, *mark || l->nbr ? " " : "");
			region_details(b, &f->reg[r0], reg - r0);
		}
		for (size_t i = d0; i < dec; i++) {
			buf_printf(b, *mark || (code && (l->nbr || reg > r0)) || i > d0 ? " " : "");
			mcdc_details(b, f, &f->dec[i], &s);
		}
		buf_str(b, "</td>");
		if (changed)
			buf_str(b, ch ? "<td>Δ</td>" : "<td></td>");
		if (tests) {
			if (code && l->count > 0)
				tests_cell(b, x, f, (long)n);
			else
				buf_str(b, "<td></td>");
		}
		buf_str(b, "<td>");
		if (n <= s.n)
			esc(b, s.line[n], s.len[n]);
		buf_str(b, "</td></tr>\n");
	}
	buf_printf(b, "</tbody></table>\n");
	foot(b);
	source_free(&s);
}

/* --- The index ----------------------------------------------------------------------------- */

struct dir {
	char *name;
	struct cov_totals t;
	size_t files;
};

static char *dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? strndup(name, (size_t)(slash - name)) : xstrdup(".");
}

static void index_page(struct buffer *b, const struct covdata *cd, const char *title,
		       const struct cov_extras *x)
{
	struct dir *d = NULL;
	size_t nd = 0;
	struct cov_totals all = {0}, t;
	long patch = -1, patch_hit = 0;

	if (x && x->changed) {
		patch = 0;
		for (size_t i = 0; i < cd->n; i++)
			cov_patch_totals(x, cd->files[i], &patch, &patch_hit);
	}
	for (size_t i = 0; i < cd->n; i++) {
		char *dn = dir_of(cd->files[i]->name);
		size_t k;
		for (k = 0; k < nd && strcmp(d[k].name, dn); k++)
			;
		if (k == nd) {
			d = xreallocarray(d, nd + 1, sizeof *d);
			d[nd++] = (struct dir){.name = dn};
		} else {
			free(dn);
		}
		cov_file_totals(cd->files[i], &t, &all);
		cov_file_totals(cd->files[i], &t, &d[k].t);
		d[k].files++;
	}
	head(b, title, "Index");
	buf_printf(b, "<h1>Coverage of ");
	escs(b, title);
	buf_printf(b, "</h1>\n");
	summary_table(b, cd, &all, patch, patch_hit);
	buf_printf(b, "<p class=\"keys\">Sort a table by a column with its heading's button; "
		      "<kbd>/</kbd> filters the files, <kbd>t</kbd> switches the theme.</p>\n");

	buf_printf(b, "<h2 id=\"directories\">Directories</h2>\n<table class=\"sortable\" id=\"dirs\">"
		      "<thead><tr><th scope=\"col\"><button type=\"button\">Directory</button></th>"
		      "<th scope=\"col\"><button type=\"button\">Files</button></th>");
	totals_head(b, cd, 1);
	buf_printf(b, "</tr></thead><tbody>");
	for (size_t k = 0; k < nd; k++) {
		buf_printf(b, "<tr><th scope=\"row\" data-v=\"");
		escs(b, d[k].name);
		buf_printf(b, "\"><a href=\"#files\" data-dir=\"");
		escs(b, d[k].name);
		buf_printf(b, "\">");
		escs(b, d[k].name);
		buf_printf(b, "</a></th><td class=\"num\" data-v=\"%zu\">%zu</td>", d[k].files, d[k].files);
		totals_cells(b, cd, &d[k].t);
		buf_printf(b, "</tr>\n");
		free(d[k].name);
	}
	free(d);
	buf_printf(b, "</tbody></table>\n");

	buf_printf(b, "<h2 id=\"files\">Files</h2>\n<p><label>Filter: <input type=\"search\" id=\"filter\" "
		      "placeholder=\"part of a path\"></label> <span id=\"shown\" aria-live=\"polite\"></span></p>\n"
		      "<table class=\"sortable\" id=\"filelist\"><thead><tr>"
		      "<th scope=\"col\"><button type=\"button\">File</button></th>");
	totals_head(b, cd, 1);
	buf_printf(b, "</tr></thead><tbody>");
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		char *page = html_page_name(f, i);
		cov_file_totals(f, &t, NULL);
		buf_printf(b, "<tr><th scope=\"row\" data-v=\"");
		escs(b, f->name);
		buf_printf(b, "\"><a href=\"%s\">", page);
		escs(b, f->name);
		buf_printf(b, "</a></th>");
		totals_cells(b, cd, &t);
		buf_printf(b, "</tr>\n");
		free(page);
	}
	buf_printf(b, "</tbody></table>\n");
	foot(b);
}

/* Remove what dir holds besides the n files named in names (sorted): dir may be the previous
 * report's, its pages overwritten in place (report.c), and a page of a file no longer in the
 * report must not stay. */
static int prune(const char *dir, char **names, size_t n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d) {
		error("cannot open directory %s:", dir);
		return -1;
	}
	while ((e = readdir(d))) {
		const char *name = e->d_name;
		char *path;
		if (!strcmp(name, ".") || !strcmp(name, "..") || bsearch(&name, names, n, sizeof *names, cmp_strp))
			continue;
		path = path_join(dir, name);
		if (remove_tree(path) < 0)
			rc = -1;
		free(path);
	}
	closedir(d);
	return rc;
}

struct pages {
	const struct covdata *cd;
	const char *dir, *title;
	const struct cov_extras *x;
	char **names; /* the pages' names */
	int *rc;
};

static void write_page(void *ctx, size_t i)
{
	struct pages *p = ctx;
	struct buffer b = {0};

	p->names[i] = html_page_name(p->cd->files[i], i);
	file_page(&b, p->cd, p->cd->files[i], p->title, p->x);
	p->rc[i] = put(p->dir, p->names[i], &b);
	buf_free(&b);
}

int html_write(const struct covdata *cd, const char *dir, const char *title,
	       const struct cov_extras *x)
{
	struct pages pages = {cd, dir, title, x, NULL, NULL};
	struct buffer b = {0};
	char **names = xcalloc(cd->n + 3, sizeof *names);
	size_t n = 0;
	int rc = 0;

	if (mkdirs(dir, 0777) < 0) {
		error("cannot create %s:", dir);
		free(names);
		return -1;
	}
	buf_add(&b, html_css, strlen(html_css));
	rc |= put(dir, "parcov.css", &b);
	names[n++] = xstrdup("parcov.css");
	b.len = 0;
	buf_add(&b, html_js, strlen(html_js));
	rc |= put(dir, "parcov.js", &b);
	names[n++] = xstrdup("parcov.js");
	/* The pages on every processor: each is its own source read, markup and write. */
	pages.names = names + n;
	pages.rc = xcalloc(cd->n ? cd->n : 1, sizeof *pages.rc);
	if (!rc)
		parallel_for(cd->n, write_page, &pages);
	for (size_t i = 0; i < cd->n; i++) {
		rc |= pages.rc[i];
		if (names[n])
			n++;
	}
	free(pages.rc);
	if (!rc) {
		b.len = 0;
		index_page(&b, cd, title, x);
		rc |= put(dir, "index.html", &b);
		names[n++] = xstrdup("index.html");
		qsort(names, n, sizeof *names, cmp_strp);
		rc |= prune(dir, names, n);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&b);
	return rc ? -1 : 0;
}

/* Cobertura XML of the model, laid out as gcovr 5.2 writes it. */
#define _GNU_SOURCE
#include "covdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Python's str() of covered/total: the shortest repr that reads back the same double. */
static void rate(char *s, size_t size, long covered, long total)
{
	double v;
	if (!total) {
		snprintf(s, size, "0.0");
		return;
	}
	v = (double)covered / (double)total;
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(s, size, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	if (!strpbrk(s, ".e"))
		strncat(s, ".0", size - strlen(s) - 1);
}

/* int(CoverageStat.percent): round to one decimal, capped at 99.9 unless all covered. */
static int int_percent(long covered, long total)
{
	char s[32];
	double p;
	if (covered == total)
		return 100;
	snprintf(s, sizeof s, "%.1f", (double)covered / (double)total * 100.0);
	p = strtod(s, NULL);
	if (p > 99.9)
		p = 99.9;
	return (int)p;
}

static void xml_attr(struct buffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_add(b, "&amp;", 5); break;
		case '<': buf_add(b, "&lt;", 4); break;
		case '>': buf_add(b, "&gt;", 4); break;
		case '"': buf_add(b, "&quot;", 6); break;
		case '\n': buf_add(b, "&#10;", 5); break;
		case '\r': buf_add(b, "&#13;", 5); break;
		case '\t': buf_add(b, "&#9;", 4); break;
		default: buf_add(b, s, 1);
		}
	}
}

struct klass {
	const struct cov_file *f;
	char *dir, *cname;
};

static int cmp_klass(const void *a, const void *b)
{
	const struct klass *x = a, *y = b;
	int d = strcmp(x->dir, y->dir);
	return d ? d : strcmp(x->cname, y->cname);
}

/* MC/DC as attributes beside the branch ones (Cobertura has none; readers ignore unknown
 * attributes). */
static void mcdc(struct buffer *b, const struct covdata *cd, const struct cov_totals *t)
{
	char r[40];
	if (!cd->has_mcdc)
		return;
	rate(r, sizeof r, t->mcdc_hit, t->mcdc);
	buf_printf(b, " condition-rate=\"%s\" conditions-covered=\"%ld\" conditions-valid=\"%ld\"", r,
		   t->mcdc_hit, t->mcdc);
}

void covdata_cobertura(const struct covdata *cd, const char *root, long long timestamp,
		       struct buffer *out)
{
	struct cov_totals all = {0}, t;
	struct klass *k = xcalloc(cd->n + 1, sizeof *k);
	size_t nk = 0;
	char r1[40], r2[40], r3[40];

	for (size_t i = 0; i < cd->n; i++) {
		const char *slash = strrchr(cd->files[i]->name, '/');
		cov_file_totals(cd->files[i], &t, &all);
		k[nk].f = cd->files[i];
		k[nk].dir = slash ? strndup(cd->files[i]->name, (size_t)(slash - cd->files[i]->name))
				  : xstrdup("");
		k[nk].cname = xstrdup(slash ? slash + 1 : cd->files[i]->name);
		for (char *p = k[nk].cname; *p; p++)
			if (*p == '.')
				*p = '_';
		nk++;
	}
	/* gcovr keys classes by name within a package: the last file of a name wins. */
	qsort(k, nk, sizeof *k, cmp_klass);
	rate(r1, sizeof r1, all.lines_hit, all.lines);
	rate(r2, sizeof r2, all.functions_hit, all.functions);
	rate(r3, sizeof r3, all.branches_taken, all.branches);
	buf_printf(out,
		   "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE coverage SYSTEM "
		   "'http://cobertura.sourceforge.net/xml/coverage-04.dtd'>\n<coverage line-rate=\"%s\" "
		   "function-rate=\"%s\" branch-rate=\"%s\"", r1, r2, r3);
	mcdc(out, cd, &all);
	buf_printf(out,
		   " lines-covered=\"%ld\" lines-valid=\"%ld\" "
		   "functions-covered=\"%ld\" functions-valid=\"%ld\" branches-covered=\"%ld\" "
		   "branches-valid=\"%ld\" complexity=\"0.0\" timestamp=\"%lld\" version=\"",
		   all.lines_hit, all.lines, all.functions_hit, all.functions,
		   all.branches_taken, all.branches, timestamp);
	xml_attr(out, cd->tool ? cd->tool : "gcovr 5.2");
	buf_printf(out, "\"><sources><source>");
	xml_attr(out, root);
	buf_add(out, "</source></sources><packages>", 29);
	for (size_t i = 0; i < nk;) {
		size_t j;
		struct cov_totals p = {0};
		struct buffer classes = {0};
		char *pname = xstrdup(k[i].dir);
		for (char *c = pname; *c; c++)
			if (*c == '/')
				*c = '.';
		for (j = i; j < nk && !strcmp(k[j].dir, k[i].dir); j++) {
			struct cov_totals ft;
			const struct cov_file *f = k[j].f;
			if (j + 1 < nk && !strcmp(k[j + 1].dir, k[j].dir) && !strcmp(k[j + 1].cname, k[j].cname))
				continue;
			cov_file_totals(f, &ft, &p);
			rate(r1, sizeof r1, ft.lines_hit, ft.lines);
			rate(r2, sizeof r2, ft.branches_taken, ft.branches);
			buf_add(&classes, "<class name=\"", 13);
			xml_attr(&classes, k[j].cname);
			buf_add(&classes, "\" filename=\"", 12);
			xml_attr(&classes, f->name);
			buf_printf(&classes, "\" line-rate=\"%s\" branch-rate=\"%s\"", r1, r2);
			mcdc(&classes, cd, &ft);
			buf_printf(&classes, " complexity=\"0.0\"><methods/><lines>");
			for (size_t n = 1; n < f->nlines; n++) {
				const struct cov_line *l = &f->lines[n];
				long bt = 0;
				if (!cov_line_counts(l))
					continue;
				for (size_t b = 0; b < l->nbr; b++)
					bt += l->br[b].count > 0;
				if (!l->nbr) {
					buf_printf(&classes, "<line number=\"%zu\" hits=\"%lld\" branch=\"false\"/>",
						   n, l->count);
					continue;
				}
				int pc = int_percent(bt, (long)l->nbr);
				buf_printf(&classes,
					   "<line number=\"%zu\" hits=\"%lld\" branch=\"true\" condition-coverage="
					   "\"%d%% (%ld/%zu)\"><conditions><condition number=\"0\" type=\"jump\" "
					   "coverage=\"%d%%\"/></conditions></line>",
					   n, l->count, pc, bt, l->nbr, pc);
			}
			buf_add(&classes, "</lines></class>", 16);
		}
		rate(r1, sizeof r1, p.lines_hit, p.lines);
		rate(r2, sizeof r2, p.functions_hit, p.functions);
		rate(r3, sizeof r3, p.branches_taken, p.branches);
		buf_add(out, "<package name=\"", 15);
		xml_attr(out, pname);
		buf_printf(out, "\" line-rate=\"%s\" function-rate=\"%s\" branch-rate=\"%s\"", r1, r2, r3);
		mcdc(out, cd, &p);
		buf_printf(out, " complexity=\"0.0\"><classes>");
		if (classes.len)
			buf_add(out, classes.data, classes.len);
		buf_add(out, "</classes></package>", 20);
		buf_free(&classes);
		free(pname);
		i = j;
	}
	buf_add(out, "</packages></coverage>", 22);
	for (size_t i = 0; i < nk; i++) {
		free(k[i].dir);
		free(k[i].cname);
	}
	free(k);
}

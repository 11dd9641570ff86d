#define _GNU_SOURCE
#include "covdata.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void rehash(struct covdata *cd)
{
	free(cd->slots);
	cd->nslots = cd->nslots ? cd->nslots * 2 : 1024;
	cd->slots = xcalloc(cd->nslots, sizeof *cd->slots);
	for (size_t i = 0; i < cd->n; i++) {
		size_t s = hash(cd->files[i]->path) & (cd->nslots - 1);
		while (cd->slots[s])
			s = (s + 1) & (cd->nslots - 1);
		cd->slots[s] = i + 1;
	}
}

struct cov_file *covdata_file(struct covdata *cd, const char *path, const char *root)
{
	size_t s, rl = strlen(root);
	struct cov_file *f;

	if (cd->nslots) {
		for (s = hash(path) & (cd->nslots - 1); cd->slots[s]; s = (s + 1) & (cd->nslots - 1))
			if (!strcmp(cd->files[cd->slots[s] - 1]->path, path))
				return cd->files[cd->slots[s] - 1];
	}
	f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	/* gcovr's presentable_filename(): strip "<root>/" (and any further slashes). */
	if (rl && !strncmp(path, root, rl) && path[rl] == '/' && (rl > 1 || root[0] != '/')) {
		const char *rest = path + rl;
		while (*rest == '/')
			rest++;
		f->name = xstrdup(rest);
	} else if (!strcmp(root, "/") && path[0] == '/') {
		f->name = xstrdup(path + 1);
	} else {
		f->name = xstrdup(path);
	}
	if (cd->n == cd->cap) {
		cd->cap = cd->cap ? cd->cap * 2 : 64;
		cd->files = xreallocarray(cd->files, cd->cap, sizeof *cd->files);
	}
	cd->files[cd->n++] = f;
	if (2 * cd->n > cd->nslots)
		rehash(cd);
	else {
		for (s = hash(path) & (cd->nslots - 1); cd->slots[s]; s = (s + 1) & (cd->nslots - 1))
			;
		cd->slots[s] = cd->n;
	}
	return f;
}

struct cov_line *cov_line_at(struct cov_file *f, long n)
{
	if ((size_t)n >= f->nlines) {
		size_t want = (size_t)n + 1, cap = f->nlines ? f->nlines : 64;
		while (cap < want)
			cap *= 2;
		f->lines = xreallocarray(f->lines, cap, sizeof *f->lines);
		memset(f->lines + f->nlines, 0, (cap - f->nlines) * sizeof *f->lines);
		f->nlines = cap;
	}
	return &f->lines[n];
}

void cov_add_branch(struct cov_line *l, size_t i, long long count, int fallthrough, int thrown)
{
	if (i >= l->nbr) {
		l->br = xreallocarray(l->br, i + 1, sizeof *l->br);
		memset(l->br + l->nbr, 0, (i + 1 - l->nbr) * sizeof *l->br);
		l->nbr = i + 1;
	}
	l->br[i].present = 1;
	l->br[i].count += count;
	l->br[i].fallthrough |= fallthrough != 0;
	l->br[i].thrown |= thrown != 0;
}

void cov_add_function(struct cov_file *f, const char *name, long lineno, long long count)
{
	for (size_t i = 0; i < f->nfn; i++)
		if (!strcmp(f->fn[i].name, name)) {
			f->fn[i].count += count;
			if (lineno > f->fn[i].lineno)
				f->fn[i].lineno = lineno;
			return;
		}
	f->fn = xreallocarray(f->fn, f->nfn + 1, sizeof *f->fn);
	f->fn[f->nfn++] = (struct cov_function){xstrdup(name), lineno, count};
}

void cov_file_clear(struct cov_file *f)
{
	for (size_t j = 0; j < f->nlines; j++)
		free(f->lines[j].br);
	for (size_t j = 0; j < f->nfn; j++)
		free(f->fn[j].name);
	free(f->lines);
	free(f->fn);
	f->lines = NULL;
	f->fn = NULL;
	f->nlines = f->nfn = 0;
}

void cov_file_merge(struct cov_file *dst, struct cov_file *src)
{
	for (size_t n = 1; n < src->nlines; n++) {
		struct cov_line *s = &src->lines[n], *d;
		if (!s->present)
			continue;
		d = cov_line_at(dst, (long)n);
		if (!d->present) {
			d->present = 1;
			d->noncode = s->noncode;
		} else {
			d->noncode = d->noncode && s->noncode;
		}
		d->count += s->count;
		for (size_t b = 0; b < s->nbr; b++)
			if (s->br[b].present)
				cov_add_branch(d, b, s->br[b].count, s->br[b].fallthrough, s->br[b].thrown);
	}
	for (size_t i = 0; i < src->nfn; i++)
		cov_add_function(dst, src->fn[i].name, src->fn[i].lineno, src->fn[i].count);
	cov_file_clear(src);
}

/* Drop the numbers no branch has (gcov's text numbers calls too). */
static void compact_branches(struct cov_file *f)
{
	for (size_t n = 1; n < f->nlines; n++) {
		struct cov_line *l = &f->lines[n];
		size_t k = 0;
		for (size_t b = 0; b < l->nbr; b++)
			if (l->br[b].present)
				l->br[k++] = l->br[b];
		l->nbr = k;
	}
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp((*(struct cov_file *const *)a)->path, (*(struct cov_file *const *)b)->path);
}

static int cmp_function(const void *a, const void *b)
{
	return strcmp(((const struct cov_function *)a)->name, ((const struct cov_function *)b)->name);
}

void covdata_sort(struct covdata *cd)
{
	/* qsort() must not be given NULL, even with nothing to sort. */
	if (cd->n > 1)
		qsort(cd->files, cd->n, sizeof *cd->files, cmp_file);
	for (size_t i = 0; i < cd->n; i++) {
		if (cd->files[i]->nfn > 1)
			qsort(cd->files[i]->fn, cd->files[i]->nfn, sizeof *cd->files[i]->fn, cmp_function);
		compact_branches(cd->files[i]);
	}
	rehash(cd);
}

void covdata_free(struct covdata *cd)
{
	for (size_t i = 0; i < cd->n; i++) {
		struct cov_file *f = cd->files[i];
		cov_file_clear(f);
		free(f->path);
		free(f->name);
		free(f);
	}
	free(cd->files);
	free(cd->slots);
	memset(cd, 0, sizeof *cd);
}

/* A line counts (covered or uncovered) unless it is non-code: gcovr's is_covered/is_uncovered. */
static int counts(const struct cov_line *l)
{
	return l->present && !l->noncode;
}

void cov_file_totals(const struct cov_file *f, struct cov_totals *t, struct cov_totals *sum)
{
	memset(t, 0, sizeof *t);
	for (size_t n = 1; n < f->nlines; n++) {
		const struct cov_line *l = &f->lines[n];
		if (!counts(l))
			continue;
		t->lines++;
		t->lines_hit += l->count > 0;
		t->branches += (long)l->nbr;
		for (size_t b = 0; b < l->nbr; b++)
			t->branches_taken += l->br[b].count > 0;
	}
	t->functions = (long)f->nfn;
	for (size_t i = 0; i < f->nfn; i++)
		t->functions_hit += f->fn[i].count > 0;
	if (sum) {
		sum->lines += t->lines;
		sum->lines_hit += t->lines_hit;
		sum->branches += t->branches;
		sum->branches_taken += t->branches_taken;
		sum->functions += t->functions;
		sum->functions_hit += t->functions_hit;
	}
}

/* A JSON string as Python's json.dump writes it (ensure_ascii: non-ASCII as \uXXXX). */
static void json_string(struct buffer *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	buf_add(b, "\"", 1);
	while (*p) {
		unsigned c = *p;
		size_t len = 1;
		if (c == '"' || c == '\\') {
			buf_printf(b, "\\%c", c);
		} else if (c == '\n') {
			buf_add(b, "\\n", 2);
		} else if (c == '\r') {
			buf_add(b, "\\r", 2);
		} else if (c == '\t') {
			buf_add(b, "\\t", 2);
		} else if (c == '\b') {
			buf_add(b, "\\b", 2);
		} else if (c == '\f') {
			buf_add(b, "\\f", 2);
		} else if (c < 0x20 || c == 0x7f) {
			buf_printf(b, "\\u%04x", c);
		} else if (c < 0x80) {
			buf_add(b, p, 1);
		} else {
			uint32_t cp = 0xfffd;
			if ((c & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
				cp = ((c & 0x1fu) << 6) | (p[1] & 0x3fu);
				len = 2;
			} else if ((c & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
				cp = ((c & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
				len = 3;
			} else if ((c & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
				   (p[3] & 0xc0) == 0x80) {
				cp = ((c & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
				     (p[3] & 0x3fu);
				len = 4;
			}
			if (cp >= 0x10000) {
				cp -= 0x10000;
				buf_printf(b, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
			} else {
				buf_printf(b, "\\u%04x", cp);
			}
		}
		p += len;
	}
	buf_add(b, "\"", 1);
}

static const char *tf(int v)
{
	return v ? "true" : "false";
}

void covdata_json(const struct covdata *cd, struct buffer *out)
{
	buf_add(out, "{\"files\": [", 11);
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		int first = 1;
		buf_add(out, i ? ", {\"file\": " : "{\"file\": ", i ? 11 : 9);
		json_string(out, f->name);
		buf_add(out, ", \"functions\": [", 16);
		for (size_t j = 0; j < f->nfn; j++) {
			buf_printf(out, "%s{\"execution_count\": %lld, \"lineno\": %ld, \"name\": ", j ? ", " : "",
				   f->fn[j].count, f->fn[j].lineno);
			json_string(out, f->fn[j].name);
			buf_add(out, "}", 1);
		}
		buf_add(out, "], \"lines\": [", 13);
		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!l->present)
				continue;
			buf_printf(out, "%s{\"branches\": [", first ? "" : ", ");
			for (size_t b = 0; b < l->nbr; b++)
				buf_printf(out, "%s{\"count\": %lld, \"fallthrough\": %s, \"throw\": %s}",
					   b ? ", " : "", l->br[b].count, tf(l->br[b].fallthrough),
					   tf(l->br[b].thrown));
			buf_printf(out,
				   "], \"count\": %lld, \"gcovr/excluded\": %s, \"gcovr/noncode\": %s, "
				   "\"line_number\": %zu}",
				   l->count, tf(l->excluded), tf(l->noncode), n);
			first = 0;
		}
		buf_add(out, "]}", 2);
	}
	buf_add(out, "], \"gcovr/format_version\": \"0.3\"}", 33);
}

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

struct package {
	char *name;
	size_t first, last; /* classes [first, last) in the sorted class list */
};

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
		   "function-rate=\"%s\" branch-rate=\"%s\" lines-covered=\"%ld\" lines-valid=\"%ld\" "
		   "functions-covered=\"%ld\" functions-valid=\"%ld\" branches-covered=\"%ld\" "
		   "branches-valid=\"%ld\" complexity=\"0.0\" timestamp=\"%lld\" version=\"gcovr 5.2\">"
		   "<sources><source>",
		   r1, r2, r3, all.lines_hit, all.lines, all.functions_hit, all.functions,
		   all.branches_taken, all.branches, timestamp);
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
			buf_printf(&classes, "\" line-rate=\"%s\" branch-rate=\"%s\" complexity=\"0.0\">"
				   "<methods/><lines>", r1, r2);
			for (size_t n = 1; n < f->nlines; n++) {
				const struct cov_line *l = &f->lines[n];
				long bt = 0;
				if (!counts(l))
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
		buf_printf(out, "\" line-rate=\"%s\" function-rate=\"%s\" branch-rate=\"%s\" "
			   "complexity=\"0.0\"><classes>", r1, r2, r3);
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

void covdata_lcov(const struct covdata *cd, struct buffer *out)
{
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		struct cov_totals t;
		cov_file_totals(f, &t, NULL);
		buf_printf(out, "TN:\nSF:%s\n", f->path);
		for (size_t j = 0; j < f->nfn; j++)
			buf_printf(out, "FN:%ld,%s\n", f->fn[j].lineno, f->fn[j].name);
		for (size_t j = 0; j < f->nfn; j++)
			buf_printf(out, "FNDA:%lld,%s\n", f->fn[j].count, f->fn[j].name);
		buf_printf(out, "FNF:%ld\nFNH:%ld\n", t.functions, t.functions_hit);
		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!counts(l))
				continue;
			for (size_t b = 0; b < l->nbr; b++) {
				/* lcov writes '-' for branches of a block that never ran. */
				if (l->count == 0)
					buf_printf(out, "BRDA:%zu,0,%zu,-\n", n, b);
				else
					buf_printf(out, "BRDA:%zu,0,%zu,%lld\n", n, b, l->br[b].count);
			}
		}
		buf_printf(out, "BRF:%ld\nBRH:%ld\n", t.branches, t.branches_taken);
		for (size_t n = 1; n < f->nlines; n++)
			if (counts(&f->lines[n]))
				buf_printf(out, "DA:%zu,%lld\n", n, f->lines[n].count);
		buf_printf(out, "LF:%ld\nLH:%ld\nend_of_record\n", t.lines, t.lines_hit);
	}
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

int covdata_load_gcovr_json(struct covdata *cd, const char *path, const char *root)
{
	json_object *top = json_object_from_file(path), *files;

	if (!top) {
		error("cannot read gcovr's JSON report %s: %s", path, json_util_get_last_err());
		return -1;
	}
	files = get(top, "files");
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *jf = json_object_array_get_idx(files, i);
		json_object *lines = get(jf, "lines"), *fns = get(jf, "functions");
		const char *name = json_object_get_string(get(jf, "file"));
		char *abs = name[0] == '/' ? xstrdup(name) : path_join(root, name);
		struct cov_file *f = covdata_file(cd, abs, root);
		free(abs);
		for (size_t j = 0; lines && j < json_object_array_length(lines); j++) {
			json_object *jl = json_object_array_get_idx(lines, j), *br = get(jl, "branches");
			long n = (long)json_object_get_int64(get(jl, "line_number"));
			struct cov_line *l;
			if (n <= 0)
				continue;
			l = cov_line_at(f, n);
			l->noncode = l->present ? l->noncode && json_object_get_boolean(get(jl, "gcovr/noncode"))
						: json_object_get_boolean(get(jl, "gcovr/noncode"));
			l->present = 1;
			l->excluded |= json_object_get_boolean(get(jl, "gcovr/excluded"));
			l->count += json_object_get_int64(get(jl, "count"));
			for (size_t k = 0; br && k < json_object_array_length(br); k++) {
				json_object *b = json_object_array_get_idx(br, k);
				cov_add_branch(l, k, json_object_get_int64(get(b, "count")),
					       json_object_get_boolean(get(b, "fallthrough")),
					       json_object_get_boolean(get(b, "throw")));
			}
		}
		for (size_t j = 0; fns && j < json_object_array_length(fns); j++) {
			json_object *jfn = json_object_array_get_idx(fns, j);
			cov_add_function(f, json_object_get_string(get(jfn, "name")),
					 (long)json_object_get_int64(get(jfn, "lineno")),
					 json_object_get_int64(get(jfn, "execution_count")));
		}
	}
	json_object_put(top);
	covdata_sort(cd);
	return 0;
}

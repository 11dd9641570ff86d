#define _GNU_SOURCE
#include "covdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonget.h"
#include "util.h"

/* util.c's string hash, over a whole C string. */
static uint64_t hash(const char *s)
{
	return str_hash(s, strlen(s));
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

struct cov_file *covdata_find(const struct covdata *cd, const char *path)
{
	if (!cd->nslots)
		return NULL;
	for (size_t s = hash(path) & (cd->nslots - 1); cd->slots[s]; s = (s + 1) & (cd->nslots - 1))
		if (!strcmp(cd->files[cd->slots[s] - 1]->path, path))
			return cd->files[cd->slots[s] - 1];
	return NULL;
}

struct cov_file *covdata_file(struct covdata *cd, const char *path, const char *root)
{
	size_t s, rl = strlen(root);
	struct cov_file *f = covdata_find(cd, path);

	if (f)
		return f;
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
	free(f->reg);
	free(f->dec);
	free(f->cond);
	f->lines = NULL;
	f->fn = NULL;
	f->reg = NULL;
	f->dec = NULL;
	f->cond = NULL;
	f->nlines = f->nfn = f->nreg = f->ndec = f->ncond = 0;
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

/* The length of the directory part of a shown name ("" before the last '/'). */
static size_t dir_len(const char *name)
{
	const char *slash = strrchr(name, '/');
	return slash ? (size_t)(slash - name) : 0;
}

static int cmp_file_by_dir(const void *a, const void *b)
{
	const char *x = (*(struct cov_file *const *)a)->name, *y = (*(struct cov_file *const *)b)->name;
	size_t dx = dir_len(x), dy = dir_len(y);
	int d = strncmp(x, y, dx < dy ? dx : dy);

	if (d || dx != dy)
		return d ? d : (dx > dy) - (dx < dy);
	return strcmp(x + dx + (x[dx] == '/'), y + dy + (y[dy] == '/'));
}

void covdata_sort_by_dir(struct covdata *cd)
{
	if (cd->n > 1)
		qsort(cd->files, cd->n, sizeof *cd->files, cmp_file_by_dir);
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

int cov_line_counts(const struct cov_line *l)
{
	return l->present && !l->noncode;
}

void cov_file_totals(const struct cov_file *f, struct cov_totals *t, struct cov_totals *sum)
{
	memset(t, 0, sizeof *t);
	for (size_t n = 1; n < f->nlines; n++) {
		const struct cov_line *l = &f->lines[n];
		if (!cov_line_counts(l))
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
	t->regions = f->regions;
	t->regions_hit = f->regions_hit;
	t->mcdc = f->mcdc;
	t->mcdc_hit = f->mcdc_hit;
	if (sum) {
		sum->lines += t->lines;
		sum->lines_hit += t->lines_hit;
		sum->branches += t->branches;
		sum->branches_taken += t->branches_taken;
		sum->functions += t->functions;
		sum->functions_hit += t->functions_hit;
		sum->regions += t->regions;
		sum->regions_hit += t->regions_hit;
		sum->mcdc += t->mcdc;
		sum->mcdc_hit += t->mcdc_hit;
	}
}

int covdata_load_gcovr_json(struct covdata *cd, const char *path, const char *root)
{
	json_object *top = json_object_from_file(path), *files;

	if (!top) {
		error("cannot read gcovr's JSON report %s: %s", path, json_util_get_last_err());
		return -1;
	}
	files = json_get(top, "files");
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *jf = json_object_array_get_idx(files, i);
		json_object *lines = json_get(jf, "lines"), *fns = json_get(jf, "functions");
		const char *name = json_object_get_string(json_get(jf, "file"));
		char *abs = name[0] == '/' ? xstrdup(name) : path_join(root, name);
		struct cov_file *f = covdata_file(cd, abs, root);
		free(abs);
		for (size_t j = 0; lines && j < json_object_array_length(lines); j++) {
			json_object *jl = json_object_array_get_idx(lines, j), *br = json_get(jl, "branches");
			long n = (long)json_object_get_int64(json_get(jl, "line_number"));
			struct cov_line *l;
			if (n <= 0)
				continue;
			l = cov_line_at(f, n);
			l->noncode = l->present ? l->noncode && json_object_get_boolean(json_get(jl, "gcovr/noncode"))
						: json_object_get_boolean(json_get(jl, "gcovr/noncode"));
			l->present = 1;
			l->excluded |= json_object_get_boolean(json_get(jl, "gcovr/excluded"));
			l->count += json_object_get_int64(json_get(jl, "count"));
			for (size_t k = 0; br && k < json_object_array_length(br); k++) {
				json_object *b = json_object_array_get_idx(br, k);
				cov_add_branch(l, k, json_object_get_int64(json_get(b, "count")),
					       json_object_get_boolean(json_get(b, "fallthrough")),
					       json_object_get_boolean(json_get(b, "throw")));
			}
		}
		for (size_t j = 0; fns && j < json_object_array_length(fns); j++) {
			json_object *jfn = json_object_array_get_idx(fns, j);
			cov_add_function(f, json_object_get_string(json_get(jfn, "name")),
					 (long)json_object_get_int64(json_get(jfn, "lineno")),
					 json_object_get_int64(json_get(jfn, "execution_count")));
		}
	}
	json_object_put(top);
	covdata_sort(cd);
	return 0;
}

#define _GNU_SOURCE
#include "manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *manifest_path(const struct config *c)
{
	return path_join(c->data_dir, "combined.tsv");
}

char *journal_path(const struct config *c)
{
	return path_join(c->data_dir, "combined-pending.tsv");
}

/* Both files name paths that combine removes: one leading out of the build tree would make a
 * damaged file delete what is not ours. */
int manifest_check_path(const char *rel, char *err, size_t errlen)
{
	const char *p = rel;

	if (!*rel || *rel == '/') {
		snprintf(err, errlen, "'%.200s' is not a path relative to the build tree", rel);
		return -1;
	}
	for (; *p; p += strcspn(p, "/"), p += *p == '/') {
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2])) {
			snprintf(err, errlen, "'%.200s' leads out of the build tree", rel);
			return -1;
		}
	}
	if (!ends_with(rel, ".gcda")) {
		snprintf(err, errlen, "'%.200s' is not a .gcda file", rel);
		return -1;
	}
	return 0;
}

/* At s + *off, a decimal number and a TAB: *off moves past them. Returns 0 or -1. */
static int number_tab(const char *s, int *off, long long *value)
{
	const char *p = s + *off;
	size_t n = strspn(p, "0123456789");

	if (!n || p[n] != '\t')
		return -1;
	errno = 0;
	*value = strtoll(p, NULL, 10);
	if (errno)
		return -1;
	*off += (int)n + 1;
	return 0;
}

int manifest_cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct manifest_entry *)a)->rel, ((const struct manifest_entry *)b)->rel);
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].rel);
	free(m->v);
	memset(m, 0, sizeof *m);
}

int manifest_parse(const char *text, struct manifest *m, char *err, size_t errlen)
{
	const char *line = text;

	memset(m, 0, sizeof *m);
	for (int lineno = 1; line && *line; lineno++) {
		const char *nl = strchr(line, '\n');
		char *copy = nl ? strndup(line, (size_t)(nl - line)) : xstrdup(line);
		long long size, mtime;
		int off = 0;
		char why[300];

		if (!copy)
			fatal("out of memory");
		if (number_tab(copy, &off, &size) < 0 || number_tab(copy, &off, &mtime) < 0) {
			snprintf(err, errlen, "line %d is not 'SIZE TAB MTIME TAB PATH'", lineno);
			free(copy);
			manifest_free(m);
			return -1;
		}
		if (manifest_check_path(copy + off, why, sizeof why) < 0) {
			snprintf(err, errlen, "line %d: %s", lineno, why);
			free(copy);
			manifest_free(m);
			return -1;
		}
		m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
		m->v[m->n].rel = xstrdup(copy + off);
		m->v[m->n].size = size;
		m->v[m->n].mtime_ns = mtime;
		m->n++;
		free(copy);
		line = nl ? nl + 1 : NULL;
	}
	/* Sorted, for binary search: a build tree has thousands of objects. */
	if (m->n)
		qsort(m->v, m->n, sizeof *m->v, manifest_cmp_entry);
	return 0;
}

void manifest_format(const struct manifest *m, struct buffer *out)
{
	buf_add(out, "", 0);
	for (size_t i = 0; i < m->n; i++)
		buf_printf(out, "%lld\t%lld\t%s\n", m->v[i].size, m->v[i].mtime_ns, m->v[i].rel);
}

int manifest_load(const struct config *c, struct manifest *m, char *err, size_t errlen)
{
	char *path = manifest_path(c);
	struct buffer b = {0};
	char why[400];
	int ret = 0;

	memset(m, 0, sizeof *m);
	if (read_file(path, &b) < 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			ret = -1;
		}
	} else if (manifest_parse(b.data ? b.data : "", m, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s is damaged: %s", path, why);
		ret = -1;
	}
	buf_free(&b);
	free(path);
	return ret;
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

int manifest_write(const struct config *c, char *const *rels, size_t n)
{
	struct manifest m = {0};
	struct buffer b = {0};
	char *path = manifest_path(c);
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		char *full = path_join(c->build_dir, rels[i]);
		struct stat st;
		if (lstat(full, &st) == 0) {
			m.v = xreallocarray(m.v, m.n + 1, sizeof *m.v);
			m.v[m.n++] = (struct manifest_entry){xstrdup(rels[i]), (long long)st.st_size,
							     mtime_ns(&st)};
		}
		free(full);
	}
	manifest_format(&m, &b);
	if (write_file_atomic(path, b.data, b.len) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	manifest_free(&m);
	buf_free(&b);
	free(path);
	return ret;
}

int manifest_remove(const struct config *c)
{
	char *path = manifest_path(c);
	int ret = remove_file(path);

	free(path);
	return ret;
}

int manifest_unchanged(const struct manifest *m, const char *rel, const struct stat *st)
{
	struct manifest_entry key = {.rel = (char *)rel}, *w;

	if (!m->n)
		return 0;
	w = bsearch(&key, m->v, m->n, sizeof *m->v, manifest_cmp_entry);
	return w && w->size == (long long)st->st_size && w->mtime_ns == mtime_ns(st);
}

int journal_write(const struct config *c, char *const *rels, size_t n)
{
	struct buffer b = {0};
	char *path = journal_path(c);
	int ret = 0;

	buf_add(&b, "", 0);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\n", rels[i]);
	if (write_file_atomic(path, b.data, b.len) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	buf_free(&b);
	free(path);
	return ret;
}

int journal_read(const struct config *c, struct strings *rels, char *err, size_t errlen)
{
	char *path = journal_path(c);
	struct buffer b = {0};
	char *line, *next;
	int ret = 1, lineno = 1;

	if (read_file(path, &b) < 0) {
		ret = errno == ENOENT ? 0 : -1;
		if (ret < 0)
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		free(path);
		return ret;
	}
	for (line = b.data; line && *line; line = next, lineno++) {
		char why[300];
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (manifest_check_path(line, why, sizeof why) < 0) {
			snprintf(err, errlen, "%s is damaged: line %d: %s", path, lineno, why);
			strings_free(rels);
			ret = -1;
			break;
		}
		strings_add(rels, xstrdup(line));
	}
	buf_free(&b);
	free(path);
	return ret;
}

int journal_remove(const struct config *c)
{
	char *path = journal_path(c);
	int ret = unlink(path);

	free(path);
	return ret;
}

#include "testname.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int safe_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '_' || c == '.' || c == '-';
}

char *testname_to_dir(const char *name, size_t len)
{
	size_t keep = len < TESTNAME_KEEP ? len : TESTNAME_KEEP;
	char *dir = xmalloc(keep + 1 + 1 + 8 + 1);
	size_t n = 0;

	/* A leading '.' would hide the directory and allow "." and ".." */
	if (keep == 0 || name[0] == '.')
		dir[n++] = '_';
	for (size_t i = 0; i < keep; i++)
		dir[n++] = safe_char((unsigned char)name[i]) ? name[i] : '_';
	snprintf(dir + n, 10, "-%08x", (unsigned)fnv1a(name, len));
	return dir;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hex_decode(const char *hex, char **out, size_t *outlen)
{
	size_t n = strlen(hex);
	char *s;

	if (n % 2)
		return -1;
	s = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0) {
			free(s);
			return -1;
		}
		s[i / 2] = (char)(hi << 4 | lo);
	}
	s[n / 2] = '\0';
	*out = s;
	*outlen = n / 2;
	return 0;
}

/* 1 if t has a test named name; else 0, its slot kept for the entry the caller adds. Names are looked up through a hash index: a project
 * may have tens of thousands of tests. */
static int has_name(const struct test_list *t, const char *name, size_t **index, size_t *slots)
{
	size_t len = strlen(name), mask, h;

	/* Keep at most half the slots used: rebuild at twice the size. */
	if (2 * (t->n + 1) > *slots) {
		*slots = *slots ? 2 * *slots : 64;
		while (*slots < 2 * (t->n + 1))
			*slots *= 2;
		free(*index);
		*index = xcalloc(*slots, sizeof **index);
		for (size_t i = 0; i < t->n; i++) {
			const char *n = t->v[i].name;
			for (h = fnv1a(n, strlen(n)) & (*slots - 1); (*index)[h]; h = (h + 1) & (*slots - 1))
				;
			(*index)[h] = i + 1;
		}
	}
	mask = *slots - 1;
	for (h = fnv1a(name, len) & mask; (*index)[h]; h = (h + 1) & mask)
		if (!strcmp(t->v[(*index)[h] - 1].name, name))
			return 1;
	(*index)[h] = t->n + 1; /* the caller adds it next */
	return 0;
}

static void parse_tsv(const char *text, const char *path, struct test_list *t, size_t **index,
		      size_t *slots)
{
	const char *line = text;

	for (int lineno = 1; line && *line; lineno++) {
		const char *nl = strchr(line, '\n'), *tab = strchr(line, '\t');
		size_t linelen = nl ? (size_t)(nl - line) : strlen(line);
		char *hex, *name;
		size_t len;

		if (linelen == 0)
			goto next;
		if (!tab || tab > line + linelen || tab == line) {
			warn("%s:%d: damaged line (not 'DIRECTORY TAB HEX-NAME'): skipped; configure and "
			     "run ctest again to write it again", path, lineno);
			goto next;
		}
		hex = xasprintf("%.*s", (int)(line + linelen - tab - 1), tab + 1);
		if (hex_decode(hex, &name, &len) < 0)
			name = NULL;
		if (!name || strlen(name) != len) {
			warn("%s:%d: damaged line (the name is not hex-encoded): skipped; configure and "
			     "run ctest again to write it again", path, lineno);
			free(name);
			free(hex);
			goto next;
		}
		free(hex);
		if (has_name(t, name, index, slots)) {
			free(name);
			goto next;
		}
		t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
		t->v[t->n].dir = xasprintf("%.*s", (int)(tab - line), line);
		t->v[t->n].name = name;
		t->n++;
next:
		line = nl ? nl + 1 : NULL;
	}
}

void testname_parse_tsv(const char *text, const char *path, struct test_list *t)
{
	size_t *index = NULL, slots = 0;

	parse_tsv(text, path, t, &index, &slots);
	free(index);
}

int testname_load(const char *data_dir, const char *run, struct test_list *t)
{
	const char *dirs[2] = {data_dir, run};
	size_t *index = NULL, slots = 0;
	int found = 0;

	memset(t, 0, sizeof *t);
	for (int i = 0; i < 2 && dirs[i]; i++) {
		char *path = path_join(dirs[i], "tests.tsv");
		struct buffer b = {0};
		if (read_file(path, &b) == 0) {
			parse_tsv(b.data ? b.data : "", path, t, &index, &slots);
			found = 1;
		}
		buf_free(&b);
		free(path);
	}
	free(index);
	return found ? 0 : -1;
}

void testname_free(struct test_list *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].dir);
		free(t->v[i].name);
	}
	free(t->v);
	memset(t, 0, sizeof *t);
}

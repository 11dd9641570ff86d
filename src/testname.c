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

int testname_read_tsv(const char *data_dir, const char *run, struct buffer *out)
{
	char *path = path_join(data_dir, "tests.tsv");
	struct buffer found = {0};
	int ret = read_file(path, out);

	free(path);
	if (!run)
		return ret;
	path = path_join(run, "tests.tsv");
	if (read_file(path, &found) == 0) {
		if (ret < 0) {
			out->len = 0;
			buf_add(out, "", 0);
		} else if (out->len && out->data[out->len - 1] != '\n') {
			buf_add(out, "\n", 1);
		}
		buf_add(out, found.data, found.len);
		ret = 0;
	}
	buf_free(&found);
	free(path);
	return ret;
}

/* gcovr's JSON report (format 0.3) of the model. */
#define _GNU_SOURCE
#include "covdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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

/* MC/DC counts, an extension of gcovr's format named like its own keys; sorted after the
 * keys it follows ("lines", "gcovr/format_version"). */
static void mcdc(struct buffer *b, long conditions, long covered)
{
	buf_printf(b, ", \"parcov/mcdc\": {\"conditions\": %ld, \"covered\": %ld}", conditions, covered);
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
			buf_str(out, first ? "{\"branches\": [" : ", {\"branches\": [");
			for (size_t b = 0; b < l->nbr; b++) {
				buf_str(out, b ? ", {\"count\": " : "{\"count\": ");
				buf_num(out, l->br[b].count);
				buf_str(out, ", \"fallthrough\": ");
				buf_str(out, tf(l->br[b].fallthrough));
				buf_str(out, ", \"throw\": ");
				buf_str(out, tf(l->br[b].thrown));
				buf_str(out, "}");
			}
			buf_str(out, "], \"count\": ");
			buf_num(out, l->count);
			buf_str(out, ", \"gcovr/excluded\": ");
			buf_str(out, tf(l->excluded));
			buf_str(out, ", \"gcovr/noncode\": ");
			buf_str(out, tf(l->noncode));
			buf_str(out, ", \"line_number\": ");
			buf_num(out, (long long)n);
			buf_str(out, "}");
			first = 0;
		}
		buf_add(out, "]", 1);
		if (cd->has_mcdc)
			mcdc(out, f->mcdc, f->mcdc_hit);
		buf_add(out, "}", 1);
	}
	buf_add(out, "], \"gcovr/format_version\": \"0.3\"", 32);
	if (cd->has_mcdc) {
		struct cov_totals t, all = {0};
		for (size_t i = 0; i < cd->n; i++)
			cov_file_totals(cd->files[i], &t, &all);
		mcdc(out, all.mcdc, all.mcdc_hit);
	}
	buf_add(out, "}", 1);
}

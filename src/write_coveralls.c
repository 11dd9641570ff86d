#include "ciformats.h"

#include <stdlib.h>
#include <string.h>

#include "md5.h"
#include "util.h"

static void str(struct buffer *b, const char *s)
{
	buf_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_add(b, s, 1);
	}
	buf_add(b, "\"", 1);
}

static void env_field(struct buffer *b, const char *key, const char *var)
{
	const char *v = getenv(var);
	if (v && *v) {
		str(b, key);
		buf_add(b, ":", 1);
		str(b, v);
		buf_add(b, ",", 1);
	}
}

/* Lines of a source as Coveralls counts them: a last line without its newline counts too. */
static size_t count_lines(const struct buffer *src)
{
	size_t n = 0;
	for (size_t i = 0; i < src->len; i++)
		n += src->data[i] == '\n';
	return n + (src->len && src->data[src->len - 1] != '\n');
}

void write_coveralls(const struct covdata *cd, struct buffer *out)
{
	buf_add(out, "{", 1);
	env_field(out, "repo_token", "COVERALLS_REPO_TOKEN");
	env_field(out, "service_name", "COVERALLS_SERVICE_NAME");
	env_field(out, "service_job_id", "COVERALLS_SERVICE_JOB_ID");
	buf_printf(out, "\"source_files\":[");
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		struct buffer src = {0};
		char digest[33];
		size_t nl, model = cov_file_last_line(f);
		int first = 1;

		if (read_file(f->path, &src) < 0)
			warn("cannot read %s (coveralls.json gets no digest of it):", f->path);
		md5_hex(src.data ? src.data : "", src.len, digest);
		nl = count_lines(&src);
		if (nl < model)
			nl = model; /* the model knows lines the source lacks: never drop a count */
		buf_printf(out, "%s\n{\"name\":", i ? "," : "");
		str(out, f->name);
		buf_printf(out, ",\"source_digest\":\"%s\",\"coverage\":[", digest);
		for (size_t n = 1; n <= nl; n++) {
			const struct cov_line *l = n < f->nlines ? &f->lines[n] : NULL;
			if (l && cov_line_counts(l))
				buf_printf(out, "%s%lld", n > 1 ? "," : "", l->count);
			else
				buf_printf(out, "%snull", n > 1 ? "," : "");
		}
		buf_printf(out, "],\"branches\":[");
		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!cov_line_counts(l))
				continue;
			for (size_t b = 0; b < l->nbr; b++) {
				buf_printf(out, "%s%zu,0,%zu,%lld", first ? "" : ",", n, b, l->br[b].count);
				first = 0;
			}
		}
		buf_printf(out, "]}");
		buf_free(&src);
	}
	buf_printf(out, "\n]}\n");
}

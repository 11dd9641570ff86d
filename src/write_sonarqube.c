#include "ciformats.h"

#include <string.h>

#include "util.h"

static void attr(struct buffer *b, const char *s)
{
	for (; *s; s++) {
		const char *r = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '"' ? "&quot;" : NULL;
		if (r)
			buf_add(b, r, strlen(r));
		else
			buf_add(b, s, 1);
	}
}

void write_sonarqube(const struct covdata *cd, struct buffer *out)
{
	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<coverage version=\"1\">\n");
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		buf_printf(out, "  <file path=\"");
		attr(out, f->name);
		buf_printf(out, "\">\n");
		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!cov_line_counts(l))
				continue;
			buf_printf(out, "    <lineToCover lineNumber=\"%zu\" covered=\"%s\"", n,
				   l->count > 0 ? "true" : "false");
			if (l->nbr)
				buf_printf(out, " branchesToCover=\"%zu\" coveredBranches=\"%zu\"", l->nbr,
					   cov_line_taken(l));
			buf_printf(out, "/>\n");
		}
		buf_printf(out, "  </file>\n");
	}
	buf_printf(out, "</coverage>\n");
}

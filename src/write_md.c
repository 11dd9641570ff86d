#include "ciformats.h"

#include <stdlib.h>
#include <string.h>

#include "writers.h"
#include "util.h"

/* "85.0% (34/40)", or "–" when there is nothing to cover. */
static void cell(struct buffer *b, long part, long whole)
{
	char p[16];
	if (!whole) {
		buf_printf(b, " – |");
		return;
	}
	report_pct(p, sizeof p, part, whole);
	buf_printf(b, " %s (%ld/%ld) |", p, part, whole);
}

/* A table cell's text: '|' would end the cell, a newline the table. */
static void text(struct buffer *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_')
			buf_add(b, "\\", 1);
		buf_add(b, *s == '\n' ? " " : s, 1);
	}
}

void write_md(const struct covdata *cd, const struct cov_extras *x, struct buffer *out)
{
	struct cov_totals all = {0}, t;
	long patch = 0, patch_hit = 0;

	for (size_t i = 0; i < cd->n; i++) {
		cov_file_totals(cd->files[i], &t, &all);
		cov_patch_totals(x, cd->files[i], &patch, &patch_hit);
	}
	buf_printf(out, "## Coverage\n\n| | Lines | Branches | Functions |\n|---|---:|---:|---:|\n| **Total** |");
	cell(out, all.lines_hit, all.lines);
	cell(out, all.branches_taken, all.branches);
	cell(out, all.functions_hit, all.functions);
	buf_printf(out, "\n");
	if (x && x->changed) {
		buf_printf(out, "\n**Patch coverage:**");
		if (patch)
			buf_printf(out, " %.1f%% of the changed lines (%ld/%ld)\n",
				   report_percent(patch_hit, patch), patch_hit, patch);
		else
			buf_printf(out, " no changed line is code\n");
	}
	buf_printf(out, "\n<details><summary>%zu file%s</summary>\n\n| File | Lines | Branches | "
			"Functions | Not run |\n|---|---:|---:|---:|---|\n",
		   cd->n, cd->n == 1 ? "" : "s");
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		long *numbers = xcalloc(f->nlines + 1, sizeof *numbers);
		int *covered = xcalloc(f->nlines + 1, sizeof *covered);
		struct buffer missing = {0};
		size_t m = 0;

		for (size_t n = 1; n < f->nlines; n++)
			if (cov_line_counts(&f->lines[n])) {
				numbers[m] = (long)n;
				covered[m++] = f->lines[n].count > 0;
			}
		format_missing(numbers, covered, m, &missing);
		cov_file_totals(f, &t, NULL);
		buf_printf(out, "| ");
		text(out, f->name);
		buf_printf(out, " |");
		cell(out, t.lines_hit, t.lines);
		cell(out, t.branches_taken, t.branches);
		cell(out, t.functions_hit, t.functions);
		buf_printf(out, " %s |\n", missing.data ? missing.data : "");
		buf_free(&missing);
		free(numbers);
		free(covered);
	}
	buf_printf(out, "\n</details>\n");
}

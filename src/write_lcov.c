/* An lcov tracefile of the model. */
#define _GNU_SOURCE
#include "covdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

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
			if (!cov_line_counts(l))
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
			if (cov_line_counts(&f->lines[n]))
				buf_printf(out, "DA:%zu,%lld\n", n, f->lines[n].count);
		buf_printf(out, "LF:%ld\nLH:%ld\nend_of_record\n", t.lines, t.lines_hit);
	}
}

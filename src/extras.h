/* What a report can show beyond the counts of struct covdata, given by whoever has it: the
 * tests that ran a line (per-test coverage) and the lines a diff changed. Writers render
 * what is present and leave the rest out; NULL extras or NULL hooks mean "not recorded". */
#ifndef PARCOV_EXTRAS_H
#define PARCOV_EXTRAS_H

#include <stddef.h>

#include "covdata.h"

struct cov_extras {
	/* The names of the tests that ran this line of f (*n of them; NULL or *n == 0: none). The
	 * array stays the hook owner's. */
	const char *const *(*tests_for)(void *ctx, const struct cov_file *f, long line, size_t *n);
	/* 1 when the diff given changed this line of f. */
	int (*changed)(void *ctx, const struct cov_file *f, long line);
	void *ctx;
};

/* The last line the model has of f (0: none); f->nlines is the array's capacity. */
static inline size_t cov_file_last_line(const struct cov_file *f)
{
	size_t n = f->nlines ? f->nlines - 1 : 0;
	while (n > 0 && !f->lines[n].present)
		n--;
	return n;
}

/* Taken branches of line l. */
static inline size_t cov_line_taken(const struct cov_line *l)
{
	size_t t = 0;
	for (size_t b = 0; b < l->nbr; b++)
		t += l->br[b].count > 0;
	return t;
}

/* Changed lines of f that count, and how many of them ran (patch coverage). */
static inline void cov_patch_totals(const struct cov_extras *x, const struct cov_file *f, long *lines,
				    long *hit)
{
	if (!x || !x->changed)
		return;
	for (size_t n = 1; n < f->nlines; n++)
		if (cov_line_counts(&f->lines[n]) && x->changed(x->ctx, f, (long)n)) {
			++*lines;
			*hit += f->lines[n].count > 0;
		}
}

#endif

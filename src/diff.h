/* Unified diffs (git diff, diff -u): which lines a change touches, on the old side (the
 * sources the tests were measured on: parcov affected) and on the new side (the sources now
 * built: patch coverage in parcov report). */
#ifndef PARCOV_DIFF_H
#define PARCOV_DIFF_H

#include <stddef.h>

#include "config.h"

struct covdata;
struct buffer;

struct diff_file {
	char *old_path, *new_path; /* without git's a/ b/ prefixes; NULL for /dev/null */
	long *removed;  /* old-side lines removed or replaced */
	size_t nremoved;
	long *inserted; /* old-side line after which lines were only added (0: at the top) */
	size_t ninserted;
	long *added;    /* new-side lines added or replaced, ascending */
	size_t nadded;
	int no_lines;   /* changed without hunks (binary, renamed, mode): lines unknown */
};

struct diff {
	struct diff_file *f;
	size_t n;
};

/* Parse a unified diff; what names it in errors. Returns 0, or -1 after an error. */
int diff_parse(const char *text, const char *what, struct diff *d);
/* Read a diff from a file, or from stdin for "-". */
int diff_load(const char *path, struct diff *d);
/* git diff REV in the source root (working tree against REV, paths relative to the root). */
int diff_since(const struct config *c, const char *rev, struct diff *d);
void diff_free(struct diff *d);

/* 1 if line (new side) of path (absolute, or relative to the root) was added or changed. */
int diff_changed(const struct diff *d, const struct config *c, const char *path, long line);

/* parcov report --diff/--since: the diff to measure patch coverage on (NULL: none, then
 * the configured PARALLEL_COVERAGE_DIFF_BASE if any). */
extern const char *diff_option_file, *diff_option_since;

/* The diff a report measures patch coverage on: --diff, --since, else the configured
 * PARALLEL_COVERAGE_DIFF_BASE. Returns 1 with *d filled, 0 when none was given, -1 on an
 * error (printed). */
int diff_wanted(const struct config *c, struct diff *d);

/* Append the patch coverage of cd on diff d to the summary: the uncovered changed lines by
 * file, then the line "Patch: C of N changed lines covered (P%)", and check
 * PARALLEL_COVERAGE_FAIL_UNDER_PATCH. Returns 0, or 1 when the threshold is missed. */
int diff_patch_summary(const struct config *c, const struct diff *d, const struct covdata *cd,
		       struct buffer *summary);

#endif

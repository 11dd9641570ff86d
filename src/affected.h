/* The questions per-test coverage answers: parcov tests-for (which tests run these lines)
 * and parcov affected (which tests must run for this change). */
#ifndef PARCOV_AFFECTED_H
#define PARCOV_AFFECTED_H

#include <stddef.h>

#include "config.h"

/* parcov tests-for FILE:LINE[-LINE]...: prints the sorted names. Returns 0, or 2 for a file
 * or line not in the report (message printed), 1 on other errors. */
int tests_for(const struct config *c, char *const *specs, size_t n);

enum affected_output { AFFECTED_NAMES, AFFECTED_REGEX };

/* parcov affected: diff_file ("-": stdin) or since (a git revision), exactly one. Prints
 * the selected tests (names, or one ctest -R regex), or writes them to tests_file for ctest
 * --tests-from-file. Returns 0, 1 on errors. */
int affected(const struct config *c, const char *diff_file, const char *since,
	     enum affected_output out, const char *tests_file);

#endif

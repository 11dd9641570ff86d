/* The fast report path for GCC: run `gcov --json-format --stdout` on batches of the build
 * tree's .gcda/.gcno files in parallel and turn its output into exactly what gcovr 5.2 finds
 * (same lines, branches, functions, non-code lines, exclusion markers, unexecuted files). */
#ifndef PARCOV_GCOVJSON_H
#define PARCOV_GCOVJSON_H

#include "config.h"
#include "covdata.h"

/* Collect the coverage of c's build tree into cd (sorted, gcovr's file order).
 * Returns 0; 1 when this path cannot give gcovr's exact numbers (gcov without JSON output
 * such as llvm-cov, a source gcovr would report differently, an exclude regex that is not
 * POSIX): a note is printed and the caller falls back to gcovr; -1 on a real error
 * (printed). */
int gcovjson_collect(const struct config *c, struct covdata *cd);

#endif

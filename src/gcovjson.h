/* The fast report path for GCC: run `gcov --stdout` on each of the build tree's .gcda/.gcno
 * files, in parallel, and parse its text output as gcovr 5.2's gcov_parser.py does, in C:
 * exactly what gcovr finds (lines, branches, functions, non-code lines, exclusion markers,
 * template instantiations listed after their template, unexecuted files).
 *
 * Why the text and not --json-format: gcovr reads the text, and what it prints depends on
 * what the JSON leaves out: whether a branch's block ran (the "(fallthrough)" note), which
 * branch numbers calls take, and whether a function shares its first line with one that has
 * no counts in this object (then gcov prints none of its branches). */
#ifndef PARCOV_GCOVJSON_H
#define PARCOV_GCOVJSON_H

#include <stdint.h>

#include "config.h"
#include "covdata.h"

/* Collect the coverage of c's build tree into cd (sorted, gcovr's file order). gcov's
 * messages are saved in <data dir>/gcov-messages.txt; unexpected ones are counted in one
 * warning naming that file.
 * Returns 0; 1 when this path cannot give gcovr's exact numbers (not GCC's gcov, such as
 * llvm-cov; a source gcov cannot open or names relative to an unknown directory; an
 * exclude regex that is not POSIX): one note naming why is printed and the caller falls
 * back to gcovr; -1 on a real error (printed). */
int gcovjson_collect(const struct config *c, struct covdata *cd);

/* Parse the text of one gcov run into cd as gcovr 5.2 does (for the unit tests; cd is
 * sorted afterwards, so parse every run first). Returns 0, or 1 when gcovr would have to
 * make the report (a note is printed). */
int gcovjson_parse_text(const struct config *c, struct covdata *cd, const char *const *runs,
			size_t n);

/* The version word (gcovtext_version) of GCC's gcov that the report's cache
 * (coverage-data/gcov-version.txt) holds for c's gcov command, still naming the same
 * executable; 0 when there is none (not cached yet, another executable, not GCC's gcov). */
uint32_t gcovjson_known_version(const struct config *c);

#endif

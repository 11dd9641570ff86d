/* Per-test coverage: for every line of the report, the tests that executed it (gcov
 * backend), computed from each test's own .gcda files and the objects' .gcno graphs
 * (src/gcno.h), without running gcov per test; llvm backend: each test's own llvm-cov
 * export (src/pertest_llvm.c).
 *
 * Stored as coverage-data/tests-by-line.txt (README "Per-test coverage", format below),
 * written by parcov report after the combined report, and exported as
 * <output>/tests.json. Text, one record a line:
 *   parcov-tests 1
 *   T <ok|partial> <hex-encoded test name>     tests, numbered from 0 in this order
 *   S <test> <test> ...                        sets of tests, numbered from 1 (0: none)
 *   F <absolute path> TAB <name in the report>
 *   L <first> <last> <set>                     report lines first..last (all code lines of
 *                                              the report) were run by that set
 * A line of the report's files not in any L record is not a line of the report. */
#ifndef PARCOV_PERTEST_H
#define PARCOV_PERTEST_H

#include <stddef.h>

#include "config.h"

struct covdata;
struct pertest;

#define PERTEST_STORE "tests-by-line.txt"
#define PERTEST_JSON "tests.json"
#define PERTEST_LCOV "tests.info"

/* Compute the per-test coverage of the newest data set for the lines of cd (the report
 * just made from it) and write the store and <output dir>/tests.json atomically; with lcov,
 * also <output dir>/tests.info, one TN: section per test. Returns 0, or -1 after an error
 * naming the file. */
int pertest_build(const struct config *c, const struct covdata *cd, int lcov);

/* A backend's own way of finding each test's lines (the llvm backend: src/pertest_llvm.c)
 * feeds the same store: pertest_build_from() reads the data set's tests, calls source, then
 * writes the outputs as pertest_build() does. source returns 0, or -1 after an error (nothing
 * is written). */
struct pertest_feed;
typedef int pertest_source(struct pertest_feed *f, void *ctx);
int pertest_build_from(const struct config *c, const struct covdata *cd, int lcov,
		       pertest_source *source, void *ctx);
/* The data set (its directory) and the number of its tests. */
const char *pertest_feed_run(const struct pertest_feed *f);
size_t pertest_feed_ntests(const struct pertest_feed *f);
/* The test owning a file of the data set (rel: relative to its tests/ directory), or
 * pertest_feed_ntests() when no test owns it. */
size_t pertest_feed_test_of(const struct pertest_feed *f, const char *rel);
/* The test's data could not all be read: stored as partial (affected always selects it). */
void pertest_feed_partial(struct pertest_feed *f, size_t test);
/* Test ran line of the report file path (absolute, as in the report); ignored when not a line
 * of the report. For each line, tests must come in increasing order. */
void pertest_feed_line(struct pertest_feed *f, size_t test, const char *path, long line);

/* The llvm backend's per-test coverage (src/pertest_llvm.c): each test's .profraw files
 * merged and exported by itself with the binaries it ran, in parallel. Same result and files
 * as pertest_build(). */
int pertest_llvm_build(const struct config *c, const struct covdata *cd, int lcov);

/* Load the store of c's build tree. NULL after an error with the fix (run the coverage
 * target). */
struct pertest *pertest_load(const struct config *c);
void pertest_free(struct pertest *pt);

/* The tests (sorted names, owned by pt) that executed one line. path: absolute, or as in
 * the report (relative to the root). Returns 1 and sets *names and *n when the line is a line
 * of the report, 0 when the file is in the report but the line is not, -1 when the file is
 * not in the report. */
int pertest_tests_for_line(const struct pertest *pt, const char *path, long line,
			   const char *const **names, size_t *n);

/* The tests measured by the store: names and whether their data is partial (they crashed
 * or timed out). */
size_t pertest_n_tests(const struct pertest *pt);
const char *pertest_test_name(const struct pertest *pt, size_t i);
int pertest_test_partial(const struct pertest *pt, size_t i);

/* The nearest line of the report at or before (dir < 0) or at or after (dir > 0) line in
 * the file, 0 if none. For insertions, which fall between two lines. */
long pertest_nearest_line(const struct pertest *pt, const char *path, long line, int dir);

#endif

/* Fixture files of the unit suites: made at test time by gcda-fixtures/make-*fixtures.sh into
 * the directory an environment variable names. Each helper fails the test on an error. */
#ifndef PARCOV_TEST_FIXTURES_H
#define PARCOV_TEST_FIXTURES_H

#include "gcda.h"
#include "util.h"

/* Path of fixture name in the directory named by environment variable env. Caller frees. */
char *fixture_path(const char *env, const char *name);
/* A fixture's raw bytes. */
void fixture_load_raw(const char *env, const char *name, struct buffer *raw);
/* A fixture parsed as .gcda. */
void fixture_load(const char *env, const char *name, struct gcda_file *f);

/* A new empty directory under /tmp (caller frees; remove it with remove_tree()). */
char *fixture_tmpdir(const char *tag);
/* Write text to dir/rel, creating its directories. */
void fixture_put(const char *dir, const char *rel, const char *text);

/* What parcov prints on stderr between the two calls (error(), warn()): the caller frees
 * the text returned. */
void stderr_capture_begin(void);
char *stderr_capture_end(void);
/* The same for stdout. */
void stdout_capture_begin(void);
char *stdout_capture_end(void);

#endif

/* How the processes of each test ended, from the records the runtime (src/runtime/parcov_rt.c)
 * leaves in every test's data directory: which tests crashed, timed out or wrote no data. */
#ifndef PARCOV_ENDINGS_H
#define PARCOV_ENDINGS_H

#include "config.h"
#include "util.h"

/* Name of the record file in a test's data directory (combine reads only *.gcda or
 * *.profraw). */
#define ENDINGS_RECORD "parcov-endings.tsv"
/* Where the runtime's watchdog writes snapshots, in a test's data directory:
 * parcov-snap/PID.K/<the files a dump writes>. */
#define SNAPSHOT_DIR "parcov-snap"
/* The list combine saves for report, under coverage-data/. */
#define ENDINGS_LIST "endings.txt"

/* Append to out one line "  <test>: <what happened>" per test of data set run whose
 * coverage is partial or missing. Tests that ran are the ones of ctest's LastTest.log when it
 * is newer than the data set, else those with a data directory. Returns the number of tests
 * listed. */
size_t endings_scan(const struct config *c, const char *run, struct buffer *out);

/* endings_scan() into coverage-data/endings.txt (atomically), warning when tests are listed.
 * Returns 0, or -1 with an error printed. */
int endings_save(const struct config *c, const char *run);
/* The same, told which test directories hold data (sorted; a data file's first path
 * component under tests/, as walk_data() finds them): combine has walked the data set
 * already, and need not walk each test's directory again. */
int endings_save_with(const struct config *c, const char *run, const struct strings *with_data);

/* For rel, a file's path under a data set's tests/: -1 if it is not in a snapshot, else 1 if
 * it is in the snapshot parcov uses for its process (its last snapshot, when the process
 * never ended or its final write was abandoned: its live counters were never written), 0 if
 * not. *object
 * points into rel at the object's path: below the test directory, or below the snapshot. Caches the last
 * test directory's record: endings_forget() frees it. */
int endings_snapshot_file(const char *run, const char *rel, const char **object);
void endings_forget(void);

/* 1 if the runtime recorded a process in test directory test_dir of data set run: a program
 * of this build ran in that test. */
int endings_recorded(const char *run, const char *test_dir);

/* How the saved list (coverage-data/endings.txt, read into list by endings_load_list) says
 * test name ended: -1 not listed; 0 listed with its counts whole (they were saved before it
 * crashed, or it wrote no data); 1 listed with counts lost after some point. */
int endings_load_list(const struct config *c, struct buffer *list);
int endings_listed(const struct buffer *list, const char *name);
/* The same answers for many names (every test of a data set): the list indexed once, sorted,
 * so each lookup is a binary search, not a scan of the list. */
struct endings_index;
struct endings_index *endings_index_make(const struct buffer *list);
int endings_index_listed(const struct endings_index *x, const char *name);
void endings_index_free(struct endings_index *x);

/* Append the saved list, with its heading, to a summary (report's text under the table). */
void endings_append(const struct config *c, struct buffer *summary);

#endif

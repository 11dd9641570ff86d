/* The data sets of ctest runs: coverage-data/runs/NNNNNN, and the 'current' link to the one
 * tests write into (README.md, "How it works"). */
#ifndef PARCOV_RUNS_H
#define PARCOV_RUNS_H

#include <stddef.h>

#include "config.h"
#include "util.h"

/* Start a new data set and point 'current' at it, then delete older sets except the newest
 * one holding data (so a ctest run that selects no test, or ctest -N, loses nothing). In
 * append mode, keep using the current set. Returns 0 or -1 (error printed). */
int runs_start(const struct config *c);

/* Path of the newest data set holding at least one file, or NULL. Caller frees. */
char *runs_latest_with_data(const struct config *c);

/* What pre-test records in a data set about the ctest run that writes it: one small file
 * each (ctest-dir, ctest-pid "PID START_TIME", ctest-timeout), the runtime reading
 * ctest-timeout itself. */
struct run_record {
	char *ctest_dir;     /* where ctest runs (its LastTest.log is there); NULL: not recorded */
	long pid;            /* the ctest process; 0: not run by ctest */
	long long started;   /* its start time (/proc/PID/stat field 22), tells a reused pid apart */
	char *timeout;       /* ctest's --timeout; NULL: none */
};

/* Write r into data set run (fields left NULL or 0 remove their file). Returns 0, or -1
 * (warned). */
int runs_record_write(const char *run, const struct run_record *r);
/* Read data set run's record; a file that is missing leaves its field NULL or 0. Returns 0,
 * or -1 with what is wrong (naming the file) in err when a file is damaged; the other fields
 * are still read. */
int runs_record_read(const char *run, struct run_record *r, char *err, size_t errlen);
void runs_record_free(struct run_record *r);

/* Path of the LastTest.log of the ctest run that made data set run: ctest writes it in the
 * directory it ran in (the build tree's top, or a subdirectory), which pre-test records in
 * the set. Caller frees. */
char *runs_ctest_log(const struct config *c, const char *run);

/* The names of the tests a LastTest.log's text says ctest ran (passed, failed or could not
 * start), each once, in the order of the log. CTest (3.25 to 4.x, cmCTestRunTest's
 * WriteLogOutputTop) starts the record of each test, when the test ends, with
 *     I/T Testing: NAME
 *     I/T Test: NAME
 *     Command: "..."
 * and writes the test's output after it: only that whole header is taken, so output that
 * looks like one of its lines is not, and a NAME holding newlines is read whole. */
void runs_parse_ctest_log(const char *text, struct strings *names);

/* A data set unpacked from bundles keeps there the LastTest.log of each machine's ctest
 * run, one file per bundle (bundle.c): together they describe the set. */
#define RUNS_CTEST_LOGS "ctest-logs"

/* The text of the log(s) describing data set run into out: its ctest-logs/ (all, one after
 * the other), else its ctest's LastTest.log. Returns 0, or -1 when the log is missing or
 * older than the set: it then describes another run. */
int runs_ctest_log_read(const struct config *c, const char *run, struct buffer *out);

/* runs_parse_ctest_log() of runs_ctest_log_read(). Returns 0, or -1 (names empty) when
 * there is no log describing the set. */
int runs_ctest_tests(const struct config *c, const char *run, struct strings *names);

/* 0, or -1 with an error printed when the ctest that writes data set run (recorded by
 * pre-test) is still running: its tests' data is not complete yet. */
int runs_check_idle(const struct config *c, const char *run);
/* 1 when runs_check_idle() would stop on run, quietly. */
int runs_ctest_running(const char *run);

/* 1 when the current data set was started by this process's parent (the ctest running
 * parcov post-test) and holds data, else 0. */
int runs_ours_with_data(const struct config *c);

/* Rename the .gcda files of every data set (and of discovery-runs/, stray/) out of the
 * way of tools that search the build tree for *.gcda (DATA_HIDDEN in util.h), once the ctest
 * run that wrote them has ended; parcov's readers see them by walk_data() as before.
 * Returns 0, or -1 when some could not be renamed (warned). */
int runs_hide_data(const struct config *c);

/* A data set's tests/ as it is: one line per entry (tests/ itself first, then depth first
 * in name order, never following a symbolic link), "T INODE SIZE MTIME_NS CTIME_NS\tPATH"
 * (T: D directory, F regular file, L symbolic link, O other; PATH relative to run). Any
 * change to an entry changes its line (a write changes its times, and its ctime cannot be
 * set back), and an entry added, removed or renamed changes its directory's: while every
 * line still holds, so does everything below tests/. Returns 0, or -1 when something could
 * not be read or a name holds a newline or a tab (no listing then). */
int runs_listing(const char *run, struct buffer *out);
/* Append the line of the entry at path (relative to the directory open at dir, or AT_FDCWD;
 * shown as rel), as runs_listing() writes it. Returns 0, or -1 (errno set) when it cannot be
 * stat'ed. */
int runs_listing_line(int dir, const char *path, const char *rel, struct buffer *out);

/* Path of the data set the next one would be (runs/NNNNNN after the newest), not created.
 * Caller frees. */
char *runs_next_path(const struct config *c);

/* Delete every data set and the 'current' link. Returns 0 or -1 (warned). */
int runs_remove_all(const struct config *c);

#endif

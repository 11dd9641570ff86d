/* The data sets of ctest runs: coverage-data/runs/NNNNNN, and the 'current' link to the one
 * tests write into (README.md, "How it works"). */
#ifndef PARCOV_RUNS_H
#define PARCOV_RUNS_H

#include "config.h"

/* Start a new data set and point 'current' at it, then delete older sets except the newest
 * one holding data (so a ctest run that selects no test, or ctest -N, loses nothing). In
 * append mode, keep using the current set. Returns 0 or -1 (error printed). */
int runs_start(const struct config *c);

/* Path of the newest data set holding at least one file, or NULL. Caller frees. */
char *runs_latest_with_data(const struct config *c);

/* Path of the LastTest.log of the ctest run that made data set run: ctest writes it in the
 * directory it ran in (the build tree's top, or a subdirectory), which pre-test records in
 * the set. Caller frees. */
char *runs_ctest_log(const struct config *c, const char *run);

/* 0, or -1 with an error printed when the ctest that writes data set run (recorded by
 * pre-test) is still running: its tests' data is not complete yet. */
int runs_check_idle(const struct config *c, const char *run);

/* Path of the data set the next one would be (runs/NNNNNN after the newest), not created.
 * Caller frees. */
char *runs_next_path(const struct config *c);

/* Delete every data set and the 'current' link. Returns 0 or -1 (warned). */
int runs_remove_all(const struct config *c);

#endif

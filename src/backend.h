/* The coverage backends behind one interface, chosen once per command (parcov.c) from the
 * build tree's configuration: gcov (GCC's and Clang's --coverage .gcda files: combine.c,
 * gcov.c) and llvm (Clang's source-based coverage: llvm.c). Each combines the last test
 * run's data, cleans its results, and collects them into the one report model (covdata.h),
 * which one set of writers (writers.h) turns into every report (report.c). */
#ifndef PARCOV_BACKEND_H
#define PARCOV_BACKEND_H

#include "config.h"

struct covdata;

/* Report files a backend's collect made itself, in the tool's own format, to install in
 * place of a writer's (temporary paths in the output directory; NULL: none). report()
 * renames or removes them. */
struct native_reports {
	char *json; /* coverage.json: gcovr made it (gcov backend's fallback) */
	char *lcov; /* coverage.info: llvm-cov's lcov export */
	char *html; /* a directory: the HTML report */
};

struct backend {
	const char *name; /* as parcov.conf's backend= says it */
	/* Formats always written (FMT_ bits, report.h) whatever the configuration asks. */
	int always;
	/* Merge the newest data set into the backend's combined result. Returns 0, or 1 with an
	 * error printed; the previous result stays intact. */
	int (*combine)(const struct config *c);
	/* Remove the combined result. Returns 0 or -1 (warned). */
	int (*clean)(const struct config *c);
	/* Before the output directory is made: 1 (after an error with the fix) when there is
	 * no combined result a report may read, else 0. */
	int (*check)(const struct config *c);
	/* Fill cd (files in report order) for a report in the formats of mask; the output
	 * directory exists. Returns 0, or 1 after an error. */
	int (*collect)(const struct config *c, int mask, struct covdata *cd,
		       struct native_reports *native);
	/* Optional, collect in two parts: ahead, run on a thread of its own while check runs
	 * (its messages kept, and dropped when check fails), starts no other process and writes
	 * only into the data directory: 0 when cd is filled, -1 after an error, 1 when it cannot
	 * (cd left empty): then rest, after check, does what collect does. */
	int (*collect_ahead)(const struct config *c, struct covdata *cd);
	int (*collect_rest)(const struct config *c, int mask, struct covdata *cd,
			    struct native_reports *native);
	/* Write the tool's own HTML report into the directory html (created, empty) from the
	 * JSON report at json, for PARCOV_REPORTER=gcovr (html.c writes it otherwise); NULL when
	 * collect makes it (native->html). Returns 0, or -1 after an error. */
	int (*html)(const struct config *c, const char *json, const char *html);
};

extern const struct backend backend_gcov, backend_llvm;

/* The backend of c (parcov.conf: backend=). */
const struct backend *backend_for(const struct config *c);

#endif

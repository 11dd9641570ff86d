/* parcov report: the backend collects the combined data into the one model (covdata.h),
 * the writers (writers.h) make every requested format from it, written atomically into the
 * output directory; then the summary table and the thresholds. */
#ifndef PARCOV_REPORT_H
#define PARCOV_REPORT_H

#include "config.h"
#include "writers.h"

struct backend;

/* Report formats, as bits (report.c's format list names them). */
enum { FMT_TXT = 1, FMT_HTML = 2, FMT_XML = 4, FMT_JSON = 8, FMT_LCOV = 16 };
/* The formats CI services read (ciformats.h). */
enum { FMT_MD = 32, FMT_SONARQUBE = 64, FMT_COVERALLS = 128 };

/* Parse a comma list of format names into FMT_ bits. Returns 0, or -1 after an error naming
 * the unknown format. */
int report_parse_formats(const char *list, int *out);

/* Escape a literal path for a regex (Python's and POSIX extended alike). Caller frees. */
char *regex_escape(const char *s);

/* Write the reports in formats (comma list of txt, html, xml, json, lcov; NULL: the configured
 * ones) of backend b's data into the output directory. Returns 0, 1 on failure or when a
 * fail-under threshold is not met (message printed). */
int report(const struct config *c, const struct backend *b, const char *formats);

/* Coverage totals of one file or of the whole report. */
struct totals {
	long lines, lines_hit, branches, branches_taken;
};

#endif

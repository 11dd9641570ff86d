/* parcov report: reports of the combined data (gcov's text read in parallel, gcovr for HTML
 * and as the fallback), with the summary table and the thresholds. */
#ifndef PARCOV_REPORT_H
#define PARCOV_REPORT_H

#include "config.h"

/* Report formats, as bits. */
enum { FMT_TXT = 1, FMT_HTML = 2, FMT_XML = 4, FMT_JSON = 8, FMT_LCOV = 16 };
/* The formats CI services read (ciformats.h), gcov backend. */
enum { FMT_MD = 32, FMT_SONARQUBE = 64, FMT_COVERALLS = 128 };

/* Parse a comma list of format names into FMT_ bits. Returns 0, or -1 after an error naming
 * the unknown format. */
int report_parse_formats(const char *list, int *out);

/* part/whole as a percentage; 100 when whole is 0 (nothing to cover). */
double report_percent(long part, long whole);
/* The same as "12.3%", or "--" when whole is 0. */
void report_pct(char *buf, size_t size, long part, long whole);

/* Check one fail-under threshold (a percentage, "" for none) against part/whole; print an
 * error naming the variable when it is not met or not a percentage. Returns 1 then, else 0. */
int report_threshold_missed(const char *threshold, const char *what, const char *variable,
			    long part, long whole);

/* Escape a literal path for a regex (Python's and POSIX extended alike). Caller frees. */
char *regex_escape(const char *s);

/* Write the reports in formats (comma list of txt, html, xml, json, lcov; NULL: the configured
 * ones) into the output directory. Returns 0, 1 on failure or when a fail-under threshold
 * is not met (message printed). */
int report(const struct config *c, const char *formats);

/* Coverage totals of one file or of the whole report. */
struct totals {
	long lines, lines_hit, branches, branches_taken;
};

/* Format the missing-lines column from uncovered line numbers, given the lines in order:
 * numbers[i] with covered[i] (0/1); runs of uncovered lines not interrupted by a covered one
 * become "a-b". Result appended to out (caller frees out.data). */
struct buffer;
void format_missing(const long *numbers, const int *covered, size_t n, struct buffer *out);

#endif

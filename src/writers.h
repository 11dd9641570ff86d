/* The report writers: each turns the one coverage model (covdata.h), whichever backend
 * filled it, into one file format, appending to a buffer (report.c writes the files). One
 * file per format: write_json.c (gcovr JSON), write_cobertura.c (Cobertura XML),
 * write_lcov.c (lcov tracefile), summary.c (the summary table, thresholds, percentages). */
#ifndef PARCOV_WRITERS_H
#define PARCOV_WRITERS_H

#include <stddef.h>

struct buffer;
struct config;
struct covdata;
struct cov_totals;

/* gcovr's JSON report (json.dump(sort_keys=True) of format 0.3), byte for byte. With MC/DC
 * (has_mcdc), each file and the whole get "parcov/mcdc": {"conditions": N, "covered": C}. */
void covdata_json(const struct covdata *cd, struct buffer *out);
/* Cobertura XML as gcovr writes it; root is the <source>, timestamp in seconds. With MC/DC,
 * coverage, packages and classes get condition-rate, conditions-covered and
 * conditions-valid after branch-rate. */
void covdata_cobertura(const struct covdata *cd, const char *root, long long timestamp,
		       struct buffer *out);
/* An lcov tracefile (geninfo format: FN/FNDA, BRDA, DA records). */
void covdata_lcov(const struct covdata *cd, struct buffer *out);

/* The summary table: per file lines and branches (with regions and MC/DC when the model
 * has them) and the missing line ranges, then the totals, which are also stored in *total.
 * gcovr's rules: non-code and excluded lines do not count. */
void covdata_summary(const struct covdata *cd, struct buffer *out, struct cov_totals *total);

/* Format the missing-lines column from uncovered line numbers, given the lines in order:
 * numbers[i] with covered[i] (0/1); runs of uncovered lines not interrupted by a covered one
 * become "a-b". Result appended to out (caller frees out.data). */
void format_missing(const long *numbers, const int *covered, size_t n, struct buffer *out);

/* part/whole as a percentage; 100 when whole is 0 (nothing to cover). */
double report_percent(long part, long whole);
/* The same as "12.3%", or "--" when whole is 0. */
void report_pct(char *buf, size_t size, long part, long whole);

/* Check one fail-under threshold (a percentage, "" for none) against part/whole; print an
 * error naming the variable when it is not met or not a percentage. Returns 1 then, else 0. */
int report_threshold_missed(const char *threshold, const char *what, const char *variable,
			    long part, long whole);
/* Check c's line, branch and MC/DC thresholds against the totals (an MC/DC total of 0
 * conditions meets any: the module allows that threshold only with MC/DC). Returns 1 when
 * one is missed (errors printed), else 0. */
int report_thresholds(const struct config *c, const struct cov_totals *total);

#endif

/* The summary table of the model (summary.txt and what report prints), the percentages it
 * shows and the fail-under thresholds. */
#define _GNU_SOURCE
#include "covdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

void format_missing(const long *numbers, const int *covered, size_t n, struct buffer *out)
{
	long start = -1, end = -1;
	int first = 1;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && !covered[i]) {
			if (start < 0)
				start = numbers[i];
			end = numbers[i];
			continue;
		}
		if (start >= 0) {
			if (start == end)
				buf_printf(out, "%s%ld", first ? "" : ",", start);
			else
				buf_printf(out, "%s%ld-%ld", first ? "" : ",", start, end);
			first = 0;
			start = -1;
		}
	}
}

double report_percent(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

void report_pct(char *buf, size_t size, long part, long whole)
{
	if (whole)
		snprintf(buf, size, "%.1f%%", report_percent(part, whole));
	else
		snprintf(buf, size, "--");
}

/* One row; the region and MC/DC columns only when the model has them. */
static void table_row(struct buffer *b, const struct covdata *cd, const char *name,
		      const struct cov_totals *t, const char *missing)
{
	char lp[16], bp[16], rp[16], mp[16];

	report_pct(lp, sizeof lp, t->lines_hit, t->lines);
	report_pct(bp, sizeof bp, t->branches_taken, t->branches);
	buf_printf(b, "%-36s %7ld %7ld %7s %9ld %7ld %7s", name, t->lines, t->lines_hit, lp,
		   t->branches, t->branches_taken, bp);
	if (cd->has_regions) {
		report_pct(rp, sizeof rp, t->regions_hit, t->regions);
		buf_printf(b, " %8ld %7ld %7s", t->regions, t->regions_hit, rp);
	}
	if (cd->has_mcdc) {
		report_pct(mp, sizeof mp, t->mcdc_hit, t->mcdc);
		buf_printf(b, " %6ld %7ld %7s", t->mcdc, t->mcdc_hit, mp);
	}
	buf_printf(b, "   %s\n", missing);
}

static void rule(struct buffer *b, const struct covdata *cd)
{
	size_t n = 112 + (cd->has_regions ? 25 : 0) + (cd->has_mcdc ? 24 : 0);
	for (size_t i = 0; i < n; i++)
		buf_add(b, "-", 1);
	buf_add(b, "\n", 1);
}

void covdata_summary(const struct covdata *cd, struct buffer *out, struct cov_totals *total)
{
	memset(total, 0, sizeof *total);
	buf_printf(out, "%-36s %7s %7s %7s %9s %7s %7s", "File", "Lines", "Exec", "Cover",
		   "Branches", "Taken", "Cover");
	if (cd->has_regions)
		buf_printf(out, " %8s %7s %7s", "Regions", "Exec", "Cover");
	if (cd->has_mcdc)
		buf_printf(out, " %6s %7s %7s", "MC/DC", "Covered", "Cover");
	buf_printf(out, "   %s\n", "Missing");
	rule(out, cd);
	for (size_t i = 0; i < cd->n; i++) {
		const struct cov_file *f = cd->files[i];
		long *numbers = xcalloc(f->nlines + 1, sizeof *numbers);
		int *covered = xcalloc(f->nlines + 1, sizeof *covered);
		size_t m = 0;
		struct cov_totals t;
		struct buffer missing = {0};

		for (size_t n = 1; n < f->nlines; n++) {
			const struct cov_line *l = &f->lines[n];
			if (!l->present || l->noncode || l->excluded)
				continue;
			numbers[m] = (long)n;
			covered[m++] = l->count > 0;
		}
		cov_file_totals(f, &t, total);
		format_missing(numbers, covered, m, &missing);
		table_row(out, cd, f->name, &t, missing.data ? missing.data : "");
		buf_free(&missing);
		free(numbers);
		free(covered);
	}
	rule(out, cd);
	table_row(out, cd, "TOTAL", total, "");
	/* As llvm-cov's own report: its backend counts functions with the regions. */
	if (cd->has_regions)
		buf_printf(out, "Functions: %ld of %ld executed (%.1f%%)\n", total->functions_hit,
			   total->functions, report_percent(total->functions_hit, total->functions));
	if (cd->has_mcdc)
		buf_printf(out, "MC/DC: %ld of %ld conditions covered (%.1f%%)\n", total->mcdc_hit,
			   total->mcdc, report_percent(total->mcdc_hit, total->mcdc));
}

int report_threshold_missed(const char *threshold, const char *what, const char *variable,
			    long part, long whole)
{
	char *end;
	double min;

	if (!threshold || !*threshold)
		return 0;
	min = strtod(threshold, &end);
	if (*end || min < 0 || min > 100) {
		error("%s=%s is not a percentage between 0 and 100", variable, threshold);
		return 1;
	}
	if (report_percent(part, whole) + 1e-9 < min) {
		error("%s coverage %.1f%% is below %s=%s", what, report_percent(part, whole), variable, threshold);
		return 1;
	}
	return 0;
}

int report_thresholds(const struct config *c, const struct cov_totals *total)
{
	int ret = report_threshold_missed(c->fail_under_line, "line", "PARALLEL_COVERAGE_FAIL_UNDER_LINE",
					  total->lines_hit, total->lines);
	ret |= report_threshold_missed(c->fail_under_branch, "branch",
				       "PARALLEL_COVERAGE_FAIL_UNDER_BRANCH", total->branches_taken,
				       total->branches);
	ret |= report_threshold_missed(c->fail_under_mcdc, "MC/DC condition",
				       "PARALLEL_COVERAGE_FAIL_UNDER_MCDC", total->mcdc_hit, total->mcdc);
	return ret;
}

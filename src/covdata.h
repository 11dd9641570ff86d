/* Coverage of a whole report in memory: the one model every backend's collect fills and
 * every writer (writers.h) reads. gcovr 5.2's data model (lines with counts,
 * noncode/excluded flags and branches; functions by name), plus what a backend measures
 * beyond it: llvm's code regions and MC/DC conditions, as per-file totals. */
#ifndef PARCOV_COVDATA_H
#define PARCOV_COVDATA_H

#include <stddef.h>

struct buffer;

struct cov_branch {
	long long count;
	unsigned char present; /* gcovr numbers branches as gcov's text does: calls leave gaps */
	unsigned char fallthrough, thrown;
};

struct cov_line {
	long long count;
	unsigned char present, noncode, excluded;
	struct cov_branch *br;
	size_t nbr;
};

struct cov_function {
	char *name;
	long lineno;
	long long count;
};

/* A code region (llvm) that starts at line:col, with its count. Kept only for the lines that
 * ran and have a region that did not (a line's count is its busiest region's). */
struct cov_region {
	long line, col;
	long long count;
};

/* An MC/DC condition (llvm, Clang 18+): where it is (0: unknown), its branch counts, and
 * whether the tests showed it alone changing its decision's outcome. */
struct cov_condition {
	long line, col, end_line, end_col;
	long long true_count, false_count;
	unsigned char covered;
};

/* An MC/DC decision: where it is and its conditions cond[first] .. cond[first + n - 1] of
 * its file, in llvm-cov's order (C1, C2, ...). */
struct cov_decision {
	long line, col, end_line, end_col;
	size_t first, n;
};

/* One source file. lines[n] is line n (lines[0] unused); present marks the ones gcovr has. */
struct cov_file {
	char *path; /* absolute, normalised: gcovr's key */
	char *name; /* as shown in reports: relative to the root when below it */
	struct cov_line *lines;
	size_t nlines;
	struct cov_function *fn;
	size_t nfn;
	/* Per-file totals llvm-cov's summary gives (0 with gcov): code regions, and MC/DC
	 * conditions with those shown to matter on their own. */
	long regions, regions_hit, mcdc, mcdc_hit;
	/* What llvm-cov's export says per line (the HTML shows it), sorted by position:
	 * regions of lines partly run, MC/DC decisions and their conditions. */
	struct cov_region *reg;
	size_t nreg;
	struct cov_decision *dec;
	size_t ndec;
	struct cov_condition *cond;
	size_t ncond;
	/* Room for per-test data: NULL until a backend fills it; whoever sets it frees it
	 * (covdata_free() does not know its type). */
	void *tests;
};

struct covdata {
	struct cov_file **files;
	size_t n, cap;
	size_t *slots; /* open-addressing hash of path -> index + 1 */
	size_t nslots;
	/* What the backend measured beyond gcovr's model; the writers show it when set. */
	unsigned char has_regions; /* cov_file.regions (llvm): the summary's region columns */
	unsigned char has_mcdc;    /* cov_file.mcdc (llvm, Clang 18+, PARALLEL_COVERAGE_MCDC) */
	const char *tool;          /* Cobertura's version attribute; NULL: "gcovr 5.2" */
};

/* Totals gcovr counts for one file: non-code lines (excluded ones are non-code too) and
 * their branches do not count. */
struct cov_totals {
	long lines, lines_hit, branches, branches_taken, functions, functions_hit;
	long regions, regions_hit, mcdc, mcdc_hit; /* the file's (cov_file) */
};

/* The file with this absolute path, NULL if there is none. */
struct cov_file *covdata_find(const struct covdata *cd, const char *path);
/* The file with this absolute path, created empty (name from root) if new. */
struct cov_file *covdata_file(struct covdata *cd, const char *path, const char *root);
/* Line n of f, growing the array (new lines are absent and zero). */
struct cov_line *cov_line_at(struct cov_file *f, long n);
/* Add a branch count with number i to line l (gcovr merges branches by their number). */
void cov_add_branch(struct cov_line *l, size_t i, long long count, int fallthrough, int thrown);
/* Merge src (one gcov output of one source, as gcovr parses it) into dst with gcovr's
 * merge_file(): counts add, a line stays non-code only if it is in both, branches merge by
 * number, functions by name. src is left empty. */
void cov_file_merge(struct cov_file *dst, struct cov_file *src);
/* Release the lines, functions, regions and decisions of f (not f itself). */
void cov_file_clear(struct cov_file *f);
/* Add a function's count (by name: counts add up, the larger line number wins). */
void cov_add_function(struct cov_file *f, const char *name, long lineno, long long count);
/* Sort files by path (gcovr's order) and number the branches of each line 0, 1, ... in
 * their order (gcovr's JSON lists them sorted by number). */
void covdata_sort(struct covdata *cd);
/* Sort files by (directory, base name) of their shown name, the llvm backend's order;
 * functions and branches keep theirs. */
void covdata_sort_by_dir(struct covdata *cd);
/* Release everything. */
void covdata_free(struct covdata *cd);
/* 1 if line l counts (covered or uncovered): it is not non-code (gcovr's
 * is_covered/is_uncovered). */
int cov_line_counts(const struct cov_line *l);
/* The totals of one file; added to *sum when sum is not NULL. */
void cov_file_totals(const struct cov_file *f, struct cov_totals *t, struct cov_totals *sum);

/* The writers of this model (covdata_json, covdata_cobertura, covdata_lcov, the summary). */
#include "writers.h"

/* Load a gcovr JSON report (format 0.3) written with this root. Returns 0, or -1 after an
 * error naming the file. */
int covdata_load_gcovr_json(struct covdata *cd, const char *path, const char *root);

#endif

/* Coverage of a whole report in memory, with gcovr 5.2's data model (lines with counts,
 * noncode/excluded flags and branches; functions by name), and the writers of the report
 * files: gcovr JSON (format 0.3), Cobertura XML and an lcov tracefile. */
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

/* One source file. lines[n] is line n (lines[0] unused); present marks the ones gcovr has. */
struct cov_file {
	char *path; /* absolute, normalised: gcovr's key */
	char *name; /* as shown in reports: relative to the root when below it */
	struct cov_line *lines;
	size_t nlines;
	struct cov_function *fn;
	size_t nfn;
};

struct covdata {
	struct cov_file **files;
	size_t n, cap;
	size_t *slots; /* open-addressing hash of path -> index + 1 */
	size_t nslots;
};

/* Totals gcovr counts for one file: non-code lines (excluded ones are non-code too) and
 * their branches do not count. */
struct cov_totals {
	long lines, lines_hit, branches, branches_taken, functions, functions_hit;
};

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
/* Release the lines and functions of f (not f itself). */
void cov_file_clear(struct cov_file *f);
/* Add a function's count (by name: counts add up, the larger line number wins). */
void cov_add_function(struct cov_file *f, const char *name, long lineno, long long count);
/* Sort files by path (gcovr's order) and number the branches of each line 0, 1, ... in
 * their order (gcovr's JSON lists them sorted by number). */
void covdata_sort(struct covdata *cd);
/* Release everything. */
void covdata_free(struct covdata *cd);
/* The totals of one file; added to *sum when sum is not NULL. */
void cov_file_totals(const struct cov_file *f, struct cov_totals *t, struct cov_totals *sum);

/* gcovr's JSON report (json.dump(sort_keys=True) of format 0.3), byte for byte. */
void covdata_json(const struct covdata *cd, struct buffer *out);
/* Cobertura XML as gcovr writes it; root is the <source>, timestamp in seconds. */
void covdata_cobertura(const struct covdata *cd, const char *root, long long timestamp,
		       struct buffer *out);
/* An lcov tracefile (geninfo format: FN/FNDA, BRDA, DA records). */
void covdata_lcov(const struct covdata *cd, struct buffer *out);
/* Load a gcovr JSON report (format 0.3) written with this root. Returns 0, or -1 after an
 * error naming the file. */
int covdata_load_gcovr_json(struct covdata *cd, const char *path, const char *root);

#endif

/* combine's record of its results: the manifest (coverage-data/combined.tsv) names the .gcda
 * files of the build tree combine wrote, so they are told from foreign data; the journal
 * (coverage-data/combined-pending.tsv) names the ones it is putting in place, and is left
 * only by a combine that stopped half-way. This file alone reads and writes both. */
#ifndef PARCOV_MANIFEST_H
#define PARCOV_MANIFEST_H

#include <stddef.h>
#include <sys/stat.h>

#include "config.h"
#include "util.h"

/* One result, as it was when combine wrote it: "SIZE TAB MTIME_NS TAB PATH" a line. */
struct manifest_entry {
	char *rel; /* build-relative path of the .gcda */
	long long size, mtime_ns;
};

struct manifest {
	struct manifest_entry *v; /* sorted by rel */
	size_t n;
};

/* 0 if rel is a path combine may write or remove: relative, inside the build tree (no ".."
 * component), a .gcda; else -1 with why in err. */
int manifest_check_path(const char *rel, char *err, size_t errlen);

/* Parse a manifest's text into m (sorted by path). Returns 0, or -1 with "line N: what is
 * wrong" in err (m is then empty). */
int manifest_parse(const char *text, struct manifest *m, char *err, size_t errlen);
/* The manifest text of m. */
void manifest_format(const struct manifest *m, struct buffer *out);
void manifest_free(struct manifest *m);

/* Load the build tree's manifest (none: empty). Returns 0, or -1 with what is wrong, naming
 * the file and line, in err. */
int manifest_load(const struct config *c, struct manifest *m, char *err, size_t errlen);
/* Record the results rels (build-relative, in place now) as the manifest, atomically.
 * Returns 0, or -1 with an error printed. */
int manifest_write(const struct config *c, char *const *rels, size_t n);
/* Remove the manifest. Returns 0, or -1 (warned). */
int manifest_remove(const struct config *c);
/* 1 if st, the build tree's file rel, is exactly the one the manifest recorded. */
int manifest_unchanged(const struct manifest *m, const char *rel, const struct stat *st);
/* bsearch()/qsort() order of entries (by rel). */
int manifest_cmp_entry(const void *a, const void *b);
/* Path of the manifest. Caller frees. */
char *manifest_path(const struct config *c);

/* The journal: write it (the new results' paths) before the first old result goes. Returns 0,
 * or -1 with an error printed. */
int journal_write(const struct config *c, char *const *rels, size_t n);
/* Read the journal into rels. Returns 1 when there is one (a combine was interrupted), 0 when
 * there is none, -1 with what is wrong, naming the file and line, in err. */
int journal_read(const struct config *c, struct strings *rels, char *err, size_t errlen);
/* Remove the journal, once the new manifest is in place. Returns 0, or -1 (errno set). */
int journal_remove(const struct config *c);
/* Path of the journal. Caller frees. */
char *journal_path(const struct config *c);

#endif

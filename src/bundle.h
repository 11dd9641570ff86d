/* Bundles: the last data set of one machine in one portable file, combined on another
 * (README.md, "Combining across CI machines").
 *
 * Format (all integers little-endian):
 *   magic    8 bytes "PARCOVB" 0x02 (the last byte is the format version; version 1, the
 *            same without 'L' records, is read too)
 *   records  kind (1 byte), path length (u32), data length (u64), path, data
 *              'M' meta: path "meta", data "key=value\n" lines (backend, host, build_dir, run)
 *              'D' a file of the data set: path relative to it (tests/<test dir>/…, tests.tsv)
 *              'N' the build tree's coverage-data/tests.tsv (names of configure-time tests)
 *              'I' identity of one object of the build: path relative to the build tree
 *                  (a .gcno, or an instrumented binary with the llvm backend), data: its
 *                  version and stamp (u32 each, 0 for binaries) and FNV-1a-64 of its bytes
 *              'L' (version 2) path "LastTest.log": the log of the ctest run that made the
 *                  data set, which names the tests that ran (endings, doctor)
 *   end      kind 'E', path length 0, data length = the number of records before it
 *   checksum u64 FNV-1a-64 of every byte before it; also the bundle's id
 * Paths are relative, never empty, and have no "." or ".." component. */
#ifndef PARCOV_BUNDLE_H
#define PARCOV_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

struct buffer;

#define BUNDLE_MAGIC "PARCOVB\x02"
#define BUNDLE_VERSION_MIN 1
#define BUNDLE_IDENTITY_SIZE 16

struct bundle_record {
	char kind;
	const char *path; /* NUL-terminated copy */
	const unsigned char *data;
	uint64_t size;
};

struct bundle {
	unsigned char *raw; /* the whole file: records point into it */
	size_t len;
	struct bundle_record *v;
	size_t n;
	uint64_t id;
	char **paths;
};

/* Writes to a FILE (streaming) or, if f is NULL, to mem. */
struct bundle_writer {
	FILE *f;
	struct buffer *mem;
	uint64_t hash;
	uint64_t n;
	int failed; /* a write error (errno kept) */
};

uint64_t fnv1a64(uint64_t h, const void *p, size_t n);
#define FNV1A64_INIT 0xcbf29ce484222325ULL

/* Start a bundle: writes the magic. */
void bundle_begin(struct bundle_writer *w);
void bundle_add(struct bundle_writer *w, char kind, const char *path, const void *data, uint64_t size);
/* Write the end record and checksum. Returns 0, or -1 if any write failed (errno set). */
int bundle_end(struct bundle_writer *w);

/* Parse a bundle image; on success *b takes ownership of data (freed by bundle_free). On
 * failure, data is freed, a one-line reason is in err and -1 is returned. */
int bundle_parse(unsigned char *data, size_t len, struct bundle *b, char *err, size_t errlen);
int bundle_read(const char *path, struct bundle *b, char *err, size_t errlen);
void bundle_free(struct bundle *b);

/* parcov bundle: write the newest data set to out (NULL: coverage-data/bundle-<host>-<run>.parcov).
 * Returns 0 or 1 (error printed). */
int bundle_write(const struct config *c, const char *out);

/* parcov combine --bundles: verify every bundle, unpack them all into a new data set, then
 * combine it with backend b. Returns 0 or 1; nothing is changed unless every bundle is sound
 * and distinct. */
struct backend;
int bundle_combine(const struct config *c, const struct backend *b, char **files, size_t n);

#endif

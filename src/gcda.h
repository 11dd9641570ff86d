/* GCC 11, GCC 12 and Clang coverage data (.gcda) in memory: parse, merge, serialize; and the
 * .gcno header.
 *
 * Layout (host byte order, verified on files written by GCC 12.2's libgcov):
 *   header:  magic "gcda" (0x67636461), version ("B22*" for 12.2), stamp, checksum
 *   summary: tag 0xa1000000, length 8, runs, sum_max (32 bits on disk)
 *   per function: tag 0x01000000, length 12 + ident, lineno_checksum, cfg_checksum
 *                 (or length 0 and nothing else), then the arc counters: tag 0x01a10000,
 *                 length = 8 * n followed by n 64-bit counters (low word first), or
 *                 length = -(8 * n) and no values when all n are zero
 *   end:     a zero word; libgcov may leave stale bytes of an older, longer file after it
 * Record lengths count bytes (GCC 12 changed them from words).
 *
 * GCC 11 (verified with 11.3 and its gcov-tool): the same records with lengths in words
 * (summary 2, function 3, arcs 2 * n or -(2 * n)) and a header without the checksum (magic,
 * version "B13*", stamp); its .gcno header is magic, version, stamp, then the cwd string.
 *
 * Clang's --coverage (compiler-rt's GCDAProfiling.c, verified with Clang 14) writes version
 * "408*" (GCC 4.8's format, its default) with lengths in words:
 *   header:  magic, version, stamp (no checksum)
 *   per function: tag 0x01000000, length 3, ident, function checksum, cfg checksum, then
 *                 tag 0x01a10000, length 2 * n, n 64-bit counters (never a negative length)
 *   summary: after the functions: tag 0xa3000000, length 3, 0, 0, runs
 *   end:     a 64-bit zero */
#ifndef PARCOV_GCDA_H
#define PARCOV_GCDA_H

#include <stddef.h>
#include <stdint.h>

struct buffer;

#define GCDA_MAGIC 0x67636461u
#define GCNO_MAGIC 0x67636e6fu
#define GCDA_TAG_FUNCTION 0x01000000u
#define GCDA_TAG_ARCS 0x01a10000u
#define GCDA_TAG_OBJECT_SUMMARY 0xa1000000u
#define GCDA_TAG_PROGRAM_SUMMARY 0xa3000000u
#define GCDA_VERSION_LLVM 0x3430382au /* "408*" */

/* Which writer's layout a file follows. */
enum gcda_flavor { GCDA_GCC12, GCDA_GCC11, GCDA_LLVM };

/* Counters per file at most: a negative-length record carries no bytes, so without a cap a
 * 40-byte file could make the parser allocate gigabytes. */
#define GCDA_MAX_ARCS (1u << 24)

/* Merged counters stop here: gcov reads them as signed 64-bit. */
#define GCDA_COUNTER_MAX ((uint64_t)INT64_MAX)

struct gcda_function {
	uint32_t ident, lineno_checksum, cfg_checksum;
	int emitted;            /* 0 for a zero-length function record */
	uint32_t n_arcs;        /* number of arc counters */
	uint64_t *arcs;
	int pooled;             /* arcs is part of its file's pool, not an allocation of its own */
};

struct gcda_file {
	enum gcda_flavor flavor;
	uint32_t version, stamp, checksum; /* checksum: 0 in Clang's files */
	uint32_t runs;
	uint64_t sum_max;       /* only the low 32 bits are stored, as libgcov does */
	size_t n_functions;
	struct gcda_function *functions;
	/* gcda_parse()'s counters, every function's in one allocation: the per-test coverage
	 * and gcovtext parse thousands of files, mostly of small functions. */
	uint64_t *pool;
};

/* Parse a .gcda image into *out (left empty on failure). Returns 0, or -1 with a one-line
 * message in err. Bytes after the end marker are ignored: they are a stale tail, not data. */
int gcda_parse(const unsigned char *data, size_t len, struct gcda_file *out, char *err, size_t errlen);
/* Read and parse a file; I/O errors give strerror-style messages. */
int gcda_read(const char *path, struct gcda_file *out, char *err, size_t errlen);
/* Add src into dst as libgcov does: counters and runs summed (clamped at GCDA_COUNTER_MAX and
 * UINT32_MAX), sum_max summed; a function only one side emitted is taken from that side.
 * Returns -1 with a message, dst untouched, if the two are not the same build of one object. */
int gcda_merge(struct gcda_file *dst, const struct gcda_file *src, char *err, size_t errlen);
/* Append the file as its writer would: GCC 12's or 11's libgcov (all-zero counters as
 * negative lengths), or Clang's runtime for GCDA_LLVM files. */
void gcda_serialize(const struct gcda_file *f, struct buffer *out);
/* Release everything gcda_parse() allocated and zero *f. */
void gcda_free(struct gcda_file *f);
/* The header checksum GCC 12 computes: CRC-32 (MSB first, polynomial 0x04c11db7) over each
 * function's ident, lineno_checksum and cfg_checksum. Meaningful only if all are emitted. */
uint32_t gcda_compute_checksum(const struct gcda_file *f);

/* Read a .gcno header: version, stamp and checksum (GCC 12 always writes 0 there; GCC 11's
 * and Clang's headers have none: 0). */
int gcno_read_header(const char *path, uint32_t *version, uint32_t *stamp, uint32_t *checksum,
                     char *err, size_t errlen);
/* The same from the first n bytes of a .gcno read already. */
int gcno_parse_header(const unsigned char *h, size_t n, uint32_t *version, uint32_t *stamp,
                      uint32_t *checksum, char *err, size_t errlen);
/* 1 if the .gcda belongs to this .gcno: same version and stamp, and the same checksum
 * unless the .gcno's is 0 (GCC 12's placeholder; gcov compares only stamps). */
int gcda_matches_gcno(const struct gcda_file *f, uint32_t version, uint32_t stamp, uint32_t checksum);

#endif

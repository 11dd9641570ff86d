#include "gcda.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum {
	WORD_BYTES = 4,
	HEADER_BYTES = 16,
	SUMMARY_BYTES = 8,
	FUNCTION_BYTES = 12,
	COUNTER_BYTES = 8,
};

/* GCC writes versions "<'A' + major / 10><'0' + major % 10><minor><status>": "B13*" is 11.3,
 * "B22*" is 12.2. Other majors may lay counters out differently (GCC 14 added condition
 * counters, 15 path counters), so only the two verified here are read. */
#define VERSION_MAJOR_MASK 0xffff0000u
#define VERSION_MAJOR_11 0x42310000u
#define VERSION_MAJOR_12 0x42320000u


struct reader {
	const unsigned char *data;
	size_t len, pos;
	char *err;
	size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t get_word(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint32_t bswap32(uint32_t v)
{
	return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

static size_t remaining(const struct reader *r)
{
	return r->len - r->pos;
}

/* Check that n more bytes exist; "what" names the item for the message. */
static int need(struct reader *r, size_t n, const char *what)
{
	if (remaining(r) >= n)
		return 0;
	return fail(r->err, r->errlen, "truncated at byte %zu (%s at byte %zu needs %zu bytes)",
	            r->len, what, r->pos, n);
}

static uint32_t take_word(struct reader *r)
{
	uint32_t v = get_word(r->data + r->pos);
	r->pos += WORD_BYTES;
	return v;
}

static uint64_t take_counter(struct reader *r)
{
	uint64_t lo = take_word(r);
	uint64_t hi = take_word(r);
	return lo | hi << 32;
}

/* Render a version word as its four characters when printable, else in hex. */
static void version_string(uint32_t v, char *out, size_t outlen)
{
	char c[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v };

	for (int i = 0; i < 4; i++) {
		if (c[i] < 0x20 || c[i] > 0x7e) {
			snprintf(out, outlen, "0x%08" PRIx32, v);
			return;
		}
	}
	snprintf(out, outlen, "%.4s", c);
}

/* The GCC release a version word names, as "GCC 13.2", or "" when it follows no known scheme. */
static void release_string(uint32_t v, char *out, size_t outlen)
{
	int c0 = (int)(v >> 24), c1 = (int)(v >> 16 & 0xff), c2 = (int)(v >> 8 & 0xff);

	out[0] = '\0';
	if (c0 >= 'A' && c0 <= 'Z' && c1 >= '0' && c1 <= '9' && c2 >= '0' && c2 <= '9')
		snprintf(out, outlen, " (GCC %d.%d)", (c0 - 'A') * 10 + c1 - '0', c2 - '0');
	else if (c0 >= '0' && c0 <= '9' && c1 >= '0' && c1 <= '9' && c2 >= '0' && c2 <= '9')
		snprintf(out, outlen, " (GCC %d.%d)", c0 - '0', (c1 - '0') * 10 + c2 - '0');
}

/* Which layout a version word announces, or -1 with a message for the ones parcov cannot read. */
static int check_version(uint32_t version, enum gcda_flavor *flavor, char *err, size_t errlen)
{
	char v[16], rel[32];

	if ((version & VERSION_MAJOR_MASK) == VERSION_MAJOR_12) {
		*flavor = GCDA_GCC12;
		return 0;
	}
	if ((version & VERSION_MAJOR_MASK) == VERSION_MAJOR_11) {
		*flavor = GCDA_GCC11;
		return 0;
	}
	if (version == GCDA_VERSION_LLVM) {
		*flavor = GCDA_LLVM;
		return 0;
	}
	version_string(version, v, sizeof v);
	release_string(version, rel, sizeof rel);
	return fail(err, errlen, "written by GCC version %s%s but parcov reads GCC 11 and 12 data "
	            "(B1x*, B2x*) and Clang's default format (408*): build with gcc-12, gcc-11 "
	            "or Clang", v, rel);
}

/* Shared by .gcda and .gcno: the magic tells the file kind and the writer's byte order. */
static int check_magic(uint32_t magic, uint32_t want, char *err, size_t errlen)
{
	uint32_t other = want == GCDA_MAGIC ? GCNO_MAGIC : GCDA_MAGIC;
	const char *kind = want == GCDA_MAGIC ? ".gcda" : ".gcno";

	if (magic == want)
		return 0;
	if (bswap32(magic) == want)
		return fail(err, errlen, "byte-swapped %s file (written on a host of the other "
		            "endianness): not supported", kind);
	if (magic == other || bswap32(magic) == other)
		return fail(err, errlen, "not a %s file (this is a %s file)", kind,
		            want == GCDA_MAGIC ? ".gcno notes" : ".gcda data");
	return fail(err, errlen, "not a %s file (bad magic)", kind);
}

static int parse_header(struct reader *r, struct gcda_file *out)
{
	if (r->len == 0)
		return fail(r->err, r->errlen, "empty file");
	if (need(r, WORD_BYTES, "magic"))
		return -1;
	if (check_magic(get_word(r->data), GCDA_MAGIC, r->err, r->errlen))
		return -1;
	/* GCC 11's and Clang's headers are one word shorter: the version tells which. */
	if (need(r, 2 * WORD_BYTES, "header"))
		return -1;
	if (check_version(get_word(r->data + WORD_BYTES), &out->flavor, r->err, r->errlen))
		return -1;
	if (need(r, out->flavor == GCDA_GCC12 ? HEADER_BYTES : HEADER_BYTES - WORD_BYTES, "header"))
		return -1;
	r->pos += WORD_BYTES;
	out->version = take_word(r);
	out->stamp = take_word(r);
	if (out->flavor == GCDA_GCC12)
		out->checksum = take_word(r);
	return 0;
}

static int parse_summary(struct reader *r, struct gcda_file *out, size_t at, uint32_t length)
{
	if (length != SUMMARY_BYTES)
		return fail(r->err, r->errlen, "object summary at byte %zu has length %" PRIu32
		            " (expected %d)", at, length, SUMMARY_BYTES);
	if (need(r, SUMMARY_BYTES, "object summary"))
		return -1;
	out->runs = take_word(r);
	out->sum_max = take_word(r);
	return 0;
}

static struct gcda_function *add_function(struct gcda_file *out, size_t *cap)
{
	struct gcda_function *fn;

	if (out->n_functions == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		out->functions = xreallocarray(out->functions, *cap, sizeof *out->functions);
	}
	fn = &out->functions[out->n_functions++];
	memset(fn, 0, sizeof *fn);
	return fn;
}

static int parse_function(struct reader *r, struct gcda_function *fn, size_t at, uint32_t length)
{
	if (length == 0)
		return 0;
	if (length != FUNCTION_BYTES)
		return fail(r->err, r->errlen, "function record at byte %zu has length %" PRIu32
		            " (expected 0 or %d)", at, length, FUNCTION_BYTES);
	if (need(r, FUNCTION_BYTES, "function record"))
		return -1;
	fn->emitted = 1;
	fn->ident = take_word(r);
	fn->lineno_checksum = take_word(r);
	fn->cfg_checksum = take_word(r);
	return 0;
}

/* The length is signed: negative means that many bytes' worth of zero counters, not stored. */
/* Per-parse state that the record handlers share. */
struct records {
	struct gcda_function *open;     /* emitted function still waiting for its arc record */
	int have_summary;
	size_t cap, total_arcs;
	uint64_t *pool;                 /* total_arcs counters, in function order */
	size_t pool_cap;
};

static int parse_arcs(struct reader *r, struct gcda_function *fn, size_t at, uint32_t length,
                      struct records *st)
{
	size_t *total = &st->total_arcs;
	uint64_t *v;
	int zeros = length >= 0x80000000u;
	uint32_t bytes = zeros ? (uint32_t)(0u - length) : length;
	uint32_t n = bytes / COUNTER_BYTES;

	if (bytes % COUNTER_BYTES)
		return fail(r->err, r->errlen, "arc counter record of function ident %" PRIu32
		            " at byte %zu has length %s%" PRIu32 " (not a multiple of 8)",
		            fn->ident, at, zeros ? "-" : "", bytes);
	if (n > GCDA_MAX_ARCS - *total)
		return fail(r->err, r->errlen, "arc counter record of function ident %" PRIu32
		            " at byte %zu: more than %u counters in the file", fn->ident, at,
		            GCDA_MAX_ARCS);
	if (!zeros && remaining(r) < bytes) {
		/* Named only for the message: every function of every file has this record. */
		char what[64];
		snprintf(what, sizeof what, "arc counters of function ident %" PRIu32, fn->ident);
		return need(r, bytes, what);
	}
	fn->n_arcs = n;
	if (n == 0)
		return 0;
	if (*total + n > st->pool_cap) {
		st->pool_cap = st->pool_cap ? 2 * st->pool_cap : 256;
		if (st->pool_cap < *total + n)
			st->pool_cap = *total + n;
		st->pool = xreallocarray(st->pool, st->pool_cap, sizeof *st->pool);
	}
	/* fn->arcs is set once the pool stops moving (parse_pooled()). */
	v = st->pool + *total;
	*total += n;
	if (zeros)
		memset(v, 0, n * sizeof *v);
	for (uint32_t i = 0; i < n && !zeros; i++)
		v[i] = take_counter(r);
	return 0;
}

/* Names of GCC 12's other counter kinds (gcov-counter.def), indexed by (tag >> 17) & 0x7f. */
static const char *counter_kind(uint32_t tag)
{
	static const char *const names[] = {
		"arcs", "interval value profiling", "power-of-2 value profiling",
		"top-N value profiling", "indirect call profiling", "average value profiling",
		"ior value profiling", "time profiler",
	};
	uint32_t ix = ((tag - GCDA_TAG_ARCS) >> 17) & 0x7f;

	return ix < sizeof names / sizeof names[0] ? names[ix] : "unknown kind";
}

static int is_counter_tag(uint32_t tag)
{
	return (tag & 0xff00ffffu) == GCDA_TAG_FUNCTION && ((tag >> 16) & 0xff) >= 0xa1 &&
	       ((tag >> 16) & 1);
}

static int unknown_record(struct reader *r, uint32_t tag, size_t at)
{
	if (is_counter_tag(tag))
		return fail(r->err, r->errlen, "unsupported counter kind 0x%08" PRIx32 " (%s: built "
		            "with -fprofile-generate or -fprofile-values?)", tag, counter_kind(tag));
	if (tag == GCDA_TAG_PROGRAM_SUMMARY)
		return fail(r->err, r->errlen, "obsolete program summary record at byte %zu "
		            "(written by an old GCC?)", at);
	return fail(r->err, r->errlen, "unknown record tag 0x%08" PRIx32 " at byte %zu", tag, at);
}

static int missing_arcs(struct reader *r, const struct gcda_function *fn, size_t at)
{
	return fail(r->err, r->errlen, "function ident %" PRIu32 " has no arc counter record "
	            "(next record at byte %zu)", fn->ident, at);
}

static int parse_record(struct reader *r, struct gcda_file *out, struct records *st,
                        uint32_t tag, size_t at)
{
	uint32_t length;
	struct gcda_function *fn;

	if (need(r, WORD_BYTES, "record length"))
		return -1;
	length = take_word(r);
	/* GCC 11 counts words, GCC 12 bytes; the rest of the layout is the same. */
	if (out->flavor == GCDA_GCC11) {
		if (length >= 0x80000000u ? 0u - length >= 0x80000000u / WORD_BYTES
		                          : length >= 0x80000000u / WORD_BYTES)
			return fail(r->err, r->errlen, "record 0x%08" PRIx32 " at byte %zu has "
			            "length %" PRIu32 " words", tag, at, length);
		length *= WORD_BYTES;
	}
	if (tag == GCDA_TAG_OBJECT_SUMMARY) {
		if (st->have_summary || out->n_functions)
			return fail(r->err, r->errlen, "unexpected object summary at byte %zu", at);
		st->have_summary = 1;
		return parse_summary(r, out, at, length);
	}
	if (tag == GCDA_TAG_FUNCTION) {
		if (!st->have_summary)
			return fail(r->err, r->errlen, "function record at byte %zu before the "
			            "object summary", at);
		if (st->open)
			return missing_arcs(r, st->open, at);
		fn = add_function(out, &st->cap);
		if (parse_function(r, fn, at, length))
			return -1;
		st->open = fn->emitted ? fn : NULL;
		return 0;
	}
	if (tag == GCDA_TAG_ARCS) {
		if (!st->open)
			return fail(r->err, r->errlen, "arc counter record at byte %zu does not "
			            "follow a function record", at);
		fn = st->open;
		st->open = NULL;
		return parse_arcs(r, fn, at, length, st);
	}
	return unknown_record(r, tag, at);
}

/* Clang's layout: lengths in words, the run count in a program summary after the functions. */
static int parse_record_llvm(struct reader *r, struct gcda_file *out, struct records *st,
                             uint32_t tag, size_t at)
{
	uint32_t words;
	struct gcda_function *fn;

	if (need(r, WORD_BYTES, "record length"))
		return -1;
	words = take_word(r);
	if (st->have_summary)
		return fail(r->err, r->errlen, "record 0x%08" PRIx32 " at byte %zu after the "
		            "program summary", tag, at);
	if (tag == GCDA_TAG_PROGRAM_SUMMARY) {
		if (st->open)
			return missing_arcs(r, st->open, at);
		if (words != 3)
			return fail(r->err, r->errlen, "program summary at byte %zu has length %" PRIu32
			            " words (Clang writes 3; is this GCC 4.8 data?)", at, words);
		if (need(r, 3 * WORD_BYTES, "program summary"))
			return -1;
		r->pos += 2 * WORD_BYTES;
		out->runs = take_word(r);
		st->have_summary = 1;
		return 0;
	}
	if (tag == GCDA_TAG_FUNCTION) {
		if (st->open)
			return missing_arcs(r, st->open, at);
		if (words != FUNCTION_BYTES / WORD_BYTES)
			return fail(r->err, r->errlen, "function record at byte %zu has length %" PRIu32
			            " words (expected 3)", at, words);
		fn = add_function(out, &st->cap);
		if (parse_function(r, fn, at, FUNCTION_BYTES))
			return -1;
		st->open = fn;
		return 0;
	}
	if (tag == GCDA_TAG_ARCS) {
		if (!st->open)
			return fail(r->err, r->errlen, "arc counter record at byte %zu does not "
			            "follow a function record", at);
		/* A negative length means nothing here: refuse it rather than read it as zeros. */
		if (words >= 0x80000000u / WORD_BYTES)
			return fail(r->err, r->errlen, "arc counter record at byte %zu has length %"
			            PRIu32 " words", at, words);
		fn = st->open;
		st->open = NULL;
		return parse_arcs(r, fn, at, words * WORD_BYTES, st);
	}
	return unknown_record(r, tag, at);
}

static int parse_records(struct reader *r, struct gcda_file *out, struct records *st);

/* The records, then each function's counters found in the pool (one arc record per function,
 * in function order). */
static int parse_pooled(struct reader *r, struct gcda_file *out)
{
	struct records st = { 0 };
	size_t off = 0;

	if (parse_records(r, out, &st) < 0) {
		free(st.pool);
		return -1;
	}
	out->pool = st.pool;
	for (size_t i = 0; i < out->n_functions; i++) {
		struct gcda_function *fn = &out->functions[i];
		if (!fn->n_arcs)
			continue;
		fn->arcs = st.pool + off;
		fn->pooled = 1;
		off += fn->n_arcs;
	}
	return 0;
}

static int parse_records(struct reader *r, struct gcda_file *out, struct records *st)
{
	for (;;) {
		size_t at = r->pos;
		uint32_t tag;

		if (remaining(r) == 0)
			return fail(r->err, r->errlen, "truncated at byte %zu (no end-of-file "
			            "marker)", r->len);
		if (need(r, WORD_BYTES, "record tag"))
			return -1;
		tag = take_word(r);
		if (tag == 0) {
			if (st->open)
				return missing_arcs(r, st->open, at);
			if (!st->have_summary)
				return fail(r->err, r->errlen, "no %s summary",
				            out->flavor == GCDA_LLVM ? "program" : "object");
			return 0;
		}
		if (out->flavor == GCDA_LLVM ? parse_record_llvm(r, out, st, tag, at)
		                             : parse_record(r, out, st, tag, at))
			return -1;
	}
}

int gcda_parse(const unsigned char *data, size_t len, struct gcda_file *out, char *err, size_t errlen)
{
	struct reader r = { data, len, 0, err, errlen };

	memset(out, 0, sizeof *out);
	if (parse_header(&r, out) == 0 && parse_pooled(&r, out) == 0)
		return 0;
	gcda_free(out);
	return -1;
}

int gcda_read(const char *path, struct gcda_file *out, char *err, size_t errlen)
{
	struct buffer b = { 0 };
	int rc;

	memset(out, 0, sizeof *out);
	if (read_file(path, &b) < 0) {
		rc = fail(err, errlen, "%s", strerror(errno));
		buf_free(&b);
		return rc;
	}
	rc = gcda_parse((const unsigned char *)b.data, b.len, out, err, errlen);
	buf_free(&b);
	return rc;
}

static int merge_header_check(const struct gcda_file *dst, const struct gcda_file *src,
                              char *err, size_t errlen)
{
	char a[16], b[16];

	if (dst->version != src->version) {
		version_string(dst->version, a, sizeof a);
		version_string(src->version, b, sizeof b);
		return fail(err, errlen, "written by different GCC versions (%s vs %s)", a, b);
	}
	if (dst->checksum != src->checksum)
		return fail(err, errlen, "checksum differs (0x%08" PRIx32 " vs 0x%08" PRIx32 "): "
		            "data from a different build of the object", dst->checksum, src->checksum);
	if (dst->stamp != src->stamp)
		return fail(err, errlen, "stamp differs (0x%08" PRIx32 " vs 0x%08" PRIx32 "): "
		            "data from a different build of the object", dst->stamp, src->stamp);
	if (dst->n_functions != src->n_functions)
		return fail(err, errlen, "function count differs (%zu vs %zu)", dst->n_functions,
		            src->n_functions);
	return 0;
}

/* libgcov matches functions by position and refuses a differing ident or checksum. */
static int merge_function_check(const struct gcda_function *d, const struct gcda_function *s,
                                size_t i, char *err, size_t errlen)
{
	if (!d->emitted || !s->emitted)
		return 0;
	if (d->ident != s->ident)
		return fail(err, errlen, "function %zu has ident %" PRIu32 " vs %" PRIu32, i,
		            d->ident, s->ident);
	if (d->lineno_checksum != s->lineno_checksum || d->cfg_checksum != s->cfg_checksum)
		return fail(err, errlen, "function ident %" PRIu32 " has different checksums "
		            "(0x%08" PRIx32 "/0x%08" PRIx32 " vs 0x%08" PRIx32 "/0x%08" PRIx32 ")",
		            d->ident, d->lineno_checksum, d->cfg_checksum, s->lineno_checksum,
		            s->cfg_checksum);
	if (d->n_arcs != s->n_arcs)
		return fail(err, errlen, "function ident %" PRIu32 " has %" PRIu32 " vs %" PRIu32
		            " arc counters", d->ident, d->n_arcs, s->n_arcs);
	return 0;
}

/* Clamp rather than wrap: a wrapped count would read as negative (or zero) in gcov. */
static uint64_t add_counter(uint64_t a, uint64_t b)
{
	if (a > GCDA_COUNTER_MAX || b > GCDA_COUNTER_MAX - a)
		return GCDA_COUNTER_MAX;
	return a + b;
}

static void copy_function(struct gcda_function *d, const struct gcda_function *s)
{
	*d = *s;
	d->arcs = NULL;
	d->pooled = 0;
	if (s->n_arcs) {
		d->arcs = xcalloc(s->n_arcs, sizeof *d->arcs);
		memcpy(d->arcs, s->arcs, s->n_arcs * sizeof *d->arcs);
	}
}

static void merge_function(struct gcda_function *d, const struct gcda_function *s)
{
	if (!s->emitted)
		return;
	if (!d->emitted) {
		copy_function(d, s);
		return;
	}
	for (uint32_t i = 0; i < d->n_arcs; i++)
		d->arcs[i] = add_counter(d->arcs[i], s->arcs[i]);
}

int gcda_merge(struct gcda_file *dst, const struct gcda_file *src, char *err, size_t errlen)
{
	if (merge_header_check(dst, src, err, errlen))
		return -1;
	for (size_t i = 0; i < dst->n_functions; i++)
		if (merge_function_check(&dst->functions[i], &src->functions[i], i, err, errlen))
			return -1;
	dst->runs = src->runs > UINT32_MAX - dst->runs ? UINT32_MAX : dst->runs + src->runs;
	/* Only the low 32 bits reach the file, so wrapping here matches gcov-tool's output. */
	dst->sum_max += src->sum_max;
	for (size_t i = 0; i < dst->n_functions; i++)
		merge_function(&dst->functions[i], &src->functions[i]);
	return 0;
}

static void put_word(struct buffer *out, uint32_t v)
{
	buf_add(out, &v, sizeof v);
}

static int all_zero(const struct gcda_function *fn)
{
	for (uint32_t i = 0; i < fn->n_arcs; i++)
		if (fn->arcs[i])
			return 0;
	return 1;
}

/* unit: bytes per length unit (GCC 12: 1, GCC 11: 4). */
static void put_function(struct buffer *out, const struct gcda_function *fn, uint32_t unit)
{
	uint32_t len = fn->n_arcs * (uint32_t)COUNTER_BYTES / unit;

	put_word(out, GCDA_TAG_FUNCTION);
	if (!fn->emitted) {
		put_word(out, 0);
		return;
	}
	put_word(out, FUNCTION_BYTES / unit);
	put_word(out, fn->ident);
	put_word(out, fn->lineno_checksum);
	put_word(out, fn->cfg_checksum);
	put_word(out, GCDA_TAG_ARCS);
	if (all_zero(fn)) {
		put_word(out, 0u - len);
		return;
	}
	put_word(out, len);
	for (uint32_t i = 0; i < fn->n_arcs; i++) {
		put_word(out, (uint32_t)fn->arcs[i]);
		put_word(out, (uint32_t)(fn->arcs[i] >> 32));
	}
}

/* Clang's runtime: the same records with lengths in words, zeros written out. */
static void serialize_llvm(const struct gcda_file *f, struct buffer *out)
{
	put_word(out, GCDA_MAGIC);
	put_word(out, f->version);
	put_word(out, f->stamp);
	for (size_t i = 0; i < f->n_functions; i++) {
		const struct gcda_function *fn = &f->functions[i];
		put_word(out, GCDA_TAG_FUNCTION);
		put_word(out, FUNCTION_BYTES / WORD_BYTES);
		put_word(out, fn->ident);
		put_word(out, fn->lineno_checksum);
		put_word(out, fn->cfg_checksum);
		put_word(out, GCDA_TAG_ARCS);
		put_word(out, fn->n_arcs * (uint32_t)(COUNTER_BYTES / WORD_BYTES));
		for (uint32_t j = 0; j < fn->n_arcs; j++) {
			put_word(out, (uint32_t)fn->arcs[j]);
			put_word(out, (uint32_t)(fn->arcs[j] >> 32));
		}
	}
	put_word(out, GCDA_TAG_PROGRAM_SUMMARY);
	put_word(out, 3);
	put_word(out, 0);
	put_word(out, 0);
	put_word(out, f->runs);
	put_word(out, 0);
	put_word(out, 0);
}

void gcda_serialize(const struct gcda_file *f, struct buffer *out)
{
	uint32_t unit = f->flavor == GCDA_GCC11 ? WORD_BYTES : 1;

	if (f->flavor == GCDA_LLVM) {
		serialize_llvm(f, out);
		return;
	}
	put_word(out, GCDA_MAGIC);
	put_word(out, f->version);
	put_word(out, f->stamp);
	if (f->flavor == GCDA_GCC12)
		put_word(out, f->checksum);
	put_word(out, GCDA_TAG_OBJECT_SUMMARY);
	put_word(out, SUMMARY_BYTES / unit);
	put_word(out, f->runs);
	put_word(out, (uint32_t)f->sum_max);
	for (size_t i = 0; i < f->n_functions; i++)
		put_function(out, &f->functions[i], unit);
	put_word(out, 0);
}

void gcda_free(struct gcda_file *f)
{
	for (size_t i = 0; i < f->n_functions; i++)
		if (!f->functions[i].pooled)
			free(f->functions[i].arcs);
	free(f->functions);
	free(f->pool);
	memset(f, 0, sizeof *f);
}

/* GCC's crc32_unsigned: MSB first, no reflection, no final inversion. */
static uint32_t crc32_word(uint32_t crc, uint32_t v)
{
	for (int i = 0; i < 32; i++, v <<= 1) {
		uint32_t feedback = ((v ^ crc) & 0x80000000u) ? 0x04c11db7u : 0;
		crc = (crc << 1) ^ feedback;
	}
	return crc;
}

uint32_t gcda_compute_checksum(const struct gcda_file *f)
{
	uint32_t crc = 0;

	for (size_t i = 0; i < f->n_functions; i++) {
		const struct gcda_function *fn = &f->functions[i];
		if (!fn->emitted)
			continue;
		crc = crc32_word(crc, fn->ident);
		crc = crc32_word(crc, fn->lineno_checksum);
		crc = crc32_word(crc, fn->cfg_checksum);
	}
	return crc;
}

int gcno_read_header(const char *path, uint32_t *version, uint32_t *stamp, uint32_t *checksum,
                     char *err, size_t errlen)
{
	unsigned char h[HEADER_BYTES];
	size_t n;
	FILE *fp = fopen(path, "rb");

	if (!fp)
		return fail(err, errlen, "%s", strerror(errno));
	n = fread(h, 1, sizeof h, fp);
	if (n < sizeof h && ferror(fp)) {
		int e = errno;
		fclose(fp);
		return fail(err, errlen, "%s", strerror(e));
	}
	fclose(fp);
	return gcno_parse_header(h, n, version, stamp, checksum, err, errlen);
}

int gcno_parse_header(const unsigned char *h, size_t n, uint32_t *version, uint32_t *stamp,
                      uint32_t *checksum, char *err, size_t errlen)
{
	enum gcda_flavor flavor = GCDA_GCC12;

	if (n > HEADER_BYTES)
		n = HEADER_BYTES;
	if (n == 0)
		return fail(err, errlen, "empty file");
	if (n >= WORD_BYTES && check_magic(get_word(h), GCNO_MAGIC, err, errlen))
		return -1;
	if (n >= 2 * WORD_BYTES && check_version(get_word(h + 4), &flavor, err, errlen))
		return -1;
	if (n < 3 * WORD_BYTES || (n < HEADER_BYTES && flavor == GCDA_GCC12))
		return fail(err, errlen, "truncated at byte %zu (header at byte 0 needs %d bytes)",
		            n, n < 3 * WORD_BYTES ? 3 * WORD_BYTES : HEADER_BYTES);
	*version = get_word(h + 4);
	*stamp = get_word(h + 8);
	/* GCC 11's and Clang's headers end after the stamp (GCC 11's notes go on with the cwd). */
	*checksum = flavor == GCDA_GCC12 ? get_word(h + 12) : 0;
	return 0;
}

int gcda_matches_gcno(const struct gcda_file *f, uint32_t version, uint32_t stamp, uint32_t checksum)
{
	return f->version == version && f->stamp == stamp && (checksum == 0 || checksum == f->checksum);
}

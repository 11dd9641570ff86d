/* Tests of gcda.c against files GCC 12 (or GCC 11: the "real" cases follow the fixtures'
 * version) writes at test time (see gcda-fixtures/make-fixtures.sh, whose output directory
 * the runner passes in PARCOV_FIXTURES). Expected counts come from
 * gcda-fixtures/counted.c compiled with -O0: with argument N, main's four arc counters are
 * {1, 1, N, N}, step's one counter is N, never_called's two counters are 0. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define ERRLEN 256

static char *fixture(const char *name)
{
	return fixture_path("PARCOV_FIXTURES", name);
}

static void load_raw(const char *name, struct buffer *raw)
{
	fixture_load_raw("PARCOV_FIXTURES", name, raw);
}

static void load(const char *name, struct gcda_file *f)
{
	fixture_load("PARCOV_FIXTURES", name, f);
}

/* GCC 12's ident of an external function: CRC-32 of its name and NUL, MSB first, 31 bits. */
static uint32_t ident_of(const char *name)
{
	uint32_t crc = 0;

	do {
		uint32_t v = (uint32_t)(unsigned char)*name << 24;
		for (int i = 0; i < 8; i++, v <<= 1)
			crc = (crc << 1) ^ (((v ^ crc) & 0x80000000u) ? 0x04c11db7u : 0);
	} while (*name++);
	crc &= 0x7fffffffu;
	return crc + (crc == 0);
}

static const struct gcda_function *find(const struct gcda_file *f, const char *name)
{
	uint32_t ident = ident_of(name);

	for (size_t i = 0; i < f->n_functions; i++)
		if (f->functions[i].emitted && f->functions[i].ident == ident)
			return &f->functions[i];
	ck_abort_msg("function %s (ident %u) not in the .gcda", name, (unsigned)ident);
	return NULL;
}

static void assert_arcs(const struct gcda_file *f, const char *name, uint32_t n,
                        const uint64_t *want)
{
	const struct gcda_function *fn = find(f, name);

	ck_assert_uint_eq(fn->n_arcs, n);
	for (uint32_t i = 0; i < n; i++)
		ck_assert_msg(fn->arcs[i] == want[i], "%s arc %u: %llu, expected %llu", name,
		              (unsigned)i, (unsigned long long)fn->arcs[i],
		              (unsigned long long)want[i]);
}

/* The counts counted.c gets from runs whose arguments sum to n, over the given runs. */
static void assert_counted(const struct gcda_file *f, uint32_t runs, uint64_t n, uint64_t sum_max)
{
	const uint64_t main_arcs[] = { runs, runs, n, n };
	const uint64_t step_arcs[] = { n };
	const uint64_t zeros[] = { 0, 0 };

	ck_assert_uint_eq(f->runs, runs);
	ck_assert_uint_eq(f->sum_max, sum_max);
	ck_assert_uint_eq(f->n_functions, 3);
	assert_arcs(f, "main", 4, main_arcs);
	assert_arcs(f, "step", 1, step_arcs);
	assert_arcs(f, "never_called", 2, zeros);
}

static void assert_bytes(const struct gcda_file *f, const struct buffer *want)
{
	struct buffer out = { 0 };

	gcda_serialize(f, &out);
	ck_assert_uint_eq(out.len, want->len);
	ck_assert_mem_eq(out.data, want->data, want->len);
	buf_free(&out);
}

static void assert_serializes_to(const struct gcda_file *f, const char *name)
{
	struct buffer raw;

	load_raw(name, &raw);
	assert_bytes(f, &raw);
	buf_free(&raw);
}

/* A failure must come with a non-empty one-line message containing want. */
static void assert_message(const char *err, const char *want)
{
	ck_assert_msg(err[0] != '\0', "empty error message");
	ck_assert_msg(strchr(err, '\n') == NULL, "multi-line error message: %s", err);
	ck_assert_msg(strstr(err, want) != NULL, "message \"%s\" lacks \"%s\"", err, want);
}

static void parse_fails(const void *data, size_t len, const char *want)
{
	struct gcda_file f;
	char err[ERRLEN] = "";

	ck_assert_int_eq(gcda_parse(data, len, &f, err, sizeof err), -1);
	assert_message(err, want);
	ck_assert_uint_eq(f.n_functions, 0);
	ck_assert_ptr_null(f.functions);
}

static uint32_t word_at(const struct buffer *b, size_t off)
{
	uint32_t v;
	memcpy(&v, b->data + off, sizeof v);
	return v;
}

static void set_word(struct buffer *b, size_t off, uint32_t v)
{
	memcpy(b->data + off, &v, sizeof v);
}

/* Byte offset of the first word after the header equal to v. */
static size_t find_word(const struct buffer *b, uint32_t v)
{
	for (size_t off = 16; off + 4 <= b->len; off += 4)
		if (word_at(b, off) == v)
			return off;
	ck_abort_msg("word 0x%08x not found", (unsigned)v);
	return 0;
}

/* GCC 11 counts record lengths in words, GCC 12 in bytes; GCC 11's header has no checksum. */
static int is_gcc11(const struct gcda_file *f)
{
	return f->flavor == GCDA_GCC11;
}

START_TEST(test_roundtrip)
{
	static const char *const names[] = {
		"run-0.gcda", "run-3.gcda", "run-10.gcda", "merged-3-10.gcda", "merged-0-3.gcda",
		"rebuild-run-3.gcda", "v2-run-3.gcda",
	};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct gcda_file f;
		load(names[i], &f);
		if (is_gcc11(&f)) {
			ck_assert_uint_eq(f.version >> 16, 0x4231);     /* "B1": GCC 11 */
			ck_assert_uint_eq(f.checksum, 0);
		} else {
			ck_assert_int_eq(f.flavor, GCDA_GCC12);
			ck_assert_uint_eq(f.version >> 16, 0x4232);     /* "B2": GCC 12 */
			ck_assert_uint_eq(gcda_compute_checksum(&f), f.checksum);
		}
		assert_serializes_to(&f, names[i]);
		gcda_free(&f);
	}
}
END_TEST

START_TEST(test_single_run_counts)
{
	struct gcda_file f;

	load("run-3.gcda", &f);
	assert_counted(&f, 1, 3, 3);
	gcda_free(&f);
	load("run-10.gcda", &f);
	assert_counted(&f, 1, 10, 10);
	gcda_free(&f);
}
END_TEST

START_TEST(test_merge_sums)
{
	struct gcda_file a, b;
	char err[ERRLEN] = "";

	load("run-3.gcda", &a);
	load("run-10.gcda", &b);
	ck_assert_msg(gcda_merge(&a, &b, err, sizeof err) == 0, "%s", err);
	assert_counted(&a, 2, 13, 13);
	assert_serializes_to(&a, "merged-3-10.gcda");
	gcda_free(&a);

	/* The other order gives the same file: the headers are equal. */
	load("run-3.gcda", &a);
	ck_assert_msg(gcda_merge(&b, &a, err, sizeof err) == 0, "%s", err);
	assert_serializes_to(&b, "merged-3-10.gcda");
	gcda_free(&a);
	gcda_free(&b);
}
END_TEST

START_TEST(test_merge_many)
{
	struct gcda_file acc, one;
	char err[ERRLEN] = "";

	load("run-0.gcda", &acc);
	for (int i = 0; i < 4; i++) {
		load(i % 2 ? "run-10.gcda" : "run-3.gcda", &one);
		ck_assert_msg(gcda_merge(&acc, &one, err, sizeof err) == 0, "%s", err);
		gcda_free(&one);
	}
	assert_counted(&acc, 5, 26, 27);        /* sum_max adds each run's maximum, 1 for run-0 */
	gcda_free(&acc);
}
END_TEST

START_TEST(test_zero_counters)
{
	struct gcda_file f, g;
	struct buffer raw;
	char err[ERRLEN] = "";
	const uint64_t zero[] = { 0 };
	size_t step, summary;

	load("run-0.gcda", &f);
	summary = is_gcc11(&f) ? 20 : 24;       /* runs: after the header, summary tag, length */
	/* run-0: step never ran, so its record has length -8 bytes (-2 words) and no values. */
	load_raw("run-0.gcda", &raw);
	step = find_word(&raw, ident_of("step"));
	ck_assert_uint_eq(word_at(&raw, step + 12), GCDA_TAG_ARCS);
	ck_assert_uint_eq(word_at(&raw, step + 16), is_gcc11(&f) ? (uint32_t)-2 : (uint32_t)-8);
	buf_free(&raw);
	assert_counted(&f, 1, 0, 1);
	assert_arcs(&f, "step", 1, zero);

	/* Zero plus zero stays a negative-length record; zero plus counts becomes counts. */
	load("run-0.gcda", &g);
	ck_assert_msg(gcda_merge(&f, &g, err, sizeof err) == 0, "%s", err);
	assert_counted(&f, 2, 0, 2);
	gcda_free(&g);
	load_raw("run-0.gcda", &raw);
	set_word(&raw, summary, 2);             /* runs */
	set_word(&raw, summary + 4, 2);         /* sum_max */
	/* main's first two counters (low words, after ident, checksums, tag and length) */
	set_word(&raw, find_word(&raw, ident_of("main")) + 20, 2);
	set_word(&raw, find_word(&raw, ident_of("main")) + 28, 2);
	assert_bytes(&f, &raw);
	buf_free(&raw);
	gcda_free(&f);

	load("run-0.gcda", &f);
	load("run-3.gcda", &g);
	ck_assert_msg(gcda_merge(&f, &g, err, sizeof err) == 0, "%s", err);
	assert_counted(&f, 2, 3, 4);
	assert_serializes_to(&f, "merged-0-3.gcda");
	gcda_free(&f);
	gcda_free(&g);
}
END_TEST

/* Turn function i of f into a zero-length record, as libgcov writes for a function whose
 * gcov_fn_info belongs to another object (GCC 12 itself no longer produces these). */
static void drop_function(struct gcda_file *f, size_t i)
{
	if (!f->functions[i].pooled)
		free(f->functions[i].arcs);
	memset(&f->functions[i], 0, sizeof f->functions[i]);
}

static size_t index_of(const struct gcda_file *f, const char *name)
{
	return (size_t)(find(f, name) - f->functions);
}

START_TEST(test_unemitted_functions)
{
	struct gcda_file full, part, g;
	struct buffer a = { 0 }, b = { 0 };
	char err[ERRLEN] = "";
	size_t i;

	load("run-3.gcda", &full);
	load("run-3.gcda", &part);
	i = index_of(&part, "step");
	drop_function(&part, i);

	/* Serialized, the record is tag + zero length; it parses back and re-serializes the same. */
	gcda_serialize(&full, &a);
	gcda_serialize(&part, &b);
	ck_assert_uint_eq(a.len - b.len, 28);   /* 12 bytes of ids, 16 of counter record header and value */
	ck_assert_int_eq(gcda_parse((unsigned char *)b.data, b.len, &g, err, sizeof err), 0);
	ck_assert_int_eq(g.functions[i].emitted, 0);
	ck_assert_uint_eq(g.functions[i].n_arcs, 0);
	ck_assert_ptr_null(g.functions[i].arcs);
	assert_bytes(&g, &b);

	/* Merging: the emitted side wins, as in libgcov; two unemitted stay unemitted. */
	ck_assert_msg(gcda_merge(&g, &part, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(g.functions[i].emitted, 0);
	ck_assert_msg(gcda_merge(&g, &full, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(g.functions[i].emitted, 1);
	ck_assert_uint_eq(g.functions[i].arcs[0], 3);
	ck_assert_uint_eq(g.runs, 3);
	ck_assert_msg(gcda_merge(&full, &part, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(find(&full, "step")->arcs[0], 3);
	ck_assert_uint_eq(find(&full, "main")->arcs[2], 6);

	buf_free(&a);
	buf_free(&b);
	gcda_free(&full);
	gcda_free(&part);
	gcda_free(&g);
}
END_TEST

START_TEST(test_zero_runs)
{
	struct gcda_file f, g;
	char err[ERRLEN] = "";

	load("run-3.gcda", &f);
	load("run-3.gcda", &g);
	g.runs = 0;
	g.sum_max = 0;
	for (size_t i = 0; i < g.n_functions; i++)
		memset(g.functions[i].arcs, 0, g.functions[i].n_arcs * sizeof(uint64_t));
	ck_assert_msg(gcda_merge(&f, &g, err, sizeof err) == 0, "%s", err);
	assert_counted(&f, 1, 3, 3);
	assert_serializes_to(&f, "run-3.gcda");
	gcda_free(&f);
	gcda_free(&g);
}
END_TEST

START_TEST(test_saturation)
{
	struct gcda_file f, g;
	char err[ERRLEN] = "";
	struct gcda_function *fn;

	load("run-3.gcda", &f);
	load("run-3.gcda", &g);
	fn = &f.functions[index_of(&f, "step")];
	fn->arcs[0] = GCDA_COUNTER_MAX - 1;
	f.runs = UINT32_MAX - 1;
	f.sum_max = 0xffffffffu;
	ck_assert_msg(gcda_merge(&f, &g, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(fn->arcs[0], GCDA_COUNTER_MAX);
	ck_assert_uint_eq(f.runs, UINT32_MAX);
	/* sum_max is 32 bits on disk: the sum wraps there exactly as gcov-tool's does. */
	ck_assert_uint_eq((uint32_t)f.sum_max, 2);
	gcda_free(&f);
	gcda_free(&g);
}
END_TEST

/* dst must come out of a refused merge byte for byte as it went in. */
static void merge_refused(struct gcda_file *dst, const struct gcda_file *src, const char *want)
{
	struct buffer before = { 0 };
	char err[ERRLEN] = "";

	gcda_serialize(dst, &before);
	ck_assert_int_eq(gcda_merge(dst, src, err, sizeof err), -1);
	assert_message(err, want);
	assert_bytes(dst, &before);
	buf_free(&before);
}

START_TEST(test_mismatch_merge)
{
	struct gcda_file cur, v2, rebuilt, bad;

	load("run-3.gcda", &cur);
	load("v2-run-3.gcda", &v2);
	load("rebuild-run-3.gcda", &rebuilt);
	ck_assert_uint_ne(cur.stamp, v2.stamp);
	ck_assert_uint_eq(cur.checksum, rebuilt.checksum);
	ck_assert_uint_ne(cur.stamp, rebuilt.stamp);
	if (is_gcc11(&cur)) {
		/* No header checksum: the stamp tells the builds apart. */
		merge_refused(&cur, &v2, "stamp differs");
		merge_refused(&v2, &cur, "stamp differs");
	} else {
		ck_assert_uint_ne(cur.checksum, v2.checksum);
		merge_refused(&cur, &v2, "checksum differs");
		merge_refused(&v2, &cur, "checksum differs");
	}
	merge_refused(&cur, &rebuilt, "stamp differs");

	load("run-10.gcda", &bad);
	bad.functions[index_of(&bad, "main")].cfg_checksum ^= 1;
	merge_refused(&cur, &bad, "different checksums");
	gcda_free(&bad);
	load("run-10.gcda", &bad);
	bad.functions[0].ident ^= 1;
	merge_refused(&cur, &bad, "has ident");
	gcda_free(&bad);
	load("run-10.gcda", &bad);
	bad.functions[index_of(&bad, "main")].n_arcs--;
	merge_refused(&cur, &bad, "arc counters");
	bad.functions[index_of(&bad, "main")].n_arcs++;
	bad.n_functions--;
	merge_refused(&cur, &bad, "function count differs");
	bad.n_functions++;
	bad.version ^= 0x100;
	merge_refused(&cur, &bad, "different GCC versions");
	gcda_free(&bad);

	gcda_free(&cur);
	gcda_free(&v2);
	gcda_free(&rebuilt);
}
END_TEST

static void read_gcno(const char *name, uint32_t *version, uint32_t *stamp, uint32_t *checksum)
{
	char err[ERRLEN] = "";
	char *path = fixture(name);

	ck_assert_msg(gcno_read_header(path, version, stamp, checksum, err, sizeof err) == 0,
	              "%s: %s", path, err);
	free(path);
}

START_TEST(test_mismatch_gcno)
{
	struct gcda_file cur, v2, rebuilt;
	uint32_t ver, stamp, sum, ver2, stamp2, sum2, ver3, stamp3, sum3;

	load("run-3.gcda", &cur);
	load("v2-run-3.gcda", &v2);
	load("rebuild-run-3.gcda", &rebuilt);
	read_gcno("counted.gcno", &ver, &stamp, &sum);
	read_gcno("v2.gcno", &ver2, &stamp2, &sum2);
	read_gcno("rebuild.gcno", &ver3, &stamp3, &sum3);
	ck_assert_uint_eq(ver, cur.version);
	ck_assert_uint_eq(stamp, cur.stamp);
	ck_assert_uint_eq(sum, 0);      /* GCC 12 writes a placeholder, GCC 11 none */

	ck_assert_int_eq(gcda_matches_gcno(&cur, ver, stamp, sum), 1);
	ck_assert_int_eq(gcda_matches_gcno(&v2, ver2, stamp2, sum2), 1);
	ck_assert_int_eq(gcda_matches_gcno(&rebuilt, ver3, stamp3, sum3), 1);
	ck_assert_int_eq(gcda_matches_gcno(&v2, ver, stamp, sum), 0);
	ck_assert_int_eq(gcda_matches_gcno(&cur, ver2, stamp2, sum2), 0);
	ck_assert_int_eq(gcda_matches_gcno(&rebuilt, ver, stamp, sum), 0);
	ck_assert_int_eq(gcda_matches_gcno(&cur, ver3, stamp3, sum3), 0);
	ck_assert_int_eq(gcda_matches_gcno(&cur, ver ^ 1, stamp, sum), 0);
	ck_assert_int_eq(gcda_matches_gcno(&cur, ver, stamp, cur.checksum), 1);
	ck_assert_int_eq(gcda_matches_gcno(&cur, ver, stamp, cur.checksum ^ 1), 0);

	gcda_free(&cur);
	gcda_free(&v2);
	gcda_free(&rebuilt);
}
END_TEST

START_TEST(test_gcno_errors)
{
	char err[ERRLEN] = "";
	uint32_t v, s, c;
	char *path;

	ck_assert_int_eq(gcno_read_header("/nonexistent/x.gcno", &v, &s, &c, err, sizeof err), -1);
	assert_message(err, "No such file");
	ck_assert_int_eq(gcno_read_header("/dev/null", &v, &s, &c, err, sizeof err), -1);
	assert_message(err, "empty file");
	path = fixture("run-3.gcda");
	ck_assert_int_eq(gcno_read_header(path, &v, &s, &c, err, sizeof err), -1);
	assert_message(err, "not a .gcno file");
	free(path);
}
END_TEST

START_TEST(test_truncated)
{
	struct buffer raw;
	struct gcda_file f;
	char err[ERRLEN];

	load_raw("run-3.gcda", &raw);
	for (size_t len = 0; len < raw.len; len++) {
		err[0] = '\0';
		ck_assert_msg(gcda_parse((unsigned char *)raw.data, len, &f, err, sizeof err) == -1,
		              "prefix of %zu bytes accepted", len);
		assert_message(err, len ? "truncated at byte" : "empty file");
	}
	ck_assert_int_eq(gcda_parse((unsigned char *)raw.data, raw.len, &f, err, sizeof err), 0);
	gcda_free(&f);
	buf_free(&raw);
}
END_TEST

/* GCC 11's layout made from GCC 12's file (unit.check-gcc11 tests files gcc-11 wrote): every
 * prefix refused, the whole read back with the same counts; a length in words so large that
 * it overflows as bytes is refused, not wrapped. */
START_TEST(test_gcc11_layout)
{
	struct gcda_file f, g;
	struct buffer raw = { 0 };
	char err[ERRLEN];
	size_t step;

	load("run-3.gcda", &f);
	if (is_gcc11(&f)) {     /* already GCC 11 data: the real cases cover it */
		gcda_free(&f);
		return;
	}
	f.flavor = GCDA_GCC11;
	f.version = 0x4231332a;  /* "B13*" */
	f.checksum = 0;
	gcda_serialize(&f, &raw);
	for (size_t len = 0; len < raw.len; len++) {
		err[0] = '\0';
		ck_assert_msg(gcda_parse((unsigned char *)raw.data, len, &g, err, sizeof err) == -1,
		              "prefix of %zu bytes accepted", len);
		assert_message(err, len ? "truncated at byte" : "empty file");
	}
	ck_assert_msg(gcda_parse((unsigned char *)raw.data, raw.len, &g, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(g.flavor, GCDA_GCC11);
	assert_counted(&g, 1, 3, 3);
	assert_bytes(&g, &raw);
	gcda_free(&g);
	step = find_word(&raw, ident_of("step"));
	set_word(&raw, step + 16, 0x40000002u);
	parse_fails(raw.data, raw.len, "words");
	buf_free(&raw);
	gcda_free(&f);
}
END_TEST

START_TEST(test_bad_headers)
{
	unsigned char zeros[64] = { 0 };
	uint32_t magic = GCDA_MAGIC, swapped = 0x61646367u;
	struct buffer raw;

	parse_fails("", 0, "empty file");
	parse_fails(zeros, sizeof zeros, "not a .gcda file (bad magic)");
	parse_fails("xyz!", 4, "bad magic");
	parse_fails(&magic, 4, "truncated at byte 4 (header at byte 0 needs 8 bytes)");
	parse_fails(&swapped, 4, "byte-swapped .gcda");

	load_raw("counted.gcno", &raw);
	parse_fails(raw.data, raw.len, ".gcno notes file");
	buf_free(&raw);

	load_raw("run-3.gcda", &raw);
	set_word(&raw, 4, 0x4230332a);  /* "B03*": GCC 10.3 */
	parse_fails(raw.data, raw.len, "written by GCC version B03* (GCC 10.3) but parcov reads "
	            "GCC 11 and 12 data");
	set_word(&raw, 4, 0x4234312a);  /* "B41*": GCC 14.1 (condition counters) */
	parse_fails(raw.data, raw.len, "version B41* (GCC 14.1) but parcov reads GCC 11 and 12 "
	            "data (B1x*, B2x*) and Clang's default format (408*): build with gcc-12");
	set_word(&raw, 4, 0x4139332a);  /* "A93*": GCC 9.3 */
	parse_fails(raw.data, raw.len, "(GCC 9.3)");
	buf_free(&raw);

	load_raw("run-3.gcda", &raw);
	for (size_t off = 0; off + 4 <= raw.len; off += 4) {
		unsigned char *p = (unsigned char *)raw.data + off, t;
		t = p[0], p[0] = p[3], p[3] = t;
		t = p[1], p[1] = p[2], p[2] = t;
	}
	parse_fails(raw.data, raw.len, "byte-swapped .gcda");
	buf_free(&raw);
}
END_TEST

START_TEST(test_bad_records)
{
	struct buffer raw;
	size_t step;

	load_raw("run-3.gcda", &raw);
	step = find_word(&raw, ident_of("step"));
	set_word(&raw, step + 12, 0x01a30000u);
	parse_fails(raw.data, raw.len, "unsupported counter kind 0x01a30000 (interval");
	set_word(&raw, step + 12, 0x01af0000u);
	parse_fails(raw.data, raw.len, "unsupported counter kind 0x01af0000 (time profiler");
	set_word(&raw, step + 12, GCDA_TAG_ARCS);
	set_word(&raw, step + 16, 12);
	parse_fails(raw.data, raw.len, "not a multiple of 8");
	set_word(&raw, step + 16, (uint32_t)-0x7ffffff8);
	parse_fails(raw.data, raw.len, "counters in the file");
	set_word(&raw, step + 16, 8);
	set_word(&raw, step - 4, 16);
	parse_fails(raw.data, raw.len, "has length 16 (expected 0 or 12)");
	set_word(&raw, step - 4, 12);
	set_word(&raw, 16, 0x12345678u);
	parse_fails(raw.data, raw.len, "unknown record tag 0x12345678 at byte 16");
	set_word(&raw, 16, 0xa3000000u);
	parse_fails(raw.data, raw.len, "obsolete program summary");
	set_word(&raw, 16, GCDA_TAG_OBJECT_SUMMARY);
	set_word(&raw, step + 12, GCDA_TAG_FUNCTION);
	parse_fails(raw.data, raw.len, "has no arc counter record");
	buf_free(&raw);
}
END_TEST

START_TEST(test_stale_tail)
{
	struct buffer raw;
	struct gcda_file f;
	char err[ERRLEN] = "";
	size_t len;

	/* libgcov rewrites in place without truncating, so an older, longer file's tail can
	 * follow the end marker; it is not part of the data. */
	load_raw("run-3.gcda", &raw);
	len = raw.len;
	buf_add(&raw, "\x01\xa1\x00\x00garbage", 11);
	ck_assert_msg(gcda_parse((unsigned char *)raw.data, raw.len, &f, err, sizeof err) == 0,
	              "%s", err);
	raw.len = len;
	assert_bytes(&f, &raw);
	gcda_free(&f);
	buf_free(&raw);
}
END_TEST

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

/* Whatever parse accepts must serialize; whatever it refuses must explain itself. */
static void parse_any(const unsigned char *data, size_t len)
{
	struct gcda_file f;
	struct buffer out = { 0 };
	char err[ERRLEN] = "";

	if (gcda_parse(data, len, &f, err, sizeof err) == 0) {
		gcda_serialize(&f, &out);
		buf_free(&out);
		gcda_free(&f);
		return;
	}
	assert_message(err, "");
}

START_TEST(test_random_bytes)
{
	unsigned char buf[512];

	for (int i = 0; i < 20000; i++) {
		size_t len = rng() % sizeof buf;
		for (size_t j = 0; j < len; j++)
			buf[j] = (unsigned char)rng();
		if (i % 2 && len >= 8) {    /* get past the magic and version checks */
			uint32_t magic = GCDA_MAGIC, version = 0x4232322a;
			memcpy(buf, &magic, 4);
			memcpy(buf + 4, &version, 4);
		}
		parse_any(buf, len);
	}
}
END_TEST

START_TEST(test_mutations)
{
	struct buffer raw;
	unsigned char *copy;

	load_raw("run-3.gcda", &raw);
	copy = xmalloc(raw.len);
	for (int i = 0; i < 20000; i++) {
		memcpy(copy, raw.data, raw.len);
		for (int k = 1 + (int)(rng() % 4); k > 0; k--) {
			size_t off = rng() % raw.len;
			/* Small and sign-flipped values reach the length and count checks. */
			switch (rng() % 3) {
			case 0: copy[off] = (unsigned char)rng(); break;
			case 1: copy[off] ^= 0x80; break;
			default: copy[off] = (unsigned char)(rng() % 32); break;
			}
		}
		parse_any(copy, rng() % 4 ? raw.len : rng() % raw.len);
	}
	free(copy);
	buf_free(&raw);
}
END_TEST

START_TEST(test_read_errors)
{
	struct gcda_file f;
	char err[ERRLEN] = "";

	ck_assert_int_eq(gcda_read("/nonexistent/x.gcda", &f, err, sizeof err), -1);
	assert_message(err, "No such file or directory");
	ck_assert_int_eq(gcda_read("/dev/null", &f, err, sizeof err), -1);
	assert_message(err, "empty file");
}
END_TEST

Suite *make_gcda_suite(void)
{
	Suite *s = suite_create("gcda");
	TCase *real = tcase_create("real");
	TCase *bad = tcase_create("bad input");

	tcase_add_test(real, test_roundtrip);
	tcase_add_test(real, test_single_run_counts);
	tcase_add_test(real, test_merge_sums);
	tcase_add_test(real, test_merge_many);
	tcase_add_test(real, test_zero_counters);
	tcase_add_test(real, test_unemitted_functions);
	tcase_add_test(real, test_zero_runs);
	tcase_add_test(real, test_saturation);
	tcase_add_test(real, test_mismatch_merge);
	tcase_add_test(real, test_mismatch_gcno);
	tcase_add_test(real, test_gcno_errors);
	tcase_add_test(bad, test_truncated);
	tcase_add_test(bad, test_bad_headers);
	tcase_add_test(bad, test_gcc11_layout);
	tcase_add_test(bad, test_bad_records);
	tcase_add_test(bad, test_stale_tail);
	tcase_add_test(bad, test_random_bytes);
	tcase_add_test(bad, test_mutations);
	tcase_add_test(bad, test_read_errors);
	/* valgrind runs the fuzz loops about 50 times slower */
	tcase_set_timeout(bad, 120);
	suite_add_tcase(s, real);
	suite_add_tcase(s, bad);
	return s;
}

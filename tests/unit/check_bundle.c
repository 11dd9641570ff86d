/* The bundle format (src/bundle.h): round trip, every truncation, every flipped byte, hostile
 * paths. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "util.h"

static const unsigned char gcda[] = {0x61, 0x64, 0x63, 0x67, 0x2a, 0x32, 0x32, 0x42, 0, 1, 2, 3};
static const unsigned char id[BUNDLE_IDENTITY_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A small bundle with one record of every kind, an empty file among them. */
static void sample(struct buffer *out)
{
	struct bundle_writer w = {.mem = out};
	bundle_begin(&w);
	bundle_add(&w, 'M', "meta", "backend=gcov\nhost=h\n", 20);
	bundle_add(&w, 'D', "tests/unit.eval-06d137b9/src/CMakeFiles/calc.dir/eval.c.gcda", gcda, sizeof gcda);
	bundle_add(&w, 'D', "tests/unit.eval-06d137b9/parcov-endings.tsv", "", 0);
	bundle_add(&w, 'N', "tests.tsv", "a\t61\n", 5);
	bundle_add(&w, 'I', "src/CMakeFiles/calc.dir/eval.c.gcno", id, sizeof id);
	bundle_add(&w, 'L', "LastTest.log", "1/1 Testing: a\n", 15);
	ck_assert_int_eq(bundle_end(&w), 0);
}

static int parse_copy(const struct buffer *b, size_t len, struct bundle *out, char *err, size_t errlen)
{
	unsigned char *copy = xmalloc(len ? len : 1);
	memcpy(copy, b->data, len);
	return bundle_parse(copy, len, out, err, errlen);
}

START_TEST(test_round_trip)
{
	struct buffer b = {0};
	struct bundle r;
	char err[256];

	sample(&b);
	ck_assert_int_eq(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_uint_eq(r.n, 6);
	ck_assert_int_eq(r.v[0].kind, 'M');
	ck_assert_str_eq(r.v[1].path, "tests/unit.eval-06d137b9/src/CMakeFiles/calc.dir/eval.c.gcda");
	ck_assert_uint_eq(r.v[1].size, sizeof gcda);
	ck_assert_mem_eq(r.v[1].data, gcda, sizeof gcda);
	ck_assert_uint_eq(r.v[2].size, 0);
	ck_assert_int_eq(r.v[3].kind, 'N');
	ck_assert_mem_eq(r.v[3].data, "a\t61\n", 5);
	ck_assert_int_eq(r.v[4].kind, 'I');
	ck_assert_mem_eq(r.v[4].data, id, sizeof id);
	ck_assert_int_eq(r.v[5].kind, 'L');
	ck_assert_str_eq(r.v[5].path, "LastTest.log");
	ck_assert_mem_eq(r.v[5].data, "1/1 Testing: a\n", 15);
	/* The id is the trailing checksum: the same content gives the same id. */
	{
		struct buffer b2 = {0};
		struct bundle r2;
		sample(&b2);
		ck_assert_int_eq(parse_copy(&b2, b2.len, &r2, err, sizeof err), 0);
		ck_assert_uint_eq(r.id, r2.id);
		bundle_free(&r2);
		buf_free(&b2);
	}
	bundle_free(&r);
	buf_free(&b);
}
END_TEST

/* Cut at every offset: inside the header, a record's header, path, data, the end record and
 * the checksum. Each is refused with a message, never read past the end (valgrind). */
START_TEST(test_every_truncation_is_refused)
{
	struct buffer b = {0};
	struct bundle r;
	char err[256];

	sample(&b);
	for (size_t len = 0; len < b.len; len++) {
		err[0] = '\0';
		ck_assert_msg(parse_copy(&b, len, &r, err, sizeof err) < 0, "accepted at %zu bytes", len);
		ck_assert_msg(strstr(err, "truncated") != NULL, "at %zu: '%s'", len, err);
	}
	buf_free(&b);
}
END_TEST

START_TEST(test_every_flipped_byte_is_refused)
{
	struct buffer b = {0};
	struct bundle r;
	char err[256];

	sample(&b);
	for (size_t i = 0; i < b.len; i++)
		for (int bit = 0; bit < 8; bit += 7) {
			b.data[i] ^= (char)(1 << bit);
			err[0] = '\0';
			ck_assert_msg(parse_copy(&b, b.len, &r, err, sizeof err) < 0, "byte %zu bit %d accepted", i, bit);
			ck_assert_msg(err[0] != '\0', "byte %zu: no message", i);
			b.data[i] ^= (char)(1 << bit);
		}
	buf_free(&b);
}
END_TEST

START_TEST(test_bad_checksum_and_trailing_bytes)
{
	struct buffer b = {0};
	struct bundle r;
	char err[256];

	sample(&b);
	b.data[b.len - 1] ^= 0x40;
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "bad checksum"));
	b.data[b.len - 1] ^= 0x40;
	buf_add(&b, "x", 1);
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "after the checksum"));
	ck_assert_int_lt(parse_copy(&b, 4, &r, err, sizeof err), 0);
	buf_free(&b);
	buf_add(&b, "hello, world", 12);
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a parcov bundle"));
	buf_free(&b);
}
END_TEST

/* b with format version v in its magic, and the checksum made anew to match. */
static void set_version(struct buffer *b, unsigned char v)
{
	uint64_t h;

	b->data[7] = (char)v;
	h = fnv1a64(FNV1A64_INIT, b->data, b->len - 8);
	for (int i = 0; i < 8; i++)
		b->data[b->len - 8 + i] = (char)(h >> (8 * i));
}

/* Version 1 (before 'L' records) is still read; an 'L' record in it, or a newer version, is
 * refused, the latter naming both versions. */
START_TEST(test_versions)
{
	struct buffer b = {0};
	struct bundle_writer w = {.mem = &b};
	struct bundle r;
	char err[256];

	bundle_begin(&w);
	bundle_add(&w, 'M', "meta", "backend=gcov\n", 13);
	bundle_add(&w, 'D', "tests.tsv", "a\t61\n", 5);
	ck_assert_int_eq(bundle_end(&w), 0);
	set_version(&b, 1);
	ck_assert_int_eq(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_uint_eq(r.n, 2);
	bundle_free(&r);
	buf_free(&b);

	sample(&b);
	set_version(&b, 1);
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "unknown kind 0x4c"));
	set_version(&b, 3);
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "format version 3, this parcov reads versions 1 to 2"));
	set_version(&b, 0);
	ck_assert_int_lt(parse_copy(&b, b.len, &r, err, sizeof err), 0);
	ck_assert_ptr_nonnull(strstr(err, "format version 0"));
	buf_free(&b);
}
END_TEST

/* A bundle with a correct checksum can still not write outside its data set. */
START_TEST(test_hostile_paths_are_refused)
{
	const char *paths[] = {"/etc/passwd", "../x", "tests/../../x", "tests/./x", "tests//x", "tests/x/",
			       "."};
	char err[256];

	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		struct buffer b = {0};
		struct bundle_writer w = {.mem = &b};
		struct bundle r;
		bundle_begin(&w);
		bundle_add(&w, 'D', paths[i], "x", 1);
		bundle_end(&w);
		ck_assert_msg(parse_copy(&b, b.len, &r, err, sizeof err) < 0, "'%s' accepted", paths[i]);
		buf_free(&b);
	}
}
END_TEST

Suite *make_bundle_suite(void)
{
	Suite *s = suite_create("bundle");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_every_truncation_is_refused);
	tcase_add_test(tc, test_every_flipped_byte_is_refused);
	tcase_add_test(tc, test_bad_checksum_and_trailing_bytes);
	tcase_add_test(tc, test_hostile_paths_are_refused);
	tcase_add_test(tc, test_versions);
	suite_add_tcase(s, tc);
	return s;
}

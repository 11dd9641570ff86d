/* Tests of gcda.c on the files Clang's --coverage writes (gcov format "408*"), made at test
 * time by gcda-fixtures/make-clang-fixtures.sh into PARCOV_CLANG_FIXTURES. counted.c's
 * functions come in source order with Clang's sequential idents: step (ident 0, one counter:
 * N), never_called (ident 1, two counters: 0, 0), main (ident 2, three counters: 1, 0, N). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

#define ERRLEN 256

static char *fixture(const char *name)
{
	return fixture_path("PARCOV_CLANG_FIXTURES", name);
}

static void load_raw(const char *name, struct buffer *raw)
{
	fixture_load_raw("PARCOV_CLANG_FIXTURES", name, raw);
}

static void load(const char *name, struct gcda_file *f)
{
	fixture_load("PARCOV_CLANG_FIXTURES", name, f);
}

/* The exact counters of a run with argument n, repeated runs times. */
static void assert_counted(const struct gcda_file *f, uint64_t n, uint32_t runs)
{
	const uint64_t want[3][3] = {{n}, {0, 0}, {runs, 0, n}};
	const uint32_t sizes[3] = {1, 2, 3};

	ck_assert_int_eq(f->flavor, GCDA_LLVM);
	ck_assert_uint_eq(f->version, GCDA_VERSION_LLVM);
	ck_assert_uint_eq(f->runs, runs);
	ck_assert_uint_eq(f->n_functions, 3);
	for (uint32_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(f->functions[i].ident, i);
		ck_assert_uint_eq(f->functions[i].n_arcs, sizes[i]);
		for (uint32_t j = 0; j < sizes[i]; j++)
			ck_assert_msg(f->functions[i].arcs[j] == want[i][j],
			              "function %u counter %u: %llu, want %llu", i, j,
			              (unsigned long long)f->functions[i].arcs[j],
			              (unsigned long long)want[i][j]);
	}
}

static void assert_serializes_to(const struct gcda_file *f, const char *name)
{
	struct buffer want, got = {0};

	load_raw(name, &want);
	gcda_serialize(f, &got);
	ck_assert_msg(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
	              "serialized data differs from %s (%zu vs %zu bytes)", name, got.len, want.len);
	buf_free(&want);
	buf_free(&got);
}

START_TEST(test_clang_roundtrip)
{
	const char *const names[] = {"run-0.gcda", "run-3.gcda", "run-10.gcda", "merged-3-10.gcda"};

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct gcda_file f;
		load(names[i], &f);
		assert_serializes_to(&f, names[i]);
		gcda_free(&f);
	}
}
END_TEST

START_TEST(test_clang_counts)
{
	struct gcda_file f;

	load("run-0.gcda", &f);
	assert_counted(&f, 0, 1);
	gcda_free(&f);
	load("run-10.gcda", &f);
	assert_counted(&f, 10, 1);
	gcda_free(&f);
}
END_TEST

/* parcov's merge equals what Clang's runtime does when two runs share one file. */
START_TEST(test_clang_merge_like_runtime)
{
	struct gcda_file a, b;
	char err[ERRLEN] = "";

	load("run-3.gcda", &a);
	load("run-10.gcda", &b);
	ck_assert_msg(gcda_merge(&a, &b, err, sizeof err) == 0, "%s", err);
	assert_counted(&a, 13, 2);
	assert_serializes_to(&a, "merged-3-10.gcda");
	gcda_free(&a);
	gcda_free(&b);
}
END_TEST

START_TEST(test_clang_gcno)
{
	struct gcda_file f, v2;
	uint32_t version, stamp, checksum;
	char err[ERRLEN] = "";
	char *path = fixture("counted.gcno"), *v2_path = fixture("v2.gcno");

	ck_assert_msg(gcno_read_header(path, &version, &stamp, &checksum, err, sizeof err) == 0,
	              "%s", err);
	ck_assert_uint_eq(version, GCDA_VERSION_LLVM);
	ck_assert_uint_eq(checksum, 0);
	load("run-3.gcda", &f);
	load("v2-run-3.gcda", &v2);
	ck_assert(gcda_matches_gcno(&f, version, stamp, checksum));
	ck_assert(!gcda_matches_gcno(&v2, version, stamp, checksum));
	ck_assert_int_eq(gcda_merge(&f, &v2, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "different build") || strstr(err, "differs"), "%s", err);
	ck_assert_msg(gcno_read_header(v2_path, &version, &stamp, &checksum, err, sizeof err) == 0,
	              "%s", err);
	ck_assert(gcda_matches_gcno(&v2, version, stamp, checksum));
	gcda_free(&f);
	gcda_free(&v2);
	free(path);
	free(v2_path);
}
END_TEST

START_TEST(test_clang_bad_input)
{
	struct buffer raw;
	struct gcda_file f;
	char err[ERRLEN];

	load_raw("run-3.gcda", &raw);
	/* Every prefix is refused (the last 8 bytes are the end marker). */
	for (size_t len = 0; len < raw.len - 4; len++) {
		err[0] = '\0';
		ck_assert_msg(gcda_parse((unsigned char *)raw.data, len, &f, err, sizeof err) == -1,
		              "prefix of %zu bytes accepted", len);
	}
	/* A GCC 4.8 program summary is 22+ words long: not Clang's, said clearly. */
	for (size_t off = 12; off + 8 <= raw.len; off += 4) {
		uint32_t w;
		memcpy(&w, raw.data + off, 4);
		if (w == GCDA_TAG_PROGRAM_SUMMARY) {
			uint32_t len = 22;
			memcpy(raw.data + off + 4, &len, 4);
			break;
		}
	}
	ck_assert_int_eq(gcda_parse((unsigned char *)raw.data, raw.len, &f, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "Clang writes 3") != NULL, "%s", err);
	buf_free(&raw);
	/* Random mutations never crash or leak (valgrind/ASan runs check that). */
	load_raw("merged-3-10.gcda", &raw);
	srand(4);
	for (int i = 0; i < 5000; i++) {
		unsigned char *copy = xmalloc(raw.len);
		memcpy(copy, raw.data, raw.len);
		copy[(size_t)rand() % raw.len] = (unsigned char)rand();
		if (gcda_parse(copy, raw.len, &f, err, sizeof err) == 0)
			gcda_free(&f);
		free(copy);
	}
	buf_free(&raw);
}
END_TEST

Suite *make_gcda_clang_suite(void)
{
	Suite *s = suite_create("gcda-clang");
	TCase *t = tcase_create("clang");

	tcase_add_test(t, test_clang_roundtrip);
	tcase_add_test(t, test_clang_counts);
	tcase_add_test(t, test_clang_merge_like_runtime);
	tcase_add_test(t, test_clang_gcno);
	tcase_add_test(t, test_clang_bad_input);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}

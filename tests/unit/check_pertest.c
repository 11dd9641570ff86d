/* Tests of gcno.c (block counts solved from one run's arc counters, against what
 * gcda-fixtures/counted.c executes: with argument N, step() runs N times, never_called()
 * never, main's loop body N times) and of diff.c's unified diff parser. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "fixtures.h"
#include "gcno.h"
#include "pertest.h"
#include "util.h"

#define ERRLEN 256

struct seen {
	unsigned char line[64];
	int bad_file;
};

static void mark(void *ctx, uint32_t file, uint32_t line)
{
	struct seen *s = ctx;
	if (file != 0)
		s->bad_file = 1;
	if (line < sizeof s->line)
		s->line[line] = 1;
}

static void executed(const char *gcda, struct seen *s)
{
	struct gcno_object o;
	struct gcda_file d;
	char err[ERRLEN];
	char *path = fixture_path("PARCOV_FIXTURES", "counted.gcno");

	ck_assert_msg(gcno_load(path, &o, err, sizeof err) == 0, "%s: %s", path, err);
	ck_assert_uint_eq(o.n_files, 1);
	ck_assert_ptr_nonnull(strstr(o.files[0], "counted.c"));
	fixture_load("PARCOV_FIXTURES", gcda, &d);
	memset(s, 0, sizeof *s);
	ck_assert_msg(gcno_executed_lines(&o, &d, mark, s, err, sizeof err) == 0, "%s", err);
	ck_assert(!s->bad_file);
	gcda_free(&d);
	gcno_free(&o);
	free(path);
}

/* Line numbers of counted.c. */
enum { STEP_RETURN = 11, NEVER_IF = 16, NEVER_SINK = 17, NEVER_RETURN = 18, MAIN_N = 23,
       MAIN_FOR = 25, MAIN_BODY = 26 };

START_TEST(test_run_0)
{
	struct seen s;
	executed("run-0.gcda", &s);
	ck_assert(s.line[MAIN_N]);
	ck_assert(s.line[MAIN_FOR]);
	ck_assert(!s.line[MAIN_BODY]);
	ck_assert(!s.line[STEP_RETURN]);
	ck_assert(!s.line[NEVER_IF] && !s.line[NEVER_SINK] && !s.line[NEVER_RETURN]);
}
END_TEST

START_TEST(test_run_3)
{
	struct seen s;
	executed("run-3.gcda", &s);
	ck_assert(s.line[MAIN_N]);
	ck_assert(s.line[MAIN_BODY]);
	ck_assert(s.line[STEP_RETURN]);
	ck_assert(!s.line[NEVER_IF] && !s.line[NEVER_SINK] && !s.line[NEVER_RETURN]);
}
END_TEST

/* Another build's data does not fit the graph: an error, not wrong lines. */
START_TEST(test_other_build)
{
	struct gcno_object o;
	struct gcda_file d;
	struct seen s = {0};
	char err[ERRLEN];
	char *path = fixture_path("PARCOV_FIXTURES", "v2.gcno");

	ck_assert(gcno_load(path, &o, err, sizeof err) == 0);
	fixture_load("PARCOV_FIXTURES", "run-3.gcda", &d);
	ck_assert_int_eq(gcno_executed_lines(&o, &d, mark, &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "another build"));
	gcda_free(&d);
	gcno_free(&o);
	free(path);
}
END_TEST

START_TEST(test_damaged)
{
	struct gcno_object o;
	struct buffer raw = {0};
	char err[ERRLEN];

	fixture_load_raw("PARCOV_FIXTURES", "counted.gcno", &raw);
	/* Every truncation is refused or parsed; never a crash (valgrind run checks reads). */
	for (size_t n = 0; n < raw.len; n += 7)
		if (gcno_parse((const unsigned char *)raw.data, n, &o, err, sizeof err) == 0)
			gcno_free(&o);
	ck_assert_int_eq(gcno_parse((const unsigned char *)"xxxxxxxxxxxx", 12, &o, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "not a .gcno"));
	buf_free(&raw);
}
END_TEST

/* A GCC 12 .gcno in memory: one function of three blocks whose arc records come from the
 * source blocks in srcs (one arc each, to block 2; flags as given). */
static void small_gcno(struct buffer *b, const uint32_t *srcs, size_t n, uint32_t flags)
{
	uint32_t head[] = {0x67636e6f, 0x4232322a, 7, 0, 0, 0}; /* magic, "B22*", stamp,
								       checksum, no cwd, unexecuted */
	uint32_t fn[] = {0x01000000, 44, 1, 2, 3, 0, 0, 4, 0, 1, 1, 9, 1};
	uint32_t blocks[] = {0x01410000, 4, 3};
	buf_add(b, head, sizeof head);
	memcpy(&fn[8], "a.c", 4); /* the source string's 4 bytes, NUL included */
	buf_add(b, fn, sizeof fn);
	buf_add(b, blocks, sizeof blocks);
	for (size_t i = 0; i < n; i++) {
		uint32_t arcs[] = {0x01430000, 12, srcs[i], 2, flags};
		buf_add(b, arcs, sizeof arcs);
	}
	buf_add(b, "\0\0\0\0", 4);
}

static int odd_gcno(const uint32_t *srcs, size_t n)
{
	struct buffer b = {0};
	struct gcno_object o;
	char err[ERRLEN];
	int odd;
	small_gcno(&b, srcs, n, 0);
	ck_assert_msg(gcno_parse((const unsigned char *)b.data, b.len, &o, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(o.n_fn, 1);
	ck_assert_uint_eq(o.fn[0].n_arcs, n);
	odd = o.odd;
	gcno_free(&o);
	buf_free(&b);
	return odd;
}

/* Two arc records of one block make the object odd (left to gcov), in or out of order. */
START_TEST(test_arc_records)
{
	static const uint32_t in_order[] = {0, 1}, backwards[] = {1, 0}, twice[] = {0, 0},
			      twice_apart[] = {1, 0, 1}, twice_back[] = {0, 1, 0};
	ck_assert_int_eq(odd_gcno(in_order, 2), 0);
	ck_assert_int_eq(odd_gcno(backwards, 2), 0);
	ck_assert_int_eq(odd_gcno(twice, 2), 1);
	ck_assert_int_eq(odd_gcno(twice_apart, 3), 1);
	ck_assert_int_eq(odd_gcno(twice_back, 3), 1);
}
END_TEST

/* A graph the solver cannot finish (every arc on the spanning tree) is an error even for data
 * whose counters are all zero, which need no solving otherwise. */
START_TEST(test_unsolvable_zero)
{
	static const uint32_t srcs[] = {0, 1};
	struct buffer b = {0};
	struct gcno_object o;
	struct gcda_function g = {1, 2, 3, 1, 0, NULL, 0};
	struct gcda_file d = {0};
	struct seen s = {0};
	char err[ERRLEN];

	small_gcno(&b, srcs, 2, 1);
	ck_assert_msg(gcno_parse((const unsigned char *)b.data, b.len, &o, err, sizeof err) == 0, "%s", err);
	ck_assert_uint_eq(o.fn[0].n_counted, 0);
	ck_assert_int_eq(o.fn[0].unsolvable, 1);
	d.n_functions = 1;
	d.functions = &g;
	ck_assert_int_eq(gcno_executed_lines(&o, &d, mark, &s, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot be solved"));
	gcno_free(&o);
	buf_free(&b);
}
END_TEST

static const char *const sample_diff =
	"diff --git a/src/x.c b/src/x.c\n"
	"index 1..2 100644\n"
	"--- a/src/x.c\n"
	"+++ b/src/x.c\n"
	"@@ -3,4 +3,5 @@ int f(void)\n"
	" context 3\n"
	"-old 4\n"
	"+new 4\n"
	" context 5\n"
	"+inserted after old 5 (new 6)\n"
	" context 6\n"
	"@@ -20,0 +22,2 @@\n"
	"+new 22\n"
	"+new 23\n"
	"--- a/gone.c\n"
	"+++ /dev/null\n"
	"@@ -1,2 +0,0 @@\n"
	"-a\n"
	"-b\n"
	"--- /dev/null\n"
	"+++ b/new.c\n"
	"@@ -0,0 +1 @@\n"
	"+hello\n"
	"\\ No newline at end of file\n"
	"diff --git a/data/blob.bin b/data/blob.bin\n"
	"index 1..2 100644\n"
	"Binary files a/data/blob.bin and b/data/blob.bin differ\n"
	"diff --git a/old name.c b/new name.c\n"
	"similarity index 100%\n"
	"rename from old name.c\n"
	"rename to new name.c\n";

START_TEST(test_diff_parse)
{
	struct diff d;
	const struct diff_file *f;

	ck_assert_int_eq(diff_parse(sample_diff, "sample", &d), 0);
	ck_assert_uint_eq(d.n, 5);
	f = &d.f[0];
	ck_assert_str_eq(f->old_path, "src/x.c");
	ck_assert_str_eq(f->new_path, "src/x.c");
	ck_assert_uint_eq(f->nremoved, 1);
	ck_assert_int_eq(f->removed[0], 4);
	ck_assert_uint_eq(f->ninserted, 2);
	ck_assert_int_eq(f->inserted[0], 5);
	ck_assert_int_eq(f->inserted[1], 20);
	ck_assert_uint_eq(f->nadded, 4);
	ck_assert_int_eq(f->added[0], 4);
	ck_assert_int_eq(f->added[1], 6);
	ck_assert_int_eq(f->added[2], 22);
	ck_assert_int_eq(f->added[3], 23);
	f = &d.f[1];
	ck_assert_str_eq(f->old_path, "gone.c");
	ck_assert_ptr_null(f->new_path);
	ck_assert_uint_eq(f->nremoved, 2);
	ck_assert_int_eq(f->removed[1], 2);
	f = &d.f[2];
	ck_assert_ptr_null(f->old_path);
	ck_assert_str_eq(f->new_path, "new.c");
	ck_assert_uint_eq(f->nadded, 1);
	ck_assert_int_eq(f->added[0], 1);
	ck_assert(!f->no_lines);
	f = &d.f[3];
	ck_assert_str_eq(f->old_path, "data/blob.bin");
	ck_assert(f->no_lines);
	f = &d.f[4];
	ck_assert_str_eq(f->old_path, "old name.c");
	ck_assert_str_eq(f->new_path, "new name.c");
	ck_assert(f->no_lines);
	diff_free(&d);
}
END_TEST

START_TEST(test_diff_truncated)
{
	struct diff d;
	ck_assert_int_eq(diff_parse("--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n x\nsomething else\n", "t", &d), -1);
	ck_assert_int_eq(diff_parse("@@ -1 +1 @@\n-x\n+y\n", "t", &d), -1);
}
END_TEST

/* The store written by pertest_build read back (pertest_load): each line's tests, sorted,
 * from runs of lines; lines between runs are not lines of the report; a damaged L record
 * (a number missing, a set that does not exist) makes the store unreadable. */
static struct pertest *load_store(const char *dir, const char *body)
{
	struct config c = {0};
	struct buffer text = {0};
	struct pertest *pt;
	char *path = xasprintf("%s/%s", dir, PERTEST_STORE);

	buf_printf(&text, "parcov-tests 1\nT ok 62\nT partial 61\nS 0\nS 1 0\nF /src/a.c\ta.c\n%s", body);
	ck_assert_int_eq(write_file_atomic(path, text.data, text.len), 0);
	c.data_dir = (char *)dir;
	c.build_dir = (char *)dir;
	pt = pertest_load(&c);
	buf_free(&text);
	free(path);
	return pt;
}

START_TEST(test_store_read)
{
	char *dir = fixture_tmpdir("pertest-store");
	struct pertest *pt = load_store(dir, "L 1 3 1\nL 5 5 2\nL 6 9 0\nL 10 12 2\nL 14 14 1\n");
	const char *const *names;
	size_t n;

	ck_assert_ptr_nonnull(pt);
	ck_assert_uint_eq(pertest_n_tests(pt), 2);
	ck_assert(pertest_test_partial(pt, 1));
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/a.c", 2, &names, &n), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(names[0], "b");
	ck_assert_int_eq(pertest_tests_for_line(pt, "a.c", 11, &names, &n), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(names[0], "a"); /* sorted by name, whatever the store's order */
	ck_assert_str_eq(names[1], "b");
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/a.c", 7, &names, &n), 1);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/a.c", 14, &names, &n), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/a.c", 4, &names, &n), 0);
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/a.c", 15, &names, &n), 0);
	ck_assert_int_eq(pertest_tests_for_line(pt, "/src/none.c", 1, &names, &n), -1);
	ck_assert_int_eq(pertest_nearest_line(pt, "/src/a.c", 13, -1), 12);
	ck_assert_int_eq(pertest_nearest_line(pt, "/src/a.c", 13, 1), 14);
	pertest_free(pt);
	ck_assert_ptr_null(load_store(dir, "L 1 3\n"));
	ck_assert_ptr_null(load_store(dir, "L 1 3 3\n"));
	ck_assert_ptr_null(load_store(dir, "L x\n"));
	remove_tree(dir);
	free(dir);
}
END_TEST

Suite *make_pertest_suite(void)
{
	Suite *s = suite_create("pertest");
	TCase *t = tcase_create("gcno");
	TCase *d = tcase_create("diff");

	tcase_add_test(t, test_run_0);
	tcase_add_test(t, test_run_3);
	tcase_add_test(t, test_other_build);
	tcase_add_test(t, test_damaged);
	tcase_add_test(t, test_arc_records);
	tcase_add_test(t, test_unsolvable_zero);
	tcase_add_test(t, test_store_read);
	tcase_add_test(d, test_diff_parse);
	tcase_add_test(d, test_diff_truncated);
	suite_add_tcase(s, t);
	suite_add_tcase(s, d);
	return s;
}

/* combine's manifest and journal (src/manifest.c) and tests.tsv (src/testname.c): round
 * trips, and damaged files refused with the line named, never a path outside the tree. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "manifest.h"
#include "testname.h"
#include "util.h"

static char *root;
static struct config cfg;

static void setup(void)
{
	root = fixture_tmpdir("manifest");
	memset(&cfg, 0, sizeof cfg);
	cfg.build_dir = xstrdup(root);
	cfg.data_dir = path_join(root, "coverage-data");
	ck_assert_int_eq(mkdirs(cfg.data_dir, 0777), 0);
}

static void teardown(void)
{
	remove_tree(root);
	free(root);
	free(cfg.build_dir);
	free(cfg.data_dir);
}

START_TEST(test_manifest_round_trip)
{
	char *rels[] = {"src/CMakeFiles/z.dir/z.c.gcda", "a.dir/a.c.gcda", "gone.gcda"};
	struct manifest m, again;
	struct buffer text = {0};
	struct stat st;
	char err[512] = "";
	char *full;

	fixture_put(root, rels[0], "zz");
	fixture_put(root, rels[1], "aaaa");
	/* A result that is not there is not recorded. */
	ck_assert_int_eq(manifest_write(&cfg, rels, 3), 0);
	ck_assert_int_eq(manifest_load(&cfg, &m, err, sizeof err), 0);
	ck_assert_uint_eq(m.n, 2);
	ck_assert_str_eq(m.v[0].rel, "a.dir/a.c.gcda"); /* sorted */
	ck_assert(m.v[0].size == 4);
	ck_assert_str_eq(m.v[1].rel, "src/CMakeFiles/z.dir/z.c.gcda");

	full = path_join(root, rels[1]);
	ck_assert_int_eq(lstat(full, &st), 0);
	ck_assert(manifest_unchanged(&m, rels[1], &st));
	ck_assert(!manifest_unchanged(&m, "other.gcda", &st));
	/* Rewritten since (another size): foreign data now. */
	fixture_put(root, rels[1], "aaaaa");
	ck_assert_int_eq(lstat(full, &st), 0);
	ck_assert(!manifest_unchanged(&m, rels[1], &st));
	free(full);

	manifest_format(&m, &text);
	ck_assert_int_eq(manifest_parse(text.data, &again, err, sizeof err), 0);
	ck_assert_uint_eq(again.n, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(again.v[i].rel, m.v[i].rel);
		ck_assert(again.v[i].size == m.v[i].size && again.v[i].mtime_ns == m.v[i].mtime_ns);
	}
	manifest_free(&again);
	manifest_free(&m);
	buf_free(&text);

	ck_assert_int_eq(manifest_remove(&cfg), 0);
	ck_assert_int_eq(manifest_load(&cfg, &m, err, sizeof err), 0);
	ck_assert_uint_eq(m.n, 0);
}
END_TEST

/* text must be refused, err naming line and why. */
static void refused(const char *text, const char *why)
{
	struct manifest m;
	char err[512] = "";

	ck_assert_int_eq(manifest_parse(text, &m, err, sizeof err), -1);
	ck_assert_msg(strstr(err, why), "'%s' gives '%s', not '%s'", text, err, why);
	ck_assert_uint_eq(m.n, 0);
}

START_TEST(test_damaged_manifest_is_refused)
{
	struct manifest m;
	char err[512] = "", *want;

	refused("4\t5\ta.gcda\nfour\t5\tb.gcda\n", "line 2 is not 'SIZE TAB MTIME TAB PATH'");
	refused("4\t5\n", "line 1 is not");
	refused("4 5 a.gcda\n", "line 1 is not");
	refused("-4\t5\ta.gcda\n", "line 1 is not");
	/* Paths combine would remove: never outside the build tree. */
	refused("4\t5\t../outside.gcda\n", "line 1: '../outside.gcda' leads out of the build tree");
	refused("4\t5\ta/../../b.gcda\n", "leads out of the build tree");
	refused("4\t5\t/etc/x.gcda\n", "'/etc/x.gcda' is not a path relative to the build tree");
	refused("4\t5\t\n", "is not a path relative");
	refused("4\t5\tsrc/main.c\n", "'src/main.c' is not a .gcda file");
	/* A name merely starting with dots is fine. */
	ck_assert_int_eq(manifest_parse("4\t5\t..a/b..gcda\n", &m, err, sizeof err), 0);
	ck_assert_uint_eq(m.n, 1);
	manifest_free(&m);

	fixture_put(cfg.data_dir, "combined.tsv", "1\t2\tx.gcda\ngarbage\n");
	ck_assert_int_eq(manifest_load(&cfg, &m, err, sizeof err), -1);
	want = xasprintf("%s/combined.tsv is damaged: line 2 is not", cfg.data_dir);
	ck_assert_ptr_nonnull(strstr(err, want));
	free(want);
}
END_TEST

START_TEST(test_journal_round_trip_and_damage)
{
	char *rels[] = {"a.dir/a.c.gcda", "b.gcda"};
	struct strings got = {0};
	char err[512] = "", *want;

	ck_assert_int_eq(journal_read(&cfg, &got, err, sizeof err), 0);
	ck_assert_int_eq(journal_write(&cfg, rels, 2), 0);
	ck_assert_int_eq(journal_read(&cfg, &got, err, sizeof err), 1);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_str_eq(got.v[0], rels[0]);
	ck_assert_str_eq(got.v[1], rels[1]);
	strings_free(&got);
	ck_assert_int_eq(journal_remove(&cfg), 0);
	ck_assert_int_eq(journal_read(&cfg, &got, err, sizeof err), 0);

	fixture_put(cfg.data_dir, "combined-pending.tsv", "a.gcda\n../../home/x.gcda\n");
	ck_assert_int_eq(journal_read(&cfg, &got, err, sizeof err), -1);
	want = xasprintf("%s/combined-pending.tsv is damaged: line 2: '../../home/x.gcda' leads out "
			 "of the build tree", cfg.data_dir);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(got.n, 0);
	free(want);
}
END_TEST

static void tsv_line(struct buffer *b, const char *dir, const char *name)
{
	buf_printf(b, "%s\t", dir);
	for (const char *p = name; *p; p++)
		buf_printf(b, "%02x", (unsigned char)*p);
	buf_add(b, "\n", 1);
}

START_TEST(test_tests_tsv_round_trip)
{
	static const char *const names[] = {"plain", "with; semicolon", "two\nlines", "ünï"};
	struct buffer conf = {0}, disc = {0};
	struct test_list t;
	char *run = path_join(cfg.data_dir, "runs/000001");

	for (size_t i = 0; i < 4; i++) {
		char *dir = testname_to_dir(names[i], strlen(names[i]));
		tsv_line(i < 3 ? &conf : &disc, dir, names[i]);
		free(dir);
	}
	/* A discovered test named like a configure-time one: its first line counts. */
	tsv_line(&disc, "elsewhere", "plain");
	fixture_put(cfg.data_dir, "tests.tsv", conf.data);
	fixture_put(run, "tests.tsv", disc.data);
	ck_assert_int_eq(testname_load(cfg.data_dir, run, &t), 0);
	ck_assert_uint_eq(t.n, 4);
	for (size_t i = 0; i < 4; i++) {
		char *dir = testname_to_dir(names[i], strlen(names[i]));
		ck_assert_str_eq(t.v[i].name, names[i]);
		ck_assert_str_eq(t.v[i].dir, dir);
		free(dir);
	}
	testname_free(&t);
	/* Without the run, only the configure-time tests. */
	ck_assert_int_eq(testname_load(cfg.data_dir, NULL, &t), 0);
	ck_assert_uint_eq(t.n, 3);
	testname_free(&t);
	buf_free(&conf);
	buf_free(&disc);
	free(run);
}
END_TEST

START_TEST(test_damaged_tests_tsv_lines_are_named)
{
	struct test_list t;
	char *path = path_join(cfg.data_dir, "tests.tsv"), *msg, *want;

	fixture_put(cfg.data_dir, "tests.tsv", "ok-1\t6f6b\nno tab here\n\t6f6b32\nbad-3\t6g\n"
						"nul-4\t610062\n\nlast-5\t6c617374");
	stderr_capture_begin();
	ck_assert_int_eq(testname_load(cfg.data_dir, NULL, &t), 0);
	msg = stderr_capture_end();
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.v[0].name, "ok");
	ck_assert_str_eq(t.v[1].name, "last");
	ck_assert_str_eq(t.v[1].dir, "last-5");
	for (int line = 2; line <= 5; line++) {
		want = xasprintf("%s:%d: damaged line", path, line);
		ck_assert_msg(strstr(msg, want), "no warning for line %d", line);
		free(want);
	}
	testname_free(&t);
	free(msg);

	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(testname_load(cfg.data_dir, NULL, &t), -1);
	ck_assert_uint_eq(t.n, 0);
	free(path);
}
END_TEST

Suite *make_manifest_suite(void)
{
	Suite *s = suite_create("manifest");
	TCase *tc = tcase_create("formats");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_manifest_round_trip);
	tcase_add_test(tc, test_damaged_manifest_is_refused);
	tcase_add_test(tc, test_journal_round_trip_and_damage);
	tcase_add_test(tc, test_tests_tsv_round_trip);
	tcase_add_test(tc, test_damaged_tests_tsv_lines_are_named);
	suite_add_tcase(s, tc);
	return s;
}

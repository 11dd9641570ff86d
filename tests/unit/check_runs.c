/* The data sets (src/runs.c): starting one, which are kept, the record pre-test leaves in
 * one (round trip, damaged files named), and ctest's LastTest.log as CTest 3.25 and 4.3
 * really write it (ctest-logs/, made by ctest-logs/CMakeLists.txt.in). */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "fixtures.h"
#include "runs.h"
#include "util.h"

static char *root;
static struct config cfg;

static void setup(void)
{
	root = fixture_tmpdir("runs");
	memset(&cfg, 0, sizeof cfg);
	cfg.build_dir = xstrdup(root);
	cfg.data_dir = path_join(root, "coverage-data");
}

static void teardown(void)
{
	remove_tree(root);
	free(root);
	free(cfg.build_dir);
	free(cfg.data_dir);
}

/* The data set 'current' points at, relative to coverage-data/. */
static char *current_target(void)
{
	char *link = path_join(cfg.data_dir, "current");
	char target[256];
	ssize_t n = readlink(link, target, sizeof target - 1);

	ck_assert_int_gt(n, 0);
	free(link);
	return xasprintf("%.*s", (int)n, target);
}

static int run_exists(const char *name)
{
	char *path = xasprintf("%s/runs/%s", cfg.data_dir, name);
	int ret = is_dir(path);
	free(path);
	return ret;
}

START_TEST(test_new_sets_and_the_one_kept)
{
	char *t, *latest, *next;

	ck_assert_ptr_null(runs_latest_with_data(&cfg));
	ck_assert_int_eq(runs_start(&cfg), 0);
	t = current_target();
	ck_assert_str_eq(t, "runs/000001");
	free(t);
	fixture_put(cfg.data_dir, "current/tests/t-1/obj/a.gcda", "x");
	/* A run that writes nothing (ctest -N) keeps the newest set holding data. */
	ck_assert_int_eq(runs_start(&cfg), 0);
	ck_assert_int_eq(runs_start(&cfg), 0);
	t = current_target();
	ck_assert_str_eq(t, "runs/000003");
	free(t);
	ck_assert(run_exists("000001"));
	ck_assert(!run_exists("000002"));
	latest = runs_latest_with_data(&cfg);
	ck_assert_ptr_nonnull(latest);
	ck_assert_str_eq(latest + strlen(latest) - 12, "/runs/000001");
	free(latest);
	next = runs_next_path(&cfg);
	ck_assert_str_eq(next + strlen(next) - 12, "/runs/000004");
	free(next);

	/* Append mode goes on writing the current set. */
	cfg.append = 1;
	ck_assert_int_eq(runs_start(&cfg), 0);
	t = current_target();
	ck_assert_str_eq(t, "runs/000003");
	free(t);
	cfg.append = 0;

	ck_assert_int_eq(runs_remove_all(&cfg), 0);
	ck_assert(!run_exists("000001"));
	ck_assert(!run_exists("000003"));
	ck_assert_ptr_null(runs_latest_with_data(&cfg));
}
END_TEST

START_TEST(test_record_round_trip)
{
	char *run = path_join(cfg.data_dir, "runs/000001");
	struct run_record w = {"/build/tests", 1234, 5678901234LL, "30"}, r;
	char err[512] = "";
	char *path;

	ck_assert_int_eq(mkdirs(run, 0777), 0);
	ck_assert_int_eq(runs_record_write(run, &w), 0);
	ck_assert_int_eq(runs_record_read(run, &r, err, sizeof err), 0);
	ck_assert_str_eq(r.ctest_dir, "/build/tests");
	ck_assert_int_eq(r.pid, 1234);
	ck_assert(r.started == 5678901234LL);
	ck_assert_str_eq(r.timeout, "30");
	runs_record_free(&r);

	/* The runtime reads ctest-timeout itself: the bare value. */
	path = path_join(run, "ctest-timeout");
	{
		struct buffer b = {0};
		ck_assert_int_eq(read_file(path, &b), 0);
		ck_assert_str_eq(b.data, "30");
		buf_free(&b);
	}
	free(path);

	/* Nothing recorded (pre-test run outside ctest): the files go. */
	ck_assert_int_eq(runs_record_write(run, &(struct run_record){0}), 0);
	ck_assert_int_eq(runs_record_read(run, &r, err, sizeof err), 0);
	ck_assert_ptr_null(r.ctest_dir);
	ck_assert_int_eq(r.pid, 0);
	ck_assert_ptr_null(r.timeout);
	runs_record_free(&r);
	path = path_join(run, "ctest-pid");
	ck_assert(!exists(path));
	free(path);
	free(run);
}
END_TEST

START_TEST(test_damaged_record_is_named)
{
	char *run = path_join(cfg.data_dir, "runs/000001"), *want, *log, *msg;
	struct run_record r;
	char err[512] = "";

	fixture_put(run, "ctest-pid", "12x 34\n");
	fixture_put(run, "ctest-dir", "/build");
	ck_assert_int_eq(runs_record_read(run, &r, err, sizeof err), -1);
	want = xasprintf("%s/ctest-pid is damaged: '12x 34' is not 'PID START_TIME'", run);
	ck_assert_str_eq(err, want);
	free(want);
	/* The rest is still read; the damaged field is as if missing. */
	ck_assert_str_eq(r.ctest_dir, "/build");
	ck_assert_int_eq(r.pid, 0);
	runs_record_free(&r);
	/* combine takes such a ctest as finished, and says so. */
	stderr_capture_begin();
	ck_assert_int_eq(runs_check_idle(&cfg, run), 0);
	msg = stderr_capture_end();
	ck_assert_ptr_nonnull(strstr(msg, "ctest-pid is damaged"));
	free(msg);

	fixture_put(run, "ctest-pid", "-5 34\n");
	ck_assert_int_eq(runs_record_read(run, &r, err, sizeof err), -1);
	runs_record_free(&r);

	fixture_put(run, "ctest-pid", "77 88\n");
	fixture_put(run, "ctest-dir", "relative/dir");
	ck_assert_int_eq(runs_record_read(run, &r, err, sizeof err), -1);
	want = xasprintf("%s/ctest-dir is damaged: 'relative/dir' is not an absolute directory", run);
	ck_assert_str_eq(err, want);
	free(want);
	ck_assert_ptr_null(r.ctest_dir);
	ck_assert_int_eq(r.pid, 77);
	runs_record_free(&r);
	/* The log is then looked for at the top of the build tree, with a warning. */
	stderr_capture_begin();
	log = runs_ctest_log(&cfg, run);
	msg = stderr_capture_end();
	want = xasprintf("%s/Testing/Temporary/LastTest.log", root);
	ck_assert_str_eq(log, want);
	ck_assert_ptr_nonnull(strstr(msg, "ctest-dir is damaged"));
	free(want);
	free(msg);
	free(log);
	free(run);
}
END_TEST

static void parse_log(const char *name, struct strings *names)
{
	char *path = xasprintf("%s/ctest-logs/%s", PARCOV_UNIT_DIR, name);
	struct buffer b = {0};

	ck_assert_msg(read_file(path, &b) == 0, "cannot read %s", path);
	runs_parse_ctest_log(b.data, names);
	buf_free(&b);
	free(path);
}

/* Both versions: every test once, in the log's order, whether it passed, failed, could not
 * start or is disabled; a name with a newline whole; a test's output that imitates the
 * header lines is not a test. */
static void check_log(const char *name, const char *second, const char *third)
{
	struct strings names = {0};

	parse_log(name, &names);
	ck_assert_uint_eq(names.n, 6);
	ck_assert_str_eq(names.v[0], "passes");
	ck_assert_str_eq(names.v[1], second);
	ck_assert_str_eq(names.v[2], third);
	ck_assert_str_eq(names.v[3], "missing");
	ck_assert_str_eq(names.v[4], "disabled");
	ck_assert_str_eq(names.v[5], "two\nlines");
	ck_assert(!strings_has(&names, "ghost"));
	ck_assert(!strings_has(&names, "phantom"));
	strings_free(&names);
}

START_TEST(test_ctest_3_25_log)
{
	check_log("LastTest-3.25.log", "fails with spaces", "fakes");
}
END_TEST

START_TEST(test_ctest_4_3_log)
{
	/* 4.3 logged the failing test's second try right after its first. */
	check_log("LastTest-4.3.log", "fails with spaces", "fakes");
}
END_TEST

START_TEST(test_partial_headers_are_not_tests)
{
	struct strings names = {0};

	runs_parse_ctest_log("1/2 Testing: a\n1/2 Test: b\nCommand: \"x\"\n"  /* other name */
			     "1/2 Testing: c\n2/2 Test: c\nCommand: \"x\"\n"  /* other index */
			     "2/2 Test: d\nCommand: \"x\"\n"                   /* no Testing: */
			     "1/2 Testing: e\n1/2 Test: e\n"                   /* no Command: */
			     "/2 Testing: f\n/2 Test: f\nCommand: \"x\"\n"     /* no index */
			     "x1/2 Testing: g\n1/2 Test: g\nCommand: \"x\"\n"  /* not at a line start */
			     "2/2 Testing: h\n2/2 Test: h\nCommand: \"\"", &names);
	ck_assert_uint_eq(names.n, 1);
	ck_assert_str_eq(names.v[0], "h");
	strings_free(&names);
	runs_parse_ctest_log("", &names);
	ck_assert_uint_eq(names.n, 0);
}
END_TEST

START_TEST(test_log_of_another_run_is_ignored)
{
	struct strings names = {0};
	char *run = path_join(cfg.data_dir, "runs/000001");
	char *log = path_join(root, "Testing/Temporary/LastTest.log");
	struct buffer b = {0};
	char *src = xasprintf("%s/ctest-logs/LastTest-3.25.log", PARCOV_UNIT_DIR);

	ck_assert_int_eq(mkdirs(run, 0777), 0);
	ck_assert_int_eq(runs_ctest_tests(&cfg, run, &names), -1);
	ck_assert_int_eq(read_file(src, &b), 0);
	fixture_put(root, "Testing/Temporary/LastTest.log", b.data);
	ck_assert_int_eq(runs_ctest_tests(&cfg, run, &names), 0);
	ck_assert_uint_eq(names.n, 6);
	strings_free(&names);
	/* Older than the data set: it describes an earlier run. */
	ck_assert_int_eq(utime(log, &(struct utimbuf){0, 0}), 0);
	ck_assert_int_eq(runs_ctest_tests(&cfg, run, &names), -1);
	ck_assert_uint_eq(names.n, 0);
	/* ctest ran in a subdirectory: pre-test recorded it. */
	{
		char *sub = path_join(root, "sub");
		ck_assert_int_eq(runs_record_write(run, &(struct run_record){.ctest_dir = sub}), 0);
		free(sub);
	}
	/* Written after the record, as ctest writes it after pre-test. */
	fixture_put(root, "sub/Testing/Temporary/LastTest.log", "1/1 Testing: s\n1/1 Test: s\nCommand: \"\"\n");
	ck_assert_int_eq(runs_ctest_tests(&cfg, run, &names), 0);
	ck_assert_uint_eq(names.n, 1);
	ck_assert_str_eq(names.v[0], "s");
	strings_free(&names);
	buf_free(&b);
	free(src);
	free(log);
	free(run);
}
END_TEST

/* --- hidden data (runs_hide_data, data_hidden_len) --- */
static int collect_rel(const char *path, const char *rel, void *ctx)
{
	struct buffer *b = ctx;
	(void)path;
	buf_printf(b, "%s\n", rel);
	return 0;
}

static int visible_gcda(const char *path, const char *rel, void *ctx)
{
	(void)rel;
	if (ends_with(path, ".gcda"))
		++*(int *)ctx;
	return 0;
}

static char *contents(const char *rel)
{
	char *path = path_join(root, rel);
	struct buffer b = {0};
	char *text;

	ck_assert_msg(read_file(path, &b) == 0, "%s is missing", rel);
	text = xstrdup(b.data ? b.data : "");
	buf_free(&b);
	free(path);
	return text;
}

/* Every .gcda of the data sets, of discovery-runs/ and stray/ renamed out of the *.gcda
 * search, nothing lost: a name taken gets the next number (counted data), or is replaced
 * (a listing run's, never counted); readers see the old names. */
START_TEST(test_hidden_data)
{
	char *link = path_join(cfg.data_dir, "current"), *tests, *text;
	struct buffer rels = {0};
	int visible = 0;

	ck_assert_uint_eq(data_hidden_len("a.c.gcda.parcov"), 8);
	ck_assert_uint_eq(data_hidden_len("a.c.gcda.parcov12"), 8);
	ck_assert_uint_eq(data_hidden_len("a.gcda.parcov.gcda.parcov"), 18);
	ck_assert_uint_eq(data_hidden_len("a.c.gcda.parcov-tmp"), 0);
	ck_assert_uint_eq(data_hidden_len(".gcda.parcov"), 0);
	ck_assert_uint_eq(data_hidden_len("a.c.gcda"), 0);
	fixture_put(root, "coverage-data/runs/000001/tests/t-1/obj/a.c.gcda", "old run");
	fixture_put(root, "coverage-data/runs/000002/tests/u-2/obj/b.c.gcda", "this run");
	fixture_put(root, "coverage-data/runs/000002/tests/u-2/obj/b.c.gcda.parcov", "last run");
	fixture_put(root, "coverage-data/runs/000002/tests/u-2/parcov-endings.tsv", "1\tstart\t0\n");
	fixture_put(root, "coverage-data/stray/obj/c.gcda", "stray");
	fixture_put(root, "coverage-data/discovery-runs/obj/d.gcda", "new listing");
	fixture_put(root, "coverage-data/discovery-runs/obj/d.gcda.parcov", "old listing");
	ck_assert_int_eq(symlink("runs/000002", link), 0);
	ck_assert_int_eq(runs_hide_data(&cfg), 0);
	ck_assert_int_eq(walk_files(root, NULL, visible_gcda, &visible), 0);
	ck_assert_int_eq(visible, 0);
	text = contents("coverage-data/runs/000001/tests/t-1/obj/a.c.gcda.parcov");
	ck_assert_str_eq(text, "old run");
	free(text);
	text = contents("coverage-data/runs/000002/tests/u-2/obj/b.c.gcda.parcov");
	ck_assert_str_eq(text, "last run");
	free(text);
	text = contents("coverage-data/runs/000002/tests/u-2/obj/b.c.gcda.parcov2");
	ck_assert_str_eq(text, "this run");
	free(text);
	text = contents("coverage-data/stray/obj/c.gcda.parcov");
	ck_assert_str_eq(text, "stray");
	free(text);
	text = contents("coverage-data/discovery-runs/obj/d.gcda.parcov");
	ck_assert_str_eq(text, "new listing");
	free(text);
	text = contents("coverage-data/runs/000001/data-hidden");
	free(text);
	/* Readers: both files of u-2 under the old name, the endings record as it is. */
	tests = path_join(cfg.data_dir, "runs/000002/tests");
	ck_assert_int_eq(walk_data(tests, NULL, collect_rel, &rels), 0);
	ck_assert_str_eq(rels.data, "u-2/obj/b.c.gcda\nu-2/obj/b.c.gcda\nu-2/parcov-endings.tsv\n");
	/* Done again: nothing more to rename, nothing renamed twice. */
	ck_assert_int_eq(runs_hide_data(&cfg), 0);
	text = contents("coverage-data/runs/000002/tests/u-2/obj/b.c.gcda.parcov2");
	free(text);
	buf_free(&rels);
	free(tests);
	free(link);
}
END_TEST
/* --- end hidden data --- */

Suite *make_runs_suite(void)
{
	Suite *s = suite_create("runs");
	TCase *tc = tcase_create("sets");
	TCase *logs = tcase_create("ctest log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_sets_and_the_one_kept);
	tcase_add_test(tc, test_record_round_trip);
	tcase_add_test(tc, test_damaged_record_is_named);
	tcase_add_test(tc, test_hidden_data);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(logs, setup, teardown);
	tcase_add_test(logs, test_ctest_3_25_log);
	tcase_add_test(logs, test_ctest_4_3_log);
	tcase_add_test(logs, test_partial_headers_are_not_tests);
	tcase_add_test(logs, test_log_of_another_run_is_ignored);
	suite_add_tcase(s, logs);
	return s;
}

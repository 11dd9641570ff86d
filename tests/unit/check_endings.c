/* The runtime's records -> the tests parcov names: crashed, timed out, vanished, no data. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "endings.h"
#include "util.h"

static char root[] = "/tmp/parcov-check-endings.XXXXXX";
static struct config cfg;
static char *run;

static void put(const char *rel, const char *text)
{
	char *path = path_join(root, rel), *dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(mkdirs(dir, 0777), 0);
	ck_assert_int_eq(write_file_atomic(path, text, strlen(text)), 0);
	free(dir);
	free(path);
}

/* A test's line of tests.tsv: directory, then the name in hex. */
static void tsv_line(struct buffer *b, const char *dir, const char *name)
{
	buf_printf(b, "%s\t", dir);
	for (const char *p = name; *p; p++)
		buf_printf(b, "%02x", (unsigned char)*p);
	buf_add(b, "\n", 1);
}

static void setup(void)
{
	struct buffer tsv = {0};

	ck_assert_ptr_nonnull(mkdtemp(root));
	memset(&cfg, 0, sizeof cfg);
	cfg.build_dir = xstrdup(root);
	cfg.data_dir = path_join(root, "coverage-data");
	run = path_join(cfg.data_dir, "runs/000001");
	tsv_line(&tsv, "ok-1", "ok");
	tsv_line(&tsv, "segv-2", "crash segv");
	tsv_line(&tsv, "late-3", "timeout then finished");
	tsv_line(&tsv, "hang-4", "hang");
	tsv_line(&tsv, "killed-5", "killed");
	tsv_line(&tsv, "empty-6", "empty");
	tsv_line(&tsv, "notrun-7", "not run");
	tsv_line(&tsv, "term-8", "sigterm timeout");
	put("coverage-data/tests.tsv", tsv.data);
	buf_free(&tsv);
	/* Exec (two starts of one pid), a fork child, junk lines: all ended normally. */
	put("coverage-data/runs/000001/tests/ok-1/parcov-endings.tsv",
	    "10\t1\tstart\t0\n10\t1\tstart\t0\ngarbage\n11\t10\tstart\t0\n11\t10\texit\t1\n"
	    "10\t1\texit\t0\n12\t10\tsta");
	put("coverage-data/runs/000001/tests/ok-1/obj/a.c.gcda", "x");
	put("coverage-data/runs/000001/tests/segv-2/parcov-endings.tsv", "20\t1\tstart\t0\n20\t1\tsignal\t11\n");
	put("coverage-data/runs/000001/tests/segv-2/a.gcda", "x");
	put("coverage-data/runs/000001/tests/late-3/parcov-endings.tsv",
	    "30\t1\tstart\t0\n30\t1\ttimeout-flush\t0\n30\t1\texit\t0\n");
	put("coverage-data/runs/000001/tests/late-3/a.gcda", "x");
	put("coverage-data/runs/000001/tests/hang-4/parcov-endings.tsv",
	    "40\t1\tstart\t0\n41\t40\tstart\t0\n41\t40\tcheck-timeout-flush\t0\n40\t1\texit\t1\n");
	put("coverage-data/runs/000001/tests/hang-4/a.gcda", "x");
	put("coverage-data/runs/000001/tests/killed-5/parcov-endings.tsv", "50\t1\tstart\t0\n");
	put("coverage-data/runs/000001/tests/empty-6/parcov-endings.tsv", "60\t1\texit\t0\n");
	/* CMake >= 3.27: the watchdog flushed, then CTest's TIMEOUT_SIGNAL_NAME arrived. */
	put("coverage-data/runs/000001/tests/term-8/parcov-endings.tsv",
	    "80\t1\tstart\t0\n80\t1\ttimeout-flush\t0\n80\t1\tsignal\t15\n");
	put("coverage-data/runs/000001/tests/term-8/a.gcda", "x");
}

static void teardown(void)
{
	remove_tree(root);
	strcpy(root + strlen(root) - 6, "XXXXXX");
	free(cfg.build_dir);
	free(cfg.data_dir);
	free(run);
}

START_TEST(test_abnormal_endings_are_named)
{
	struct buffer out = {0};
	size_t n = endings_scan(&cfg, run, &out);

	ck_assert_uint_eq(n, 5);
	ck_assert_ptr_nonnull(strstr(out.data, "  sigterm timeout: process 80 timed out and was ended by SIGTERM"));
	ck_assert_ptr_nonnull(strstr(out.data, "  crash segv: process 20 ended by SIGSEGV"));
	ck_assert_ptr_nonnull(strstr(out.data, "  hang: process 41 was killed by Check's timeout"));
	ck_assert_ptr_nonnull(strstr(out.data, "  killed: process 50 vanished without an ending"));
	ck_assert_ptr_nonnull(strstr(out.data, "  empty: wrote no coverage data"));
	/* Normal endings, even after a watchdog flush, and tests that did not run: not listed. */
	ck_assert_ptr_null(strstr(out.data, "  ok:"));
	ck_assert_ptr_null(strstr(out.data, "timeout then finished"));
	ck_assert_ptr_null(strstr(out.data, "not run"));
	buf_free(&out);
}
END_TEST

START_TEST(test_ctest_log_names_tests_without_data)
{
	struct buffer out = {0};
	char *log = path_join(root, "Testing/Temporary/LastTest.log");

	put("Testing/Temporary/LastTest.log",
	    "Start testing\n1/2 Testing: not run\n1/2 Test: not run\n2/2 Test: crash segv\n");
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "  not run: wrote no coverage data"));
	ck_assert_ptr_nonnull(strstr(out.data, "  crash segv: process 20"));
	buf_free(&out);

	/* A log older than the data set describes another run: ignored. */
	ck_assert_int_eq(utime(log, &(struct utimbuf){0, 0}), 0);
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 5);
	buf_free(&out);
	free(log);
}
END_TEST

START_TEST(test_missing_tests_tsv_lists_nothing)
{
	struct buffer out = {0};
	char *tsv = path_join(cfg.data_dir, "tests.tsv");

	ck_assert_int_eq(unlink(tsv), 0);
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 0);
	buf_free(&out);
	free(tsv);
}
END_TEST

/* Tests ctest added at test time (gtest_discover_tests...) are listed in the data set's own
 * tests.tsv, after the configure-time one, or alone when the project has no other test. */
START_TEST(test_discovered_tests_are_named)
{
	struct buffer out = {0}, tsv = {0};
	char *conf = path_join(cfg.data_dir, "tests.tsv");

	/* No newline at the end of the configure-time file: the lines must not run together. */
	tsv_line(&tsv, "Suite.Crash-9", "Suite.Crash");
	tsv_line(&tsv, "empty_discovered-a", "empty; discovered");
	put("coverage-data/runs/000001/tests.tsv", tsv.data);
	put("coverage-data/runs/000001/tests/Suite.Crash-9/parcov-endings.tsv",
	    "90\t1\tstart\t0\n90\t1\tsignal\t6\n");
	put("coverage-data/runs/000001/tests/Suite.Crash-9/a.gcda", "x");
	put("coverage-data/runs/000001/tests/empty_discovered-a/parcov-endings.tsv", "91\t1\texit\t0\n");
	put("coverage-data/tests.tsv", "ok-1\t6f6b");
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "  Suite.Crash: process 90 ended by SIGABRT"));
	ck_assert_ptr_nonnull(strstr(out.data, "  empty; discovered: wrote no coverage data"));
	buf_free(&out);

	ck_assert_int_eq(unlink(conf), 0);
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 2);
	buf_free(&out);
	buf_free(&tsv);
	free(conf);
}
END_TEST

Suite *make_endings_suite(void)
{
	Suite *s = suite_create("endings");
	TCase *tc = tcase_create("scan");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_abnormal_endings_are_named);
	tcase_add_test(tc, test_ctest_log_names_tests_without_data);
	tcase_add_test(tc, test_missing_tests_tsv_lists_nothing);
	tcase_add_test(tc, test_discovered_tests_are_named);
	suite_add_tcase(s, tc);
	return s;
}

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
#include "runs.h"
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
	tsv_line(&tsv, "snap-9", "killed after snapshots");
	tsv_line(&tsv, "abandon-10", "flush abandoned");
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
	    "30\t1\tstart\t0\n30\t1\tsnapshot\t1\n30\t1\texit\t0\n");
	put("coverage-data/runs/000001/tests/late-3/a.gcda", "x");
	put("coverage-data/runs/000001/tests/hang-4/parcov-endings.tsv",
	    "40\t1\tstart\t0\n41\t40\tstart\t0\n41\t40\tcheck-timeout\t9\n40\t1\texit\t1\n");
	put("coverage-data/runs/000001/tests/hang-4/a.gcda", "x");
	put("coverage-data/runs/000001/tests/killed-5/parcov-endings.tsv", "50\t1\tstart\t0\n");
	put("coverage-data/runs/000001/tests/empty-6/parcov-endings.tsv", "60\t1\texit\t0\n");
	/* CMake >= 3.27: the watchdog flushed, then CTest's TIMEOUT_SIGNAL_NAME arrived. */
	put("coverage-data/runs/000001/tests/term-8/parcov-endings.tsv",
	    "80\t1\tstart\t0\n80\t1\tsnapshot\t1\n80\t1\tsignal\t15\n");
	put("coverage-data/runs/000001/tests/term-8/a.gcda", "x");
	/* 90: two snapshots, then SIGKILL (a third one did not finish); 91: a snapshot, then a
	 * normal exit; 92: an exec. */
	put("coverage-data/runs/000001/tests/snap-9/parcov-endings.tsv",
	    "90\t1\tstart\t0\n90\t1\tsnapshot\t1\n91\t90\tstart\t0\n90\t1\tsnapshot\t2\n"
	    "91\t90\tsnapshot\t1\n90\t1\tsnapshot-abandoned\t3\n91\t90\texit\t0\n"
	    "92\t90\tstart\t0\n92\t90\texec\t0\n");
	put("coverage-data/runs/000001/tests/snap-9/parcov-snap/90.2/obj/a.gcda", "x");
	put("coverage-data/runs/000001/tests/abandon-10/parcov-endings.tsv",
	    "100\t1\tstart\t0\n100\t1\tsignal\t11\n100\t1\tflush-abandoned\t11\n"
	    "101\t1\tstart\t0\n101\t1\tsnapshot\t1\n101\t1\tsignal\t6\n101\t1\tflush-abandoned\t6\n");
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

	ck_assert_uint_eq(n, 7);
	ck_assert_ptr_nonnull(strstr(out.data, "  sigterm timeout: process 80 timed out and was ended by SIGTERM"));
	/* Only the process that never ended; an exec is an ending. */
	ck_assert_ptr_nonnull(strstr(out.data, "  killed after snapshots: process 90 timed out (killed "
					       "without an ending): counts up to its snapshot"));
	ck_assert_ptr_null(strstr(out.data, "process 91"));
	ck_assert_ptr_null(strstr(out.data, "process 92"));
	/* Never "saved first" when the flush was given up. */
	ck_assert_ptr_nonnull(strstr(out.data, "  flush abandoned: process 100 ended by SIGSEGV; writing "
					       "its counts blocked and was abandoned after 10 s: its counts "
					       "are lost; process 101 ended by SIGABRT; writing its counts "
					       "blocked and was abandoned after 10 s: counts up to its last "
					       "snapshot kept, later ones lost; wrote no coverage data\n"));
	ck_assert_ptr_nonnull(strstr(out.data, "  hang: process 41 was killed by Check's timeout (its "
					       "counts were saved first)\n"));
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

	/* The shape CTest writes (check_runs.c reads whole logs of 3.25 and 4.x). */
	put("Testing/Temporary/LastTest.log",
	    "Start testing: Dec 01 12:00 UTC\n----------------------------------------------------------\n"
	    "1/2 Testing: not run\n1/2 Test: not run\nCommand: \"/bin/true\"\nDirectory: /b\n"
	    "\"not run\" start time: Dec 01 12:00 UTC\nOutput:\n"
	    "----------------------------------------------------------\n<end of output>\n"
	    "2/2 Testing: crash segv\n2/2 Test: crash segv\nCommand: \"/b/crash\"\n");
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 2);
	ck_assert_ptr_nonnull(strstr(out.data, "  not run: wrote no coverage data"));
	ck_assert_ptr_nonnull(strstr(out.data, "  crash segv: process 20"));
	buf_free(&out);

	/* A log older than the data set describes another run: ignored. */
	ck_assert_int_eq(utime(log, &(struct utimbuf){0, 0}), 0);
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 7);
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

/* A discovered test named like a configure-time one shares its directory (same name): the
 * name is listed once, in the order of its first line. */
START_TEST(test_discovered_name_of_configure_test_listed_once)
{
	struct buffer out = {0}, tsv = {0};
	const char *first;

	tsv_line(&tsv, "segv-2", "crash segv");
	tsv_line(&tsv, "Suite.Crash-9", "Suite.Crash");
	tsv_line(&tsv, "segv-2", "crash segv");
	put("coverage-data/runs/000001/tests.tsv", tsv.data);
	put("coverage-data/runs/000001/tests/Suite.Crash-9/parcov-endings.tsv",
	    "90\t1\tstart\t0\n90\t1\tsignal\t6\n");
	put("coverage-data/runs/000001/tests/Suite.Crash-9/a.gcda", "x");
	ck_assert_uint_eq(endings_scan(&cfg, run, &out), 8);
	first = strstr(out.data, "  crash segv: ");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, "  crash segv: "));
	ck_assert(first < strstr(out.data, "  Suite.Crash: "));
	buf_free(&out);
	buf_free(&tsv);
}
END_TEST

/* combine reads a snapshot only for a process whose last event is that snapshot. */
START_TEST(test_snapshot_files_chosen)
{
	const char *object = NULL;

	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/90.2/obj/a.gcda", &object), 1);
	ck_assert_str_eq(object, "obj/a.gcda");
	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/90.1/obj/a.gcda", &object), 0);
	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/91.1/obj/a.gcda", &object), 0);
	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/90.2.tmp/a.gcda", &object), 0);
	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/93.1/a.gcda", &object), 0);
	ck_assert_int_eq(endings_snapshot_file(run, "snap-9/parcov-snap/x/a.gcda", &object), 0);
	ck_assert_int_eq(endings_snapshot_file(run, "ok-1/obj/a.c.gcda", &object), -1);
	ck_assert_int_eq(endings_snapshot_file(run, "a.gcda", &object), -1);
	/* The final write was abandoned: the last snapshot counts. */
	ck_assert_int_eq(endings_snapshot_file(run, "abandon-10/parcov-snap/101.1/a.gcda", &object), 1);
	ck_assert_int_eq(endings_snapshot_file(run, "abandon-10/parcov-snap/100.1/a.gcda", &object), 0);
	/* Another test directory: its own record (none: no snapshot is used). */
	ck_assert_int_eq(endings_snapshot_file(run, "ok-1/parcov-snap/10.1/a.gcda", &object), 0);
	endings_forget();
}
END_TEST

/* Data sets past 999999 keep counting: the newest is the one with the highest number. */
START_TEST(test_run_numbers_past_999999)
{
	char *latest;

	put("coverage-data/runs/999999/tests/t/a.gcda", "x");
	put("coverage-data/runs/1000000/tests/t/a.gcda", "x");
	latest = runs_latest_with_data(&cfg);
	ck_assert_ptr_nonnull(latest);
	ck_assert_str_eq(latest + strlen(latest) - 13, "/runs/1000000");
	free(latest);
}
END_TEST

/* Field 22 of /proc/self/stat: this process's start time. */
static long long own_start_time(void)
{
	struct buffer b = {0};
	const char *p;
	long long t = -1;
	int field = 2;

	ck_assert_int_eq(read_file("/proc/self/stat", &b), 0);
	for (p = strrchr(b.data, ')'); *p && field < 22; p++)
		field += *p == ' ';
	if (field == 22)
		t = strtoll(p, NULL, 10);
	buf_free(&b);
	return t;
}

/* combine refuses a data set while the ctest that writes it runs (pid and start time). */
START_TEST(test_running_ctest_is_waited_for)
{
	char *text = xasprintf("%ld %lld\n", (long)getpid(), own_start_time());

	ck_assert_int_eq(runs_check_idle(&cfg, run), 0);
	put("coverage-data/runs/000001/ctest-pid", text);
	ck_assert_int_eq(runs_check_idle(&cfg, run), -1);
	/* The same pid with another start time: reused by another process, that ctest ended. */
	free(text);
	text = xasprintf("%ld %lld\n", (long)getpid(), own_start_time() + 1);
	put("coverage-data/runs/000001/ctest-pid", text);
	ck_assert_int_eq(runs_check_idle(&cfg, run), 0);
	free(text);
}
END_TEST

static int count_file(const char *path, const char *rel, void *ctx)
{
	(void)path;
	(void)rel;
	++*(int *)ctx;
	return 0;
}

/* A recycled tree's file (empty, time 0) is no data; an empty file written during the run
 * (cut short) is, so combine and doctor still name it as damaged. */
START_TEST(test_recycled_files_hold_no_data)
{
	struct utimbuf epoch = {0, 0};
	struct buffer out = {0};
	char *dir = path_join(run, "tests/empty-6"), *file = path_join(dir, "obj/a.c.gcda");
	int n = 0;

	put("coverage-data/runs/000001/tests/empty-6/obj/a.c.gcda", "");
	ck_assert_int_eq(utime(file, &epoch), 0);
	ck_assert_int_eq(walk_data(dir, NULL, count_file, &n), 0);
	ck_assert_int_eq(n, 1); /* the endings record only */
	endings_scan(&cfg, run, &out);
	ck_assert_ptr_nonnull(strstr(out.data, "  empty: wrote no coverage data"));
	n = 0;
	ck_assert_int_eq(walk_files(dir, NULL, count_file, &n), 0);
	ck_assert_int_eq(n, 2); /* walk_files sees every file */
	ck_assert_int_eq(utime(file, NULL), 0);
	n = 0;
	ck_assert_int_eq(walk_data(dir, NULL, count_file, &n), 0);
	ck_assert_int_eq(n, 2);
	buf_free(&out);
	free(file);
	free(dir);
}
END_TEST

/* doctor tells tests that ran no program of ours from those whose program left no data. */
START_TEST(test_recorded_processes)
{
	ck_assert_int_eq(endings_recorded(run, "ok-1"), 1);
	ck_assert_int_eq(endings_recorded(run, "killed-5"), 1);
	ck_assert_int_eq(endings_recorded(run, "notrun-7"), 0);
	put("coverage-data/runs/000001/tests/notrun-7/parcov-endings.tsv", "");
	ck_assert_int_eq(endings_recorded(run, "notrun-7"), 0);
}
END_TEST

/* The index answers as endings_listed() does for every name: names holding ": ", a name that
 * is a prefix of another, a test listed twice (the first line counts), names not listed. */
START_TEST(test_index_answers_as_the_list)
{
	const char *text = "Test processes that did not end normally:\n"
			   "  a: killed by signal 9 (SIGKILL): counts lost after the last snapshot\n"
			   "  a: b: exited normally\n"
			   "  ab: ran without writing coverage data\n"
			   "  a: second line, not used\n"
			   "  c: d: killed without a snapshot\n"
			   "  e: \n"
			   "  : odd\n"
			   "tail without indent: x\n";
	const char *names[] = {"a", "a: b", "ab", "c", "c: d", "e", "", "tail without indent", "zz", "a: "};
	struct buffer list = {0};
	struct endings_index *x;

	buf_add(&list, text, strlen(text));
	x = endings_index_make(&list);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		ck_assert_msg(endings_index_listed(x, names[i]) == endings_listed(&list, names[i]),
			      "'%s': index %d, list %d", names[i], endings_index_listed(x, names[i]),
			      endings_listed(&list, names[i]));
	ck_assert_int_eq(endings_index_listed(x, "a"), 1);
	ck_assert_int_eq(endings_index_listed(x, "a: b"), 0);
	ck_assert_int_eq(endings_index_listed(x, "c: d"), 1);
	ck_assert_int_eq(endings_index_listed(x, "zz"), -1);
	endings_index_free(x);
	buf_free(&list);
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
	tcase_add_test(tc, test_discovered_name_of_configure_test_listed_once);
	tcase_add_test(tc, test_discovered_tests_are_named);
	tcase_add_test(tc, test_snapshot_files_chosen);
	tcase_add_test(tc, test_run_numbers_past_999999);
	tcase_add_test(tc, test_running_ctest_is_waited_for);
	tcase_add_test(tc, test_recycled_files_hold_no_data);
	tcase_add_test(tc, test_recorded_processes);
	tcase_add_test(tc, test_index_answers_as_the_list);
	suite_add_tcase(s, tc);
	return s;
}

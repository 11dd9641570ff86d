/* doctor's one frame for what a check finds (src/doctor.c: finding()): what each mode
 * prints, where, and what it counts. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "doctor_checks.h"
#include "fixtures.h"
#include "util.h"

static int saved_verbose;

static void setup(void)
{
	saved_verbose = verbose;
	verbose = 1;
}

static void teardown(void)
{
	verbose = saved_verbose;
}

/* Every kind once; out and err get what was printed on stdout and stderr. */
static void report_all(struct doctor *d, char **out, char **err)
{
	stdout_capture_begin();
	stderr_capture_begin();
	finding(d, FINDING_OK, NULL, "%d objects", 3);
	finding(d, FINDING_NOTE, NULL, "a note");
	finding(d, FINDING_PROBLEM, xstrdup("do this"), "something is %s", "off");
	finding(d, FINDING_STOP, xstrdup("do that"), "nothing works");
	*err = stderr_capture_end();
	*out = stdout_capture_end();
}

START_TEST(test_full_mode_prints_everything_on_stdout)
{
	struct doctor d = {NULL, 1, 0, 0, NULL};
	char *out, *err;

	report_all(&d, &out, &err);
	ck_assert_str_eq(out, "ok: 3 objects\nnote: a note\nproblem: something is off\n  fix: do this\n"
			      "problem: nothing works\n  fix: do that\n");
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(d.problems, 2);
	ck_assert_int_eq(d.fatal, 1);
	free(out);
	free(err);

	/* -q: problems only. */
	verbose = 0;
	report_all(&d, &out, &err);
	ck_assert_str_eq(out, "problem: something is off\n  fix: do this\nproblem: nothing works\n"
			      "  fix: do that\n");
	ck_assert_int_eq(d.problems, 4);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_before_report_prints_problems_as_warnings_and_errors)
{
	struct doctor d = {NULL, 0, 0, 0, NULL};
	char *out, *err;

	report_all(&d, &out, &err);
	ck_assert_str_eq(out, "");
	ck_assert_str_eq(err, "parcov: warning: something is off; fix: do this\n"
			      "parcov: error: nothing works; fix: do that\n");
	ck_assert_int_eq(d.problems, 2);
	ck_assert_int_eq(d.fatal, 1);
	free(out);
	free(err);
}
END_TEST

START_TEST(test_names_are_cut_after_five)
{
	struct strings l = {0};
	char *s;

	s = names_join(&l);
	ck_assert_str_eq(s, "");
	free(s);
	for (int i = 1; i <= 7; i++)
		strings_add(&l, xasprintf("n%d", i));
	s = names_join(&l);
	ck_assert_str_eq(s, "n1, n2, n3, n4, n5 and 2 more");
	free(s);
	strings_free(&l);
}
END_TEST

Suite *make_doctor_suite(void)
{
	Suite *s = suite_create("doctor");
	TCase *tc = tcase_create("finding");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_mode_prints_everything_on_stdout);
	tcase_add_test(tc, test_before_report_prints_problems_as_warnings_and_errors);
	tcase_add_test(tc, test_names_are_cut_after_five);
	suite_add_tcase(s, tc);
	return s;
}

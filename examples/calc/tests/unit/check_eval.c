#include <stdlib.h>
#include <string.h>

#include "helpers.h"

START_TEST(test_precedence)
{
	ck_assert_int_eq(eval_ok("1 + 2 * 3"), 7);
	ck_assert_int_eq(eval_ok("(1 + 2) * 3"), 9);
	ck_assert_int_eq(eval_ok("10 - 4 - 3"), 3);
	ck_assert_int_eq(eval_ok("17 % 5 * 2"), 4);
	ck_assert_int_eq(eval_ok("-(2 + 3)"), -5);
	ck_assert_int_eq(eval_ok("--4"), 4);
	ck_assert_int_eq(eval_ok("100 / 7"), 14);
}
END_TEST

START_TEST(test_errors)
{
	size_t pos;
	ck_assert_int_eq(eval_status("1 +", &pos), CALC_SYNTAX);
	ck_assert_uint_eq(pos, 3);
	ck_assert_int_eq(eval_status("(1", NULL), CALC_SYNTAX);
	ck_assert_int_eq(eval_status("1 2", NULL), CALC_SYNTAX);
	ck_assert_int_eq(eval_status("5 / (2 - 2)", NULL), CALC_DIV_ZERO);
	ck_assert_int_eq(eval_status("5 % 0", NULL), CALC_DIV_ZERO);
}
END_TEST

START_TEST(test_overflow)
{
	ck_assert_int_eq(eval_status("9223372036854775807 + 1", NULL), CALC_OVERFLOW);
	ck_assert_int_eq(eval_status("3037000500 * 3037000500", NULL), CALC_OVERFLOW);
	ck_assert_int_eq(eval_status("-9223372036854775807 - 2", NULL), CALC_OVERFLOW);
}
END_TEST

START_TEST(test_depth_limit)
{
	char deep[2 * (CALC_MAX_DEPTH + 1) + 2];
	size_t n = 0;
	for (int i = 0; i <= CALC_MAX_DEPTH; i++)
		deep[n++] = '(';
	deep[n++] = '1';
	for (int i = 0; i <= CALC_MAX_DEPTH; i++)
		deep[n++] = ')';
	deep[n] = '\0';
	ck_assert_int_eq(eval_status(deep, NULL), CALC_TOO_DEEP);
	ck_assert_str_eq(calc_strerror(CALC_TOO_DEEP), "parentheses nested too deeply");
}
END_TEST

static Suite *eval_suite(void)
{
	Suite *s = suite_create("Eval");
	TCase *ok = tcase_create("Values");
	TCase *bad = tcase_create("Errors");
	tcase_add_test(ok, test_precedence);
	tcase_add_test(bad, test_errors);
	tcase_add_test(bad, test_overflow);
	tcase_add_test(bad, test_depth_limit);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return run_suite(eval_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}

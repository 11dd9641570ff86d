#include <limits.h>
#include <stdlib.h>

#include "helpers.h"

START_TEST(test_grouping)
{
	char buf[32];
	ck_assert_str_eq(calc_format(0, buf, sizeof buf), "0");
	ck_assert_str_eq(calc_format(999, buf, sizeof buf), "999");
	ck_assert_str_eq(calc_format(1000, buf, sizeof buf), "1,000");
	ck_assert_str_eq(calc_format(-1234567, buf, sizeof buf), "-1,234,567");
	ck_assert_str_eq(calc_format(LLONG_MIN, buf, sizeof buf), "-9,223,372,036,854,775,808");
}
END_TEST

START_TEST(test_evaluated_then_formatted)
{
	char buf[32];
	ck_assert_str_eq(calc_format(eval_ok("1000 * 1000"), buf, sizeof buf), "1,000,000");
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("Format");
	TCase *tc = tcase_create("Grouping");
	tcase_add_test(tc, test_grouping);
	tcase_add_test(tc, test_evaluated_then_formatted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return run_suite(format_suite()) ? EXIT_FAILURE : EXIT_SUCCESS;
}

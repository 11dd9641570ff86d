/* Check in fork mode: main's work is counted once, a failing test's work is kept. */
#include <check.h>
#include <stdlib.h>
static volatile int sink;
static void hit(void)
{
	sink++; /* MARK:check_fail.hit */
}
START_TEST(fails)
{
	hit();
	hit();
	ck_assert_int_eq(sink, -1);
	hit(); /* MARK:check_fail.never */
}
END_TEST
START_TEST(passes)
{
	hit();
	hit();
	hit();
}
END_TEST
int main(void)
{
	Suite *s = suite_create("fail");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;
	sink = 0; /* MARK:check_fail.main */
	tcase_add_test(tc, fails);
	tcase_add_test(tc, passes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

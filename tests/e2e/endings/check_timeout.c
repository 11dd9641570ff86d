/* Check kills a test that outlives its timeout (tcase_set_timeout: 2 s, shorter than the
 * 4 s default) with killpg(..., SIGKILL); the test blocks forever after its known work. */
#include <check.h>
#include <stdlib.h>
#include <unistd.h>
static volatile int sink;
static void hit(void)
{
	sink++; /* MARK:check_timeout.hit */
}
START_TEST(hangs)
{
	hit();
	hit();
	for (;;)
		pause();
}
END_TEST
START_TEST(passes)
{
	hit();
}
END_TEST
int main(void)
{
	Suite *s = suite_create("timeout");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;
	tcase_set_timeout(tc, 2);
	tcase_add_test(tc, hangs);
	tcase_add_test(tc, passes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS; /* MARK:check_timeout.end */
}

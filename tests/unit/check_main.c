/* Runs every unit suite of parcov; exit status 1 if any test failed. */
#include <check.h>
#include <stdlib.h>

Suite *make_gcda_suite(void);
Suite *make_testname_suite(void);
Suite *make_endings_suite(void);
Suite *make_gcda_clang_suite(void);
Suite *make_gcovtext_suite(void);
Suite *make_bundle_suite(void);
Suite *make_writers_suite(void);
Suite *make_config_suite(void);
Suite *make_runs_suite(void);
Suite *make_manifest_suite(void);
Suite *make_util_suite(void);
Suite *make_doctor_suite(void);
Suite *make_pertest_suite(void);
Suite *make_html_suite(void);
Suite *make_buildid_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(make_gcda_suite());
	int failed;

	srunner_add_suite(sr, make_testname_suite());
	srunner_add_suite(sr, make_endings_suite());
	srunner_add_suite(sr, make_gcovtext_suite());
	srunner_add_suite(sr, make_bundle_suite());
	srunner_add_suite(sr, make_writers_suite());
	srunner_add_suite(sr, make_config_suite());
	srunner_add_suite(sr, make_runs_suite());
	srunner_add_suite(sr, make_manifest_suite());
	srunner_add_suite(sr, make_util_suite());
	srunner_add_suite(sr, make_doctor_suite());
	srunner_add_suite(sr, make_pertest_suite());
	srunner_add_suite(sr, make_html_suite());
	srunner_add_suite(sr, make_buildid_suite());
	/* Only when Clang made its fixtures (tests/CMakeLists.txt: clang-14 is optional). */
	if (getenv("PARCOV_CLANG_FIXTURES"))
		srunner_add_suite(sr, make_gcda_clang_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

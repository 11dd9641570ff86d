/* parcov.conf, as the module writes it, into struct config (src/config.c): every key, the
 * defaults, multi-config selection, and the errors that name the file and the fix. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixtures.h"
#include "util.h"

static char *root;

static void setup(void)
{
	root = fixture_tmpdir("config");
	config_wanted = NULL;
}

static void teardown(void)
{
	remove_tree(root);
	free(root);
	config_wanted = NULL;
}

START_TEST(test_every_key_is_read)
{
	struct config c;
	char *data;

	fixture_put(root, "coverage-data/parcov.conf",
		    "# written by ParallelCoverage.cmake\n"
		    "build_dir=/elsewhere\n"
		    "source_root=/src\noutput_dir=/out\ngcov=gcov-12\ngcovr=/usr/bin/gcovr\n"
		    "formats=txt,lcov\nfail_under_line=80\nfail_under_branch=50.5\nfail_under_mcdc=10\n"
		    "mcdc=1\nbackend=llvm\nllvm_cov=llvm-cov-19\nllvm_profdata=llvm-profdata-19\n"
		    "append=1\nallow_stale=1\nruntime=1\n"
		    "exclude=tests/\nexclude=a=b\n"
		    "\nsome_future_key=value\n");
	ck_assert_int_eq(config_load(&c, root), 0);
	ck_assert_str_eq(c.build_dir, root);
	ck_assert_str_eq(c.configured_dir, "/elsewhere");
	data = path_join(root, "coverage-data");
	ck_assert_str_eq(c.data_dir, data);
	free(data);
	ck_assert_str_eq(c.source_root, "/src");
	ck_assert_str_eq(c.output_dir, "/out");
	ck_assert_str_eq(c.gcov, "gcov-12");
	ck_assert_str_eq(c.gcovr, "/usr/bin/gcovr");
	ck_assert_str_eq(c.formats, "txt,lcov");
	ck_assert_str_eq(c.fail_under_line, "80");
	ck_assert_str_eq(c.fail_under_branch, "50.5");
	ck_assert_str_eq(c.fail_under_mcdc, "10");
	ck_assert_int_eq(c.mcdc, 1);
	ck_assert_str_eq(c.backend, "llvm");
	ck_assert_str_eq(c.llvm_cov, "llvm-cov-19");
	ck_assert_str_eq(c.llvm_profdata, "llvm-profdata-19");
	ck_assert_int_eq(c.append, 1);
	ck_assert_int_eq(c.allow_stale, 1);
	ck_assert_int_eq(c.runtime, 1);
	/* Repeated keys add up; only the first '=' separates key from value. */
	ck_assert_uint_eq(c.n_exclude, 2);
	ck_assert_str_eq(c.exclude[0], "tests/");
	ck_assert_str_eq(c.exclude[1], "a=b");
	ck_assert_ptr_null(c.config);
	ck_assert_str_eq(c.skip_dirs[0], "coverage-data");
	ck_assert_str_eq(c.skip_dirs[1], "_parcov");
	ck_assert_ptr_null(c.skip_dirs[2]);
	config_free(&c);
}
END_TEST

START_TEST(test_defaults)
{
	struct config c;
	char *out;

	fixture_put(root, "coverage-data/parcov.conf", "mcdc=0\nappend=yes\n");
	ck_assert_int_eq(config_load(&c, root), 0);
	ck_assert_str_eq(c.source_root, root);
	ck_assert_ptr_null(c.configured_dir);
	out = path_join(root, "coverage");
	ck_assert_str_eq(c.output_dir, out);
	free(out);
	ck_assert_str_eq(c.formats, "txt,html,xml,json");
	ck_assert_str_eq(c.gcov, "gcov");
	ck_assert_str_eq(c.gcovr, "gcovr");
	ck_assert_str_eq(c.backend, "gcov");
	ck_assert_str_eq(c.llvm_cov, "llvm-cov");
	ck_assert_str_eq(c.llvm_profdata, "llvm-profdata");
	ck_assert_str_eq(c.fail_under_line, "");
	ck_assert_str_eq(c.fail_under_branch, "");
	ck_assert_str_eq(c.fail_under_mcdc, "");
	/* Only "1" switches a flag on. */
	ck_assert_int_eq(c.mcdc, 0);
	ck_assert_int_eq(c.append, 0);
	ck_assert_int_eq(c.runtime, 0);
	ck_assert_uint_eq(c.n_exclude, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_line_without_equals_is_named)
{
	struct config c;
	char *conf = path_join(root, "coverage-data/parcov.conf"), *msg, *want;

	fixture_put(root, "coverage-data/parcov.conf", "gcov=gcov-12\nthis is damaged\ngcovr=g\n");
	stderr_capture_begin();
	ck_assert_int_eq(config_load(&c, root), 0);
	msg = stderr_capture_end();
	want = xasprintf("%s:2: ignoring line without '='", conf);
	ck_assert_ptr_nonnull(strstr(msg, want));
	/* The lines around it still count. */
	ck_assert_str_eq(c.gcov, "gcov-12");
	ck_assert_str_eq(c.gcovr, "g");
	config_free(&c);
	free(want);
	free(msg);
	free(conf);
}
END_TEST

START_TEST(test_multi_config_selection)
{
	struct config c;
	char *data;

	fixture_put(root, "coverage-data/parcov.conf",
		    "config=Debug\nconfig=Release\nconfig=RelWithDebInfo\ndefault_config=Release\n");
	ck_assert_int_eq(config_load(&c, root), 0);
	ck_assert_str_eq(c.config, "Release");
	data = xasprintf("%s/coverage-data/configs/Release", root);
	ck_assert_str_eq(c.data_dir, data);
	free(data);
	/* The walks skip the other configurations' object directories. */
	ck_assert_str_eq(c.skip_dirs[2], "*/Debug");
	ck_assert_str_eq(c.skip_dirs[3], "*/RelWithDebInfo");
	ck_assert_ptr_null(c.skip_dirs[4]);
	config_free(&c);

	config_wanted = "Debug";
	ck_assert_int_eq(config_load(&c, root), 0);
	ck_assert_str_eq(c.config, "Debug");
	ck_assert_str_eq(c.skip_dirs[2], "*/Release");
	config_free(&c);
}
END_TEST

START_TEST(test_first_config_without_default)
{
	struct config c;

	fixture_put(root, "coverage-data/parcov.conf", "config=Debug\nconfig=Release\n");
	ck_assert_int_eq(config_load(&c, root), 0);
	ck_assert_str_eq(c.config, "Debug");
	config_free(&c);
}
END_TEST

START_TEST(test_unknown_config_is_an_error)
{
	struct config c;
	char *msg;

	fixture_put(root, "coverage-data/parcov.conf", "config=Debug\nconfig=Release\n");
	config_wanted = "Nope";
	stderr_capture_begin();
	ck_assert_int_eq(config_load(&c, root), -1);
	msg = stderr_capture_end();
	ck_assert_ptr_nonnull(strstr(msg, "parcov.conf: no configuration 'Nope' in this build tree: "
				     "use --config with one of Debug, Release"));
	free(msg);
}
END_TEST

START_TEST(test_missing_conf_says_what_the_directory_is)
{
	struct config c;
	char *msg;

	stderr_capture_begin();
	ck_assert_int_eq(config_load(&c, root), -1);
	msg = stderr_capture_end();
	ck_assert_ptr_nonnull(strstr(msg, "is not a CMake build tree: run in the build directory or "
				     "name it with -C BUILD_DIR"));
	free(msg);

	fixture_put(root, "CMakeCache.txt", "CMAKE_HOME_DIRECTORY:INTERNAL=/src\n");
	stderr_capture_begin();
	ck_assert_int_eq(config_load(&c, root), -1);
	msg = stderr_capture_end();
	ck_assert_ptr_nonnull(strstr(msg, "was configured without coverage (no "
				     "coverage-data/parcov.conf): reconfigure it with -DPARALLEL_COVERAGE=ON"));
	free(msg);
}
END_TEST

START_TEST(test_lock)
{
	struct config c;
	int fd;

	fixture_put(root, "coverage-data/parcov.conf", "\n");
	ck_assert_int_eq(config_load(&c, root), 0);
	fd = config_lock(&c);
	ck_assert_int_ge(fd, 0);
	config_unlock(fd);
	/* Released: taken again at once. */
	fd = config_lock(&c);
	ck_assert_int_ge(fd, 0);
	config_unlock(fd);
	config_free(&c);
}
END_TEST

Suite *make_config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_every_key_is_read);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_line_without_equals_is_named);
	tcase_add_test(tc, test_multi_config_selection);
	tcase_add_test(tc, test_first_config_without_default);
	tcase_add_test(tc, test_unknown_config_is_an_error);
	tcase_add_test(tc, test_missing_conf_says_what_the_directory_is);
	tcase_add_test(tc, test_lock);
	suite_add_tcase(s, tc);
	return s;
}

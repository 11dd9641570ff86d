/* Test names -> data directory names: safe, unique, stable. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testname.h"

static char *dir_of(const char *name)
{
	return testname_to_dir(name, strlen(name));
}

START_TEST(test_plain_name_is_readable)
{
	char *d = dir_of("unit.eval");
	ck_assert_str_eq(d, "unit.eval-06d137b9");
	free(d);
}
END_TEST

START_TEST(test_hostile_names_are_safe)
{
	const char *names[] = {"with space", "slash/inside", "..", ".", "../../escape", "semi;colon",
			       "ünïcödé ✓", "", "new\nline", "$(rm -rf /)", ".hidden"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *d = dir_of(names[i]);
		ck_assert_msg(d[0] != '.' && d[0] != '\0', "'%s' -> '%s'", names[i], d);
		ck_assert_uint_eq(strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+_.-"),
				  strlen(d));
		free(d);
	}
}
END_TEST

START_TEST(test_distinct_names_distinct_dirs)
{
	/* Names that sanitize to the same text still differ by their hash. */
	const char *names[] = {"a b", "a/b", "a;b", "a_b", "a\xc3\xa9", "a\xc3\xa8"};
	size_t n = sizeof names / sizeof names[0];
	char *dirs[sizeof names / sizeof names[0]];
	for (size_t i = 0; i < n; i++)
		dirs[i] = dir_of(names[i]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_str_ne(dirs[i], dirs[j]);
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
}
END_TEST

START_TEST(test_embedded_nul_and_long_names)
{
	char longname[300];
	char *a, *b, *d;
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	d = dir_of(longname);
	ck_assert_uint_eq(strlen(d), TESTNAME_KEEP + 9);
	free(d);
	/* The length, not a NUL, ends a name: "a\0b" and "a\0c" differ. */
	a = testname_to_dir("a\0b", 3);
	b = testname_to_dir("a\0c", 3);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_hex_decode)
{
	char *s;
	size_t n;
	ck_assert_int_eq(hex_decode("613b62", &s, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(s, "a;b");
	free(s);
	ck_assert_int_eq(hex_decode("", &s, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(s);
	ck_assert_int_eq(hex_decode("6", &s, &n), -1);
	ck_assert_int_eq(hex_decode("zz", &s, &n), -1);
}
END_TEST

Suite *make_testname_suite(void)
{
	Suite *s = suite_create("TestName");
	TCase *tc = tcase_create("Mapping");
	tcase_add_test(tc, test_plain_name_is_readable);
	tcase_add_test(tc, test_hostile_names_are_safe);
	tcase_add_test(tc, test_distinct_names_distinct_dirs);
	tcase_add_test(tc, test_embedded_nul_and_long_names);
	tcase_add_test(tc, test_hex_decode);
	suite_add_tcase(s, tc);
	return s;
}

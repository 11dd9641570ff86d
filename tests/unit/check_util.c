/* remove_tree (src/util.c) removes a tree and never anything a symlink in it points at. */
#define _GNU_SOURCE
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "util.h"

static char *root;

static void setup(void)
{
	root = fixture_tmpdir("util");
}

static void teardown(void)
{
	remove_tree(root);
	free(root);
}

static char *at(const char *rel)
{
	return path_join(root, rel);
}

static void link_to(const char *target_rel, const char *link_rel)
{
	char *target = at(target_rel), *link = at(link_rel);
	ck_assert_int_eq(symlink(target, link), 0);
	free(target);
	free(link);
}

static int present(const char *rel)
{
	char *path = at(rel);
	int ret = exists(path);
	free(path);
	return ret;
}

START_TEST(test_symlinks_are_never_followed)
{
	char *tree = at("tree"), *dir_link = at("dir-link");

	fixture_put(root, "outside/keep.txt", "mine");
	fixture_put(root, "outside/sub/deep.txt", "mine too");
	fixture_put(root, "tree/a/b/file.gcda", "x");
	fixture_put(root, "tree/top.txt", "x");
	/* Links inside the tree to a directory and a file outside it, and a dangling one. */
	link_to("outside", "tree/a/to-outside");
	link_to("outside/keep.txt", "tree/a/b/to-file");
	link_to("nowhere", "tree/dangling");
	ck_assert_int_eq(remove_tree(tree), 0);
	ck_assert(!present("tree"));
	ck_assert(present("outside/keep.txt"));
	ck_assert(present("outside/sub/deep.txt"));

	/* The root itself a link (with or without a trailing slash): only the link goes. */
	link_to("outside", "dir-link");
	{
		char *slashed = xasprintf("%s/", dir_link);
		ck_assert_int_eq(remove_tree(slashed), 0);
		free(slashed);
	}
	ck_assert(!present("dir-link"));
	ck_assert(present("outside/keep.txt"));
	ck_assert(present("outside/sub/deep.txt"));
	free(dir_link);
	free(tree);
}
END_TEST

START_TEST(test_missing_and_plain_files)
{
	char *missing = at("missing"), *file = at("file");

	ck_assert_int_eq(remove_tree(missing), 0);
	fixture_put(root, "file", "x");
	ck_assert_int_eq(remove_tree(file), 0);
	ck_assert(!present("file"));
	free(missing);
	free(file);
}
END_TEST

/* Two removers of one tree (parcov clean while pre-test's background child empties trash/):
 * what the other took first is not an error for either. Many rounds, so the two meet in the
 * middle of a directory at least sometimes; neither may ever fail. */
START_TEST(test_concurrent_removers)
{
	char *tree = at("trash");

	for (int round = 0; round < 10; round++) {
		int status, ret;
		pid_t pid;
		for (int d = 0; d < 20; d++)
			for (int f = 0; f < 3; f++) {
				char *rel = xasprintf("trash/set/t-%d/obj/f%d.gcda", d, f);
				fixture_put(root, rel, "x");
				free(rel);
			}
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			_exit(remove_tree(tree) < 0);
		ret = remove_tree(tree);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_int_eq(ret, 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		ck_assert(!present("trash"));
	}
	free(tree);
}
END_TEST

START_TEST(test_strings)
{
	struct strings l = {0};

	strings_add(&l, xstrdup("a"));
	strings_add(&l, xstrdup("b"));
	ck_assert_uint_eq(l.n, 2);
	ck_assert(strings_has(&l, "b"));
	ck_assert(!strings_has(&l, "c"));
	strings_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.v);
}
END_TEST

Suite *make_util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("remove_tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_symlinks_are_never_followed);
	tcase_add_test(tc, test_missing_and_plain_files);
	tcase_add_test(tc, test_strings);
	suite_add_tcase(s, tc);
	/* Thousands of files made and removed: slow under valgrind on a busy machine. */
	tc = tcase_create("concurrent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_concurrent_removers);
	suite_add_tcase(s, tc);
	return s;
}

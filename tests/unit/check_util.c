/* remove_tree (src/util.c) removes a tree and never anything a symlink in it points at. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <json-c/json.h>
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

/* json_c_string writes what json-c writes (tests.json was json-c's): every byte alone and
 * among others, and names of every-day tests. */
static void json_c_same(const char *s)
{
	struct buffer b = {0};
	json_object *o = json_object_new_string(s);

	json_c_string(&b, s);
	ck_assert_str_eq(b.data, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	buf_free(&b);
}

START_TEST(test_json_c_string)
{
	char s[2 * 256];
	size_t n = 0;

	for (int c = 1; c < 256; c++) {
		char one[2] = {(char)c, 0};
		json_c_same(one);
		s[n++] = (char)c;
		s[n++] = 'a';
	}
	s[n] = 0;
	json_c_same(s);
	json_c_same("");
	json_c_same("unit.a/b \"c\"");
	json_c_same("src/\xc3\xbc.c");
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

/* buf_printf's own formatting of the common conversions gives snprintf's bytes; other
 * conversions go to vsnprintf. */
#define SAME_PRINTF(...)                                                                  \
	do {                                                                              \
		char want[512];                                                           \
		struct buffer got = {0};                                                  \
		buf_add(&got, "x", 1);                                                    \
		snprintf(want, sizeof want, "x" __VA_ARGS__);                             \
		buf_printf(&got, __VA_ARGS__);                                            \
		ck_assert_str_eq(got.data, want);                                         \
		ck_assert_uint_eq(got.len, strlen(want));                                 \
		buf_free(&got);                                                           \
	} while (0)

START_TEST(test_buf_printf)
{
	const long long ll[] = {0, 1, -1, 9, 10, -10, 123456789, LLONG_MAX, LLONG_MIN};
	struct buffer empty = {0};

	for (size_t i = 0; i < sizeof ll / sizeof *ll; i++) {
		long long v = ll[i];
		SAME_PRINTF("%lld|%5lld|%-5lld|%05lld|%llu", v, v, v, v, (unsigned long long)v);
		SAME_PRINTF("%ld %9ld %-9ld %lu %lx", (long)v, (long)v, (long)v, (unsigned long)v, (unsigned long)v);
		SAME_PRINTF("%d %2d %-2d %i %u %x %04x %02x", (int)v, (int)v, (int)v, (int)v, (unsigned)v,
			    (unsigned)v, (unsigned)v & 0xffff, (unsigned)v & 0xff);
		SAME_PRINTF("%zu %zd %7zu", (size_t)v, (ssize_t)v, (size_t)v);
	}
	SAME_PRINTF("%s|%7s|%-7s|%-36s|%s", "abc", "abc", "abc", "a", "");
	SAME_PRINTF("%s", "a string longer than its field");
	SAME_PRINTF("%3s|%c|%3c|%-3c|100%%|%%d", "toolong", 'q', 'r', 's');
	SAME_PRINTF("no conversion at all");
	/* Not ours: vsnprintf's. */
	SAME_PRINTF("%.1f %.0f %+d % d %#x %.3s %*d %hhd %lc", 1.25, 2.5, 3, 4, 255u, "abcdef", 4, 5, (signed char)-44, 'w');
	SAME_PRINTF("%s then %.1f", "ours", 0.5);
	buf_printf(&empty, "%s", "");
	ck_assert_ptr_nonnull(empty.data);
	ck_assert_str_eq(empty.data, "");
	buf_free(&empty);
}
END_TEST

/* buf_str() and buf_num() append what "%s" and "%lld" would; path_join() adds one slash. */
START_TEST(test_buf_str_num)
{
	const long long ll[] = {0, 1, -1, 9, 10, -10, 123456789, LLONG_MAX, LLONG_MIN};
	struct buffer got = {0}, want = {0};
	char *p;

	for (size_t i = 0; i < sizeof ll / sizeof *ll; i++) {
		buf_str(&got, "n=");
		buf_num(&got, ll[i]);
		buf_str(&got, "");
		buf_printf(&want, "n=%lld%s", ll[i], "");
	}
	ck_assert_str_eq(got.data, want.data);
	ck_assert_uint_eq(got.len, want.len);
	buf_free(&got);
	buf_free(&want);
	ck_assert_str_eq((p = path_join("/a/b", "c/d")), "/a/b/c/d");
	free(p);
	ck_assert_str_eq((p = path_join("/a/b/", "c")), "/a/b/c");
	free(p);
	ck_assert_str_eq((p = path_join("", "c")), "/c");
	free(p);
}
END_TEST

struct seen {
	struct buffer b;
	size_t n, stop_at; /* stop_at: return 7 at that call (0: never) */
};

static int record(const char *path, const char *rel, void *ctx)
{
	struct seen *s = ctx;
	buf_printf(&s->b, "%s|%s\n", path, rel);
	return ++s->n == s->stop_at ? 7 : 0;
}

/* walk_files_parallel() calls back with the same files, in the same order, with the same
 * result as walk_files(): skipped directories, files at the root, symlinks not followed, a
 * callback that stops the walk, a root that is not a directory. */
START_TEST(test_walk_files_parallel)
{
	const char *const skip[] = {"skipped", "*/CMakeFiles", NULL};
	const char *files[] = {"top.gcno", "a/x.gcda", "a/b/c/deep.gcno", "a/CMakeFiles/no.gcda",
			       "skipped/no.gcda", "z/1", "z/2", "m/empty/../m.txt", "a/b/y.gcda"};
	char *tree = at("tree"), *missing = at("missing");

	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char *rel = xasprintf("tree/%s", files[i]);
		fixture_put(root, rel, "x");
		free(rel);
	}
	link_to("tree/a", "tree/a-link");
	for (size_t stop = 0; stop < 9; stop++) {
		struct seen serial = {.stop_at = stop}, par = {.stop_at = stop};
		int rs = walk_files(tree, skip, record, &serial), rp = walk_files_parallel(tree, skip, record, &par);
		ck_assert_int_eq(rp, rs);
		ck_assert_int_eq(rs, stop && stop <= 7 ? 7 : 0);
		ck_assert_str_eq(par.b.data, serial.b.data);
		if (!stop)
			ck_assert_uint_eq(serial.n, 7); /* all but those below skipped directories */
		buf_free(&serial.b);
		buf_free(&par.b);
	}
	ck_assert_int_eq(walk_files_parallel(missing, NULL, record, &(struct seen){0}), -1);
	free(tree);
	free(missing);
}
END_TEST

static void warn_item(void *ctx, size_t i)
{
	(void)ctx;
	if (i == 3)
		warn("from a worker %zu", i);
}

/* Messages captured (msgs_capture) are not printed; replayed, they are the bytes that
 * printing them would have written, parallel_for() workers' with the caller's; dropped, nothing. */
START_TEST(test_msgs_capture)
{
	char *path = at("stderr.txt");
	struct buffer got = {0};
	struct msgs m = {0}, dropped = {0};
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666), saved = dup(2);

	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	ck_assert_int_ge(dup2(fd, 2), 0);
	msgs_capture(&m);
	warn("first %d", 1);
	errno = ENOENT;
	error("second:");
	parallel_for(8, warn_item, NULL);
	msgs_capture(NULL);
	msgs_capture(&dropped);
	warn("never shown");
	msgs_capture(NULL);
	msgs_free(&dropped);
	fflush(stderr);
	ck_assert_int_eq(read_file(path, &got), 0);
	ck_assert_uint_eq(got.len, 0); /* nothing printed while capturing */
	msgs_replay(&m);
	msgs_free(&m);
	warn("after");
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, 2), 0);
	close(saved);
	close(fd);
	ck_assert_int_eq(read_file(path, &got), 0);
	ck_assert_str_eq(got.data, "parcov: warning: first 1\n"
				   "parcov: error: second: No such file or directory\n"
				   "parcov: warning: from a worker 3\n"
				   "parcov: warning: after\n");
	buf_free(&got);
	free(path);
}
END_TEST

/* realpath_cached() answers as realpath() does: through symlinks (file and directory), for
 * missing names, "..", asked twice. */
START_TEST(test_realpath_cached)
{
	char *dir = at("d"), *sub = at("d/sub"), *file = at("d/sub/f.c"), *lnk = at("d/l.c"),
	     *dlink = at("dl"), *paths[12];
	size_t n = 0;

	ck_assert_int_eq(mkdirs(sub, 0777), 0);
	ck_assert_int_eq(write_file_atomic(file, "x", 1), 0);
	ck_assert_int_eq(symlink(file, lnk), 0);
	ck_assert_int_eq(symlink(dir, dlink), 0);
	paths[n++] = xstrdup(file);
	paths[n++] = xstrdup(lnk);
	paths[n++] = at("dl/sub/f.c");
	paths[n++] = at("dl/l.c");
	paths[n++] = at("d/sub/missing.c");
	paths[n++] = at("d/nodir/f.c");
	paths[n++] = at("d/sub/f.c/x");
	paths[n++] = at("d/sub/../sub/f.c");
	paths[n++] = at("d/sub/");
	paths[n++] = at("dl");
	paths[n++] = xstrdup("relative/name.c");
	paths[n++] = xstrdup("/");
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < n; i++) {
			char want[PATH_MAX], got[PATH_MAX];
			char *w = realpath(paths[i], want), *g = realpath_cached(paths[i], got);
			ck_assert_msg(!w == !g, "%s: realpath %s, cached %s", paths[i], w ? w : "fails",
				      g ? g : "fails");
			if (w)
				ck_assert_str_eq(got, want);
		}
	realpath_cache_forget();
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(dir);
	free(sub);
	free(file);
	free(lnk);
	free(dlink);
}
END_TEST

/* source_file() and data_files() read once: what they return stays as first read. */
START_TEST(test_read_once)
{
	char *dir = at("set"), *a = at("set/t1/a.gcda"), *b = at("set/t1/b.txt"), *e = at("set/t2/e.gcda"),
	     *t1 = at("set/t1"), *t2 = at("set/t2"), *missing = at("set/missing.c");
	const struct source_file *sf;
	const struct data_file *files;
	size_t n;

	ck_assert_int_eq(mkdirs(t1, 0777), 0);
	ck_assert_int_eq(mkdirs(t2, 0777), 0);
	ck_assert_int_eq(write_file_atomic(a, "AAAA", 4), 0);
	ck_assert_int_eq(write_file_atomic(b, "BB", 2), 0);
	ck_assert_int_eq(write_file_atomic(e, "", 0), 0);
	ck_assert_int_eq(data_files(dir, ".gcda", &files, &n), 0);
	/* Sorted; the empty file written now is data (only the epoch's are recycled). */
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(files[0].rel, "t1/a.gcda");
	ck_assert_str_eq(files[0].data.data, "AAAA");
	ck_assert_str_eq(files[1].rel, "t1/b.txt");
	ck_assert_ptr_null(files[1].data.data); /* not of the suffix: not read */
	ck_assert_str_eq(files[2].rel, "t2/e.gcda");
	ck_assert_uint_eq(files[2].data.len, 0);
	ck_assert_int_eq(write_file_atomic(a, "CCCCCC", 6), 0);
	ck_assert_int_eq(data_files(dir, ".gcda", &files, &n), 0);
	ck_assert_str_eq(files[0].data.data, "AAAA");
	data_files_forget();
	ck_assert_int_eq(data_files(dir, ".gcda", &files, &n), 0);
	ck_assert_str_eq(files[0].data.data, "CCCCCC");
	data_files_forget();

	sf = source_file(b, 0);
	ck_assert_int_eq(sf->stat_errno, 0);
	ck_assert_int_eq(sf->st.st_size, 2);
	ck_assert_ptr_null(sf->text.data);
	sf = source_file(b, 1);
	ck_assert_str_eq(sf->text.data, "BB");
	ck_assert_ptr_eq(source_file(b, 1), sf);
	sf = source_file(dir, 1); /* a directory: stat works, reading does not */
	ck_assert_int_eq(sf->stat_errno, 0);
	ck_assert_int_ne(sf->read_errno, 0);
	sf = source_file(missing, 1);
	ck_assert_int_eq(sf->stat_errno, ENOENT);
	ck_assert_int_eq(sf->read_errno, ENOENT);
	source_cache_forget();
	free(t1);
	free(t2);
	free(missing);
	free(dir);
	free(a);
	free(b);
	free(e);
}
END_TEST

Suite *make_util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("remove_tree");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_symlinks_are_never_followed);
	tcase_add_test(tc, test_json_c_string);
	tcase_add_test(tc, test_missing_and_plain_files);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_buf_printf);
	tcase_add_test(tc, test_buf_str_num);
	tcase_add_test(tc, test_walk_files_parallel);
	tcase_add_test(tc, test_msgs_capture);
	tcase_add_test(tc, test_realpath_cached);
	tcase_add_test(tc, test_read_once);
	suite_add_tcase(s, tc);
	/* Thousands of files made and removed: slow under valgrind on a busy machine. */
	tc = tcase_create("concurrent");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_concurrent_removers);
	suite_add_tcase(s, tc);
	return s;
}

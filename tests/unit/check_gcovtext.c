/* parcov report's reader of gcov's text output against gcovr 5.2's rules (gcov_parser.py,
 * merging.py): what a template's instantiation sections add, which line a function line
 * names, branch numbers with calls among them, the "never executed" branches' notes,
 * non-code lines within one gcov run and across runs, and the exclusion markers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "covdata.h"
#include "gcovjson.h"

static struct config conf(void)
{
	struct config c;
	memset(&c, 0, sizeof c);
	c.source_root = "/src";
	c.build_dir = "/build";
	return c;
}

static const struct cov_file *file(const struct covdata *cd, const char *name)
{
	for (size_t i = 0; i < cd->n; i++)
		if (!strcmp(cd->files[i]->name, name))
			return cd->files[i];
	return NULL;
}

/* Parse the runs as one report; the named file must be in it. */
static const struct cov_file *parsed(struct covdata *cd, const char *const *runs, size_t n,
				     const char *name)
{
	struct config c = conf();
	const struct cov_file *f;

	ck_assert_int_eq(gcovjson_parse_text(&c, cd, runs, n), 0);
	f = file(cd, name);
	ck_assert_ptr_nonnull(f);
	return f;
}

static const struct cov_function *function(const struct cov_file *f, const char *name)
{
	for (size_t i = 0; i < f->nfn; i++)
		if (!strcmp(f->fn[i].name, name))
			return &f->fn[i];
	return NULL;
}

static const struct cov_line *line(const struct cov_file *f, size_t n)
{
	return n < f->nlines && f->lines[n].present ? &f->lines[n] : NULL;
}

START_TEST(template_sections_add_again)
{
	/* As gcov prints a constructor instantiated twice: the summed line, then each
	 * instantiation's section; gcovr adds every listing. */
	const char *run = "        -:    0:Source:/src/box.hpp\n"
			  "        -:    0:Graph:/build/a.gcno\n"
			  "        -:    1:#pragma once\n"
			  "       12:    2:\texplicit Box(T v) : v_(v) {}\n"
			  "------------------\n"
			  "Box<long>::Box(long):\n"
			  "function Box<long>::Box(long) called 3 returned 100% blocks executed 100%\n"
			  "        3:    2:\texplicit Box(T v) : v_(v) {}\n"
			  "------------------\n"
			  "Box<int>::Box(int):\n"
			  "function Box<int>::Box(int) called 9 returned 100% blocks executed 100%\n"
			  "        9:    2:\texplicit Box(T v) : v_(v) {}\n"
			  "------------------\n"
			  "        -:    3:};\n"
			  "        -:    4:}\n";
	struct covdata cd = {0};
	const struct cov_file *f = parsed(&cd, &run, 1, "box.hpp");

	ck_assert_ptr_null(line(f, 1)); /* '-' and code: gcovr ignores the line */
	ck_assert_int_eq(line(f, 2)->count, 24);
	ck_assert(!line(f, 2)->noncode);
	ck_assert_ptr_null(line(f, 3));
	ck_assert(line(f, 4)->noncode);
	ck_assert_int_eq(function(f, "Box<int>::Box(int)")->count, 9);
	ck_assert_int_eq(function(f, "Box<int>::Box(int)")->lineno, 2);
	ck_assert_int_eq(function(f, "Box<long>::Box(long)")->count, 3);
	covdata_free(&cd);
}
END_TEST

START_TEST(branches_calls_and_notes)
{
	const char *run = "        -:    0:Source:/src/b.c\n"
			  "function f called 4 returned 100% blocks executed 80%\n"
			  "        4:    1:int f(int x) {\n"
			  "        4:    2:\tif (g(x) > 0)\n"
			  "call    0 returned 4\n"
			  "branch  1 taken 3 (fallthrough)\n"
			  "branch  2 taken 1\n"
			  "    #####:    3:\t\th();\n"
			  "branch  0 never executed\n"
			  "branch  1 never executed\n"
			  "        1:    4:\tthrow_it();\n"
			  "branch  0 taken 0 (fallthrough)\n"
			  "branch  1 taken 1 (throw)\n"
			  "        -:    5:}\n"
			  "function __cxx_global_var_init called 1 returned 100% blocks executed 100%\n"
			  "function _GLOBAL__sub_I_b.c called 1 returned 100% blocks executed 100%\n"
			  "        1:    6:int x = f(1);\n";
	struct covdata cd = {0};
	const struct cov_line *l;
	const struct cov_file *f = parsed(&cd, &run, 1, "b.c");

	l = line(f, 2);
	ck_assert_uint_eq(l->nbr, 2); /* numbers 1 and 2: the call took 0 */
	ck_assert_int_eq(l->br[0].count, 3);
	ck_assert(l->br[0].fallthrough);
	ck_assert_int_eq(l->br[1].count, 1);
	ck_assert(!l->br[1].fallthrough);
	l = line(f, 3);
	ck_assert_int_eq(l->count, 0);
	ck_assert(!l->noncode);
	ck_assert_uint_eq(l->nbr, 2);
	ck_assert(!l->br[0].fallthrough && !l->br[1].fallthrough);
	l = line(f, 4);
	ck_assert(l->br[0].fallthrough && !l->br[0].thrown);
	ck_assert(l->br[1].thrown);
	ck_assert_uint_eq(f->nfn, 1); /* compiler-internal functions left out */
	ck_assert_int_eq(function(f, "f")->lineno, 1);
	ck_assert_int_eq(function(f, "f")->count, 4);
	covdata_free(&cd);
}
END_TEST

START_TEST(exclusion_markers)
{
	const char *run = "        -:    0:Source:/src/c.c\n"
			  "        2:    1:a(); // LCOV_EXCL_LINE\n"
			  "branch  0 taken 1\n"
			  "        2:    2:b(); // GCOVR_EXCL_BR_LINE\n"
			  "branch  0 taken 2\n"
			  "        2:    3:// GCOV_EXCL_START\n"
			  "        2:    4:c();\n"
			  "        2:    5:// GCOV_EXCL_STOP\n"
			  "        2:    6:d();\n";
	struct covdata cd = {0};
	const struct cov_file *f = parsed(&cd, &run, 1, "c.c");

	ck_assert(line(f, 1)->noncode);
	ck_assert_uint_eq(line(f, 1)->nbr, 0);
	ck_assert(!line(f, 2)->noncode);
	ck_assert_int_eq(line(f, 2)->count, 2);
	ck_assert_uint_eq(line(f, 2)->nbr, 0);
	ck_assert(line(f, 3)->noncode && line(f, 4)->noncode);
	ck_assert(!line(f, 5)->noncode); /* the range stops before STOP */
	ck_assert_int_eq(line(f, 5)->count, 2);
	ck_assert_int_eq(line(f, 6)->count, 2);
	covdata_free(&cd);
}
END_TEST

START_TEST(noncode_within_and_across_runs)
{
	/* Within one run a line is non-code once any listing says so; across runs only when
	 * every run does (gcovr's merge_line). */
	const char *runs[] = {"        -:    0:Source:/src/d.c\n"
			      "        1:    1:}\n"
			      "        -:    2:}\n"
			      "------------------\n"
			      "        -:    1:}\n"
			      "------------------\n",
			      "        -:    0:Source:/src/d.c\n"
			      "        -:    1:}\n"
			      "        3:    2:}\n"
			      "        -:    0:Source:/elsewhere/e.c\n"
			      "        5:    1:e();\n"};
	struct covdata cd = {0};
	const struct cov_file *f = parsed(&cd, runs, 2, "d.c");

	ck_assert_uint_eq(cd.n, 1); /* outside the root: not reported */
	ck_assert(line(f, 1)->noncode);
	ck_assert_int_eq(line(f, 1)->count, 1);
	ck_assert(!line(f, 2)->noncode);
	ck_assert_int_eq(line(f, 2)->count, 3);
	covdata_free(&cd);
}
END_TEST

START_TEST(relative_source_leaves_it_to_gcovr)
{
	const char *run = "        -:    0:Source:src/r.c\n"
			  "        1:    1:r();\n";
	struct config c = conf();
	struct covdata cd = {0};

	ck_assert_int_eq(gcovjson_parse_text(&c, &cd, &run, 1), 1);
	covdata_free(&cd);
}
END_TEST

Suite *make_gcovtext_suite(void)
{
	Suite *s = suite_create("gcovtext");
	TCase *t = tcase_create("gcovr rules");

	tcase_add_test(t, template_sections_add_again);
	tcase_add_test(t, branches_calls_and_notes);
	tcase_add_test(t, exclusion_markers);
	tcase_add_test(t, noncode_within_and_across_runs);
	tcase_add_test(t, relative_source_leaves_it_to_gcovr);
	suite_add_tcase(s, t);
	return s;
}

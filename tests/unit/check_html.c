/* The report writers that work from struct covdata alone (html.c, write_md.c,
 * write_sonarqube.c, write_coveralls.c, md5.c) on a model built by hand, with fake hooks
 * for the tests that ran a line and the lines a diff changed. */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ciformats.h"
#include "covdata.h"
#include "html.h"
#include "md5.h"
#include "util.h"

static const char source[] = "int f(int x) {\n"
			     "  if (x < 0 && y)\n"
			     "    return -1;\n"
			     "  return x; // <b>&\n"
			     "}\n"
			     "/* excluded */\n";

/* A temporary directory below the current one (ctest runs us in the build tree). */
static char *tmpdir(void)
{
	char tmpl[] = "check-html-XXXXXX", *cwd = getcwd(NULL, 0), *dir;
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	dir = path_join(cwd, tmpl);
	free(cwd);
	return dir;
}

/* lib/demo.c: lines 1-4 code (3 not run), 2 with one of two branches taken, 5 non-code,
 * 6 excluded; function f. */
static void model(struct covdata *cd, const char *root)
{
	char *src = xasprintf("%s/lib/demo.c", root), *lib = path_join(root, "lib");
	struct cov_file *f;
	const long long counts[] = {0, 3, 3, 0, 3};

	ck_assert_int_eq(mkdirs(lib, 0777), 0);
	ck_assert_int_eq(write_file_atomic(src, source, strlen(source)), 0);
	f = covdata_file(cd, src, root);
	for (long n = 1; n <= 4; n++) {
		struct cov_line *l = cov_line_at(f, n);
		l->present = 1;
		l->count = counts[n];
	}
	cov_add_branch(&f->lines[2], 0, 2, 0, 0);
	cov_add_branch(&f->lines[2], 1, 0, 1, 0);
	cov_line_at(f, 5)->present = 1;
	f->lines[5].noncode = 1;
	cov_line_at(f, 6)->present = 1;
	f->lines[6].noncode = f->lines[6].excluded = 1;
	cov_add_function(f, "f", 1, 3);
	covdata_sort(cd);
	free(src);
	free(lib);
}

static const char *const ran[] = {"unit.a", "unit.<b>"};

static const char *const *fake_tests(void *ctx, const struct cov_file *f, long line, size_t *n)
{
	(void)f;
	++*(int *)ctx;
	*n = line == 3 ? 0 : line == 4 ? 1 : 2;
	return ran;
}

static int fake_changed(void *ctx, const struct cov_file *f, long line)
{
	(void)ctx;
	(void)f;
	return line == 3 || line == 4;
}

static char *slurp(const char *dir, const char *name)
{
	char *path = path_join(dir, name);
	struct buffer b = {0};
	ck_assert_msg(read_file(path, &b) == 0, "cannot read %s", path);
	free(path);
	return b.data;
}

static void has(const char *text, const char *want)
{
	ck_assert_msg(strstr(text, want), "missing: %s", want);
}

static int count(const char *text, const char *s)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void cleanup(char *dir, struct covdata *cd)
{
	remove_tree(dir);
	free(dir);
	covdata_free(cd);
}

START_TEST(test_html_pages)
{
	struct covdata cd = {0};
	char *root = tmpdir(), *out = path_join(root, "html"), *page, *index;
	int calls = 0;
	struct cov_extras x = {fake_tests, fake_changed, &calls};

	model(&cd, root);
	ck_assert_int_eq(html_write(&cd, out, "demo <project>", &x), 0);
	index = slurp(out, "index.html");
	page = slurp(out, "f0000-demo.c.html");
	/* Totals: 3 of 4 lines, 1 of 2 branches, 1 of 1 function; changed lines 1 of 2 run. */
	has(index, "coverage of demo &lt;project&gt;");
	has(index, "75.0% <span class=\"of\">3/4</span>");
	has(index, "50.0% <span class=\"of\">1/2</span>");
	has(index, "100.0% <span class=\"of\">1/1</span>");
	has(index, "<th scope=\"col\">Changed lines</th>");
	has(index, "data-dir=\"lib\">lib</a>");
	has(index, "<a href=\"f0000-demo.c.html\">lib/demo.c</a>");
	has(index, "src=\"parcov.js\"");
	ck_assert_ptr_null(strstr(index, "http"));
	/* Marks that are text, not only colour; counts; branch details; escaping. */
	has(page, "<tr id=\"L3\" class=\"u\" data-changed=\"1\"><td>3</td><td>0</td><td>✗</td><td>Δ</td><td></td>"
		  "<td>    return -1;</td></tr>\n");
	has(page, "<tr id=\"L2\" class=\"p\"><td>2</td><td>3</td><td><details><summary>◐ 1/2</summary>"
		  "<br>0: taken 2×<br>1 (fallthrough): <b>not taken</b></details></td><td></td>");
	has(page, "<td>  return x; // &lt;b&gt;&amp;</td></tr>\n");
	has(page, "<tr id=\"L5\"><td>5</td><td></td><td></td><td></td><td></td><td>}</td></tr>\n");
	has(page, "<tr id=\"L6\" class=\"x\"><td>6</td><td></td><td>–</td>");
	ck_assert_ptr_null(strstr(page, "id=\"L7\""));
	has(page, "class=\"src with-changed with-tests\"");
	has(page, "<strong>Lines not run:</strong> <a href=\"#L3\">3</a></p>");
	has(page, "<a href=\"#L1\">f</a></td><td class=\"num\" data-v=\"1\">1</td>");
	/* The tests that ran a line, from the hook, escaped; none asked for lines not run. */
	has(page, "<td><details><summary>2 tests</summary><ul><li>unit.a</li><li>unit.&lt;b&gt;</li>");
	has(page, "<td>Δ</td><td><details><summary>1 test</summary><ul><li>unit.a</li></ul>");
	ck_assert_int_eq(calls, 3);
	has(page, "50.0% <span class=\"of\">1/2</span></td></tr></tbody></table>");
	/* gcov measures no regions or MC/DC: no columns or marks for them. */
	ck_assert_ptr_null(strstr(index, "Regions"));
	ck_assert_ptr_null(strstr(index, "MC/DC"));
	ck_assert_ptr_null(strstr(page, "◔"));
	ck_assert_ptr_null(strstr(page, "MC/DC"));
	free(index);
	free(page);

	/* Without hooks: no tests column, no changed marks or patch totals. */
	remove_tree(out);
	ck_assert_int_eq(html_write(&cd, out, "demo", NULL), 0);
	page = slurp(out, "f0000-demo.c.html");
	ck_assert_ptr_null(strstr(page, "Tests</th>"));
	ck_assert_ptr_null(strstr(page, "data-changed"));
	ck_assert_ptr_null(strstr(page, "Changed lines"));
	has(page, "<tr id=\"L3\" class=\"u\"><td>3</td><td>0</td><td>✗</td><td>    return -1;</td></tr>\n");
	free(page);
	free(out);
	cleanup(root, &cd);
}
END_TEST

/* Written over a previous report's directory (report.c reuses it): a longer page is cut to
 * the new one, files of pages no longer in the report go, the result is what a fresh
 * directory gets. */
START_TEST(test_html_over_old)
{
	struct covdata cd = {0};
	char *root = tmpdir(), *fresh = path_join(root, "fresh"), *out = path_join(root, "html");
	char *junk = xcalloc(100001, 1), *stale, *sub, *a, *b;
	DIR *d;
	struct dirent *e;
	int n = 0;

	model(&cd, root);
	ck_assert_int_eq(html_write(&cd, fresh, "demo", NULL), 0);
	ck_assert_int_eq(mkdirs(out, 0777), 0);
	memset(junk, 'x', 100000);
	for (const char *const *name = (const char *const[]){"f0000-demo.c.html", "index.html",
							     "f0001-gone.c.html", NULL};
	     *name; name++) {
		char *path = path_join(out, *name);
		ck_assert_int_eq(write_file_atomic(path, junk, 100000), 0);
		free(path);
	}
	sub = path_join(out, "f0002-dir");
	ck_assert_int_eq(mkdirs(sub, 0777), 0);
	stale = path_join(sub, "x");
	ck_assert_int_eq(write_file_atomic(stale, "x", 1), 0);
	ck_assert_int_eq(html_write(&cd, out, "demo", NULL), 0);
	for (const char *const *name = (const char *const[]){"f0000-demo.c.html", "index.html",
							     "parcov.css", "parcov.js", NULL};
	     *name; name++) {
		a = slurp(fresh, *name);
		b = slurp(out, *name);
		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
	d = opendir(out);
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	ck_assert_int_eq(n, 4);
	free(stale);
	free(sub);
	free(junk);
	free(fresh);
	free(out);
	cleanup(root, &cd);
}
END_TEST

/* The llvm backend's model: the same file with regions and MC/DC conditions (totals, line
 * 4's regions, a decision on line 2 whose conditions' places are known and one on line 3,
 * not run, whose are not). */
START_TEST(test_html_llvm)
{
	struct covdata cd = {0};
	char *root = tmpdir(), *out = path_join(root, "html"), *page, *index;
	struct cov_file *f;

	model(&cd, root);
	cd.has_regions = cd.has_mcdc = 1;
	f = cd.files[0];
	f->regions = 7;
	f->regions_hit = 5;
	f->mcdc = 3;
	f->mcdc_hit = 1;
	f->nreg = 2;
	f->reg = xcalloc(2, sizeof *f->reg);
	f->reg[0] = (struct cov_region){4, 3, 3};
	f->reg[1] = (struct cov_region){4, 12, 0};
	f->ncond = 3;
	f->cond = xcalloc(3, sizeof *f->cond);
	f->cond[0] = (struct cov_condition){2, 7, 2, 12, 1, 2, 1};
	f->cond[1] = (struct cov_condition){2, 16, 2, 17, 0, 3, 0};
	f->cond[2] = (struct cov_condition){.covered = 0};
	f->ndec = 2;
	f->dec = xcalloc(2, sizeof *f->dec);
	f->dec[0] = (struct cov_decision){2, 7, 2, 17, 0, 2};
	f->dec[1] = (struct cov_decision){3, 5, 3, 14, 2, 1};
	ck_assert_int_eq(html_write(&cd, out, "demo", NULL), 0);
	index = slurp(out, "index.html");
	page = slurp(out, "f0000-demo.c.html");
	/* Region and MC/DC columns after the functions, in every table of the index. */
	has(index, "<th scope=\"col\">Functions</th><th scope=\"col\">Regions</th><th scope=\"col\">MC/DC</th>"
		   "</tr></thead><tbody><tr><th scope=\"row\">All</th>");
	has(index, "<th scope=\"col\"><button type=\"button\">Files</button></th>"
		   "<th scope=\"col\"><button type=\"button\">Lines</button></th>"
		   "<th scope=\"col\"><button type=\"button\">Branches</button></th>"
		   "<th scope=\"col\"><button type=\"button\">Functions</button></th>"
		   "<th scope=\"col\"><button type=\"button\">Regions</button></th>"
		   "<th scope=\"col\"><button type=\"button\">MC/DC</button></th></tr>");
	has(index, "<td class=\"num\" data-v=\"71.4286\"><span class=\"bar\" aria-hidden=\"true\">"
		   "<span style=\"width:71%\"></span></span> 71.4% <span class=\"of\">5/7</span></td>"
		   "<td class=\"num\" data-v=\"33.3333\"><span class=\"bar\" aria-hidden=\"true\">"
		   "<span style=\"width:33%\"></span></span> 33.3% <span class=\"of\">1/3</span></td></tr>");
	/* In the summary, the directory's row and the file's. */
	ck_assert_int_eq(count(index, "71.4% <span class=\"of\">5/7</span>"), 3);
	ck_assert_int_eq(count(index, "33.3% <span class=\"of\">1/3</span>"), 3);
	has(page, "<th scope=\"col\">Regions</th><th scope=\"col\">MC/DC</th>");
	/* Line 4 ran with a region that did not: marked (◔, class p) with its columns. */
	has(page, "<tr id=\"L4\" class=\"p\"><td>4</td><td>3</td><td><details><summary>◔ 1/2</summary>"
		  "<br>col 3: 3×<br>col 12: <b>not run</b></details></td><td>  return x; // &lt;b&gt;&amp;</td></tr>\n");
	/* The decision on line 2: each condition's place, source text and branch counts. */
	has(page, "<tr id=\"L2\" class=\"p\"><td>2</td><td>3</td><td><details><summary>◐ 1/2</summary>"
		  "<br>0: taken 2×<br>1 (fallthrough): <b>not taken</b></details> <details><summary>MC/DC 1/2"
		  "</summary>decision 2:7–2:17<br>C1 2:7 <code>x &lt; 0</code>: covered (true 1×, false 2×)"
		  "<br>C2 2:16 <code>y</code>: <b>not covered</b> (true 0×, false 3×)</details></td>"
		  "<td>  if (x &lt; 0 &amp;&amp; y)</td></tr>\n");
	/* A line not run keeps ✗; its decision's condition without a known place. */
	has(page, "<tr id=\"L3\" class=\"u\"><td>3</td><td>0</td><td>✗ <details><summary>MC/DC 0/1</summary>"
		  "decision 3:5–3:14<br>C1: <b>not covered</b></details></td><td>    return -1;</td></tr>\n");
	has(page, "<tr id=\"L1\" class=\"h\"><td>1</td><td>3</td><td></td><td>int f(int x) {</td></tr>\n");
	has(page, "next/previous line not run or with a branch not taken, a region not run or an MC/DC "
		  "condition not covered, <kbd>t</kbd> theme.");
	free(index);
	free(page);
	free(out);
	cleanup(root, &cd);
}
END_TEST

/* A 20,000-line source: every line on the page, at a size a browser loads at once. */
START_TEST(test_html_large_file)
{
	struct covdata cd = {0};
	char *root = tmpdir(), *out = path_join(root, "html"), *src = path_join(root, "big.c"), *page;
	struct buffer text = {0};
	struct cov_file *f;

	for (long n = 1; n <= 20000; n++)
		buf_printf(&text, "\tx += %ld; /* line */\n", n);
	ck_assert_int_eq(write_file_atomic(src, text.data, text.len), 0);
	f = covdata_file(&cd, src, root);
	for (long n = 1; n <= 20000; n++) {
		struct cov_line *l = cov_line_at(f, n);
		l->present = 1;
		l->count = n % 7 ? n : 0;
		if (n % 5 == 0) {
			cov_add_branch(l, 0, n % 3, 0, 0);
			cov_add_branch(l, 1, 1, 0, 0);
		}
	}
	covdata_sort(&cd);
	ck_assert_int_eq(html_write(&cd, out, "big", NULL), 0);
	page = slurp(out, "f0000-big.c.html");
	has(page, "<tr id=\"L20000\" class=\"h\"><td>20000</td><td>20000</td><td><details><summary>✓ 2/2");
	has(page, "<tr id=\"L19999\" class=\"u\"><td>19999</td><td>0</td><td>✗</td><td>\tx += 19999; /* line */</td>");
	/* Markup per line, beyond the source itself, small: about 70 bytes, 160 with branches. */
	ck_assert_msg(strlen(page) < text.len + 20000 * 100, "page of %zu bytes for %zu bytes of source",
		      strlen(page), text.len);
	free(page);
	/* No functions: the 0/0 cell says so, with an empty bar, not a full one. */
	page = slurp(out, "index.html");
	has(page, "data-v=\"-1.0000\"><span class=\"bar\" aria-hidden=\"true\"><span style=\"width:0%\"></span>"
		  "</span> -- <span class=\"of\">0/0</span>");
	free(page);
	buf_free(&text);
	free(src);
	free(out);
	cleanup(root, &cd);
}
END_TEST

START_TEST(test_md)
{
	struct covdata cd = {0};
	char *root = tmpdir();
	struct cov_extras x = {NULL, fake_changed, NULL};
	struct buffer b = {0};

	model(&cd, root);
	write_md(&cd, &x, &b);
	has(b.data, "| **Total** | 75.0% (3/4) | 50.0% (1/2) | 100.0% (1/1) |\n");
	has(b.data, "**Patch coverage:** 50.0% of the changed lines (1/2)\n");
	has(b.data, "| lib/demo.c | 75.0% (3/4) | 50.0% (1/2) | 100.0% (1/1) | 3 |\n");
	buf_free(&b);
	write_md(&cd, NULL, &b);
	ck_assert_ptr_null(strstr(b.data, "Patch"));
	buf_free(&b);
	cleanup(root, &cd);
}
END_TEST

START_TEST(test_sonarqube)
{
	struct covdata cd = {0};
	char *root = tmpdir();
	struct buffer b = {0};

	model(&cd, root);
	write_sonarqube(&cd, &b);
	ck_assert_str_eq(b.data, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<coverage version=\"1\">\n"
				 "  <file path=\"lib/demo.c\">\n"
				 "    <lineToCover lineNumber=\"1\" covered=\"true\"/>\n"
				 "    <lineToCover lineNumber=\"2\" covered=\"true\" branchesToCover=\"2\" coveredBranches=\"1\"/>\n"
				 "    <lineToCover lineNumber=\"3\" covered=\"false\"/>\n"
				 "    <lineToCover lineNumber=\"4\" covered=\"true\"/>\n"
				 "  </file>\n</coverage>\n");
	buf_free(&b);
	cleanup(root, &cd);
}
END_TEST

START_TEST(test_coveralls)
{
	struct covdata cd = {0};
	char *root = tmpdir(), digest[33], *want;
	struct buffer b = {0};

	model(&cd, root);
	unsetenv("COVERALLS_REPO_TOKEN");
	setenv("COVERALLS_SERVICE_NAME", "ci \"x\"", 1);
	unsetenv("COVERALLS_SERVICE_JOB_ID");
	write_coveralls(&cd, &b);
	md5_hex(source, strlen(source), digest);
	want = xasprintf("{\"service_name\":\"ci \\\"x\\\"\",\"source_files\":[\n{\"name\":\"lib/demo.c\","
			 "\"source_digest\":\"%s\",\"coverage\":[3,3,0,3,null,null],"
			 "\"branches\":[2,0,0,2,2,0,1,0]}\n]}\n", digest);
	ck_assert_str_eq(b.data, want);
	unsetenv("COVERALLS_SERVICE_NAME");
	free(want);
	buf_free(&b);
	cleanup(root, &cd);
}
END_TEST

/* RFC 1321's test suite, and lengths around the padding boundary. */
START_TEST(test_md5)
{
	const char *const v[][2] = {
		{"", "d41d8cd98f00b204e9800998ecf8427e"},
		{"a", "0cc175b9c0f1b6a831c399e269772661"},
		{"abc", "900150983cd24fb0d6963f7d28e17f72"},
		{"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
		{"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
		{"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		 "d174ab98d277d9f5a5611c2c9f419d9f"},
		{"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
		 "57edf4a22be3c955ac49da2e2107b67a"},
	};
	char hex[33];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		md5_hex(v[i][0], strlen(v[i][0]), hex);
		ck_assert_str_eq(hex, v[i][1]);
	}
}
END_TEST

Suite *make_html_suite(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("covdata");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_html_pages);
	tcase_add_test(tc, test_html_over_old);
	tcase_add_test(tc, test_html_llvm);
	tcase_add_test(tc, test_html_large_file);
	tcase_add_test(tc, test_md);
	tcase_add_test(tc, test_sonarqube);
	tcase_add_test(tc, test_coveralls);
	tcase_add_test(tc, test_md5);
	suite_add_tcase(s, tc);
	return s;
}

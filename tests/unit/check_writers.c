/* The report writers (writers.h) against small hand-made models: exact output text of
 * gcovr JSON, Cobertura, lcov and the summary table, with and without llvm's regions and
 * MC/DC; the thresholds and format_missing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "covdata.h"
#include "util.h"

/* Two small hand-made models. gcov-like: /src/a.c with lines 1 (2 runs), 2 (never, two
 * branches), 3 (non-code), 5 (once, branches taken 1 and 0), functions f (line 1, 2 calls)
 * and g (line 5, none); /src/d/b.c with line 1 never run. llvm-like: the same plus region
 * and MC/DC totals. */
static void make_model(struct covdata *cd, int llvm)
{
	struct cov_file *a = covdata_file(cd, "/src/a.c", "/src");
	struct cov_file *b = covdata_file(cd, "/src/d/b.c", "/src");
	struct cov_line *l;

	l = cov_line_at(a, 1);
	l->present = 1;
	l->count = 2;
	l = cov_line_at(a, 2);
	l->present = 1;
	cov_add_branch(l, 0, 0, 0, 0);
	cov_add_branch(l, 1, 0, 0, 0);
	l = cov_line_at(a, 3);
	l->present = l->noncode = 1;
	l = cov_line_at(a, 5);
	l->present = 1;
	l->count = 1;
	cov_add_branch(l, 0, 1, 1, 0);
	cov_add_branch(l, 1, 0, 0, 1);
	cov_add_function(a, "g", 5, 0);
	cov_add_function(a, "f", 1, 2);
	l = cov_line_at(b, 1);
	l->present = 1;
	if (llvm) {
		a->regions = 4;
		a->regions_hit = 3;
		a->mcdc = 2;
		a->mcdc_hit = 1;
		b->regions = 1;
		cd->has_regions = cd->has_mcdc = 1;
		cd->tool = "parcov llvm-cov";
	}
	covdata_sort(cd);
}

/* Each writer's text for the gcov-like (0) and the llvm-like (1) model. */
static const char *const json_want[2] = {
	"{\"files\": [{\"file\": \"a.c\", \"functions\": [{\"execution_count\": 2, \"lineno\": 1, \"na"
	"me\": \"f\"}, {\"execution_count\": 0, \"lineno\": 5, \"name\": \"g\"}], \"lines\": [{\"branch"
	"es\": [], \"count\": 2, \"gcovr/excluded\": false, \"gcovr/noncode\": false, \"line_numb"
	"er\": 1}, {\"branches\": [{\"count\": 0, \"fallthrough\": false, \"throw\": false}, {\"cou"
	"nt\": 0, \"fallthrough\": false, \"throw\": false}], \"count\": 0, \"gcovr/excluded\": fa"
	"lse, \"gcovr/noncode\": false, \"line_number\": 2}, {\"branches\": [], \"count\": 0, \"gc"
	"ovr/excluded\": false, \"gcovr/noncode\": true, \"line_number\": 3}, {\"branches\": [{\""
	"count\": 1, \"fallthrough\": true, \"throw\": false}, {\"count\": 0, \"fallthrough\": fal"
	"se, \"throw\": true}], \"count\": 1, \"gcovr/excluded\": false, \"gcovr/noncode\": false"
	", \"line_number\": 5}]}, {\"file\": \"d/b.c\", \"functions\": [], \"lines\": [{\"branches\":"
	" [], \"count\": 0, \"gcovr/excluded\": false, \"gcovr/noncode\": false, \"line_number\":"
	" 1}]}], \"gcovr/format_version\": \"0.3\"}",
	"{\"files\": [{\"file\": \"a.c\", \"functions\": [{\"execution_count\": 2, \"lineno\": 1, \"na"
	"me\": \"f\"}, {\"execution_count\": 0, \"lineno\": 5, \"name\": \"g\"}], \"lines\": [{\"branch"
	"es\": [], \"count\": 2, \"gcovr/excluded\": false, \"gcovr/noncode\": false, \"line_numb"
	"er\": 1}, {\"branches\": [{\"count\": 0, \"fallthrough\": false, \"throw\": false}, {\"cou"
	"nt\": 0, \"fallthrough\": false, \"throw\": false}], \"count\": 0, \"gcovr/excluded\": fa"
	"lse, \"gcovr/noncode\": false, \"line_number\": 2}, {\"branches\": [], \"count\": 0, \"gc"
	"ovr/excluded\": false, \"gcovr/noncode\": true, \"line_number\": 3}, {\"branches\": [{\""
	"count\": 1, \"fallthrough\": true, \"throw\": false}, {\"count\": 0, \"fallthrough\": fal"
	"se, \"throw\": true}], \"count\": 1, \"gcovr/excluded\": false, \"gcovr/noncode\": false"
	", \"line_number\": 5}], \"parcov/mcdc\": {\"conditions\": 2, \"covered\": 1}}, {\"file\": "
	"\"d/b.c\", \"functions\": [], \"lines\": [{\"branches\": [], \"count\": 0, \"gcovr/excluded"
	"\": false, \"gcovr/noncode\": false, \"line_number\": 1}], \"parcov/mcdc\": {\"condition"
	"s\": 0, \"covered\": 0}}], \"gcovr/format_version\": \"0.3\", \"parcov/mcdc\": {\"conditio"
	"ns\": 2, \"covered\": 1}}",
};

static const char *const xml_want[2] = {
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<!DOCTYPE coverage SYSTEM 'http://cobertura.sourceforge.net/xml/coverage-04.dtd'"
	">\n"
	"<coverage line-rate=\"0.5\" function-rate=\"0.5\" branch-rate=\"0.25\" lines-covered=\""
	"2\" lines-valid=\"4\" functions-covered=\"1\" functions-valid=\"2\" branches-covered=\"1"
	"\" branches-valid=\"4\" complexity=\"0.0\" timestamp=\"123\" version=\"gcovr 5.2\"><sourc"
	"es><source>/src</source></sources><packages><package name=\"\" line-rate=\"0.666666"
	"6666666666\" function-rate=\"0.5\" branch-rate=\"0.25\" complexity=\"0.0\"><classes><cl"
	"ass name=\"a_c\" filename=\"a.c\" line-rate=\"0.6666666666666666\" branch-rate=\"0.25\" "
	"complexity=\"0.0\"><methods/><lines><line number=\"1\" hits=\"2\" branch=\"false\"/><lin"
	"e number=\"2\" hits=\"0\" branch=\"true\" condition-coverage=\"0% (0/2)\"><conditions><c"
	"ondition number=\"0\" type=\"jump\" coverage=\"0%\"/></conditions></line><line number="
	"\"5\" hits=\"1\" branch=\"true\" condition-coverage=\"50% (1/2)\"><conditions><condition"
	" number=\"0\" type=\"jump\" coverage=\"50%\"/></conditions></line></lines></class></cl"
	"asses></package><package name=\"d\" line-rate=\"0.0\" function-rate=\"0.0\" branch-rat"
	"e=\"0.0\" complexity=\"0.0\"><classes><class name=\"b_c\" filename=\"d/b.c\" line-rate=\""
	"0.0\" branch-rate=\"0.0\" complexity=\"0.0\"><methods/><lines><line number=\"1\" hits=\""
	"0\" branch=\"false\"/></lines></class></classes></package></packages></coverage>",
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<!DOCTYPE coverage SYSTEM 'http://cobertura.sourceforge.net/xml/coverage-04.dtd'"
	">\n"
	"<coverage line-rate=\"0.5\" function-rate=\"0.5\" branch-rate=\"0.25\" condition-rate="
	"\"0.5\" conditions-covered=\"1\" conditions-valid=\"2\" lines-covered=\"2\" lines-valid="
	"\"4\" functions-covered=\"1\" functions-valid=\"2\" branches-covered=\"1\" branches-vali"
	"d=\"4\" complexity=\"0.0\" timestamp=\"123\" version=\"parcov llvm-cov\"><sources><sourc"
	"e>/src</source></sources><packages><package name=\"\" line-rate=\"0.666666666666666"
	"6\" function-rate=\"0.5\" branch-rate=\"0.25\" condition-rate=\"0.5\" conditions-covere"
	"d=\"1\" conditions-valid=\"2\" complexity=\"0.0\"><classes><class name=\"a_c\" filename="
	"\"a.c\" line-rate=\"0.6666666666666666\" branch-rate=\"0.25\" condition-rate=\"0.5\" con"
	"ditions-covered=\"1\" conditions-valid=\"2\" complexity=\"0.0\"><methods/><lines><line"
	" number=\"1\" hits=\"2\" branch=\"false\"/><line number=\"2\" hits=\"0\" branch=\"true\" con"
	"dition-coverage=\"0% (0/2)\"><conditions><condition number=\"0\" type=\"jump\" coverag"
	"e=\"0%\"/></conditions></line><line number=\"5\" hits=\"1\" branch=\"true\" condition-co"
	"verage=\"50% (1/2)\"><conditions><condition number=\"0\" type=\"jump\" coverage=\"50%\"/"
	"></conditions></line></lines></class></classes></package><package name=\"d\" line-"
	"rate=\"0.0\" function-rate=\"0.0\" branch-rate=\"0.0\" condition-rate=\"0.0\" conditions"
	"-covered=\"0\" conditions-valid=\"0\" complexity=\"0.0\"><classes><class name=\"b_c\" fi"
	"lename=\"d/b.c\" line-rate=\"0.0\" branch-rate=\"0.0\" condition-rate=\"0.0\" conditions"
	"-covered=\"0\" conditions-valid=\"0\" complexity=\"0.0\"><methods/><lines><line number"
	"=\"1\" hits=\"0\" branch=\"false\"/></lines></class></classes></package></packages></c"
	"overage>",
};

/* The same for both: lcov has no regions or MC/DC records. */
static const char *const lcov_want =
	"TN:\n"
	"SF:/src/a.c\n"
	"FN:1,f\n"
	"FN:5,g\n"
	"FNDA:2,f\n"
	"FNDA:0,g\n"
	"FNF:2\n"
	"FNH:1\n"
	"BRDA:2,0,0,-\n"
	"BRDA:2,0,1,-\n"
	"BRDA:5,0,0,1\n"
	"BRDA:5,0,1,0\n"
	"BRF:4\n"
	"BRH:1\n"
	"DA:1,2\n"
	"DA:2,0\n"
	"DA:5,1\n"
	"LF:3\n"
	"LH:2\n"
	"end_of_record\n"
	"TN:\n"
	"SF:/src/d/b.c\n"
	"FNF:0\n"
	"FNH:0\n"
	"BRF:0\n"
	"BRH:0\n"
	"DA:1,0\n"
	"LF:1\n"
	"LH:0\n"
	"end_of_record\n";

static const char *const summary_want[2] = {
	"File                                   Lines    Exec   Cover  Branches   Taken  "
	" Cover   Missing\n"
	"--------------------------------------------------------------------------------"
	"--------------------------------\n"
	"a.c                                        3       2   66.7%         4       1  "
	" 25.0%   2\n"
	"d/b.c                                      1       0    0.0%         0       0  "
	"    --   1\n"
	"--------------------------------------------------------------------------------"
	"--------------------------------\n"
	"TOTAL                                      4       2   50.0%         4       1  "
	" 25.0%   \n",
	"File                                   Lines    Exec   Cover  Branches   Taken  "
	" Cover  Regions    Exec   Cover  MC/DC Covered   Cover   Missing\n"
	"--------------------------------------------------------------------------------"
	"--------------------------------------------------------------------------------"
	"-\n"
	"a.c                                        3       2   66.7%         4       1  "
	" 25.0%        4       3   75.0%      2       1   50.0%   2\n"
	"d/b.c                                      1       0    0.0%         0       0  "
	"    --        1       0    0.0%      0       0      --   1\n"
	"--------------------------------------------------------------------------------"
	"--------------------------------------------------------------------------------"
	"-\n"
	"TOTAL                                      4       2   50.0%         4       1  "
	" 25.0%        5       3   60.0%      2       1   50.0%   \n"
	"Functions: 1 of 2 executed (50.0%)\n"
	"MC/DC: 1 of 2 conditions covered (50.0%)\n",
};

START_TEST(test_json)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	make_model(&cd, _i);
	covdata_json(&cd, &b);
	ck_assert_str_eq(b.data, json_want[_i]);
	buf_free(&b);
	covdata_free(&cd);
}
END_TEST

START_TEST(test_cobertura)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	make_model(&cd, _i);
	covdata_cobertura(&cd, "/src", 123, &b);
	ck_assert_str_eq(b.data, xml_want[_i]);
	buf_free(&b);
	covdata_free(&cd);
}
END_TEST

START_TEST(test_cobertura_escapes)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	struct cov_file *f = covdata_file(&cd, "/r&d/x<1>.c", "/r&d");
	cov_line_at(f, 1)->present = 1;
	covdata_sort(&cd);
	covdata_cobertura(&cd, "/r&d", 0, &b);
	ck_assert_ptr_nonnull(strstr(b.data, "<source>/r&amp;d</source>"));
	ck_assert_ptr_nonnull(strstr(b.data, "<class name=\"x&lt;1&gt;_c\" filename=\"x&lt;1&gt;.c\""));
	buf_free(&b);
	covdata_free(&cd);
}
END_TEST

START_TEST(test_lcov)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	make_model(&cd, _i);
	covdata_lcov(&cd, &b);
	ck_assert_str_eq(b.data, lcov_want);
	buf_free(&b);
	covdata_free(&cd);
}
END_TEST

START_TEST(test_summary)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	struct cov_totals t;
	make_model(&cd, _i);
	covdata_summary(&cd, &b, &t);
	ck_assert_str_eq(b.data, summary_want[_i]);
	ck_assert_int_eq(t.lines, 4);
	ck_assert_int_eq(t.lines_hit, 2);
	ck_assert_int_eq(t.branches, 4);
	ck_assert_int_eq(t.branches_taken, 1);
	ck_assert_int_eq(t.functions, 2);
	ck_assert_int_eq(t.functions_hit, 1);
	ck_assert_int_eq(t.regions, _i ? 5 : 0);
	ck_assert_int_eq(t.mcdc_hit, _i ? 1 : 0);
	buf_free(&b);
	covdata_free(&cd);
}
END_TEST

/* An empty model: the table has its header and a TOTAL row of nothing to cover. */
START_TEST(test_summary_empty)
{
	struct covdata cd = {0};
	struct buffer b = {0};
	struct cov_totals t;
	covdata_summary(&cd, &b, &t);
	ck_assert_ptr_nonnull(strstr(b.data, "\nTOTAL                                      0       0      --         0       0      --   \n"));
	ck_assert_int_eq(t.lines, 0);
	buf_free(&b);
}
END_TEST

START_TEST(test_threshold_missed)
{
	/* 3 of 4 is 75%. */
	ck_assert_int_eq(report_threshold_missed("75", "line", "V", 3, 4), 0);
	ck_assert_int_eq(report_threshold_missed("75.1", "line", "V", 3, 4), 1);
	ck_assert_int_eq(report_threshold_missed("", "line", "V", 0, 4), 0);
	ck_assert_int_eq(report_threshold_missed(NULL, "line", "V", 0, 4), 0);
	/* Not a percentage: an error, whatever the coverage. */
	ck_assert_int_eq(report_threshold_missed("abc", "line", "V", 4, 4), 1);
	ck_assert_int_eq(report_threshold_missed("80%", "line", "V", 4, 4), 1);
	ck_assert_int_eq(report_threshold_missed("101", "line", "V", 4, 4), 1);
	ck_assert_int_eq(report_threshold_missed("-1", "line", "V", 4, 4), 1);
	/* Nothing to cover is 100%. */
	ck_assert_int_eq(report_threshold_missed("100", "line", "V", 0, 0), 0);
	/* 1 of 3 is 33.33...%: the threshold is compared unrounded. */
	ck_assert_int_eq(report_threshold_missed("33.3", "line", "V", 1, 3), 0);
	ck_assert_int_eq(report_threshold_missed("33.4", "line", "V", 1, 3), 1);
}
END_TEST

START_TEST(test_thresholds)
{
	struct config c = {0};
	struct cov_totals t = {.lines = 4, .lines_hit = 3, .branches = 2, .branches_taken = 1,
			       .mcdc = 5, .mcdc_hit = 4};
	c.fail_under_line = "75";
	c.fail_under_branch = "50";
	c.fail_under_mcdc = "80";
	ck_assert_int_eq(report_thresholds(&c, &t), 0);
	c.fail_under_branch = "51";
	ck_assert_int_eq(report_thresholds(&c, &t), 1);
	c.fail_under_branch = "";
	c.fail_under_mcdc = "81";
	ck_assert_int_eq(report_thresholds(&c, &t), 1);
	/* No MC/DC data (the gcov backend): the MC/DC total is 0 of 0, which meets any. */
	t.mcdc = t.mcdc_hit = 0;
	c.fail_under_mcdc = "100";
	ck_assert_int_eq(report_thresholds(&c, &t), 0);
}
END_TEST

static char *missing(const long *numbers, const int *covered, size_t n)
{
	struct buffer b = {0};
	format_missing(numbers, covered, n, &b);
	buf_add(&b, "", 0);
	return b.data;
}

START_TEST(test_format_missing)
{
	/* Lines 1-2 uncovered, 3 covered, 5, 6 and 8 uncovered (7 is not a line: no break). */
	const long numbers[] = {1, 2, 3, 5, 6, 8, 9, 12};
	const int covered[] = {0, 0, 1, 0, 0, 0, 1, 0};
	char *s = missing(numbers, covered, 8);
	ck_assert_str_eq(s, "1-2,5-8,12");
	free(s);
	s = missing(numbers, (const int[]){1, 1, 1, 1, 1, 1, 1, 1}, 8);
	ck_assert_str_eq(s, "");
	free(s);
	s = missing(numbers, (const int[]){0, 0, 0, 0, 0, 0, 0, 0}, 8);
	ck_assert_str_eq(s, "1-12");
	free(s);
	s = missing((const long[]){4}, (const int[]){0}, 1);
	ck_assert_str_eq(s, "4");
	free(s);
	s = missing(NULL, NULL, 0);
	ck_assert_str_eq(s, "");
	free(s);
}
END_TEST

Suite *make_writers_suite(void)
{
	Suite *s = suite_create("writers");
	TCase *tc = tcase_create("writers");

	tcase_add_loop_test(tc, test_json, 0, 2);
	tcase_add_loop_test(tc, test_cobertura, 0, 2);
	tcase_add_test(tc, test_cobertura_escapes);
	tcase_add_loop_test(tc, test_lcov, 0, 2);
	tcase_add_loop_test(tc, test_summary, 0, 2);
	tcase_add_test(tc, test_summary_empty);
	tcase_add_test(tc, test_threshold_missed);
	tcase_add_test(tc, test_thresholds);
	tcase_add_test(tc, test_format_missing);
	suite_add_tcase(s, tc);
	return s;
}

/* parcov: the helper of ParallelCoverage. Each subcommand parses its own options. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "bundle.h"
#include "affected.h"
#include "combine.h"
#include "config.h"
#include "diff.h"
#include "doctor.h"
#include "gcovtext.h"
#include "pertest.h"
#include "report.h"
#include "runs.h"
#include "testname.h"
#include "util.h"

#ifndef PARCOV_VERSION
#define PARCOV_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage; /* options and details, after "usage: parcov NAME " */
};

static const struct command *current;

static int usage(FILE *f, int status)
{
	fprintf(f, "usage: parcov %s %s", current->name, current->usage);
	return status;
}

/* parcov report --allow-stale */
static int allow_stale;

/* Options every build-tree command takes: -C DIR, --config X, -q, -h. Returns the index of the first
 * operand, or -1 after printing usage (exit status in *status). */
static int common_options(int argc, char **argv, const char **dir, const char **formats, int *status)
{
	static const struct option longopts[] = {
		{"directory", required_argument, NULL, 'C'},
		{"config", required_argument, NULL, 'c'},
		{"formats", required_argument, NULL, 'f'},
		{"allow-stale", no_argument, NULL, 'S'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, formats ? "+C:f:qh" : "+C:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			*dir = optarg;
			break;
		case 'c':
			config_wanted = optarg;
			break;
		case 'f':
			if (!formats)
				goto bad;
			*formats = optarg;
			break;
		case 'S':
			if (!formats) /* only report takes formats, and this */
				goto bad;
			allow_stale = 1;
			break;
		case 'q':
			verbose = 0;
			break;
		case 'h':
			*status = usage(stdout, 0);
			return -1;
		default:
		bad:
			*status = usage(stderr, 2);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "parcov %s: unexpected argument '%s'\n", current->name, argv[optind]);
		*status = usage(stderr, 2);
		return -1;
	}
	return optind;
}

/* Load the build tree's configuration, hold its lock while fn runs, return fn's status. */
static int with_build_tree(const char *dir, int (*fn)(const struct config *c, const char *arg),
			   const char *arg)
{
	struct config c;
	int lock, ret;

	if (config_load(&c, dir) < 0)
		return 1;
	if ((lock = config_lock(&c)) < 0) {
		config_free(&c);
		return 1;
	}
	ret = fn(&c, arg);
	config_unlock(lock);
	config_free(&c);
	return ret;
}

static int clean(const struct config *c, const char *arg)
{
	const char *const reports[] = {"summary.txt", "coverage.json", "coverage.xml", "html",
				       "coverage.info", PERTEST_JSON, PERTEST_LCOV, NULL};
	char *stray = path_join(c->data_dir, "stray"), *marker;
	int ret = 0;

	(void)arg;
	/* Both backends' results: the build tree may have switched backend since. */
	if (runs_remove_all(c) < 0 || backend_gcov.clean(c) < 0 || backend_llvm.clean(c) < 0)
		ret = 1;
	if (remove_tree(stray) < 0)
		ret = 1;
	free(stray);
	/* Test programs run by the build to list their tests write here (the runtime): at the
	 * top of coverage-data/ in every configuration, and never counted. */
	stray = xasprintf("%s/coverage-data/discovery-runs", c->build_dir);
	if (remove_tree(stray) < 0)
		ret = 1;
	free(stray);
	/* The previous HTML, kept for the next report to write over (report.c). */
	stray = path_join(c->data_dir, "html-spare");
	if (remove_tree(stray) < 0)
		ret = 1;
	free(stray);
	/* Only the files reports write: the output directory may be shared. */
	for (const char *const *r = reports; *r; r++) {
		char *path = path_join(c->output_dir, *r);
		if (remove_tree(path) < 0)
			ret = 1;
		free(path);
	}
	rmdir(c->output_dir);
	/* The tools' messages of the last combine and report go with them. */
	for (const char *const *m = (const char *const[]){"gcov-messages.txt", "llvm-cov-messages.txt",
							   "llvm-profdata-messages.txt", "llvm-pertest-messages.txt",
							   PERTEST_STORE, NULL};
	     *m; m++) {
		marker = path_join(c->data_dir, *m);
		if (unlink(marker) < 0 && errno != ENOENT)
			ret = 1;
		free(marker);
	}
	/* So that doctor says the data was cleaned, not that ctest never ran. */
	marker = path_join(c->data_dir, "cleaned");
	if (write_file_atomic(marker, "parcov clean\n", 13) < 0)
		ret = 1;
	free(marker);
	info("removed the coverage data and reports of %s", c->build_dir);
	return ret;
}

static int pre_test(const struct config *c, const char *arg)
{
	(void)arg;
	return runs_start(c) < 0;
}

/* parcov combine --bundles FILE... */
static char **bundle_files;
static size_t n_bundle_files;

static int do_combine(const struct config *c, const char *arg)
{
	const struct backend *b = backend_for(c);
	int ret;

	(void)arg;
	if (!bundle_files)
		return b->combine(c);
	ret = bundle_combine(c, b, bundle_files, n_bundle_files);
	/* The unpacked set, as ctest's post-test leaves one (see post_test). */
	if (ret == 0 && !(c->backend && !strcmp(c->backend, "llvm")))
		runs_hide_data(c);
	return ret;
}

static int do_bundle(const struct config *c, const char *out)
{
	return bundle_write(c, out);
}

static int do_report(const struct config *c, const char *formats)
{
	struct config copy = *c;
	copy.allow_stale |= allow_stale;
	return report(&copy, backend_for(c), formats);
}

/* Run fn on the configuration --config named, or with a multi-config generator and no
 * --config, on every configuration: ctest does not tell the pre-test which one it runs (-C),
 * so each starts a new set; those the run does not test keep their last data, since combine
 * reads the newest set holding data. */
static int each_config(const char *dir, int (*fn)(const struct config *c, const char *arg))
{
	struct config c;
	int ret = 0;

	if (config_wanted)
		return with_build_tree(dir, fn, NULL);
	if (config_load(&c, dir) < 0)
		return 1;
	if (!c.n_configs)
		ret = with_build_tree(dir, fn, NULL);
	for (size_t i = 0; ret == 0 && i < c.n_configs; i++) {
		config_wanted = c.configs[i];
		ret = with_build_tree(dir, fn, NULL);
	}
	config_wanted = NULL;
	config_free(&c);
	return ret;
}

static int cmd_clean(int argc, char **argv)
{
	const char *dir = NULL;
	int status = 0;

	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	return each_config(dir, clean);
}

static int cmd_pre_test(int argc, char **argv)
{
	const char *dir = NULL;
	int status = 0, ret;

	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	ret = each_config(dir, pre_test);
	doctor_check_ctest_parallel();
	return ret;
}

/* --- post-test: the run's data merged beside the .gcno files, for the project's own
 * coverage tools (lcov, gcovr), which read the build tree's .gcda files (README.md,
 * "Using it in your project"). Run by ctest after the tests (CTEST_CUSTOM_POST_TEST); it
 * never fails the ctest run: CTest counts a failing post-test command as a failed run, and
 * the coverage target says the same problem again with its fix. --- */
static int post_test(const struct config *c, const char *arg)
{
	const struct backend *b = backend_for(c);
	int ours;

	(void)arg;
	if (c->backend && !strcmp(c->backend, "llvm"))
		return 0;
	/* Only the set the calling ctest wrote is merged; run by hand, this only hides. */
	ours = runs_ours_with_data(c);
	/* Out of their way first (lcov stops at a .gcda without its .gcno beside it), so that
	 * the merge's record lists the set as it stays. */
	runs_hide_data(c);
	if (ours && (b->combine == combine ? combine_and_record(c) : b->combine(c)) != 0)
		warn("merging this ctest run's coverage data beside the objects failed (for tools "
		     "reading the build tree's .gcda files; the ctest run is not affected): run "
		     "parcov doctor -C %s", c->build_dir);
	return 0;
}

static int cmd_post_test(int argc, char **argv)
{
	const char *dir = NULL;
	int status = 0;

	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	each_config(dir, post_test);
	return 0;
}
/* --- end post-test --- */

static int cmd_combine(int argc, char **argv)
{
	const char *dir = NULL;
	int status = 0;

	/* Everything after --bundles is a bundle file. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--bundles")) {
			if (i + 1 == argc) {
				fprintf(stderr, "parcov combine: --bundles needs at least one FILE\n");
				return usage(stderr, 2);
			}
			bundle_files = argv + i + 1;
			n_bundle_files = (size_t)(argc - i - 1);
			argc = i;
			break;
		}
	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	return with_build_tree(dir, do_combine, NULL);
}

static int cmd_bundle(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL;
	int status = 0;

	/* -o FILE, then the common options. */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
			if (i + 1 == argc || !*argv[i + 1]) {
				fprintf(stderr, "parcov bundle: %s needs a FILE\n", argv[i]);
				return usage(stderr, 2);
			}
			out = argv[i + 1];
			memmove(argv + i, argv + i + 2, (size_t)(argc - i - 1) * sizeof *argv);
			argc -= 2;
			i--;
		}
	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	return with_build_tree(dir, do_bundle, out);
}

/* Take "--NAME VALUE" or "--NAME=VALUE" out of argv into *value. Returns 0, or -1 after a
 * usage message when the value is missing. */
static int take_option(int *argc, char **argv, const char *name, const char **value)
{
	size_t len = strlen(name);
	for (int i = 1; i < *argc; i++) {
		int inline_value = !strncmp(argv[i], name, len) && argv[i][len] == '=';
		if (strcmp(argv[i], name) && !inline_value)
			continue;
		if (!inline_value && i + 1 == *argc) {
			fprintf(stderr, "%s: %s needs a value\n", argv[0], name);
			return -1;
		}
		*value = inline_value ? argv[i] + len + 1 : argv[i + 1];
		memmove(argv + i, argv + i + 2 - inline_value,
			(size_t)(*argc - i - 1 + inline_value) * sizeof *argv);
		*argc -= 2 - inline_value;
		i--;
	}
	return 0;
}

/* --diff FILE|- or --since REV, of report and coverage: taken out of argv; < 0 on a usage
 * error (the usage is printed, *status set). */
static int diff_options(int *argc, char **argv, int *status)
{
	if (take_option(argc, argv, "--diff", &diff_option_file) < 0 ||
	    take_option(argc, argv, "--since", &diff_option_since) < 0) {
		*status = usage(stderr, 2);
		return -1;
	}
	if (diff_option_file && diff_option_since) {
		fprintf(stderr, "parcov %s: give --diff or --since, not both\n", current->name);
		*status = usage(stderr, 2);
		return -1;
	}
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	const char *dir = NULL, *formats = NULL;
	int status = 0;

	if (diff_options(&argc, argv, &status) < 0 ||
	    common_options(argc, argv, &dir, &formats, &status) < 0)
		return status;
	return with_build_tree(dir, do_report, formats);
}

/* parcov tests-for and affected: queries of the per-test coverage the report stored. */
static char **query_specs;
static size_t n_query_specs;
static const char *affected_diff, *affected_since, *affected_tests_file;
static int affected_regex;

static int do_tests_for(const struct config *c, const char *arg)
{
	(void)arg;
	return tests_for(c, query_specs, n_query_specs);
}

static int do_affected(const struct config *c, const char *arg)
{
	(void)arg;
	return affected(c, affected_diff, affected_since,
			affected_regex ? AFFECTED_REGEX : AFFECTED_NAMES, affected_tests_file);
}

static int cmd_tests_for(int argc, char **argv)
{
	const char *dir = NULL;
	int status = 0, i, first = argc;

	/* Operands are FILE:LINE specs; options may come before them. */
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-' && (i == 1 || (strcmp(argv[i - 1], "-C") && strcmp(argv[i - 1], "--config")))) {
			first = i;
			break;
		}
	if (common_options(first, argv, &dir, NULL, &status) < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "parcov tests-for: give at least one FILE:LINE\n");
		return usage(stderr, 2);
	}
	query_specs = argv + first;
	n_query_specs = (size_t)(argc - first);
	return with_build_tree(dir, do_tests_for, NULL);
}

static int cmd_affected(int argc, char **argv)
{
	const char *dir = NULL, *regex = NULL;
	int status = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--regex")) {
			affected_regex = 1;
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
			argc--;
			i--;
		}
	(void)regex;
	if (take_option(&argc, argv, "--diff", &affected_diff) < 0 ||
	    take_option(&argc, argv, "--since", &affected_since) < 0 ||
	    take_option(&argc, argv, "--tests-file", &affected_tests_file) < 0)
		return usage(stderr, 2);
	if (common_options(argc, argv, &dir, NULL, &status) < 0)
		return status;
	if (!affected_diff == !affected_since) {
		fprintf(stderr, "parcov affected: give exactly one of --diff FILE, --diff - or --since REV\n");
		return usage(stderr, 2);
	}
	return with_build_tree(dir, do_affected, NULL);
}

/* parcov coverage: what the coverage target runs. The three commands' work in one process:
 * the configuration loaded and locked once, the build tree and
 * the data set walked once for doctor and combine. */
static int coverage(const char *dir, const char *formats)
{
	struct combine_seen seen = {0};
	const struct backend *b;
	struct config c;
	int lock, ret;

	ret = doctor_before_coverage(dir, &c, &lock, &seen);
	if (ret == 0 && lock < 0) {
		/* doctor could not load the configuration (and said why): combine and report load
		 * it themselves, as the three commands do. */
		combine_seen_free(&seen);
		ret = with_build_tree(dir, do_combine, NULL);
		return ret ? ret : with_build_tree(dir, do_report, formats);
	}
	if (ret == 0) {
		b = backend_for(&c);
		ret = b->combine == combine ? combine_with(&c, &seen) : b->combine(&c);
	}
	combine_seen_free(&seen);
	if (ret == 0)
		ret = do_report(&c, formats);
	if (lock >= 0) {
		config_unlock(lock);
		config_free(&c);
	}
	return ret;
}

/* The coverage target's comment: Makefile generators echo a COMMENT with a cmake process of
 * their own, so there the target has none and parcov prints it (Targets.cmake). */
#define COVERAGE_COMMENT "Merging the coverage data of the last ctest run and writing reports"

static int cmd_coverage(int argc, char **argv)
{
	const char *dir = NULL, *formats = NULL;
	int status = 0, announce = 0;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--announce")) {
			announce = 1;
			memmove(argv + i, argv + i + 1, (size_t)(argc - i) * sizeof *argv);
			argc--;
			i--;
		}
	if (diff_options(&argc, argv, &status) < 0 ||
	    common_options(argc, argv, &dir, &formats, &status) < 0)
		return status;
	if (announce) {
		puts(COVERAGE_COMMENT);
		fflush(stdout);
	}
	return coverage(dir, formats);
}

static int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"directory", required_argument, NULL, 'C'},
		{"config", required_argument, NULL, 'c'},
		{"before-report", no_argument, NULL, 'b'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum doctor_mode mode = DOCTOR_FULL;
	const char *dir = NULL;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+C:qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'C':
			dir = optarg;
			break;
		case 'c':
			config_wanted = optarg;
			break;
		case 'b':
			mode = DOCTOR_BEFORE_REPORT;
			break;
		case 'q':
			verbose = 0;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "parcov doctor: unexpected argument '%s'\n", argv[optind]);
		return usage(stderr, 2);
	}
	return doctor(dir, mode);
}

static int cmd_test_dir(int argc, char **argv)
{
	int hex = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--hex"))
			hex = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout, 0);
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else {
			fprintf(stderr, "parcov test-dir: unknown option '%s'\n", argv[i]);
			return usage(stderr, 2);
		}
	}
	for (; i < argc; i++) {
		char *name = argv[i], *dir;
		size_t len = strlen(name);
		if (hex && hex_decode(argv[i], &name, &len) < 0) {
			error("'%s' is not a hexadecimal string", argv[i]);
			return 2;
		}
		dir = testname_to_dir(name, len);
		puts(dir);
		free(dir);
		if (hex)
			free(name);
	}
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{"clean", cmd_clean, "remove this build tree's coverage data and reports",
	 "[-C BUILD_DIR] [--config X] [-q]\n"
	 "Remove the per-test data (coverage-data/runs), the combined .gcda files of the build\n"
	 "tree, and the reports. Configuration and build outputs are kept. Multi-config\n"
	 "generators: configuration X only; without --config, every configuration.\n"},
	{"pre-test", cmd_pre_test, "start a new data set (run by ctest before the tests)",
	 "[-C BUILD_DIR] [--config X] [-q]\n"
	 "Point coverage-data/current at a new, empty data set and delete older sets except the\n"
	 "newest that holds data. With PARALLEL_COVERAGE_APPEND=ON, keep the current set.\n"
	 "CTestCustom.cmake runs this at the start of every ctest run.\n"},
	{"post-test", cmd_post_test, "merge the run's data beside the objects (run by ctest after the tests)",
	 "[-C BUILD_DIR] [--config X] [-q]\n"
	 "gcov backend: when the current data set is the one the calling ctest started and holds\n"
	 "data, combine it, so that tools reading the build tree's .gcda files (a project's own\n"
	 "lcov or gcovr target) see this run; then rename the per-test .gcda files out of their\n"
	 "way (NAME.gcda.parcov). Always exits 0 once its options are valid: a failed merge is a\n"
	 "warning. CTestCustom.cmake runs this at the end of every ctest run.\n"},
	{"combine", cmd_combine, "merge the last ctest run's per-test data into the build tree",
	 "[-C BUILD_DIR] [--config X] [-q] [--bundles FILE...]\n"
	 "Sum the .gcda files every test wrote into one .gcda per object, next to its .gcno.\n"
	 "Data from an older build of an object is skipped with a warning.\n"
	 "--bundles FILE...: the bundles of several machines ('parcov bundle'), all checked first\n"
	 "(a damaged or repeated one stops combine before anything changes), unpacked into one\n"
	 "new data set and combined as one ctest run's data.\n"},
	{"bundle", cmd_bundle, "pack the last ctest run's data into one file for another machine",
	 "[-C BUILD_DIR] [--config X] [-q] [-o FILE]\n"
	 "Write the newest data set (per-test data, test names, endings) and the identity of the\n"
	 "build's objects into FILE (default coverage-data/bundle-<host>-<run>.parcov), atomically.\n"
	 "Combine bundles of several machines with 'parcov combine --bundles FILE...'.\n"},
	{"report", cmd_report, "write the coverage reports",
	 "[-C BUILD_DIR] [--config X] [-q] [--formats txt,html,xml,json,lcov,md,sonarqube,coveralls]\n"
	 "       [--allow-stale] [--diff FILE|- | --since REV]\n"
	 "Read the combined data as gcov's text (GCC: computed by parcov; PARCOV_REPORTER=gcov\n"
	 "or Clang: one gcov per object, in parallel), parsed as gcovr does, or with the llvm\n"
	 "backend from one 'llvm-cov export' (regions and MC/DC too; PARCOV_REPORTER=llvm-cov\n"
	 "writes llvm-cov's own HTML instead of ours), and write\n"
	 "summary.txt, html/index.html, coverage.xml (Cobertura),\n"
	 "coverage.json (gcovr JSON), coverage.info (lcov), summary.md, sonarqube.xml (SonarQube\n"
	 "generic coverage) and coveralls.json into the output directory, with gcovr's numbers;\n"
	 "gcovr makes the numbers when this cannot give them (README, Reporting), and the whole\n"
	 "report, its HTML included, when PARCOV_REPORTER=gcovr is set. Prints the summary,\n"
	 "and fails if a PARALLEL_COVERAGE_FAIL_UNDER_* threshold is not met, or when data of\n"
	 "the last test run is older than its object (rebuilt since the tests ran) unless\n"
	 "--allow-stale or PARALLEL_COVERAGE_ALLOW_STALE=ON.\n"
	 "With per-test coverage (PARALLEL_COVERAGE_PER_TEST: auto is on with gcov, off with\n"
	 "llvm) it also records which tests ran each line (coverage-data/tests-by-line.txt,\n"
	 "tests.json), for tests-for and affected, and the HTML shows them.\n"
	 "--diff FILE|- (a unified diff, - for stdin) or --since REV (git diff REV in the source\n"
	 "root; default: PARALLEL_COVERAGE_DIFF_BASE): patch coverage of the changed lines (new\n"
	 "side), the summary ending with 'Patch: C of N changed lines covered (P%)';\n"
	 "PARALLEL_COVERAGE_FAIL_UNDER_PATCH makes it fail below that percentage.\n"},
	{"coverage", cmd_coverage, "doctor --before-report, combine and report: the coverage target",
	 "[-C BUILD_DIR] [--config X] [-q] [--formats F] [--allow-stale]\n"
	 "       [--diff FILE|- | --since REV] [--announce]\n"
	 "What the coverage target runs: 'parcov doctor --before-report', then 'parcov combine',\n"
	 "then 'parcov report' with the options given, in one process, with their messages and\n"
	 "exit status: a problem doctor stops on stops it before combine, a failed combine before\n"
	 "report. The build tree stays locked from the first step to the last.\n"
	 "--announce: first print '" COVERAGE_COMMENT "'\n"
	 "(the target's comment under Makefile generators).\n"},
	{"tests-for", cmd_tests_for, "print the tests that executed some lines",
	 "[-C BUILD_DIR] [--config X] FILE:LINE[-LINE]...\n"
	 "Print, sorted, one per line, the names of the tests that executed any of those lines in\n"
	 "the last coverage report's data (per-test coverage). FILE as the report shows it\n"
	 "(relative to the root) or absolute. Nothing is printed for lines no test ran. Exit\n"
	 "status 2 for a file that is not in the report, or a line (range) with no code line of\n"
	 "the report.\n"},
	{"affected", cmd_affected, "print the tests a change affects",
	 "[-C BUILD_DIR] [--config X] (--diff FILE | --diff - | --since REV) [--regex]\n"
	 "       [--tests-file F]\n"
	 "Print the tests whose executed lines intersect a change: a unified diff (git's a/ b/\n"
	 "prefixes accepted; the old side's line numbers, i.e. of the sources the tests ran on) or\n"
	 "git diff REV in the source root. Lines only added select the tests of the code lines\n"
	 "around them. Safe by default: tests added since the data was measured, tests whose data\n"
	 "is partial (crashed, timed out), and every test when a changed file is not in the data\n"
	 "(a header compiled nowhere, a test script, a build file: said on stderr) are listed too.\n"
	 "--regex: print one regex for ctest -R instead; --tests-file F: write the names to F for\n"
	 "ctest --tests-from-file F (CMake 3.29 or newer). Prints on stderr how many of how many\n"
	 "tests were selected.\n"},
	{"test-dir", cmd_test_dir, "print the data directory name of CTest test names",
	 "[--hex] NAME...\n"
	 "Print, one per line, the directory under coverage-data/current/tests/ that holds the\n"
	 "data of each test. --hex: names are given hex-encoded (CMake's string(HEX)).\n"},
	{"doctor", cmd_doctor, "find out why coverage is missing or wrong, and say the fix",
	 "[-C BUILD_DIR] [--config X] [-q] [--before-report]\n"
	 "Check the build tree: instrumented objects, gcov and gcovr versions, coverage data of\n"
	 "the last ctest run (missing, older than its objects, from another compiler), tests\n"
	 "that wrote no data, fcntl locks on its filesystem. Each problem comes with its fix.\n"
	 "Exit status 0: healthy; 1: problems found. -q prints problems only.\n"
	 "--config X (multi-config generators): check configuration X (default: the default\n"
	 "configuration). The other commands take it too; pre-test without it starts a set\n"
	 "for every configuration.\n"
	 "--before-report: what the coverage target runs; print problems only, and fail only on\n"
	 "those that would make the report empty or wrong.\n"},
	{"help", cmd_help, "show this help", "[COMMAND]\n"},
};

static int main_usage(FILE *f, int status)
{
	fprintf(f, "usage: parcov [--version] COMMAND [OPTIONS]\n\n"
		   "Coverage data of tests run in parallel with ctest -j (ParallelCoverage %s).\n\n"
		   "Commands:\n", PARCOV_VERSION);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nEvery command works on the build tree in the current directory, or the one\n"
		   "named with -C BUILD_DIR. 'parcov COMMAND --help' describes each.\n");
	return status;
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2)
		return main_usage(stdout, 0);
	if (!(current = find(argv[1]))) {
		fprintf(stderr, "parcov: unknown command '%s'\n", argv[1]);
		return main_usage(stderr, 2);
	}
	return usage(stdout, 0);
}

int main(int argc, char **argv)
{
	char name[64];
	int ret;

	if (argc < 2)
		return main_usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return main_usage(stdout, 0);
	if (!strcmp(argv[1], "--version")) {
		printf("parcov %s\n", PARCOV_VERSION);
		return close_stdout() ? 1 : 0;
	}
	/* Hidden: gcov's text as parcov computes it, to compare with gcov (tests/e2e/gcovtext.sh). */
	if (!strcmp(argv[1], "gcov-text")) {
		ret = gcovtext_command(argc - 1, argv + 1);
		return close_stdout() < 0 ? 1 : ret;
	}
	if (!(current = find(argv[1]))) {
		fprintf(stderr, "parcov: unknown command '%s'\n", argv[1]);
		return main_usage(stderr, 2);
	}
	/* getopt's messages then start with "parcov COMMAND:". */
	snprintf(name, sizeof name, "parcov %s", current->name);
	argv[1] = name;
	ret = current->run(argc - 1, argv + 1);
	if (close_stdout() < 0 && ret == 0)
		ret = 1;
	return ret;
}

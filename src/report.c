#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <json-c/json.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "combine.h"
#include "endings.h"
#include "llvm.h"
#include "util.h"

extern char **environ;

enum { FMT_TXT = 1, FMT_HTML = 2, FMT_XML = 4, FMT_JSON = 8 };

static int parse_formats(const char *list, int *out)
{
	char *copy = xstrdup(list), *save = NULL;
	int mask = 0;

	for (char *f = strtok_r(copy, ", ", &save); f; f = strtok_r(NULL, ", ", &save)) {
		if (!strcmp(f, "txt"))
			mask |= FMT_TXT;
		else if (!strcmp(f, "html"))
			mask |= FMT_HTML;
		else if (!strcmp(f, "xml"))
			mask |= FMT_XML;
		else if (!strcmp(f, "json"))
			mask |= FMT_JSON;
		else {
			error("unknown report format '%s' (known: txt, html, xml, json)", f);
			free(copy);
			return -1;
		}
	}
	free(copy);
	*out = mask;
	return 0;
}

/* gcovr regexes are Python's: escape a literal path for them. */
static char *regex_escape(const char *s)
{
	struct buffer b = {0};
	for (; *s; s++) {
		if (strchr("\\.^$|?*+()[]{}", *s))
			buf_add(&b, "\\", 1);
		buf_add(&b, s, 1);
	}
	buf_add(&b, "", 0);
	return b.data;
}

struct argv {
	char **v;
	size_t n;
};

static void arg(struct argv *a, char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof *a->v);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
}

/* Run argv in dir and wait. Returns its exit status, or -1 if it could not start. */
static int run(char **argv, const char *dir)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addchdir_np(&fa, dir);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

void format_missing(const long *numbers, const int *covered, size_t n, struct buffer *out)
{
	long start = -1, end = -1;
	int first = 1;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && !covered[i]) {
			if (start < 0)
				start = numbers[i];
			end = numbers[i];
			continue;
		}
		if (start >= 0) {
			if (start == end)
				buf_printf(out, "%s%ld", first ? "" : ",", start);
			else
				buf_printf(out, "%s%ld-%ld", first ? "" : ",", start, end);
			first = 0;
			start = -1;
		}
	}
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

static double percent(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static void pct(char *buf, size_t size, long part, long whole)
{
	if (whole)
		snprintf(buf, size, "%.1f%%", percent(part, whole));
	else
		snprintf(buf, size, "--");
}

static void table_row(struct buffer *b, const char *name, const struct totals *t, const char *missing)
{
	char lp[16], bp[16];
	pct(lp, sizeof lp, t->lines_hit, t->lines);
	pct(bp, sizeof bp, t->branches_taken, t->branches);
	buf_printf(b, "%-36s %7ld %7ld %7s %9ld %7ld %7s   %s\n", name, t->lines, t->lines_hit, lp,
		   t->branches, t->branches_taken, bp, missing);
}

/* The summary table (per-file lines and branches with missing line ranges) from gcovr's
 * JSON. Totals follow gcovr's rules: non-code and excluded lines do not count. */
static int summarize(const char *json_path, struct buffer *out, struct totals *total)
{
	json_object *root = json_object_from_file(json_path), *files;
	const char *rule = "------------------------------------------------------------------------"
			   "----------------------------------------\n";

	memset(total, 0, sizeof *total);
	if (!root) {
		error("cannot read gcovr's JSON report %s: %s", json_path, json_util_get_last_err());
		return -1;
	}
	files = get(root, "files");
	buf_printf(out, "%-36s %7s %7s %7s %9s %7s %7s   %s\n", "File", "Lines", "Exec", "Cover",
		   "Branches", "Taken", "Cover", "Missing");
	buf_add(out, rule, strlen(rule));
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		json_object *lines = get(f, "lines");
		size_t n = lines ? json_object_array_length(lines) : 0;
		long *numbers = xcalloc(n, sizeof *numbers);
		int *covered = xcalloc(n, sizeof *covered);
		size_t m = 0;
		struct totals t = {0};
		struct buffer missing = {0};

		for (size_t j = 0; j < n; j++) {
			json_object *l = json_object_array_get_idx(lines, j), *br;
			long count = (long)json_object_get_int64(get(l, "count"));
			if (json_object_get_boolean(get(l, "gcovr/noncode")) ||
			    json_object_get_boolean(get(l, "gcovr/excluded")))
				continue;
			t.lines++;
			t.lines_hit += count > 0;
			numbers[m] = (long)json_object_get_int64(get(l, "line_number"));
			covered[m++] = count > 0;
			br = get(l, "branches");
			for (size_t k = 0; br && k < json_object_array_length(br); k++) {
				t.branches++;
				t.branches_taken +=
					json_object_get_int64(get(json_object_array_get_idx(br, k), "count")) > 0;
			}
		}
		format_missing(numbers, covered, m, &missing);
		table_row(out, json_object_get_string(get(f, "file")), &t, missing.data ? missing.data : "");
		total->lines += t.lines;
		total->lines_hit += t.lines_hit;
		total->branches += t.branches;
		total->branches_taken += t.branches_taken;
		buf_free(&missing);
		free(numbers);
		free(covered);
	}
	buf_add(out, rule, strlen(rule));
	table_row(out, "TOTAL", total, "");
	json_object_put(root);
	return 0;
}

/* Check one fail-under threshold. Returns 1 if it is not met. */
static int below(const char *threshold, const char *what, const char *variable, long part,
		 long whole)
{
	char *end;
	double min;

	if (!threshold || !*threshold)
		return 0;
	min = strtod(threshold, &end);
	if (*end || min < 0 || min > 100) {
		error("%s=%s is not a percentage between 0 and 100", variable, threshold);
		return 1;
	}
	if (percent(part, whole) + 1e-9 < min) {
		error("%s coverage %.1f%% is below %s=%s", what, percent(part, whole), variable, threshold);
		return 1;
	}
	return 0;
}

/* Move a finished output into place, replacing the previous one. */
static int install(const char *tmp, const char *dest)
{
	if (rename(tmp, dest) < 0) {
		error("cannot rename %s to %s:", tmp, dest);
		return -1;
	}
	return 0;
}

/* The tests combine found crashed, timed out or without data (endings.h), under the table:
 * their lines are not untested, their coverage is partial or missing. */
static void append_endings(const struct config *c, struct buffer *summary)
{
	char *path = path_join(c->data_dir, ENDINGS_LIST);
	struct buffer b = {0};

	if (read_file(path, &b) == 0 && b.len)
		buf_printf(summary, "\nTests whose coverage is partial or missing (crashed, timed out or "
			   "wrote no data):\n%s", b.data);
	buf_free(&b);
	free(path);
}

int report(const struct config *c, const char *formats)
{
	struct argv a = {0};
	struct buffer summary = {0};
	struct totals total;
	char *json_tmp, *xml_tmp = NULL, *html_tmp = NULL, *out = c->output_dir;
	int mask, rc, ret = 1;

	if (llvm_backend(c))
		return llvm_report(c, formats);
	if (parse_formats(formats ? formats : c->formats, &mask) < 0)
		return 1;
	if (combined_count(c) == 0) {
		error("no combined coverage data in %s: run the tests (ctest --test-dir %s -j N), then "
		      "'parcov combine' (the coverage target runs both combine and report)",
		      c->build_dir, c->build_dir);
		return 1;
	}
	if (mkdirs(out, 0777) < 0) {
		error("cannot create %s:", out);
		return 1;
	}
	json_tmp = xasprintf("%s/coverage.json.parcov-tmp", out);
	arg(&a, xstrdup(c->gcovr));
	arg(&a, xstrdup("--root"));
	arg(&a, xstrdup(c->source_root));
	arg(&a, xstrdup("--gcov-executable"));
	arg(&a, xstrdup(c->gcov));
	arg(&a, xasprintf("-j%ld", sysconf(_SC_NPROCESSORS_ONLN) > 0 ? sysconf(_SC_NPROCESSORS_ONLN) : 1));
	/* Our per-test data and the bootstrap build of parcov are not the project's objects. */
	for (const char *const *d = (const char *const[]){"coverage-data", "_parcov", NULL}; *d; d++) {
		char *dir = path_join(c->build_dir, *d), *re = regex_escape(dir);
		arg(&a, xstrdup("--exclude-directories"));
		arg(&a, xasprintf("%s$", re));
		free(dir);
		free(re);
	}
	for (size_t i = 0; i < c->n_exclude; i++) {
		arg(&a, xstrdup("--exclude"));
		arg(&a, xstrdup(c->exclude[i]));
	}
	arg(&a, xstrdup("--json"));
	arg(&a, xstrdup(json_tmp));
	if (mask & FMT_XML) {
		xml_tmp = xasprintf("%s/coverage.xml.parcov-tmp", out);
		arg(&a, xstrdup("--cobertura"));
		arg(&a, xstrdup(xml_tmp));
	}
	if (mask & FMT_HTML) {
		char *index;
		html_tmp = xasprintf("%s/html.parcov-tmp", out);
		remove_tree(html_tmp);
		if (mkdirs(html_tmp, 0777) < 0) {
			error("cannot create %s:", html_tmp);
			goto out;
		}
		index = path_join(html_tmp, "index.html");
		arg(&a, xstrdup("--html-details"));
		arg(&a, index);
	}
	arg(&a, xstrdup(c->build_dir));

	info("running gcovr on %zu .gcda files", combined_count(c));
	rc = run(a.v, c->source_root);
	if (rc != 0) {
		if (rc < 0)
			error("cannot run %s: %s (install gcovr, or set PARALLEL_COVERAGE_GCOVR)", c->gcovr,
			      strerror(errno));
		else
			error("gcovr failed with exit status %d (its messages are above); the previous "
			      "reports in %s are unchanged", rc, out);
		goto out;
	}
	if (summarize(json_tmp, &summary, &total) < 0)
		goto out;
	append_endings(c, &summary);

	/* Everything is written: put it in place. */
	if (mask & FMT_TXT) {
		char *path = path_join(out, "summary.txt");
		if (write_file_atomic(path, summary.data, summary.len) < 0) {
			error("cannot write %s:", path);
			free(path);
			goto out;
		}
		free(path);
	}
	if (mask & FMT_JSON) {
		char *path = path_join(out, "coverage.json");
		rc = install(json_tmp, path);
		free(path);
		if (rc < 0)
			goto out;
	}
	if (xml_tmp) {
		char *path = path_join(out, "coverage.xml");
		rc = install(xml_tmp, path);
		free(path);
		if (rc < 0)
			goto out;
	}
	if (html_tmp) {
		char *path = path_join(out, "html"), *old = path_join(out, "html.parcov-old");
		remove_tree(old);
		if ((exists(path) && rename(path, old) < 0) || rename(html_tmp, path) < 0) {
			error("cannot replace %s:", path);
			free(path);
			free(old);
			goto out;
		}
		remove_tree(old);
		free(path);
		free(old);
	}
	fwrite(summary.data, 1, summary.len, stdout);
	printf("Reports in %s:%s%s%s%s\n", out, mask & FMT_TXT ? " summary.txt" : "",
	       mask & FMT_HTML ? " html/index.html" : "", mask & FMT_XML ? " coverage.xml" : "",
	       mask & FMT_JSON ? " coverage.json" : "");
	ret = below(c->fail_under_line, "line", "PARALLEL_COVERAGE_FAIL_UNDER_LINE", total.lines_hit,
		    total.lines);
	ret |= below(c->fail_under_branch, "branch", "PARALLEL_COVERAGE_FAIL_UNDER_BRANCH",
		     total.branches_taken, total.branches);
out:
	unlink(json_tmp);
	if (xml_tmp)
		unlink(xml_tmp);
	if (html_tmp)
		remove_tree(html_tmp);
	free(json_tmp);
	free(xml_tmp);
	free(html_tmp);
	buf_free(&summary);
	argv_free(&a);
	return ret;
}

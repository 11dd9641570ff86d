#define _GNU_SOURCE
#include "llvm.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "endings.h"
#include "proc.h"
#include "report.h"
#include "runs.h"
#include "util.h"


int llvm_backend(const struct config *c)
{
	return c->backend && !strcmp(c->backend, "llvm");
}

static char *profdata_path(const struct config *c)
{
	return path_join(c->data_dir, "coverage.profdata");
}

static long cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* --- Child processes ----------------------------------------------------------------- */

/* Explain a child's status. Returns 0 if it exited 0, else -1 after an error naming what
 * failed. */
static int explain(int status, const char *tool, const char *what)
{
	if (status == 0)
		return 0;
	if (status < 0)
		error("waiting for %s:", tool);
	else if (status < 128)
		error("%s failed with exit status %d while %s (its messages are above)", tool, status,
		      what);
	else
		error("%s was killed by signal %d while %s", tool, status - 128, what);
	return -1;
}

/* Wait for a child started with proc_start(); pid -1: it could not start. Returns its
 * status, or -1 after an error. */
static int wait_child(pid_t pid, const char *tool)
{
	if (pid < 0) {
		error("cannot run %s: %s (install llvm, or set PARALLEL_COVERAGE_LLVM_COV and "
		      "PARALLEL_COVERAGE_LLVM_PROFDATA)", tool, strerror(errno));
		return -1;
	}
	return proc_wait(pid);
}


/* --- combine --------------------------------------------------------------------------- */

struct profiles {
	struct buffer list; /* llvm-profdata's input file list: "1,<path>" lines */
	size_t n, bad;
	const char *run;
};

static int collect_profile(const char *path, const char *rel, void *ctx)
{
	struct profiles *p = ctx;
	const char *object;

	/* A watchdog's snapshot counts only for a process that never ended (see endings.h). */
	if (!ends_with(path, ".profraw") || endings_snapshot_file(p->run, rel, &object) == 0)
		return 0;
	if (strchr(path, '\n')) {
		warn("skipping %s: a newline in its name cannot go into llvm-profdata's file list", path);
		p->bad++;
		return 0;
	}
	/* An explicit weight, so a comma in the build directory's name is not read as one. */
	buf_printf(&p->list, "1,%s\n", path);
	p->n++;
	return 0;
}

/* llvm-profdata's messages are kept in a log we name. With -failure-mode=all it warns about
 * each profile it could not read and merges the rest: say once what that means. */
static void profdata_messages(const char *log, int failed)
{
	struct buffer b = {0};
	char *p, *end, *first = NULL;
	size_t n = 0;

	if (read_file(log, &b) < 0 || !b.len) {
		buf_free(&b);
		return;
	}
	if (failed) {
		fwrite(b.data, 1, b.len, stderr);
		buf_free(&b);
		return;
	}
	for (p = b.data, end = b.data + b.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		if (e > p && !n++)
			first = strndup(p, (size_t)(e - p));
		p = nl ? nl + 1 : end;
	}
	if (n)
		warn("llvm-profdata could not read some profiles and merged the others (first message: "
		     "\"%s\"): the counts of those test processes are missing (a process killed while "
		     "writing its profile?); re-run ctest for a complete report. All its messages are in "
		     "%s", first ? first : "", log);
	free(first);
	buf_free(&b);
}

int llvm_combine(const struct config *c)
{
	struct profiles p = {0};
	struct argv a = {0};
	char *run, *tests, *list = NULL, *dest = profdata_path(c), *tmp = NULL, *log = NULL;
	int ret = 1, status;

	run = runs_latest_with_data(c);
	if (!run) {
		error("no coverage data in %s: run the tests first (ctest --test-dir %s -j N), then the "
		      "coverage target", c->data_dir, c->build_dir);
		free(dest);
		return 1;
	}
	tests = path_join(run, "tests");
	p.run = run;
	if (runs_check_idle(c, run) < 0 || walk_data(tests, NULL, collect_profile, &p) < 0)
		goto out;
	if (p.n == 0) {
		error("no .profraw files in %s: were the targets built with -fprofile-instr-generate "
		      "(PARALLEL_COVERAGE_BACKEND=llvm) before ctest ran? Rebuild, then re-run ctest",
		      tests);
		goto out;
	}
	list = path_join(c->data_dir, "profraw.list");
	if (write_file_atomic(list, p.list.data, p.list.len) < 0) {
		error("cannot write %s:", list);
		goto out;
	}
	tmp = xasprintf("%s.parcov-tmp", dest);
	log = path_join(c->data_dir, "llvm-profdata-messages.txt");
	if (truncate(log, 0) < 0 && errno != ENOENT)
		warn("cannot empty %s:", log);
	info("merging %zu profiles of %s with %s", p.n, run, c->llvm_profdata);
	arg(&a, xstrdup(c->llvm_profdata));
	arg(&a, xstrdup("merge"));
	arg(&a, xstrdup("-sparse"));
	arg(&a, xasprintf("-num-threads=%ld", cpus()));
	/* A damaged profile (a test killed while writing) is reported and left out; the
	 * merge fails only if no input is usable. */
	arg(&a, xstrdup("-failure-mode=all"));
	arg(&a, xasprintf("-input-files=%s", list));
	arg(&a, xasprintf("-output=%s", tmp));
	status = wait_child(proc_start_logged(a.v, c->build_dir, NULL, log), c->llvm_profdata);
	profdata_messages(log, status != 0);
	if (status < 0 || explain(status, c->llvm_profdata, "merging the profiles") < 0) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, dest) < 0) {
		error("cannot rename %s to %s:", tmp, dest);
		unlink(tmp);
		goto out;
	}
	info("wrote %s", dest);
	ret = endings_save(c, run) < 0;
out:
	endings_forget();
	if (list)
		unlink(list);
	argv_free(&a);
	buf_free(&p.list);
	free(list);
	free(tmp);
	free(log);
	free(dest);
	free(tests);
	free(run);
	return ret;
}

int llvm_clean(const struct config *c)
{
	char *path = profdata_path(c);
	int ret = 0;

	if (unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove %s:", path);
		ret = -1;
	}
	free(path);
	return ret;
}

/* --- Reading llvm-cov's output ----------------------------------------------------------- */

struct line {
	long number;
	uint64_t count;
	size_t first_branch, n_branches; /* into file.branches, after sorting */
};

struct branch {
	long line;
	uint64_t count;
};

struct function {
	char *name;
	long line;
	uint64_t count;
};

struct file {
	char *path, *rel;       /* absolute; relative to the root (or absolute outside it) */
	char *dir, *base;       /* rel split at its last '/' */
	struct line *lines;
	size_t n_lines;
	struct branch *branches;
	size_t n_branches;
	struct function *functions;
	size_t n_functions;
	long regions, regions_hit;
	long mcdc, mcdc_hit;    /* MC/DC conditions, and those shown to matter on their own */
};

struct files {
	struct file *v;
	size_t n;
};

struct llvm_totals {
	long lines, lines_hit, branches, branches_taken, regions, regions_hit, functions, functions_hit;
	long mcdc, mcdc_hit;
};

static void files_free(struct files *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		struct file *f = &fs->v[i];
		for (size_t j = 0; j < f->n_functions; j++)
			free(f->functions[j].name);
		free(f->functions);
		free(f->lines);
		free(f->branches);
		free(f->path);
		free(f->rel);
		free(f->dir);
		free(f->base);
	}
	free(fs->v);
}

static uint64_t number(const char *s)
{
	return *s == '-' ? 0 : strtoull(s, NULL, 10);
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	return (x->number > y->number) - (x->number < y->number);
}

static int cmp_branch(const void *a, const void *b)
{
	const struct branch *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

/* Give each line its branches (both sorted by line; qsort keeps no order among a line's
 * branches, but only their counts matter). */
static void attach_branches(struct file *f)
{
	size_t b = 0;

	qsort(f->lines, f->n_lines, sizeof *f->lines, cmp_line);
	qsort(f->branches, f->n_branches, sizeof *f->branches, cmp_branch);
	for (size_t i = 0; i < f->n_lines; i++) {
		struct line *l = &f->lines[i];
		while (b < f->n_branches && f->branches[b].line < l->number)
			b++;
		l->first_branch = b;
		while (b < f->n_branches && f->branches[b].line == l->number)
			b++;
		l->n_branches = b - l->first_branch;
	}
}

static void set_names(struct file *f, const char *root)
{
	size_t n = strlen(root);
	const char *rel = f->path, *slash;

	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!strncmp(f->path, root, n) && f->path[n] == '/')
		rel = f->path + n + 1;
	f->rel = xstrdup(rel);
	slash = strrchr(f->rel, '/');
	f->dir = slash ? strndup(f->rel, (size_t)(slash - f->rel)) : xstrdup("");
	f->base = xstrdup(slash ? slash + 1 : f->rel);
	if (!f->dir)
		fatal("out of memory");
}

/* Parse llvm-cov's lcov export: SF, FN, FNDA, BRDA, DA records, end_of_record. */
static int parse_lcov(const char *path, const char *root, struct files *fs)
{
	struct buffer b = {0};
	struct file *f = NULL;
	char *line, *next;

	if (read_file(path, &b) < 0) {
		error("cannot read %s:", path);
		return -1;
	}
	for (line = b.data; line && *line; line = next) {
		char *comma;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "SF:", 3)) {
			fs->v = xreallocarray(fs->v, fs->n + 1, sizeof *fs->v);
			f = &fs->v[fs->n++];
			memset(f, 0, sizeof *f);
			f->path = xstrdup(line + 3);
			set_names(f, root);
		} else if (!f) {
			continue;
		} else if (!strncmp(line, "DA:", 3)) {
			f->lines = xreallocarray(f->lines, f->n_lines + 1, sizeof *f->lines);
			f->lines[f->n_lines].number = strtol(line + 3, &comma, 10);
			f->lines[f->n_lines].count = *comma == ',' ? number(comma + 1) : 0;
			f->n_lines++;
		} else if (!strncmp(line, "BRDA:", 5)) {
			/* BRDA:line,block,branch,count ('-': the line never ran) */
			char *p = line + 5;
			long l = strtol(p, &p, 10);
			for (int k = 0; k < 2 && p; k++)
				p = strchr(p + 1, ',');
			if (!p)
				continue;
			f->branches = xreallocarray(f->branches, f->n_branches + 1, sizeof *f->branches);
			f->branches[f->n_branches].line = l;
			f->branches[f->n_branches].count = number(p + 1);
			f->n_branches++;
		} else if (!strncmp(line, "FN:", 3) && (comma = strchr(line, ','))) {
			f->functions = xreallocarray(f->functions, f->n_functions + 1, sizeof *f->functions);
			f->functions[f->n_functions].line = strtol(line + 3, NULL, 10);
			f->functions[f->n_functions].name = xstrdup(comma + 1);
			f->functions[f->n_functions].count = 0;
			f->n_functions++;
		} else if (!strncmp(line, "FNDA:", 5) && (comma = strchr(line, ','))) {
			for (size_t i = 0; i < f->n_functions; i++)
				if (!strcmp(f->functions[i].name, comma + 1))
					f->functions[i].count = number(line + 5);
		} else if (!strcmp(line, "end_of_record")) {
			attach_branches(f);
			f = NULL;
		}
	}
	if (f)
		attach_branches(f);
	buf_free(&b);
	return 0;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

/* Region counts, and MC/DC condition counts (LLVM 18+: "mcdc"), per file from llvm-cov
 * export -summary-only (JSON). */
static int parse_regions(const char *path, struct files *fs)
{
	json_object *root = json_object_from_file(path), *data, *files;

	if (!root) {
		error("cannot read llvm-cov's JSON summary %s: %s", path, json_util_get_last_err());
		return -1;
	}
	data = json_object_array_get_idx(get(root, "data"), 0);
	files = get(data, "files");
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *f = json_object_array_get_idx(files, i);
		json_object *regions = get(get(f, "summary"), "regions");
		json_object *mcdc = get(get(f, "summary"), "mcdc");
		const char *name = json_object_get_string(get(f, "filename"));
		for (size_t j = 0; name && j < fs->n; j++) {
			if (strcmp(fs->v[j].path, name))
				continue;
			fs->v[j].regions = (long)json_object_get_int64(get(regions, "count"));
			fs->v[j].regions_hit = (long)json_object_get_int64(get(regions, "covered"));
			fs->v[j].mcdc = (long)json_object_get_int64(get(mcdc, "count"));
			fs->v[j].mcdc_hit = (long)json_object_get_int64(get(mcdc, "covered"));
		}
	}
	json_object_put(root);
	return 0;
}

/* Cobertura groups files by directory: sort by (directory, name). */
static int cmp_file(const void *a, const void *b)
{
	const struct file *x = a, *y = b;
	int d = strcmp(x->dir, y->dir);
	return d ? d : strcmp(x->base, y->base);
}

static void file_totals(const struct file *f, struct llvm_totals *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < f->n_lines; i++) {
		t->lines++;
		t->lines_hit += f->lines[i].count > 0;
	}
	for (size_t i = 0; i < f->n_branches; i++) {
		t->branches++;
		t->branches_taken += f->branches[i].count > 0;
	}
	for (size_t i = 0; i < f->n_functions; i++) {
		t->functions++;
		t->functions_hit += f->functions[i].count > 0;
	}
	t->regions = f->regions;
	t->regions_hit = f->regions_hit;
	t->mcdc = f->mcdc;
	t->mcdc_hit = f->mcdc_hit;
}

static void add_totals(struct llvm_totals *sum, const struct llvm_totals *t)
{
	sum->lines += t->lines;
	sum->lines_hit += t->lines_hit;
	sum->branches += t->branches;
	sum->branches_taken += t->branches_taken;
	sum->regions += t->regions;
	sum->regions_hit += t->regions_hit;
	sum->functions += t->functions;
	sum->functions_hit += t->functions_hit;
	sum->mcdc += t->mcdc;
	sum->mcdc_hit += t->mcdc_hit;
}

/* --- Writing the reports ----------------------------------------------------------------- */

/* The shared rule (report.c): runs of uncovered lines not interrupted by a covered one. */
static void missing_lines(const struct file *f, struct buffer *out)
{
	long *numbers = xcalloc(f->n_lines, sizeof *numbers);
	int *covered = xcalloc(f->n_lines, sizeof *covered);

	for (size_t i = 0; i < f->n_lines; i++) {
		numbers[i] = f->lines[i].number;
		covered[i] = f->lines[i].count != 0;
	}
	format_missing(numbers, covered, f->n_lines, out);
	buf_add(out, "", 0);
	free(numbers);
	free(covered);
}

/* mcdc: three more columns, MC/DC conditions, covered, percentage. */
static void table_row(struct buffer *b, const char *name, const struct llvm_totals *t, const char *missing,
		      int mcdc)
{
	char lp[16], bp[16], rp[16], mp[16];

	report_pct(lp, sizeof lp, t->lines_hit, t->lines);
	report_pct(bp, sizeof bp, t->branches_taken, t->branches);
	report_pct(rp, sizeof rp, t->regions_hit, t->regions);
	buf_printf(b, "%-36s %7ld %7ld %7s %9ld %7ld %7s %8ld %7ld %7s", name, t->lines,
		   t->lines_hit, lp, t->branches, t->branches_taken, bp, t->regions, t->regions_hit, rp);
	if (mcdc) {
		report_pct(mp, sizeof mp, t->mcdc_hit, t->mcdc);
		buf_printf(b, " %6ld %7ld %7s", t->mcdc, t->mcdc_hit, mp);
	}
	buf_printf(b, "   %s\n", missing);
}

static void write_summary(const struct files *fs, struct buffer *out, struct llvm_totals *total,
			  int mcdc)
{
	const char *rule = "------------------------------------------------------------------------"
			   "-----------------------------------------------------------------\n";
	const char *mcdc_rule = "------------------------\n";
	size_t rule_len = strlen(rule) - (mcdc ? 1 : 0);

	memset(total, 0, sizeof *total);
	buf_printf(out, "%-36s %7s %7s %7s %9s %7s %7s %8s %7s %7s", "File", "Lines", "Exec",
		   "Cover", "Branches", "Taken", "Cover", "Regions", "Exec", "Cover");
	if (mcdc)
		buf_printf(out, " %6s %7s %7s", "MC/DC", "Covered", "Cover");
	buf_printf(out, "   %s\n", "Missing");
	buf_add(out, rule, rule_len);
	if (mcdc)
		buf_add(out, mcdc_rule, strlen(mcdc_rule));
	for (size_t i = 0; i < fs->n; i++) {
		struct llvm_totals t;
		struct buffer missing = {0};
		file_totals(&fs->v[i], &t);
		missing_lines(&fs->v[i], &missing);
		table_row(out, fs->v[i].rel, &t, missing.data, mcdc);
		add_totals(total, &t);
		buf_free(&missing);
	}
	buf_add(out, rule, rule_len);
	if (mcdc)
		buf_add(out, mcdc_rule, strlen(mcdc_rule));
	table_row(out, "TOTAL", total, "", mcdc);
	buf_printf(out, "Functions: %ld of %ld executed (%.1f%%)\n", total->functions_hit,
		   total->functions, report_percent(total->functions_hit, total->functions));
	if (mcdc)
		buf_printf(out, "MC/DC: %ld of %ld conditions covered (%.1f%%)\n", total->mcdc_hit,
			   total->mcdc, report_percent(total->mcdc_hit, total->mcdc));
}

static json_object *count_json(uint64_t v)
{
	return json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

/* gcovr's JSON format 0.3, so tools reading gcovr's output read ours alike. */
/* MC/DC counts as the JSON carries them (an extension of gcovr's format, named like its own). */
static json_object *mcdc_json(long conditions, long covered)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "conditions", json_object_new_int64(conditions));
	json_object_object_add(o, "covered", json_object_new_int64(covered));
	return o;
}

/* mcdc: each file, and the whole, get "parcov/mcdc": {"conditions": N, "covered": C}. */
static int write_json(const struct files *fs, const struct llvm_totals *total, int mcdc,
		      const char *path)
{
	json_object *root = json_object_new_object(), *files = json_object_new_array();
	const char *text;
	int ret = 0;

	json_object_object_add(root, "gcovr/format_version", json_object_new_string("0.3"));
	for (size_t i = 0; i < fs->n; i++) {
		const struct file *f = &fs->v[i];
		json_object *jf = json_object_new_object(), *lines = json_object_new_array();
		json_object *fns = json_object_new_array();
		json_object_object_add(jf, "file", json_object_new_string(f->rel));
		for (size_t j = 0; j < f->n_lines; j++) {
			const struct line *l = &f->lines[j];
			json_object *jl = json_object_new_object(), *br = json_object_new_array();
			json_object_object_add(jl, "line_number", json_object_new_int64(l->number));
			json_object_object_add(jl, "count", count_json(l->count));
			for (size_t k = 0; k < l->n_branches; k++) {
				json_object *jb = json_object_new_object();
				json_object_object_add(jb, "count",
						       count_json(f->branches[l->first_branch + k].count));
				json_object_object_add(jb, "fallthrough", json_object_new_boolean(0));
				json_object_object_add(jb, "throw", json_object_new_boolean(0));
				json_object_array_add(br, jb);
			}
			json_object_object_add(jl, "branches", br);
			json_object_object_add(jl, "gcovr/noncode", json_object_new_boolean(0));
			json_object_object_add(jl, "gcovr/excluded", json_object_new_boolean(0));
			json_object_array_add(lines, jl);
		}
		for (size_t j = 0; j < f->n_functions; j++) {
			json_object *jfn = json_object_new_object();
			json_object_object_add(jfn, "name", json_object_new_string(f->functions[j].name));
			json_object_object_add(jfn, "lineno", json_object_new_int64(f->functions[j].line));
			json_object_object_add(jfn, "execution_count", count_json(f->functions[j].count));
			json_object_array_add(fns, jfn);
		}
		json_object_object_add(jf, "lines", lines);
		json_object_object_add(jf, "functions", fns);
		if (mcdc)
			json_object_object_add(jf, "parcov/mcdc", mcdc_json(f->mcdc, f->mcdc_hit));
		json_object_array_add(files, jf);
	}
	json_object_object_add(root, "files", files);
	if (mcdc)
		json_object_object_add(root, "parcov/mcdc", mcdc_json(total->mcdc, total->mcdc_hit));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (write_file_atomic(path, text, strlen(text)) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	json_object_put(root);
	return ret;
}

static void xml_escaped(struct buffer *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_printf(b, "&amp;"); break;
		case '<': buf_printf(b, "&lt;"); break;
		case '>': buf_printf(b, "&gt;"); break;
		case '"': buf_printf(b, "&quot;"); break;
		default: buf_add(b, s, 1);
		}
	}
}

/* gcovr's rate: covered / total as a fraction, "0.0" when there is nothing. */
static void rate(struct buffer *b, const char *attr, long part, long whole)
{
	if (whole)
		buf_printf(b, " %s=\"%.17g\"", attr, (double)part / (double)whole);
	else
		buf_printf(b, " %s=\"0.0\"", attr);
}

/* MC/DC as attributes beside the branch ones (Cobertura has none; readers ignore unknown
 * attributes): conditions-valid, conditions-covered, condition-rate. */
static void xml_mcdc(struct buffer *b, const struct llvm_totals *t, int mcdc)
{
	if (!mcdc)
		return;
	rate(b, "condition-rate", t->mcdc_hit, t->mcdc);
	buf_printf(b, " conditions-covered=\"%ld\" conditions-valid=\"%ld\"", t->mcdc_hit, t->mcdc);
}

static void xml_class(struct buffer *b, const struct file *f, int mcdc)
{
	struct llvm_totals t;

	file_totals(f, &t);
	buf_printf(b, "<class name=\"");
	for (const char *s = f->base; *s; s++)
		buf_add(b, *s == '.' ? "_" : s, 1);
	buf_printf(b, "\" filename=\"");
	xml_escaped(b, f->rel);
	buf_printf(b, "\"");
	rate(b, "line-rate", t.lines_hit, t.lines);
	rate(b, "branch-rate", t.branches_taken, t.branches);
	xml_mcdc(b, &t, mcdc);
	buf_printf(b, " complexity=\"0.0\"><methods/><lines>");
	for (size_t i = 0; i < f->n_lines; i++) {
		const struct line *l = &f->lines[i];
		long taken = 0;
		for (size_t k = 0; k < l->n_branches; k++)
			taken += f->branches[l->first_branch + k].count > 0;
		buf_printf(b, "<line number=\"%ld\" hits=\"%" PRIu64 "\"", l->number, l->count);
		if (!l->n_branches) {
			buf_printf(b, " branch=\"false\"/>");
			continue;
		}
		buf_printf(b, " branch=\"true\" condition-coverage=\"%d%% (%ld/%zu)\"><conditions>"
			   "<condition number=\"0\" type=\"jump\" coverage=\"%d%%\"/></conditions></line>",
			   (int)report_percent(taken, (long)l->n_branches), taken, l->n_branches,
			   (int)report_percent(taken, (long)l->n_branches));
	}
	buf_printf(b, "</lines></class>");
}

/* Cobertura XML laid out as gcovr writes it: one package per directory, one class per file. */
static int write_xml(const struct files *fs, const struct llvm_totals *total, int mcdc,
		     const char *root, const char *path)
{
	struct buffer b = {0};
	int ret = 0;

	buf_printf(&b, "<?xml version='1.0' encoding='UTF-8'?>\n<!DOCTYPE coverage SYSTEM "
		       "'http://cobertura.sourceforge.net/xml/coverage-04.dtd'>\n<coverage");
	rate(&b, "line-rate", total->lines_hit, total->lines);
	rate(&b, "function-rate", total->functions_hit, total->functions);
	rate(&b, "branch-rate", total->branches_taken, total->branches);
	xml_mcdc(&b, total, mcdc);
	buf_printf(&b, " lines-covered=\"%ld\" lines-valid=\"%ld\" functions-covered=\"%ld\" "
		       "functions-valid=\"%ld\" branches-covered=\"%ld\" branches-valid=\"%ld\" "
		       "complexity=\"0.0\" timestamp=\"%lld\" version=\"parcov llvm-cov\"><sources><source>",
		   total->lines_hit, total->lines, total->functions_hit, total->functions,
		   total->branches_taken, total->branches, (long long)time(NULL));
	xml_escaped(&b, root);
	buf_printf(&b, "</source></sources><packages>");
	for (size_t i = 0; i < fs->n;) {
		size_t j;
		struct llvm_totals pkg = {0};
		for (j = i; j < fs->n && !strcmp(fs->v[j].dir, fs->v[i].dir); j++) {
			struct llvm_totals t;
			file_totals(&fs->v[j], &t);
			add_totals(&pkg, &t);
		}
		buf_printf(&b, "<package name=\"");
		for (const char *s = fs->v[i].dir; *s; s++) {
			if (*s == '/')
				buf_add(&b, ".", 1);
			else
				xml_escaped(&b, (char[]){*s, '\0'});
		}
		buf_printf(&b, "\"");
		rate(&b, "line-rate", pkg.lines_hit, pkg.lines);
		rate(&b, "function-rate", pkg.functions_hit, pkg.functions);
		rate(&b, "branch-rate", pkg.branches_taken, pkg.branches);
		xml_mcdc(&b, &pkg, mcdc);
		buf_printf(&b, " complexity=\"0.0\"><classes>");
		for (; i < j; i++)
			xml_class(&b, &fs->v[i], mcdc);
		buf_printf(&b, "</classes></package>");
	}
	buf_printf(&b, "</packages></coverage>\n");
	if (write_file_atomic(path, b.data, b.len) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	buf_free(&b);
	return ret;
}

/* --- report --------------------------------------------------------------------------- */

/* The newest .profraw of a data set: a binary modified after it was rebuilt since the tests
 * ran, and llvm-cov would find its profile data mismatched. */
static int newest_profile(const char *path, const char *rel, void *ctx)
{
	struct stat st;
	(void)rel;
	if (ends_with(path, ".profraw") && stat(path, &st) == 0 && st.st_mtime > *(time_t *)ctx)
		*(time_t *)ctx = st.st_mtime;
	return 0;
}

/* 1 (after an error with the fix) when a binary was rebuilt after the last test run. */
static int stale_binaries(const struct config *c, const struct argv *objects)
{
	char *run = runs_latest_with_data(c), *tests, *first = NULL;
	time_t newest = 0;
	size_t n = 0;

	if (!run)
		return 0;
	tests = path_join(run, "tests");
	walk_data(tests, NULL, newest_profile, &newest);
	for (size_t i = 0; newest && i < objects->n; i++) {
		struct stat st;
		if (stat(objects->v[i], &st) == 0 && st.st_mtime > newest && !n++)
			first = objects->v[i];
	}
	if (n && !c->allow_stale)
		error("%zu instrumented binar%s (%s%s) %s rebuilt after the last test run: llvm-cov would "
		      "leave out the code whose profile no longer matches, and the report would be wrong. "
		      "Fix: re-run the tests (ctest --test-dir %s -j N), then the coverage target; or, for "
		      "a report without that code, set PARALLEL_COVERAGE_ALLOW_STALE=ON (parcov report "
		      "--allow-stale)", n, n == 1 ? "y" : "ies", first, n == 1 ? "" : " and others",
		      n == 1 ? "was" : "were", c->build_dir);
	free(tests);
	free(run);
	return n && !c->allow_stale;
}

/* llvm-cov's messages are kept in a log we name. The "mismatched data" warning it prints on
 * every run where binaries define a function of the same name with other code (a
 * placeholder record, hash 0, for an inline function a binary never uses; each program's
 * main when some program ran in no test) becomes one note saying what it does to the
 * numbers; others are counted in one warning. */
static void llvm_messages(const char *log, int failed)
{
	struct buffer b = {0};
	char *p, *end, *first = NULL;
	long mismatched = 0;
	size_t others = 0;

	if (read_file(log, &b) < 0 || !b.len) {
		buf_free(&b);
		return;
	}
	/* llvm-cov show -format=html colours its warnings whatever the output is. */
	for (size_t i = 0, k = 0;; i++) {
		if (i < b.len && b.data[i] == '\x1b' && i + 1 < b.len && b.data[i + 1] == '[') {
			for (i += 2; i < b.len && !(b.data[i] >= '@' && b.data[i] <= '~'); i++)
				;
			continue;
		}
		if (i >= b.len) {
			b.len = k;
			break;
		}
		b.data[k++] = b.data[i];
	}
	if (failed) {
		fwrite(b.data, 1, b.len, stderr);
		buf_free(&b);
		return;
	}
	for (p = b.data, end = b.data + b.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *m;
		size_t n = (size_t)(e - p);
		if ((m = memmem(p, n, " functions have mismatched data", 31))) {
			char *d = m;
			while (d > p && d[-1] >= '0' && d[-1] <= '9')
				d--;
			if (!mismatched)
				mismatched = strtol(d, NULL, 10);
		} else if (n && !others++) {
			first = strndup(p, n);
		}
		p = nl ? nl + 1 : end;
	}
	if (mismatched)
		info("%ld functions of the instrumented binaries share their name with a function "
		     "of other code that ran in another binary: inline functions a binary compiles but "
		     "never uses (it keeps only a placeholder for them), or each program's main when "
		     "some program ran in no test. llvm-cov leaves those copies out of the report: the "
		     "copies that ran are counted, but code only a program no test ran has (its main) "
		     "counts neither as covered nor as missed", mismatched);
	if (others)
		warn("llvm-cov printed %zu other message%s (first: \"%s\"); all its messages are in %s",
		     others, others == 1 ? "" : "s", first ? first : "", log);
	free(first);
	buf_free(&b);
}

/* The instrumented executables and shared libraries the module listed (objects*.txt: one
 * per configuration with a multi-config generator) that exist. */
static size_t read_objects(const struct config *c, struct argv *objects)
{
	char *pattern = path_join(c->data_dir, "objects*.txt");
	glob_t g;

	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct buffer b = {0};
			char *line, *next;
			if (read_file(g.gl_pathv[i], &b) < 0) {
				warn("cannot read %s:", g.gl_pathv[i]);
				continue;
			}
			for (line = b.data; line && *line; line = next) {
				int dup = 0;
				next = strchr(line, '\n');
				if (next)
					*next++ = '\0';
				for (size_t k = 0; k < objects->n; k++)
					dup |= !strcmp(objects->v[k], line);
				if (*line && !dup && exists(line))
					arg(objects, xstrdup(line));
			}
			buf_free(&b);
		}
		globfree(&g);
	}
	free(pattern);
	return objects->n;
}

/* The arguments every llvm-cov command shares: profile, binaries, exclusions (gcovr's rule:
 * a relative regex matches from the start of the path relative to the root), and the root
 * itself as the only source directory, as gcovr keeps files under the root only. */
static void common_args(const struct config *c, const char *profdata, const struct argv *objects,
			struct argv *a)
{
	char *root = regex_escape(c->source_root);
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		root[--n] = '\0';
	arg(a, xasprintf("-instr-profile=%s", profdata));
	arg(a, xstrdup(objects->v[0]));
	for (size_t i = 1; i < objects->n; i++)
		arg(a, xasprintf("-object=%s", objects->v[i]));
	for (size_t i = 0; i < c->n_exclude; i++) {
		const char *re = c->exclude[i];
		if (*re == '^')
			re++;
		if (*re == '/')
			arg(a, xasprintf("-ignore-filename-regex=^%s", re));
		else
			arg(a, xasprintf("-ignore-filename-regex=^%s/%s", root, re));
	}
	arg(a, xstrdup(c->source_root));
	free(root);
}

static void command(struct argv *a, const struct config *c, const char *sub, const char *profdata,
		    const struct argv *objects, const char *const *extra)
{
	arg(a, xstrdup(c->llvm_cov));
	arg(a, xstrdup(sub));
	for (; extra && *extra; extra++)
		arg(a, xstrdup(*extra));
	common_args(c, profdata, objects, a);
}

static int install(const char *tmp, const char *dest)
{
	if (rename(tmp, dest) < 0) {
		error("cannot rename %s to %s:", tmp, dest);
		return -1;
	}
	return 0;
}

static int install_dir(const char *tmp, const char *dest)
{
	char *old = xasprintf("%s.parcov-old", dest);
	int ret = 0;

	remove_tree(old);
	if ((exists(dest) && rename(dest, old) < 0) || rename(tmp, dest) < 0) {
		error("cannot replace %s:", dest);
		ret = -1;
	}
	remove_tree(old);
	free(old);
	return ret;
}

int llvm_report(const struct config *c, const char *formats)
{
	struct argv objects = {0}, lcov = {0}, sum = {0}, html = {0};
	struct files fs = {0};
	struct buffer summary = {0};
	struct llvm_totals total;
	char *profdata = profdata_path(c), *out = c->output_dir;
	char *info_tmp = xasprintf("%s/coverage.info.parcov-tmp", out);
	char *sum_tmp = xasprintf("%s/llvm-summary.json.parcov-tmp", out);
	char *html_tmp = xasprintf("%s/html.parcov-tmp", out);
	char *json_path = path_join(out, "coverage.json"), *xml_path = path_join(out, "coverage.xml");
	char *txt_path = path_join(out, "summary.txt"), *info_path = path_join(out, "coverage.info");
	char *html_path = path_join(out, "html"), *log = path_join(c->data_dir, "llvm-cov-messages.txt");
	pid_t p_lcov, p_sum, p_html = 0;
	int mask, ret = 1, failed, s_lcov, s_sum, s_html;

	if (report_parse_formats(formats ? formats : c->formats, &mask) < 0)
		goto out;
	if (!exists(profdata)) {
		error("no combined coverage data in %s: run the tests (ctest --test-dir %s -j N), then "
		      "'parcov combine' (the coverage target runs both combine and report)",
		      c->build_dir, c->build_dir);
		goto out;
	}
	if (read_objects(c, &objects) == 0) {
		error("none of the instrumented binaries listed in %s/objects.txt exists: build the "
		      "project (cmake --build %s), then run the tests", c->data_dir, c->build_dir);
		goto out;
	}
	if (stale_binaries(c, &objects))
		goto out;
	if (mkdirs(out, 0777) < 0) {
		error("cannot create %s:", out);
		goto out;
	}
	if (truncate(log, 0) < 0 && errno != ENOENT)
		warn("cannot empty %s:", log);
	/* The three llvm-cov runs are independent: run them side by side. */
	command(&lcov, c, "export", profdata, &objects, (const char *const[]){"-format=lcov", NULL});
	command(&sum, c, "export", profdata, &objects,
		(const char *const[]){"-format=text", "-summary-only", NULL});
	info("running %s on %zu binaries", c->llvm_cov, objects.n);
	p_lcov = proc_start_logged(lcov.v, c->source_root, info_tmp, log);
	p_sum = proc_start_logged(sum.v, c->source_root, sum_tmp, log);
	if (mask & FMT_HTML) {
		char *dir = xasprintf("-output-dir=%s", html_tmp);
		char *threads = xasprintf("-num-threads=%ld", cpus());
		remove_tree(html_tmp);
		command(&html, c, "show", profdata, &objects,
			(const char *const[]){"-format=html", dir, threads, "-show-branches=count",
					      "-show-line-counts-or-regions",
					      c->mcdc ? "-show-mcdc" : NULL, NULL});
		free(dir);
		free(threads);
		p_html = proc_start_logged(html.v, c->source_root, NULL, log);
	}
	s_lcov = wait_child(p_lcov, c->llvm_cov);
	s_sum = wait_child(p_sum, c->llvm_cov);
	s_html = mask & FMT_HTML ? wait_child(p_html, c->llvm_cov) : 0;
	llvm_messages(log, s_lcov != 0 || s_sum != 0 || s_html != 0);
	failed = s_lcov < 0 || explain(s_lcov, c->llvm_cov, "exporting lcov data") < 0;
	failed |= s_sum < 0 || explain(s_sum, c->llvm_cov, "exporting the summary") < 0;
	failed |= s_html < 0 || explain(s_html, c->llvm_cov, "writing the HTML report") < 0;
	if (failed) {
		error("the previous reports in %s are unchanged", out);
		goto out;
	}
	if (parse_lcov(info_tmp, c->source_root, &fs) < 0 || parse_regions(sum_tmp, &fs) < 0)
		goto out;
	qsort(fs.v, fs.n, sizeof *fs.v, cmp_file);
	write_summary(&fs, &summary, &total, c->mcdc);
	endings_append(c, &summary);

	/* Everything is computed: write and put in place. */
	if ((mask & FMT_TXT) && write_file_atomic(txt_path, summary.data, summary.len) < 0) {
		error("cannot write %s:", txt_path);
		goto out;
	}
	if ((mask & FMT_JSON) && write_json(&fs, &total, c->mcdc, json_path) < 0)
		goto out;
	if ((mask & FMT_XML) && write_xml(&fs, &total, c->mcdc, c->source_root, xml_path) < 0)
		goto out;
	if ((mask & FMT_HTML) && install_dir(html_tmp, html_path) < 0)
		goto out;
	if (install(info_tmp, info_path) < 0)
		goto out;
	fwrite(summary.data, 1, summary.len, stdout);
	printf("Reports in %s:%s%s%s%s coverage.info\n", out, mask & FMT_TXT ? " summary.txt" : "",
	       mask & FMT_HTML ? " html/index.html" : "", mask & FMT_XML ? " coverage.xml" : "",
	       mask & FMT_JSON ? " coverage.json" : "");
	ret = report_threshold_missed(c->fail_under_line, "line", "PARALLEL_COVERAGE_FAIL_UNDER_LINE",
				      total.lines_hit, total.lines);
	ret |= report_threshold_missed(c->fail_under_branch, "branch",
				       "PARALLEL_COVERAGE_FAIL_UNDER_BRANCH", total.branches_taken,
				       total.branches);
	ret |= report_threshold_missed(c->fail_under_mcdc, "MC/DC condition",
				       "PARALLEL_COVERAGE_FAIL_UNDER_MCDC", total.mcdc_hit, total.mcdc);
out:
	unlink(info_tmp);
	unlink(sum_tmp);
	remove_tree(html_tmp);
	files_free(&fs);
	buf_free(&summary);
	argv_free(&objects);
	argv_free(&lcov);
	argv_free(&sum);
	argv_free(&html);
	free(profdata);
	free(info_tmp);
	free(sum_tmp);
	free(html_tmp);
	free(json_path);
	free(xml_path);
	free(txt_path);
	free(info_path);
	free(html_path);
	free(log);
	return ret;
}

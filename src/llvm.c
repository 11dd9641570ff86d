#define _GNU_SOURCE
#include "llvm.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "covdata.h"
#include "endings.h"
#include "jsonget.h"
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
	arg(&a, xasprintf("-num-threads=%ld", cpu_count()));
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
	int ret = remove_file(path);

	free(path);
	return ret;
}

/* --- Reading llvm-cov's output into the model ----------------------------------------- */

static long long number(const char *s)
{
	unsigned long long v = *s == '-' ? 0 : strtoull(s, NULL, 10);
	return v > LLONG_MAX ? LLONG_MAX : (long long)v;
}

/* Parse llvm-cov's lcov export (SF, FN, FNDA, BRDA, DA records, end_of_record) into cd.
 * Functions are kept as listed, one entry per FN record (llvm-cov names each uniquely). */
static int parse_lcov(const char *path, const char *root, struct covdata *cd)
{
	struct buffer b = {0};
	struct cov_file *f = NULL;
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
			f = covdata_file(cd, line + 3, root);
		} else if (!f) {
			continue;
		} else if (!strncmp(line, "DA:", 3)) {
			long n = strtol(line + 3, &comma, 10);
			struct cov_line *l;
			if (n <= 0)
				continue;
			l = cov_line_at(f, n);
			l->present = 1;
			l->count += *comma == ',' ? number(comma + 1) : 0;
		} else if (!strncmp(line, "BRDA:", 5)) {
			/* BRDA:line,block,branch,count ('-': the line never ran) */
			char *p = line + 5;
			long n = strtol(p, &p, 10);
			struct cov_line *l;
			for (int k = 0; k < 2 && p; k++)
				p = strchr(p + 1, ',');
			if (!p || n <= 0)
				continue;
			l = cov_line_at(f, n);
			cov_add_branch(l, l->nbr, number(p + 1), 0, 0);
		} else if (!strncmp(line, "FN:", 3) && (comma = strchr(line, ','))) {
			f->fn = xreallocarray(f->fn, f->nfn + 1, sizeof *f->fn);
			f->fn[f->nfn++] = (struct cov_function){xstrdup(comma + 1), strtol(line + 3, NULL, 10), 0};
		} else if (!strncmp(line, "FNDA:", 5) && (comma = strchr(line, ','))) {
			for (size_t i = 0; i < f->nfn; i++)
				if (!strcmp(f->fn[i].name, comma + 1))
					f->fn[i].count = number(line + 5);
		} else if (!strcmp(line, "end_of_record")) {
			f = NULL;
		}
	}
	buf_free(&b);
	return 0;
}

static long long jint(json_object *a, size_t i)
{
	return json_object_get_int64(json_object_array_get_idx(a, i));
}

/* The regions of each line that ran but has a region that did not, from the file's
 * segments ([line, col, count, has count, region entry, gap], sorted by position). */
static void line_regions(struct cov_file *f, json_object *segments)
{
	size_t n = json_object_array_length(segments), cap = 0;

	for (size_t i = 0; i < n;) {
		long line = (long)jint(json_object_array_get_idx(segments, i), 0);
		size_t end = i, entries = 0, unrun = 0;
		for (; end < n; end++) {
			json_object *s = json_object_array_get_idx(segments, end);
			if (jint(s, 0) != line)
				break;
			if (json_object_get_boolean(json_object_array_get_idx(s, 3)) &&
			    json_object_get_boolean(json_object_array_get_idx(s, 4)) &&
			    !json_object_get_boolean(json_object_array_get_idx(s, 5))) {
				entries++;
				unrun += jint(s, 2) == 0;
			}
		}
		/* A line not run is marked as such; one that ran is partly run when a region
		 * starting on it did not. */
		if (unrun && line > 0 && (size_t)line < f->nlines && f->lines[line].count > 0) {
			if (f->nreg + entries > cap) {
				cap = (f->nreg + entries) * 2;
				f->reg = xreallocarray(f->reg, cap, sizeof *f->reg);
			}
			for (size_t k = i; k < end; k++) {
				json_object *s = json_object_array_get_idx(segments, k);
				if (json_object_get_boolean(json_object_array_get_idx(s, 3)) &&
				    json_object_get_boolean(json_object_array_get_idx(s, 4)) &&
				    !json_object_get_boolean(json_object_array_get_idx(s, 5)))
					f->reg[f->nreg++] = (struct cov_region){line, (long)jint(s, 1), jint(s, 2)};
			}
		}
		i = end;
	}
}

static int before(long l1, long c1, long l2, long c2)
{
	return l1 < l2 || (l1 == l2 && c1 < c2);
}

static int cmp_decision(const void *a, const void *b)
{
	const struct cov_decision *x = a, *y = b;
	return before(x->line, x->col, y->line, y->col) ? -1 : before(y->line, y->col, x->line, x->col);
}

/* The file's MC/DC decisions (mcdc_records: [line, col, end line, end col, expanded file,
 * kind, [covered per condition]]). A condition's place and counts are those of the i-th
 * MC/DC branch region (kind 6, sorted by position) inside its decision, when the numbers
 * agree (llvm-cov's C1, C2, ... are in that order). */
static void decisions(struct cov_file *f, json_object *records, json_object *branches)
{
	size_t nrec = json_object_array_length(records), nbr = branches ? json_object_array_length(branches) : 0;

	f->dec = xreallocarray(NULL, nrec ? nrec : 1, sizeof *f->dec);
	for (size_t i = 0; i < nrec; i++) {
		json_object *r = json_object_array_get_idx(records, i), *covered = NULL;
		struct cov_decision *d = &f->dec[f->ndec];
		size_t nc, found = 0;
		for (size_t k = json_object_array_length(r); k > 0 && !covered; k--)
			if (json_object_is_type(json_object_array_get_idx(r, k - 1), json_type_array))
				covered = json_object_array_get_idx(r, k - 1);
		if (!covered)
			continue;
		nc = json_object_array_length(covered);
		*d = (struct cov_decision){(long)jint(r, 0), (long)jint(r, 1), (long)jint(r, 2), (long)jint(r, 3),
					   f->ncond, nc};
		f->ndec++;
		f->cond = xreallocarray(f->cond, f->ncond + nc + 1, sizeof *f->cond);
		for (size_t c = 0; c < nc; c++)
			f->cond[f->ncond + c] = (struct cov_condition){
				.covered = json_object_get_boolean(json_object_array_get_idx(covered, c)) != 0};
		/* [line, col, end line, end col, true, false, file, expanded file, kind] */
		for (size_t b = 0; b < nbr; b++) {
			json_object *br = json_object_array_get_idx(branches, b);
			long bl = (long)jint(br, 0), bc = (long)jint(br, 1);
			struct cov_condition *c, t;
			if (json_object_array_length(br) < 9 || jint(br, 8) != 6 ||
			    before(bl, bc, d->line, d->col) || before(d->end_line, d->end_col, bl, bc))
				continue;
			if (found++ >= nc)
				continue;
			/* Insert by position; the covered flags stay in llvm-cov's order. */
			c = &f->cond[f->ncond + found - 1];
			t = (struct cov_condition){bl, bc, (long)jint(br, 2), (long)jint(br, 3), jint(br, 4), jint(br, 5), 0};
			for (; c > &f->cond[f->ncond] && before(bl, bc, c[-1].line, c[-1].col); c--) {
				unsigned char keep = c->covered;
				*c = c[-1];
				c->covered = keep;
			}
			t.covered = c->covered;
			*c = t;
		}
		if (found != nc)
			for (size_t c = 0; c < nc; c++)
				f->cond[f->ncond + c] = (struct cov_condition){.covered = f->cond[f->ncond + c].covered};
		f->ncond += nc;
	}
	/* The pages show them line by line (records come function by function). */
	if (f->ndec > 1)
		qsort(f->dec, f->ndec, sizeof *f->dec, cmp_decision);
}

/* Region counts, and MC/DC condition counts (LLVM 18+: "mcdc"), per file from llvm-cov's
 * JSON export; from a full export (not -summary-only) also each line's regions and the
 * MC/DC decisions, for the HTML. */
static int parse_export(const char *path, struct covdata *cd)
{
	json_object *root = json_object_from_file(path), *data, *files;

	if (!root) {
		error("cannot read llvm-cov's JSON export %s: %s", path, json_util_get_last_err());
		return -1;
	}
	data = json_object_array_get_idx(json_get(root, "data"), 0);
	files = json_get(data, "files");
	for (size_t i = 0; files && i < json_object_array_length(files); i++) {
		json_object *jf = json_object_array_get_idx(files, i);
		json_object *regions = json_get(json_get(jf, "summary"), "regions");
		json_object *mcdc = json_get(json_get(jf, "summary"), "mcdc");
		json_object *segments = json_get(jf, "segments"), *records = json_get(jf, "mcdc_records");
		const char *name = json_object_get_string(json_get(jf, "filename"));
		struct cov_file *f = name ? covdata_find(cd, name) : NULL;
		if (!f)
			continue;
		f->regions = (long)json_object_get_int64(json_get(regions, "count"));
		f->regions_hit = (long)json_object_get_int64(json_get(regions, "covered"));
		f->mcdc = (long)json_object_get_int64(json_get(mcdc, "count"));
		f->mcdc_hit = (long)json_object_get_int64(json_get(mcdc, "covered"));
		if (json_object_is_type(segments, json_type_array))
			line_regions(f, segments);
		if (json_object_is_type(records, json_type_array) && json_object_array_length(records))
			decisions(f, records, json_get(jf, "branches"));
	}
	json_object_put(root);
	return 0;
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
size_t llvm_objects(const struct config *c, struct argv *objects)
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

void llvm_command(struct argv *a, const struct config *c, const char *sub, const char *profdata,
		  const struct argv *objects, const char *const *extra)
{
	arg(a, xstrdup(c->llvm_cov));
	arg(a, xstrdup(sub));
	for (; extra && *extra; extra++)
		arg(a, xstrdup(*extra));
	common_args(c, profdata, objects, a);
}

static int check(const struct config *c)
{
	struct argv objects = {0};
	char *profdata = profdata_path(c);
	int ret = 1;

	if (!exists(profdata))
		error("no combined coverage data in %s: run the tests (ctest --test-dir %s -j N), then "
		      "'parcov combine' (the coverage target runs both combine and report)",
		      c->build_dir, c->build_dir);
	else if (llvm_objects(c, &objects) == 0)
		error("none of the instrumented binaries listed in %s/objects.txt exists: build the "
		      "project (cmake --build %s), then run the tests", c->data_dir, c->build_dir);
	else
		ret = stale_binaries(c, &objects);
	argv_free(&objects);
	free(profdata);
	return ret;
}

/* PARCOV_REPORTER=llvm-cov: the HTML is llvm-cov's own (show -format=html), not html.c's. */
static int llvm_cov_html(void)
{
	const char *engine = getenv("PARCOV_REPORTER");
	return engine && !strcmp(engine, "llvm-cov");
}

/* llvm-cov's lcov export (kept as coverage.info: the model is read from it) and its JSON
 * export (regions, MC/DC; for html.c's pages also each line's regions and the decisions,
 * else only the summary) fill the model; with PARCOV_REPORTER=llvm-cov, llvm-cov show
 * writes the HTML. The runs are independent: side by side. */
static int collect(const struct config *c, int mask, struct covdata *cd, struct native_reports *native)
{
	struct argv objects = {0}, lcov = {0}, sum = {0}, html = {0};
	char *profdata = profdata_path(c), *out = c->output_dir;
	char *sum_tmp = xasprintf("%s/llvm-export.json.parcov-tmp", out);
	char *log = path_join(c->data_dir, "llvm-cov-messages.txt");
	pid_t p_lcov, p_sum, p_html = 0;
	int ret = 1, failed, s_lcov, s_sum, s_html, own_html = mask & FMT_HTML && llvm_cov_html();

	native->lcov = xasprintf("%s/coverage.info.parcov-tmp", out);
	llvm_objects(c, &objects);
	if (truncate(log, 0) < 0 && errno != ENOENT)
		warn("cannot empty %s:", log);
	llvm_command(&lcov, c, "export", profdata, &objects, (const char *const[]){"-format=lcov", NULL});
	/* The segments and MC/DC records only when html.c shows them: the rest needs the
	 * summary alone. */
	llvm_command(&sum, c, "export", profdata, &objects,
		mask & FMT_HTML && !own_html
			? (const char *const[]){"-format=text", "-skip-expansions", "-skip-functions", NULL}
			: (const char *const[]){"-format=text", "-summary-only", NULL});
	info("running %s on %zu binaries", c->llvm_cov, objects.n);
	p_lcov = proc_start_logged(lcov.v, c->source_root, native->lcov, log);
	p_sum = proc_start_logged(sum.v, c->source_root, sum_tmp, log);
	if (own_html) {
		char *dir, *threads = xasprintf("-num-threads=%ld", cpu_count());
		native->html = xasprintf("%s/html.parcov-tmp", out);
		dir = xasprintf("-output-dir=%s", native->html);
		remove_tree(native->html);
		llvm_command(&html, c, "show", profdata, &objects,
			(const char *const[]){"-format=html", dir, threads, "-show-branches=count",
					      "-show-line-counts-or-regions",
					      c->mcdc ? "-show-mcdc" : NULL, NULL});
		free(dir);
		free(threads);
		p_html = proc_start_logged(html.v, c->source_root, NULL, log);
	}
	s_lcov = wait_child(p_lcov, c->llvm_cov);
	s_sum = wait_child(p_sum, c->llvm_cov);
	s_html = own_html ? wait_child(p_html, c->llvm_cov) : 0;
	llvm_messages(log, s_lcov != 0 || s_sum != 0 || s_html != 0);
	failed = s_lcov < 0 || explain(s_lcov, c->llvm_cov, "exporting lcov data") < 0;
	failed |= s_sum < 0 || explain(s_sum, c->llvm_cov, "exporting JSON") < 0;
	failed |= s_html < 0 || explain(s_html, c->llvm_cov, "writing the HTML report") < 0;
	if (failed) {
		error("the previous reports in %s are unchanged", out);
		goto out;
	}
	if (parse_lcov(native->lcov, c->source_root, cd) < 0 || parse_export(sum_tmp, cd) < 0)
		goto out;
	/* Cobertura's grouping by directory, kept by every report of this backend. */
	covdata_sort_by_dir(cd);
	cd->has_regions = 1;
	cd->has_mcdc = c->mcdc != 0;
	cd->tool = "parcov llvm-cov";
	ret = 0;
out:
	unlink(sum_tmp);
	argv_free(&objects);
	argv_free(&lcov);
	argv_free(&sum);
	argv_free(&html);
	free(profdata);
	free(sum_tmp);
	free(log);
	return ret;
}

const struct backend backend_llvm = {
	.name = "llvm",
	/* coverage.info is llvm-cov's own export, which the model is read from. */
	.always = FMT_LCOV,
	.combine = llvm_combine,
	.clean = llvm_clean,
	.check = check,
	.collect = collect,
	.html = NULL,
};

#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "ciformats.h"
#include "covdata.h"
#include "diff.h"
#include "endings.h"
#include "gcno.h"
#include "html.h"
#include "pertest.h"
#include "util.h"

/* What a writer gets: the filled model and what some formats need besides. */
struct report_input {
	const struct config *c;
	const struct covdata *cd;
	const struct buffer *summary; /* the summary table, with the endings */
	long long timestamp;
	const struct cov_extras *x; /* per-test coverage and the diff, when there are */
};

static void write_txt(const struct report_input *in, struct buffer *out)
{
	buf_add(out, in->summary->data ? in->summary->data : "", in->summary->len);
}

static void write_json(const struct report_input *in, struct buffer *out)
{
	covdata_json(in->cd, out);
}

static void write_xml(const struct report_input *in, struct buffer *out)
{
	covdata_cobertura(in->cd, in->c->source_root, in->timestamp, out);
}

static void write_lcov(const struct report_input *in, struct buffer *out)
{
	covdata_lcov(in->cd, out);
}

static void write_md_report(const struct report_input *in, struct buffer *out)
{
	write_md(in->cd, in->x, out);
}

static void write_sonarqube_report(const struct report_input *in, struct buffer *out)
{
	write_sonarqube(in->cd, out);
}

static void write_coveralls_report(const struct report_input *in, struct buffer *out)
{
	write_coveralls(in->cd, out);
}

/* The report formats: their name in PARALLEL_COVERAGE_FORMATS, file in the output
 * directory and writer (NULL for html: a directory, html.c's or the backend's). Adding a format is
 * one line here (and its FMT_ bit). */
static const struct format {
	const char *name;
	int bit;
	const char *file, *shown;
	void (*write)(const struct report_input *in, struct buffer *out);
	int late; /* needs the summary's last lines or the extras: made after the per-test coverage */
} formats[] = {
	{"txt", FMT_TXT, "summary.txt", "summary.txt", write_txt, 1},
	{"html", FMT_HTML, "html", "html/index.html", NULL, 1},
	{"xml", FMT_XML, "coverage.xml", "coverage.xml", write_xml, 0},
	{"json", FMT_JSON, "coverage.json", "coverage.json", write_json, 0},
	{"lcov", FMT_LCOV, "coverage.info", "coverage.info", write_lcov, 0},
	{"md", FMT_MD, "summary.md", "summary.md", write_md_report, 1},
	{"sonarqube", FMT_SONARQUBE, "sonarqube.xml", "sonarqube.xml", write_sonarqube_report, 0},
	{"coveralls", FMT_COVERALLS, "coveralls.json", "coveralls.json", write_coveralls_report, 0},
};
enum { N_FORMATS = sizeof formats / sizeof *formats };

int report_parse_formats(const char *list, int *out)
{
	char *copy = xstrdup(list), *save = NULL;
	int mask = 0;

	for (char *f = strtok_r(copy, ", ", &save); f; f = strtok_r(NULL, ", ", &save)) {
		size_t i = 0;
		while (i < N_FORMATS && strcmp(f, formats[i].name))
			i++;
		if (i == N_FORMATS) {
			struct buffer known = {0};
			for (i = 0; i < N_FORMATS; i++)
				buf_printf(&known, "%s%s", i ? ", " : "", formats[i].name);
			error("unknown report format '%s' (known: %s)", f, known.data);
			buf_free(&known);
			free(copy);
			return -1;
		}
		mask |= formats[i].bit;
	}
	free(copy);
	*out = mask;
	return 0;
}

/* gcovr regexes are Python's: escape a literal path for them. */
char *regex_escape(const char *s)
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

static long long timestamp(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	return e && *e ? atoll(e) : (long long)time(NULL);
}

/* The HTML is html.c's from the model, unless PARCOV_REPORTER=gcovr asks for the backend's
 * tool's own (gcovr's --html-details from the JSON). */
static int backend_html(const struct backend *b)
{
	const char *engine = getenv("PARCOV_REPORTER");
	return b->html && engine && !strcmp(engine, "gcovr");
}

/* The formats' files, made on a thread of its own: those that need only the model from right
 * after collect (while the per-test coverage is computed and the HTML written), the late ones
 * (late) while the HTML is written. Each is written to its temporary name (tmp) there; a
 * failure's errno is kept for the calling thread to report, in the order of formats. */
struct formatting {
	struct report_input in; /* a copy: the caller fills its own extras meanwhile */
	int todo[N_FORMATS];
	char *tmp[N_FORMATS];
	int err[N_FORMATS];
	pthread_t th;
	int threaded;
};

static void *format_all(void *arg)
{
	struct formatting *fm = arg;
	for (size_t i = 0; i < N_FORMATS; i++) {
		struct buffer data = {0};
		char *dest;
		if (!fm->todo[i])
			continue;
		formats[i].write(&fm->in, &data);
		dest = path_join(fm->in.c->output_dir, formats[i].file);
		if (!(fm->tmp[i] = write_temp_unsynced(dest, data.data ? data.data : "", data.len)))
			fm->err[i] = errno ? errno : EIO;
		free(dest);
		buf_free(&data);
	}
	return NULL;
}

/* Start making the formats todo says (on a thread, else now). */
static void formats_start(struct formatting *fm)
{
	fm->threaded = pthread_create(&fm->th, NULL, format_all, fm) == 0;
	if (!fm->threaded)
		format_all(fm);
}

/* Wait for them; -1 after reporting the first that could not be written. */
static int formats_wait(struct formatting *fm)
{
	if (fm->threaded)
		pthread_join(fm->th, NULL);
	fm->threaded = 0;
	for (size_t i = 0; i < N_FORMATS; i++)
		if (fm->todo[i] && !fm->tmp[i]) {
			char *dest = path_join(fm->in.c->output_dir, formats[i].file);
			errno = fm->err[i];
			error("cannot write %s.parcov-tmp:", dest);
			free(dest);
			return -1;
		}
	return 0;
}

/* Wait for them and remove what they wrote (nothing is put in place). */
static void formats_discard(struct formatting *fm)
{
	if (fm->threaded)
		pthread_join(fm->th, NULL);
	fm->threaded = 0;
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (fm->tmp[i])
			unlink(fm->tmp[i]);
		free(fm->tmp[i]);
		fm->tmp[i] = NULL;
	}
}

/* Whether the report writes the JSON: asked for, or gcovr's HTML made from it. */
static int need_json(const struct backend *b, int mask, const struct native_reports *native)
{
	return mask & FMT_JSON || (mask & FMT_HTML && !native->html && backend_html(b));
}

/* The early formats of mask (not late, not the backend's own file), started on their thread
 * right after collect. */
static void early_formats_start(struct formatting *fm, const struct report_input *in,
				const struct backend *b, int mask, const struct native_reports *native)
{
	memset(fm, 0, sizeof *fm);
	fm->in = *in;
	for (size_t i = 0; i < N_FORMATS; i++) {
		const struct format *f = &formats[i];
		char *native_file = f->bit == FMT_JSON ? native->json : f->bit == FMT_LCOV ? native->lcov : NULL;
		if (f->write && !f->late && !native_file &&
		    (mask & f->bit || (f->bit == FMT_JSON && need_json(b, mask, native))))
			fm->todo[i] = 1;
	}
	formats_start(fm);
}

/* The HTML into its temporary directory (html_tmp, made here); 0 or -1 after an error. */
static int write_html(const struct report_input *in, const struct backend *b, const char *html_tmp,
		      const char *spare, const char *json_tmp)
{
	const char *root = in->c->source_root, *slash = strrchr(root, '/');

	remove_tree(html_tmp);
	/* The previous report's pages, overwritten in place (html_write removes the rest): new
	 * files would cost a new inode each, and on ext4 without a journal finding one skips
	 * every inode freed in the last minutes, reading its block (half of the whole report's
	 * CPU at 1000 files, run after run). */
	if (backend_html(b) || rename(spare, html_tmp) < 0)
		remove_tree(spare);
	if (mkdirs(html_tmp, 0777) < 0) {
		error("cannot create %s:", html_tmp);
		return -1;
	}
	return backend_html(b) ? b->html(in->c, json_tmp, html_tmp)
			       : html_write(in->cd, html_tmp, slash && slash[1] ? slash + 1 : root, in->x);
}

/* Write each report of mask to its temporary name beside its destination (tmp[i] for
 * formats[i]), a backend's own file (native) in place of the writer's; html.c's HTML while
 * the late formats are made (early has the others, started after collect; the backend's
 * HTML, from the JSON, after). On success rename them all into place. Reports are made again
 * by re-running report: no fsync (megabytes of JSON would wait for the disk). Returns 0, or -1
 * after an error; the previous reports stay then, and no temporary is left. */
static int write_reports(const struct report_input *in, const struct backend *b, int mask,
			 struct native_reports *native, struct formatting *early)
{
	const char *out = in->c->output_dir;
	char *tmp[N_FORMATS] = {0}, *html_tmp = NULL, *json_tmp = NULL;
	/* The previous HTML, kept for the next report to write over: in our data directory,
	 * so that coverage/ (uploaded by CI jobs) holds only the reports. */
	char *spare = path_join(in->c->data_dir, "html-spare");
	int ret = -1;
	int ours_html = mask & FMT_HTML && !native->html && !backend_html(b), html_rc = 0;
	struct formatting late = {.in = *in};

	for (size_t i = 0; i < N_FORMATS; i++) {
		const struct format *f = &formats[i];
		char *native_file = f->bit == FMT_JSON ? native->json : f->bit == FMT_LCOV ? native->lcov : NULL;
		if (!f->write || !(mask & f->bit || (f->bit == FMT_JSON && need_json(b, mask, native))))
			continue;
		if (native_file)
			tmp[i] = xstrdup(native_file);
		else if (f->late)
			late.todo[i] = 1;
	}
	if (ours_html)
		formats_start(&late);
	else
		format_all(&late);
	if (ours_html) {
		html_tmp = xasprintf("%s/html.parcov-tmp", out);
		html_rc = write_html(in, b, html_tmp, spare, NULL);
	}
	if (formats_wait(&late) < 0 || formats_wait(early) < 0)
		html_rc = -1;
	for (size_t i = 0; i < N_FORMATS; i++) {
		struct formatting *fm = late.todo[i] ? &late : early->todo[i] ? early : NULL;
		if (!fm)
			continue;
		tmp[i] = fm->tmp[i];
		fm->tmp[i] = NULL;
		if (formats[i].bit == FMT_JSON)
			json_tmp = tmp[i];
	}
	if (html_rc < 0)
		goto out;
	if (native->json)
		json_tmp = native->json;
	if (mask & FMT_HTML && native->html) {
		html_tmp = xstrdup(native->html);
	} else if (mask & FMT_HTML && !ours_html) {
		html_tmp = xasprintf("%s/html.parcov-tmp", out);
		if (write_html(in, b, html_tmp, spare, json_tmp) < 0)
			goto out;
	}
	/* Everything is written: put it in place. */
	for (size_t i = 0; i < N_FORMATS; i++) {
		char *dest;
		if (!tmp[i] || !(mask & formats[i].bit))
			continue;
		dest = path_join(out, formats[i].file);
		if (rename(tmp[i], dest) < 0) {
			error("cannot rename %s to %s:", tmp[i], dest);
			free(dest);
			goto out;
		}
		free(dest);
	}
	if (html_tmp) {
		char *dest = path_join(out, "html");
		int rc = replace_dir(html_tmp, dest, native->html || backend_html(b) ? NULL : spare);
		free(dest);
		if (rc < 0)
			goto out;
	}
	ret = 0;
out:
	formats_discard(&late);
	formats_discard(early);
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
	}
	if (html_tmp)
		remove_tree(html_tmp);
	free(html_tmp);
	free(spare);
	return ret;
}

static void free_native(struct native_reports *n)
{
	char *files[] = {n->json, n->lcov};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		if (files[i])
			unlink(files[i]);
		free(files[i]);
	}
	if (n->html)
		remove_tree(n->html);
	free(n->html);
}

/* The report's extras (src/extras.h) from the per-test store and the diff. */
struct extras_ctx {
	const struct config *c;
	struct pertest *pt;
	const struct diff *diff;
};

static const char *const *tests_for_line(void *ctx, const struct cov_file *f, long line, size_t *n)
{
	const struct extras_ctx *x = ctx;
	const char *const *names = NULL;

	if (pertest_tests_for_line(x->pt, f->path, line, &names, n) != 1)
		*n = 0;
	return *n ? names : NULL;
}

static int line_changed(void *ctx, const struct cov_file *f, long line)
{
	const struct extras_ctx *x = ctx;

	return diff_changed(x->diff, x->c, f->path, line);
}

/* The backend's collect_ahead, run while its check runs. */
struct ahead {
	const struct config *c;
	const struct backend *b;
	struct covdata *cd;
	struct msgs msgs;
	int rc;
};

static void *collect_ahead(void *arg)
{
	struct ahead *a = arg;
	msgs_capture(&a->msgs);
	a->rc = a->b->collect_ahead(a->c, a->cd);
	msgs_capture(NULL);
	return NULL;
}

/* check, the output directory, collect: 0, or 1 after an error (cd then freed by the caller).
 * A backend's collect_ahead runs on a thread of its own while check runs (both read the
 * build tree on every processor, neither all the time), its messages printed after check's
 * as when one ran after the other, or dropped when check fails. */
static int check_and_collect(const struct config *c, const struct backend *b, int mask,
			     struct covdata *cd, struct native_reports *native)
{
	struct ahead a = {c, b, cd, {{0}}, 1};
	pthread_t th;
	int threaded = b->collect_ahead && pthread_create(&th, NULL, collect_ahead, &a) == 0;
	int rc = b->check(c);

	if (threaded)
		pthread_join(th, NULL);
	if (rc == 0 && mkdirs(c->output_dir, 0777) < 0) {
		error("cannot create %s:", c->output_dir);
		rc = 1;
	}
	if (rc) {
		msgs_free(&a.msgs);
		return 1;
	}
	msgs_replay(&a.msgs);
	msgs_free(&a.msgs);
	if (!threaded)
		return b->collect(c, mask, cd, native) != 0;
	if (a.rc < 0)
		return 1;
	return a.rc == 0 ? 0 : b->collect_rest(c, mask, cd, native) != 0;
}

int report(const struct config *c, const struct backend *b, const char *list)
{
	struct covdata cd = {0};
	struct native_reports native = {0};
	struct buffer summary = {0};
	struct cov_totals total;
	struct report_input in = {c, &cd, &summary, 0, NULL};
	struct diff diff = {0};
	struct extras_ctx ctx = {c, NULL, NULL};
	struct cov_extras x = {NULL, NULL, &ctx};
	struct formatting early = {0};
	int mask, ret = 1, patch_missed = 0, have_diff = 0;

	if (report_parse_formats(list ? list : c->formats, &mask) < 0)
		return 1;
	mask |= b->always;
	if (check_and_collect(c, b, mask, &cd, &native) != 0)
		goto out;
	/* The formats that need only the model are made while the per-test coverage is. */
	in.timestamp = timestamp();
	early_formats_start(&early, &in, b, mask, &native);
	covdata_summary(&cd, &summary, &total);
	endings_append(c, &summary);
	/* Per-test coverage (both backends) and patch coverage (src/pertest.h, src/diff.h). */
	if (c->per_test && (!strcmp(b->name, "llvm") ? pertest_llvm_build(c, &cd, mask & FMT_LCOV)
						       : pertest_build(c, &cd, mask & FMT_LCOV)) < 0)
		goto out;
	if ((have_diff = diff_wanted(c, &diff)) < 0)
		goto out;
	if (have_diff) {
		patch_missed = diff_patch_summary(c, &diff, &cd, &summary);
		ctx.diff = &diff;
		x.changed = line_changed;
	}
	/* The HTML and Markdown show each line's tests and the changed lines. */
	if (c->per_test && (ctx.pt = pertest_load(c)))
		x.tests_for = tests_for_line;
	if (x.tests_for || x.changed)
		in.x = &x;
	if (write_reports(&in, b, mask, &native, &early) < 0)
		goto out;
	fwrite(summary.data, 1, summary.len, stdout);
	printf("Reports in %s:", c->output_dir);
	for (size_t i = 0; i < N_FORMATS; i++)
		if (mask & formats[i].bit)
			printf(" %s", formats[i].shown);
	printf("\n");
	ret = report_thresholds(c, &total) | patch_missed;
out:
	formats_discard(&early);
	if (ctx.pt)
		pertest_free(ctx.pt);
	if (have_diff > 0)
		diff_free(&diff);
	data_files_forget();
	gcno_cache_forget();
	realpath_cache_forget();
	source_cache_forget();
	free_native(&native);
	buf_free(&summary);
	covdata_free(&cd);
	return ret;
}

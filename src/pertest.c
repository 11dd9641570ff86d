#define _GNU_SOURCE
#include "pertest.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "covdata.h"
#include "endings.h"
#include "gcda.h"
#include "gcno.h"
#include "runs.h"
#include "testname.h"
#include "util.h"

/* ---- building ---------------------------------------------------------------------- */

struct test {
	char *dir, *name;
	int partial;
};

struct input {
	size_t test;
	char *object; /* build-relative .gcda path */
	const struct data_file *file;
};

/* One object's graph, loaded once for all the tests that ran it. */
struct object {
	char *rel;
	int loaded, unusable, told;
	char *why; /* unusable: why (warned at its first input) */
	const struct gcno_object *g; /* gcno_cached()'s */
	size_t *file; /* per gcno file: index of the report file + 1, 0 if not in the report */
};

/* The tests that ran each line of one report file, appended in test order. */
struct line_tests {
	uint32_t *v;
	uint32_t n, cap;
};

struct pertest_feed {
	const struct config *c;
	const struct covdata *cd;
	struct test *tests;
	size_t ntests;
	size_t *by_dir; /* test indexes sorted by directory */
	struct input *in;
	size_t nin;
	const char *run;
	struct line_tests **lines; /* per report file, per line */
	size_t *slots, nslots;     /* report files by path */
};

/* util.c's string hash, over a whole C string. */
static uint64_t hash(const char *s)
{
	return str_hash(s, strlen(s));
}

static size_t find_file(const struct covdata *cd, const size_t *slots, size_t nslots, const char *path)
{
	for (size_t s = hash(path) & (nslots - 1); slots[s]; s = (s + 1) & (nslots - 1))
		if (!strcmp(cd->files[slots[s] - 1]->path, path))
			return slots[s];
	return 0;
}

static size_t *index_files(const struct covdata *cd, size_t *nslots)
{
	size_t n = 16, *slots;
	while (n < 2 * cd->n + 2)
		n *= 2;
	slots = xcalloc(n, sizeof *slots);
	for (size_t i = 0; i < cd->n; i++) {
		size_t s = hash(cd->files[i]->path) & (n - 1);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = i + 1;
	}
	*nslots = n;
	return slots;
}

static int is_report_line(const struct cov_file *f, long n)
{
	return n > 0 && (size_t)n < f->nlines && f->lines[n].present && !f->lines[n].noncode &&
	       !f->lines[n].excluded;
}

/* Record that test ran line n of report file fi (index + 1). Tests come in increasing order. */
static void add_line(struct pertest_feed *b, size_t fi, long n, uint32_t test)
{
	const struct cov_file *f;
	struct line_tests *lt;

	if (!fi)
		return;
	f = b->cd->files[fi - 1];
	if (!is_report_line(f, n))
		return;
	if (!b->lines[fi - 1])
		b->lines[fi - 1] = xcalloc(f->nlines, sizeof **b->lines);
	lt = &b->lines[fi - 1][n];
	if (lt->n && lt->v[lt->n - 1] == test)
		return;
	if (lt->n == lt->cap) {
		lt->cap = lt->cap ? 2 * lt->cap : 2;
		lt->v = xreallocarray(lt->v, lt->cap, sizeof *lt->v);
	}
	lt->v[lt->n++] = test;
}

static int cmp_test(const void *a, const void *b)
{
	const struct test *x = a, *y = b;
	int d = strcmp(x->name, y->name);
	return d ? d : strcmp(x->dir, y->dir);
}

static const struct test *sort_tests; /* for cmp_by_dir: qsort has no context */

static int cmp_by_dir(const void *a, const void *b)
{
	return strcmp(sort_tests[*(const size_t *)a].dir, sort_tests[*(const size_t *)b].dir);
}

/* The test whose data directory is dir (len bytes), or b->ntests. Bundles give a test run on
 * two machines a second directory, DIR.bK (README "Combining across CI machines"). */
static size_t test_of_dir(const struct pertest_feed *b, const char *dir, size_t len)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t lo = 0, hi = b->ntests;
		if (pass == 1) {
			const char *dot = memrchr(dir, '.', len);
			if (!dot || dot[1] != 'b' || !dot[2] || strspn(dot + 2, "0123456789") != len - (size_t)(dot + 2 - dir))
				break;
			len = (size_t)(dot - dir);
		}
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const char *d = b->tests[b->by_dir[mid]].dir;
			int c = strncmp(d, dir, len);
			if (c == 0 && d[len])
				c = 1;
			if (c < 0)
				lo = mid + 1;
			else if (c > 0)
				hi = mid;
			else
				return b->by_dir[mid];
		}
	}
	return b->ntests;
}

/* The tests of the data set: those with a data directory, and those that ran without
 * writing any (listed by combine in endings.txt), sorted by name. */
static void read_tests(struct pertest_feed *b)
{
	struct buffer endings = {0};
	struct endings_index *ended;
	struct test_list tsv;
	size_t cap = 0;

	endings_load_list(b->c, &endings);
	if (testname_load(b->c->data_dir, b->run, &tsv) < 0) {
		buf_free(&endings);
		return;
	}
	ended = endings_index_make(&endings);
	for (size_t k = 0; k < tsv.n; k++) {
		char *dir = xasprintf("%s/tests/%s", b->run, tsv.v[k].dir);
		int ran = is_dir(dir), listed = endings_index_listed(ended, tsv.v[k].name);

		free(dir);
		if (!ran && listed < 0)
			continue;
		if (b->ntests == cap) {
			cap = cap ? 2 * cap : 64;
			b->tests = xreallocarray(b->tests, cap, sizeof *b->tests);
		}
		b->tests[b->ntests++] = (struct test){xstrdup(tsv.v[k].dir), xstrdup(tsv.v[k].name),
						       listed > 0};
	}
	testname_free(&tsv);
	endings_index_free(ended);
	buf_free(&endings);
	/* A test listed twice (configure time and again by the run) is one test. */
	if (b->ntests > 1) /* qsort() must not be given NULL, even with nothing to sort */
		qsort(b->tests, b->ntests, sizeof *b->tests, cmp_test);
	{
		size_t k = 0;
		for (size_t i = 0; i < b->ntests; i++) {
			if (k && !strcmp(b->tests[k - 1].dir, b->tests[i].dir)) {
				free(b->tests[i].dir);
				free(b->tests[i].name);
				continue;
			}
			b->tests[k++] = b->tests[i];
		}
		b->ntests = k;
	}
	b->by_dir = xreallocarray(NULL, b->ntests + 1, sizeof *b->by_dir);
	for (size_t i = 0; i < b->ntests; i++)
		b->by_dir[i] = i;
	sort_tests = b->tests;
	if (b->ntests > 1)
		qsort(b->by_dir, b->ntests, sizeof *b->by_dir, cmp_by_dir);
}

struct collect {
	struct pertest_feed *b;
};

static void collect_input(struct pertest_feed *b, const struct data_file *f)
{
	const char *rel = f->rel, *slash = strchr(rel, '/'), *object;
	size_t k;

	if (!slash || !ends_with(rel, ".gcda"))
		return;
	if (endings_snapshot_file(b->run, rel, &object) == 0)
		return;
	k = test_of_dir(b, rel, (size_t)(slash - rel));
	if (k == b->ntests)
		return; /* a directory no test names: not counted by combine's report either */
	b->in = xreallocarray(b->in, b->nin + 1, sizeof *b->in);
	b->in[b->nin++] = (struct input){k, xstrdup(object), f};
}

static int cmp_input(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	if (x->test != y->test)
		return x->test < y->test ? -1 : 1;
	return strcmp(x->object, y->object);
}

static int cmp_object(const void *a, const void *b)
{
	return strcmp(((const struct object *)a)->rel, ((const struct object *)b)->rel);
}

static char *real_or_norm(const char *cwd, const char *name)
{
	char buf[PATH_MAX], *joined = name[0] == '/' ? xstrdup(name) : path_join(cwd, name);
	if (realpath_cached(joined, buf)) {
		free(joined);
		return xstrdup(buf);
	}
	return joined;
}

static void load_object(struct pertest_feed *b, struct object *o)
{
	char *gcno = xasprintf("%s/%.*s.gcno", b->c->build_dir, (int)(strlen(o->rel) - 5), o->rel);
	const struct gcno_cached *g = gcno_cached(gcno);

	o->loaded = 1;
	if (!g->ok) {
		o->why = xasprintf("%s: %s: %s", o->rel, gcno, g->err);
		o->unusable = 1;
	} else {
		o->g = &g->o;
		o->file = xcalloc(o->g->n_files ? o->g->n_files : 1, sizeof *o->file);
		for (size_t i = 0; i < o->g->n_files; i++) {
			char *abs = real_or_norm(o->g->cwd, o->g->files[i]);
			o->file[i] = find_file(b->cd, b->slots, b->nslots, abs);
			free(abs);
		}
	}
	free(gcno);
}

static void hexname(struct buffer *out, const char *s)
{
	for (; *s; s++)
		buf_printf(out, "%02x", (unsigned char)*s);
}

/* Sets of tests are shared by many lines: numbered once, found again by hash. */
struct sets {
	const struct line_tests **v;
	size_t n, cap;
	size_t *slots, nslots;
};

static uint64_t set_hash(const struct line_tests *t)
{
	uint64_t h = 1469598103934665603ULL;
	for (uint32_t i = 0; i < t->n; i++)
		h = (h ^ t->v[i]) * 1099511628211ULL;
	return h;
}

static size_t set_id(struct sets *s, const struct line_tests *t)
{
	size_t k;
	if (!t || !t->n)
		return 0;
	if (2 * (s->n + 1) > s->nslots) {
		free(s->slots);
		s->nslots = s->nslots ? 2 * s->nslots : 1024;
		s->slots = xcalloc(s->nslots, sizeof *s->slots);
		for (size_t i = 0; i < s->n; i++) {
			k = set_hash(s->v[i]) & (s->nslots - 1);
			while (s->slots[k])
				k = (k + 1) & (s->nslots - 1);
			s->slots[k] = i + 1;
		}
	}
	for (k = set_hash(t) & (s->nslots - 1); s->slots[k]; k = (k + 1) & (s->nslots - 1)) {
		const struct line_tests *o = s->v[s->slots[k] - 1];
		if (o->n == t->n && !memcmp(o->v, t->v, t->n * sizeof *t->v))
			return s->slots[k];
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = t;
	s->slots[k] = s->n;
	return s->n;
}

static int write_outputs(struct pertest_feed *b, int lcov)
{
	struct buffer body = {0}, head = {0};
	struct buffer *per = lcov ? xcalloc(b->ntests ? b->ntests : 1, sizeof *per) : NULL;
	size_t *last_file = lcov ? xcalloc(b->ntests ? b->ntests : 1, sizeof *last_file) : NULL;
	struct sets sets = {0};
	/* tests.json written directly, as json-c's json_object_to_json_string_ext(PLAIN |
	 * NOSLASHESCAPE) wrote it: a tree of a million json-c objects cost a fifth of report. */
	struct buffer js = {0};
	char *store = path_join(b->c->data_dir, PERTEST_STORE);
	char *json = path_join(b->c->output_dir, PERTEST_JSON);
	int ret = 0;

	buf_printf(&head, "parcov-tests 1\n");
	buf_printf(&js, "{\"format\":\"parcov-tests-1\",\"tests\":[");
	for (size_t t = 0; t < b->ntests; t++) {
		buf_printf(&head, "T %s ", b->tests[t].partial ? "partial" : "ok");
		hexname(&head, b->tests[t].name);
		buf_add(&head, "\n", 1);
		buf_printf(&js, "%s{\"name\":", t ? "," : "");
		json_c_string(&js, b->tests[t].name);
		buf_printf(&js, ",\"partial\":%s}", b->tests[t].partial ? "true" : "false");
	}
	buf_printf(&js, "],\"files\":[");
	for (size_t i = 0; i < b->cd->n; i++) {
		const struct cov_file *f = b->cd->files[i];
		long first = 0, last = 0;
		size_t cur = 0;
		int any = 0;

		buf_printf(&js, "%s{\"file\":", i ? "," : "");
		json_c_string(&js, f->name);
		buf_printf(&js, ",\"lines\":{");

		buf_printf(&body, "F %s\t%s\n", f->path, f->name);
		for (long n = 1; n <= (long)f->nlines; n++) {
			int in = n < (long)f->nlines && is_report_line(f, n);
			const struct line_tests *lt = in && b->lines[i] ? &b->lines[i][n] : NULL;
			size_t id = in ? set_id(&sets, lt) : 0;
			if (first && (!in || n != last + 1 || id != cur)) {
				buf_printf(&body, "L %ld %ld %zu\n", first, last, cur);
				first = 0;
			}
			if (!in)
				continue;
			if (!first)
				first = n, cur = id;
			last = n;
			buf_str(&js, any++ ? ",\"" : "\"");
			buf_num(&js, n);
			buf_str(&js, "\":[");
			{
				for (uint32_t k = 0; lt && k < lt->n; k++) {
					uint32_t t = lt->v[k];
					if (k)
						buf_add(&js, ",", 1);
					buf_num(&js, (int)t);
					if (!per)
						continue;
					if (last_file[t] != i + 1) {
						if (last_file[t])
							buf_printf(&per[t], "end_of_record\n");
						buf_printf(&per[t], "SF:%s\n", f->path);
						last_file[t] = i + 1;
					}
					buf_printf(&per[t], "DA:%ld,1\n", n);
				}
				buf_add(&js, "]", 1);
			}
		}
		buf_add(&js, "}}", 2);
	}
	buf_add(&js, "]}", 2);
	for (size_t s = 0; s < sets.n; s++) {
		buf_add(&head, "S", 1);
		for (uint32_t k = 0; k < sets.v[s]->n; k++)
			buf_printf(&head, " %u", sets.v[s]->v[k]);
		buf_add(&head, "\n", 1);
	}
	buf_add(&head, body.data ? body.data : "", body.len);
	if (write_file_unsynced(store, head.data, head.len) < 0) {
		error("cannot write %s:", store);
		ret = -1;
	}
	if (ret == 0 && (mkdirs(b->c->output_dir, 0777) < 0 ||
			 write_file_unsynced(json, js.data, js.len) < 0)) {
		error("cannot write %s:", json);
		ret = -1;
	}
	if (ret == 0 && per) {
		/* lcov's convention (geninfo --test-name, genhtml --show-details): one TN: section
		 * per test. Counts are 1: which tests ran a line, not how often. */
		char *info = path_join(b->c->output_dir, PERTEST_LCOV);
		struct buffer all = {0};
		for (size_t t = 0; t < b->ntests; t++) {
			if (!per[t].len)
				continue;
			buf_printf(&all, "TN:%s\n", b->tests[t].name);
			buf_add(&all, per[t].data, per[t].len);
			buf_printf(&all, "end_of_record\n");
		}
		if (write_file_unsynced(info, all.data ? all.data : "", all.len) < 0) {
			error("cannot write %s:", info);
			ret = -1;
		}
		buf_free(&all);
		free(info);
	}
	for (size_t t = 0; per && t < b->ntests; t++)
		buf_free(&per[t]);
	free(per);
	free(last_file);
	buf_free(&js);
	buf_free(&head);
	buf_free(&body);
	free(sets.v);
	free(sets.slots);
	free(store);
	free(json);
	return ret;
}

/* One input's solved lines (solve_input()). */
struct solved {
	struct object *o;
	struct mark {
		uint32_t file, line;
	} *v;
	size_t n, cap;
	char *why;   /* a message to print (per-test coverage leaves it out, or part of it) */
	int counted; /* shown in the progress, as the serial loop did */
};

struct solving {
	struct pertest_feed *b;
	struct object *objs;
	size_t nobj;
	struct solved *r;
};

static void keep_mark(void *ctx, uint32_t file, uint32_t line)
{
	struct solved *r = ctx;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n++] = (struct mark){file, line};
}

static void solve_input(void *ctx, size_t i)
{
	struct solving *sv = ctx;
	struct object key = {.rel = sv->b->in[i].object};
	const struct data_file *f = sv->b->in[i].file;
	struct solved *r = &sv->r[i];
	struct gcda_file d;
	char err[512];

	r->o = bsearch(&key, sv->objs, sv->nobj, sizeof *sv->objs, cmp_object);
	if (r->o->unusable)
		return;
	if (!f->data.data) {
		r->why = xstrdup(strerror(f->read_errno));
		return;
	}
	if (gcda_parse((const unsigned char *)f->data.data, f->data.len, &d, err, sizeof err) < 0) {
		r->why = xstrdup(err);
		return;
	}
	if (gcda_matches_gcno(&d, r->o->g->version, r->o->g->stamp, 0) &&
	    gcno_executed_lines(r->o->g, &d, keep_mark, r, err, sizeof err) < 0)
		r->why = xstrdup(err);
	gcda_free(&d);
	r->counted = 1;
}

/* The gcov backend's source: each test's .gcda files solved on the objects' graphs. */
static int gcov_source(struct pertest_feed *b, void *ctx)
{
	struct object *objs = NULL;
	size_t nobj = 0;
	char *tests = path_join(b->run, "tests");
	const struct data_file *files;
	size_t nfiles;
	int ret = 0;

	(void)ctx;
	/* The files the stale check read (gcov.c), or read now. */
	if (data_files(tests, ".gcda", &files, &nfiles) < 0) {
		error("cannot read all the data of %s (see above): no per-test coverage written", b->run);
		ret = -1;
	}
	for (size_t i = 0; i < nfiles; i++)
		collect_input(b, &files[i]);
	endings_forget();
	if (b->nin > 1)
		qsort(b->in, b->nin, sizeof *b->in, cmp_input);
	/* The distinct objects, sorted, for a binary search per input. */
	for (size_t i = 0; i < b->nin; i++) {
		objs = xreallocarray(objs, nobj + 1, sizeof *objs);
		memset(&objs[nobj], 0, sizeof *objs);
		objs[nobj++].rel = b->in[i].object;
	}
	if (nobj > 1)
		qsort(objs, nobj, sizeof *objs, cmp_object);
	{
		size_t k = 0;
		for (size_t i = 0; i < nobj; i++)
			if (!k || strcmp(objs[k - 1].rel, objs[i].rel))
				objs[k++] = objs[i];
		nobj = k;
	}
	if (ret == 0) {
		/* Each input solved on every processor into its list of lines, then the lists
		 * applied (and messages printed) in input order, as one pass would. */
		struct solving sv = {b, objs, nobj, xcalloc(b->nin ? b->nin : 1, sizeof *sv.r)};
		for (size_t i = 0; i < nobj; i++)
			load_object(b, &objs[i]);
		parallel_for(b->nin, solve_input, &sv);
		for (size_t i = 0; i < b->nin; i++) {
			struct solved *r = &sv.r[i];
			if (r->o->unusable && !r->o->told++)
				warn("per-test coverage leaves out %s", r->o->why);
			if (r->why)
				warn("per-test coverage leaves out %s: %s", b->in[i].file->path, r->why);
			for (size_t k = 0; k < r->n; k++)
				add_line(b, r->o->file[r->v[k].file], r->v[k].line, (uint32_t)b->in[i].test);
			if (r->counted)
				progress(i + 1, b->nin, "per-test coverage");
			free(r->v);
			free(r->why);
		}
		free(sv.r);
	}
	for (size_t i = 0; i < nobj; i++) {
		free(objs[i].file);
		free(objs[i].why);
	}
	free(objs);
	for (size_t i = 0; i < b->nin; i++)
		free(b->in[i].object);
	free(b->in);
	data_files_forget();
	free(tests);
	return ret;
}

int pertest_build(const struct config *c, const struct covdata *cd, int lcov)
{
	return pertest_build_from(c, cd, lcov, gcov_source, NULL);
}

int pertest_build_from(const struct config *c, const struct covdata *cd, int lcov,
		       pertest_source *source, void *ctx)
{
	struct pertest_feed b = {0};
	char *run = runs_latest_with_data(c);
	int ret;

	if (!run)
		return 0;
	b.c = c;
	b.cd = cd;
	b.run = run;
	b.slots = index_files(cd, &b.nslots);
	b.lines = xcalloc(cd->n ? cd->n : 1, sizeof *b.lines);
	read_tests(&b);
	ret = source(&b, ctx);
	if (ret == 0)
		ret = write_outputs(&b, lcov);

	for (size_t i = 0; i < cd->n; i++) {
		if (!b.lines[i])
			continue;
		for (size_t n = 0; n < cd->files[i]->nlines; n++)
			free(b.lines[i][n].v);
		free(b.lines[i]);
	}
	free(b.lines);
	for (size_t t = 0; t < b.ntests; t++) {
		free(b.tests[t].dir);
		free(b.tests[t].name);
	}
	free(b.tests);
	free(b.by_dir);
	free(b.slots);
	free(run);
	return ret;
}

const char *pertest_feed_run(const struct pertest_feed *f)
{
	return f->run;
}

size_t pertest_feed_ntests(const struct pertest_feed *f)
{
	return f->ntests;
}

size_t pertest_feed_test_of(const struct pertest_feed *f, const char *rel)
{
	const char *slash = strchr(rel, '/');
	return slash ? test_of_dir(f, rel, (size_t)(slash - rel)) : f->ntests;
}

void pertest_feed_partial(struct pertest_feed *f, size_t test)
{
	f->tests[test].partial = 1;
}

void pertest_feed_line(struct pertest_feed *f, size_t test, const char *path, long line)
{
	add_line(f, find_file(f->cd, f->slots, f->nslots, path), line, (uint32_t)test);
}

/* ---- reading ----------------------------------------------------------------------- */

struct run_rec {
	long first, last;
	size_t set;
};

struct pt_file {
	char *path, *name;
	struct run_rec *runs;
	size_t n;
};

struct pt_set {
	const char **names; /* sorted */
	size_t n;
};

struct pertest {
	char **names;
	int *partial;
	size_t ntests;
	struct pt_set *sets; /* sets[0]: empty */
	size_t nsets;
	struct pt_file *files;
	size_t nfiles;
	size_t *slots, nslots; /* files by absolute path and by report name: index + 1 */
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct pertest *pertest_load(const struct config *c)
{
	char *path = path_join(c->data_dir, PERTEST_STORE);
	struct buffer b = {0};
	struct pertest *pt;
	char *line, *next;
	int lineno = 0, bad = 0;

	if (read_file(path, &b) < 0) {
		error("no per-test coverage in %s (%s:%m): run the tests, then the coverage target "
		      "(with PARALLEL_COVERAGE_PER_TEST=ON)", c->build_dir, path);
		free(path);
		return NULL;
	}
	pt = xcalloc(1, sizeof *pt);
	pt->sets = xcalloc(1, sizeof *pt->sets);
	pt->nsets = 1;
	for (line = b.data; line && *line && !bad; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (lineno == 1) {
			bad = strcmp(line, "parcov-tests 1") != 0;
		} else if (line[0] == 'T' && line[1] == ' ') {
			char *hex = strchr(line + 2, ' '), *name;
			size_t len;
			if (!hex || hex_decode(hex + 1, &name, &len) < 0) {
				bad = 1;
				break;
			}
			pt->names = xreallocarray(pt->names, pt->ntests + 1, sizeof *pt->names);
			pt->partial = xreallocarray(pt->partial, pt->ntests + 1, sizeof *pt->partial);
			pt->names[pt->ntests] = name;
			pt->partial[pt->ntests++] = !strncmp(line + 2, "partial ", 8);
		} else if (line[0] == 'S') {
			struct pt_set s = {0};
			char *p = line + 1, *end;
			for (;;) {
				unsigned long t = strtoul(p, &end, 10);
				if (end == p)
					break;
				if (t >= pt->ntests) {
					bad = 1;
					break;
				}
				s.names = xreallocarray(s.names, s.n + 1, sizeof *s.names);
				s.names[s.n++] = pt->names[t];
				p = end;
			}
			if (s.n > 1)
				qsort(s.names, s.n, sizeof *s.names, cmp_name);
			pt->sets = xreallocarray(pt->sets, pt->nsets + 1, sizeof *pt->sets);
			pt->sets[pt->nsets++] = s;
		} else if (line[0] == 'F' && line[1] == ' ') {
			char *tab = strchr(line + 2, '\t');
			if (!tab) {
				bad = 1;
				break;
			}
			*tab = '\0';
			pt->files = xreallocarray(pt->files, pt->nfiles + 1, sizeof *pt->files);
			pt->files[pt->nfiles++] = (struct pt_file){xstrdup(line + 2), xstrdup(tab + 1), NULL, 0};
		} else if (line[0] == 'L' && pt->nfiles) {
			struct pt_file *f = &pt->files[pt->nfiles - 1];
			struct run_rec r;
			/* strtol, not sscanf: a store has a line per run of lines (a tenth of the
			 * report's main thread went to sscanf). */
			char *p = line + 1, *e1, *e2, *e3;
			r.first = strtol(p, &e1, 10);
			r.last = strtol(e1, &e2, 10);
			r.set = (size_t)strtoul(e2, &e3, 10);
			if (e1 == p || e2 == e1 || e3 == e2 || r.set >= pt->nsets) {
				bad = 1;
				break;
			}
			if ((f->n & (f->n - 1)) == 0) /* 0, 1, 2, 4...: the capacity doubles */
				f->runs = xreallocarray(f->runs, f->n ? 2 * f->n : 1, sizeof *f->runs);
			f->runs[f->n++] = r;
		} else {
			bad = 1;
		}
	}
	buf_free(&b);
	/* Writers look up every line of every file (HTML): index the files by both keys. */
	for (pt->nslots = 16; pt->nslots < 4 * pt->nfiles + 4; pt->nslots *= 2)
		;
	pt->slots = xcalloc(pt->nslots, sizeof *pt->slots);
	for (size_t i = 0; i < pt->nfiles; i++)
		for (int k = 0; k < 2; k++) {
			const char *key = k ? pt->files[i].name : pt->files[i].path;
			size_t h = hash(key) & (pt->nslots - 1);
			while (pt->slots[h])
				h = (h + 1) & (pt->nslots - 1);
			pt->slots[h] = i + 1;
		}
	if (bad) {
		error("%s:%d: not a per-test coverage store this parcov can read: run the coverage "
		      "target again", path, lineno);
		pertest_free(pt);
		pt = NULL;
	}
	free(path);
	return pt;
}

void pertest_free(struct pertest *pt)
{
	if (!pt)
		return;
	for (size_t i = 0; i < pt->ntests; i++)
		free(pt->names[i]);
	for (size_t i = 0; i < pt->nsets; i++)
		free(pt->sets[i].names);
	for (size_t i = 0; i < pt->nfiles; i++) {
		free(pt->files[i].path);
		free(pt->files[i].name);
		free(pt->files[i].runs);
	}
	free(pt->names);
	free(pt->partial);
	free(pt->sets);
	free(pt->files);
	free(pt->slots);
	free(pt);
}

static const struct pt_file *lookup(const struct pertest *pt, const char *key)
{
	for (size_t h = hash(key) & (pt->nslots - 1); pt->slots[h]; h = (h + 1) & (pt->nslots - 1)) {
		const struct pt_file *f = &pt->files[pt->slots[h] - 1];
		if (!strcmp(f->path, key) || !strcmp(f->name, key))
			return f;
	}
	return NULL;
}

static const struct pt_file *file_of(const struct pertest *pt, const char *path)
{
	char buf[PATH_MAX];
	const struct pt_file *f = lookup(pt, path);
	/* An absolute path through a symbolic link names the file the report resolved. */
	if (!f && path[0] == '/' && realpath_cached(path, buf))
		f = lookup(pt, buf);
	return f;
}

static const struct run_rec *run_of(const struct pt_file *f, long line)
{
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (f->runs[mid].last < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n && f->runs[lo].first <= line ? &f->runs[lo] : NULL;
}

int pertest_tests_for_line(const struct pertest *pt, const char *path, long line,
			   const char *const **names, size_t *n)
{
	const struct pt_file *f = file_of(pt, path);
	const struct run_rec *r;

	*names = NULL;
	*n = 0;
	if (!f)
		return -1;
	r = run_of(f, line);
	if (!r)
		return 0;
	*names = pt->sets[r->set].names;
	*n = pt->sets[r->set].n;
	return 1;
}

long pertest_nearest_line(const struct pertest *pt, const char *path, long line, int dir)
{
	const struct pt_file *f = file_of(pt, path);
	if (!f)
		return 0;
	for (size_t i = 0; i < f->n; i++) {
		const struct run_rec *r = dir < 0 ? &f->runs[f->n - 1 - i] : &f->runs[i];
		if (dir < 0 && r->first <= line)
			return r->last < line ? r->last : line;
		if (dir > 0 && r->last >= line)
			return r->first > line ? r->first : line;
	}
	return 0;
}

size_t pertest_n_tests(const struct pertest *pt)
{
	return pt->ntests;
}

const char *pertest_test_name(const struct pertest *pt, size_t i)
{
	return pt->names[i];
}

int pertest_test_partial(const struct pertest *pt, size_t i)
{
	return pt->partial[i];
}

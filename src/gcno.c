#define _GNU_SOURCE
#include "gcno.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gcda.h"
#include "util.h"

#define TAG_BLOCKS 0x01410000u
#define TAG_ARCS 0x01430000u
#define TAG_LINES 0x01450000u
#define ARC_ON_TREE 1u
#define ARC_FAKE 2u
#define ARC_FALLTHROUGH 4u

enum flavor { GCC12, GCC11, CLANG };

struct rd {
	const unsigned char *p;
	size_t len, pos;
	enum flavor fl;
	int bad;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t word(struct rd *r)
{
	uint32_t v;
	if (r->pos + 4 > r->len) {
		r->bad = 1;
		r->pos = r->len;
		return 0;
	}
	memcpy(&v, r->p + r->pos, 4);
	r->pos += 4;
	return v;
}

/* A string, or NULL for an empty one; points into the image, which keeps its NUL. */
static const char *string(struct rd *r)
{
	uint32_t n = word(r);
	size_t bytes = r->fl == GCC12 ? n : (size_t)n * 4;
	const char *s;
	if (r->bad || bytes == 0)
		return NULL;
	if (bytes > r->len - r->pos || memchr(r->p + r->pos, '\0', bytes) == NULL) {
		r->bad = 1;
		r->pos = r->len;
		return NULL;
	}
	s = (const char *)r->p + r->pos;
	r->pos += bytes;
	return s;
}

static uint32_t file_index(struct gcno_object *o, const char *name)
{
	/* Few files per object, and consecutive blocks name the same one: search from the end. */
	for (size_t i = o->n_files; i-- > 0;)
		if (!strcmp(o->files[i], name))
			return (uint32_t)i;
	o->files = xreallocarray(o->files, o->n_files + 1, sizeof *o->files);
	o->files[o->n_files] = xstrdup(name);
	return (uint32_t)o->n_files++;
}

/* Block lines arrive as one record per block, in any order: kept as (block, line) pairs
 * while reading, sorted by block at the end of the function. */
struct pending_line {
	uint32_t block;
	struct gcno_line l;
	size_t seq;
};

static void end_run(struct pending_line *pl, size_t start, size_t end)
{
	uint32_t max = 0;
	for (size_t i = start; i < end; i++)
		if (pl[i].l.line > max)
			max = pl[i].l.line;
	for (size_t i = start; i < end; i++)
		if (pl[i].l.line == max)
			pl[i].l.last = 1;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending_line *x = a, *y = b;
	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Block counts from the counted arcs: a block's count is the sum of its incoming arcs and of
 * its outgoing ones; whenever one side is all known the block is, and a known block with one
 * unknown arc on a side gives that arc. The spanning tree guarantees this ends with every
 * count known (gcov's solve_flow_graph does the same with work lists). Which arcs and blocks
 * become known, and when, depends on the graph alone, never on the counts. scratch: n_arcs
 * counts and n_arcs bytes (the caller's, one allocation per object rather than per
 * function). Returns 0, or -1 if some block stays unknown. */
static int solve(const struct gcno_function *f, const uint64_t *counters, uint64_t *block,
		 unsigned char *known, uint64_t *arc, unsigned char *aknown)
{
	size_t na = f->n_arcs, k = 0, nb = f->n_blocks, left;
	int changed = 1;

	memset(aknown, 0, na);
	for (size_t i = 0; i < na; i++)
		if (!f->arcs[i].on_tree) {
			arc[i] = counters ? counters[k++] : 0;
			aknown[i] = 1;
		}
	memset(known, 0, nb);
	while (changed) {
		changed = 0;
		for (size_t b = 0; b < nb; b++) {
			uint64_t in = 0, out = 0;
			size_t nin = 0, nout = 0, uin = 0, uout = 0, lin = 0, lout = 0;
			for (size_t j = f->in_start[b]; j < f->in_start[b + 1]; j++) {
				size_t i = f->in_arc[j];
				nin++;
				if (aknown[i])
					in += arc[i];
				else
					uin++, lin = i;
			}
			for (size_t j = f->out_start[b]; j < f->out_start[b + 1]; j++) {
				size_t i = f->out_arc[j];
				nout++;
				if (aknown[i])
					out += arc[i];
				else
					uout++, lout = i;
			}
			if (!known[b]) {
				if (nin && !uin)
					block[b] = in, known[b] = 1, changed = 1;
				else if (nout && !uout)
					block[b] = out, known[b] = 1, changed = 1;
				else if (!nin && b != 0)
					/* No way in (code after a call that never returns): never ran. */
					block[b] = 0, known[b] = 1, changed = 1;
			}
			if (known[b] && uin == 1) {
				arc[lin] = block[b] >= in ? block[b] - in : 0;
				aknown[lin] = 1;
				changed = 1;
			}
			if (known[b] && uout == 1) {
				arc[lout] = block[b] >= out ? block[b] - out : 0;
				aknown[lout] = 1;
				changed = 1;
			}
		}
	}
	for (left = 0; left < nb && known[left]; left++)
		;
	return left == nb ? 0 : -1;
}

static void finish_function(struct gcno_function *f, struct pending_line *pl, size_t n, enum flavor fl)
{
	size_t i, b;

	/* Clang's spanning tree (LLVM's CFGMST) includes a virtual arc from the exit block (1)
	 * back to the entry (0), which its .gcno leaves out: without it the other tree arcs
	 * cannot always be solved. llvm-cov gcov adds it back the same way. */
	if (fl == CLANG && f->n_blocks >= 2) {
		f->arcs = xreallocarray(f->arcs, f->n_arcs + 1, sizeof *f->arcs);
		f->arcs[f->n_arcs++] = (struct gcno_arc){1, 0, 1, 0, 0};
	}
	if (n > 1) /* qsort() must not be given NULL, even with nothing to sort */
		qsort(pl, n, sizeof *pl, cmp_pending);
	f->line_start = xcalloc((size_t)f->n_blocks + 1, sizeof *f->line_start);
	f->lines = xreallocarray(NULL, n ? n : 1, sizeof *f->lines);
	f->n_lines = 0;
	for (i = 0, b = 0; b <= f->n_blocks; b++) {
		f->line_start[b] = f->n_lines;
		for (; i < n && pl[i].block == b && b < f->n_blocks; i++)
			f->lines[f->n_lines++] = pl[i].l;
	}
	for (i = 0; i < f->n_arcs; i++)
		if (!f->arcs[i].on_tree)
			f->n_counted++;
	/* Arcs by destination and by source (CSR), for the solver. */
	f->in_start = xcalloc((size_t)f->n_blocks + 2, sizeof *f->in_start);
	f->out_start = xcalloc((size_t)f->n_blocks + 2, sizeof *f->out_start);
	f->in_arc = xreallocarray(NULL, f->n_arcs + 1, sizeof *f->in_arc);
	f->out_arc = xreallocarray(NULL, f->n_arcs + 1, sizeof *f->out_arc);
	for (i = 0; i < f->n_arcs; i++) {
		f->in_start[f->arcs[i].dst + 2]++;
		f->out_start[f->arcs[i].src + 2]++;
	}
	for (b = 2; b <= (size_t)f->n_blocks + 1; b++) {
		f->in_start[b] += f->in_start[b - 1];
		f->out_start[b] += f->out_start[b - 1];
	}
	for (i = 0; i < f->n_arcs; i++) {
		f->in_arc[f->in_start[f->arcs[i].dst + 1]++] = i;
		f->out_arc[f->out_start[f->arcs[i].src + 1]++] = i;
	}
	{
		size_t na = f->n_arcs ? f->n_arcs : 1, nb = f->n_blocks ? f->n_blocks : 1;
		uint64_t *v = xreallocarray(NULL, na + nb, sizeof *v);
		unsigned char *kn = xmalloc(na + nb);
		/* All counters zero: the graph alone decides (see solve()). */
		f->unsolvable = solve(f, NULL, v + na, kn + na, v, kn) < 0;
		free(v);
		free(kn);
	}
}

static int cmp_line(const void *a, const void *b)
{
	const struct gcno_line *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* GCC's gcov: a line some block ends (not the entry block 0 nor the last block, which gcov
 * takes for the exit) runs when one of those blocks runs; any other line when any block on it
 * does. Marks each block line that makes its line run. */
static void gcc_line_rule(struct gcno_object *o)
{
	struct gcno_line *ends = NULL;
	size_t n = 0;

	for (size_t i = 0; i < o->n_fn; i++) {
		const struct gcno_function *f = &o->fn[i];
		for (uint32_t b = 1; b + 1 < f->n_blocks; b++)
			for (size_t l = f->line_start[b]; l < f->line_start[b + 1]; l++)
				if (f->lines[l].last) {
					ends = xreallocarray(ends, n + 1, sizeof *ends);
					ends[n++] = f->lines[l];
				}
	}
	if (n > 1)
		qsort(ends, n, sizeof *ends, cmp_line);
	for (size_t i = 0; i < o->n_fn; i++) {
		struct gcno_function *f = &o->fn[i];
		for (uint32_t b = 0; b < f->n_blocks; b++)
			for (size_t l = f->line_start[b]; l < f->line_start[b + 1]; l++) {
				struct gcno_line *e = &f->lines[l];
				int ended = n && bsearch(e, ends, n, sizeof *ends, cmp_line) != NULL;
				e->counts = !ended || (e->last && b != 0 && b + 1 != f->n_blocks);
			}
	}
	free(ends);
}

int gcno_parse(const unsigned char *data, size_t len, struct gcno_object *o, char *err, size_t errlen)
{
	struct rd r = {data, len, 0, GCC12, 0};
	struct gcno_function *f = NULL;
	struct pending_line *pl = NULL;
	size_t npl = 0, cap_pl = 0, seq = 0;
	uint32_t unit, src_end = 0; /* above the highest source block of f's arcs so far */

	memset(o, 0, sizeof *o);
	if (word(&r) != GCNO_MAGIC)
		return fail(err, errlen, "not a .gcno file (bad magic)");
	o->version = word(&r);
	if (o->version == GCDA_VERSION_LLVM)
		r.fl = CLANG;
	else if ((o->version & 0xffff0000u) == 0x42320000u)
		r.fl = GCC12;
	else if ((o->version & 0xffff0000u) == 0x42310000u)
		r.fl = GCC11;
	else
		return fail(err, errlen, "a .gcno of a GCC version parcov cannot read (0x%08x; GCC 11, 12 "
			    "and Clang's are read)", o->version);
	o->stamp = word(&r);
	if (r.fl == GCC12)
		word(&r); /* checksum */
	if (r.fl != CLANG) {
		const char *cwd = string(&r);
		o->cwd = xstrdup(cwd ? cwd : "");
		o->has_unexecuted_blocks = word(&r) != 0;
	} else {
		o->cwd = xstrdup("");
	}
	unit = r.fl == GCC12 ? 1 : 4;
	while (!r.bad && r.pos + 8 <= r.len) {
		uint32_t tag = word(&r), length = word(&r);
		size_t end;
		if (tag == 0)
			break;
		if ((size_t)length * unit > r.len - r.pos) {
			r.bad = 1;
			break;
		}
		end = r.pos + (size_t)length * unit;
		if (tag == GCDA_TAG_FUNCTION) {
			const char *name;
			if (f)
				finish_function(f, pl, npl, r.fl);
			npl = 0;
			src_end = 0;
			/* Doubling at powers of two: a realloc per record cost a tenth of parsing. */
			if (!(o->n_fn & (o->n_fn - 1)))
				o->fn = xreallocarray(o->fn, o->n_fn ? 2 * o->n_fn : 4, sizeof *o->fn);
			f = &o->fn[o->n_fn++];
			memset(f, 0, sizeof *f);
			f->ident = word(&r);
			f->lineno_checksum = word(&r);
			f->cfg_checksum = word(&r);
			name = string(&r);
			if (r.fl != CLANG) {
				const char *src;
				f->name = xstrdup(name ? name : "");
				f->artificial = word(&r) != 0;
				src = string(&r);
				f->src = file_index(o, src ? src : "<unknown>");
				f->start_line = word(&r);
				f->start_column = word(&r);
				f->end_line = word(&r);
				f->end_column = word(&r);
			}
		} else if (tag == TAG_BLOCKS && f) {
			f->n_blocks = r.fl == CLANG ? length : word(&r);
		} else if (tag == TAG_ARCS && f) {
			uint32_t src = word(&r);
			/* Records come by increasing source block: the look for a second record of
			 * one block (quadratic in the arcs of a function) only when one is out of
			 * order. */
			for (size_t i = 0; src < src_end && i < f->n_arcs; i++)
				if (f->arcs[i].src == src)
					o->odd = 1;
			while (!r.bad && r.pos + 8 <= end) {
				uint32_t dst = word(&r), flags = word(&r);
				if (src >= f->n_blocks || dst >= f->n_blocks) {
					r.bad = 1;
					break;
				}
				if (!(f->n_arcs & (f->n_arcs - 1)))
					f->arcs = xreallocarray(f->arcs, f->n_arcs ? 2 * f->n_arcs : 4, sizeof *f->arcs);
				f->arcs[f->n_arcs++] = (struct gcno_arc){src, dst, (flags & ARC_ON_TREE) != 0,
									 (flags & ARC_FAKE) != 0,
									 (flags & ARC_FALLTHROUGH) != 0};
				if (src >= src_end)
					src_end = src + 1;
			}
		} else if (tag == TAG_LINES && f) {
			uint32_t block = word(&r), file = UINT32_MAX;
			size_t run_start = npl;
			int first = 0;
			if (block >= f->n_blocks)
				r.bad = 1;
			while (!r.bad && r.pos < end) {
				uint32_t line = word(&r);
				if (line == 0) {
					const char *s = string(&r);
					/* A file's run of lines ends: gcov sorts it and files the block under
					 * its last (highest) line. */
					end_run(pl, run_start, npl);
					if (file != UINT32_MAX && run_start == npl)
						o->odd = 1; /* a location without lines */
					run_start = npl;
					if (!s)
						break;
					file = file_index(o, s);
					first = 1;
					continue;
				}
				if (file == UINT32_MAX) {
					r.bad = 1;
					break;
				}
				if (npl == cap_pl) {
					cap_pl = cap_pl ? 2 * cap_pl : 64;
					pl = xreallocarray(pl, cap_pl, sizeof *pl);
				}
				pl[npl++] = (struct pending_line){block, {file, line, 0, 1, (unsigned char)first}, seq++};
				first = 0;
			}
			end_run(pl, run_start, npl);
		}
		if (r.pos > end)
			r.bad = 1;
		r.pos = end;
	}
	if (f)
		finish_function(f, pl, npl, r.fl);
	free(pl);
	if (r.bad) {
		gcno_free(o);
		return fail(err, errlen, "damaged .gcno (a record runs past its end)");
	}
	if (r.fl != CLANG)
		gcc_line_rule(o);
	for (size_t i = 0; i < o->n_fn; i++) {
		if (o->fn[i].n_arcs > o->max_arcs)
			o->max_arcs = o->fn[i].n_arcs;
		if (o->fn[i].n_blocks > o->max_blocks)
			o->max_blocks = o->fn[i].n_blocks;
	}
	return 0;
}

int gcno_load(const char *path, struct gcno_object *o, char *err, size_t errlen)
{
	struct buffer b = {0};
	int ret;
	if (read_file(path, &b) < 0) {
		memset(o, 0, sizeof *o);
		return fail(err, errlen, "cannot read: %m");
	}
	ret = gcno_parse((const unsigned char *)b.data, b.len, o, err, errlen);
	buf_free(&b);
	return ret;
}

/* The shared .gcno files: a table of entries (util.h), each loaded by the first thread that
 * asks for it while the others wait for that one. */
struct gcno_entry {
	char *path;
	int ready;
	struct gcno_cached c;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct str_table t;
} gcno_cache = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, {NULL, 0, 0}};

static void gcno_entry_load(const char *path, struct gcno_cached *c)
{
	struct buffer b = {0};
	uint32_t checksum;

	if (read_file(path, &b) < 0) {
		int e = errno;
		snprintf(c->err, sizeof c->err, "cannot read: %s", strerror(e));
		snprintf(c->header_err, sizeof c->header_err, "%s", strerror(e));
		return;
	}
	c->header_ok = gcno_parse_header((const unsigned char *)b.data, b.len, &c->version, &c->stamp,
					 &checksum, c->header_err, sizeof c->header_err) == 0;
	c->ok = gcno_parse((const unsigned char *)b.data, b.len, &c->o, c->err, sizeof c->err) == 0;
	buf_free(&b);
}

const struct gcno_cached *gcno_cached(const char *path)
{
	struct gcno_entry *e, **slot;

	pthread_mutex_lock(&gcno_cache.mu);
	slot = (struct gcno_entry **)str_table_slot(&gcno_cache.t, path, strlen(path));
	if ((e = *slot)) {
		while (!e->ready)
			pthread_cond_wait(&gcno_cache.cv, &gcno_cache.mu);
		pthread_mutex_unlock(&gcno_cache.mu);
		return &e->c;
	}
	e = xcalloc(1, sizeof *e);
	e->path = xstrdup(path);
	*slot = e;
	gcno_cache.t.n++;
	pthread_mutex_unlock(&gcno_cache.mu);
	gcno_entry_load(path, &e->c);
	pthread_mutex_lock(&gcno_cache.mu);
	e->ready = 1;
	pthread_cond_broadcast(&gcno_cache.cv);
	pthread_mutex_unlock(&gcno_cache.mu);
	return &e->c;
}

static void free_gcno_entry(void *p)
{
	struct gcno_entry *e = p;
	gcno_free(&e->c.o);
	free(e->path);
	free(e);
}

void gcno_cache_forget(void)
{
	pthread_mutex_lock(&gcno_cache.mu);
	str_table_free(&gcno_cache.t, free_gcno_entry);
	pthread_mutex_unlock(&gcno_cache.mu);
}

void gcno_free(struct gcno_object *o)
{
	for (size_t i = 0; i < o->n_files; i++)
		free(o->files[i]);
	for (size_t i = 0; i < o->n_fn; i++) {
		free(o->fn[i].arcs);
		free(o->fn[i].name);
		free(o->fn[i].line_start);
		free(o->fn[i].lines);
		free(o->fn[i].in_start);
		free(o->fn[i].out_start);
		free(o->fn[i].in_arc);
		free(o->fn[i].out_arc);
	}
	free(o->files);
	free(o->fn);
	free(o->cwd);
	memset(o, 0, sizeof *o);
}

int gcno_executed_lines(const struct gcno_object *o, const struct gcda_file *d,
			void (*mark)(void *ctx, uint32_t file, uint32_t line), void *ctx,
			char *err, size_t errlen)
{
	size_t hint = 0, na = o->max_arcs ? o->max_arcs : 1, nb = o->max_blocks ? o->max_blocks : 1;
	/* The solver's scratch for every function of o: block and arc counts, then whether
	 * each is known. */
	uint64_t *v = NULL;
	unsigned char *kn = NULL;
	int ret = 0;

	for (size_t i = 0; i < d->n_functions && ret == 0; i++) {
		const struct gcda_function *g = &d->functions[i];
		const struct gcno_function *f = NULL;
		uint64_t *block;
		uint32_t k;

		if (!g->emitted)
			continue;
		/* Both files list functions in the same order: look from the last match on. */
		for (size_t c = 0; c < o->n_fn && !f; c++) {
			const struct gcno_function *h = &o->fn[(hint + c) % o->n_fn];
			if (h->ident == g->ident && h->cfg_checksum == g->cfg_checksum &&
			    h->lineno_checksum == g->lineno_checksum) {
				f = h;
				hint = (hint + c + 1) % o->n_fn;
			}
		}
		if (!f) {
			ret = fail(err, errlen, "function %u is not in the .gcno (another build of the object)",
				   g->ident);
			break;
		}
		if (f->n_counted != g->n_arcs) {
			ret = fail(err, errlen, "function %u has %u counters, its graph %u", g->ident,
				   g->n_arcs, f->n_counted);
			break;
		}
		if (f->artificial || f->n_blocks == 0)
			continue;
		/* All counters zero (most functions in one test's data): every count solve()
		 * finds is a sum or a difference clamped at 0 of zeros, so no block ran and no
		 * line is marked. Whether it could be solved is the graph's (f->unsolvable). */
		for (k = 0; k < g->n_arcs && !g->arcs[k]; k++)
			;
		if (k == g->n_arcs && !f->unsolvable)
			continue;
		if (!v) {
			v = xreallocarray(NULL, na + nb, sizeof *v);
			kn = xmalloc(na + nb);
		}
		block = v + na;
		if (solve(f, g->arcs, block, kn + na, v, kn) < 0) {
			ret = fail(err, errlen, "the flow graph of function %u cannot be solved", g->ident);
			break;
		}
		for (uint32_t b = 0; b < f->n_blocks; b++)
			if (block[b] > 0)
				for (size_t l = f->line_start[b]; l < f->line_start[b + 1]; l++)
					if (f->lines[l].counts)
						mark(ctx, f->lines[l].file, f->lines[l].line);
	}
	free(v);
	free(kn);
	return ret;
}

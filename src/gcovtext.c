#define _GNU_SOURCE
#include "gcovtext.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gcda.h"
#include "gcno.h"
#include "util.h"

/* The names below follow gcov.cc's (arc_info, block_info, line_info, function_info,
 * source_info) so that each step can be read next to the function it reproduces. Blocks
 * and arcs of all functions live in two arrays; a function's blocks are contiguous, so
 * comparing indices is gcov's comparing of block pointers. */

struct vec {
	uint32_t *v;
	size_t n, cap;
};

static void vec_push(struct vec *a, uint32_t x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 4;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = x;
}

static int vec_has(const struct vec *a, uint32_t x)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == x)
			return 1;
	return 0;
}

#define NONE UINT32_MAX

struct arc {
	int64_t count, cs_count;
	uint32_t src, dst, succ_next, pred_next;
	unsigned count_valid : 1, on_tree : 1, fake : 1, fall_through : 1, is_throw : 1,
		is_call_non_return : 1, is_unconditional : 1;
};

struct block {
	int64_t count, num_succ, num_pred;
	uint32_t succ, pred, chain;
	unsigned count_valid : 1, valid_chain : 1, invalid_chain : 1, exceptional : 1,
		is_call_site : 1, is_call_return : 1;
};

struct line {
	int64_t count;
	struct vec branches, blocks;
	unsigned exists : 1, unexceptional : 1, has_unexecuted_block : 1;
};

/* One block's run of lines in one file (gcov's block_location_info). */
struct location {
	uint32_t block, file;
	uint32_t *lines;
	size_t n;
};

struct fn {
	const struct gcno_function *g;
	uint32_t src;          /* its source (index in gt.src) */
	uint32_t first;        /* its block 0 in the block array */
	int64_t *counts;
	int is_group, has_catch, added;
	uint32_t blocks_executed;
	struct location *loc;
	size_t n_loc;
	struct line *lines;    /* group functions: lines start_line..end_line */
	size_t n_lines;
};

struct source {
	char *name;            /* canonical, as gcov names it */
	struct line *lines;
	size_t n_lines;
	struct vec fns;        /* functions added to it, in order */
	size_t n_linesum;      /* gcov's coverage.lines: whether it is printed */
};

struct gt {
	const struct gcno_object *o;
	struct fn *fn;
	struct block *b;
	struct arc *a;
	size_t n_blocks, n_arcs;
	struct source *src;    /* one per canonical name, in the order gcov meets them */
	size_t n_src;
	uint32_t *map;         /* o->files[i] is src[map[i]] */
	int no_data_file;
	char *why;
	size_t whylen;
	int declined;
	struct buffer *msgs; /* what gcov would print on stderr (the expected kinds) */
};

static int decline(struct gt *t, const char *fmt, ...)
{
	va_list ap;
	if (t->declined)
		return -1;
	va_start(ap, fmt);
	vsnprintf(t->why, t->whylen, fmt, ap);
	va_end(ap);
	t->declined = 1;
	return -1;
}

/* ---- demangling ----------------------------------------------------------------------- */

/* gcov calls libiberty's cplus_demangle(name, DMGL_PARAMS); libstdc++'s __cxa_demangle is
 * the same code (cp-demangle.c) for "_Z" names, found at run time so parcov links no C++
 * library. Names gcov's demangler would read another way (Rust, old-style global
 * constructors) make us decline. */
typedef char *cxa_demangle_fn(const char *, char *, size_t *, int *);
static cxa_demangle_fn *cxa_demangle;
static pthread_once_t demangle_once = PTHREAD_ONCE_INIT;

static void demangle_init(void)
{
	void *h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);
	if (h)
		cxa_demangle = (cxa_demangle_fn *)dlsym(h, "__cxa_demangle");
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* The demangled name (malloc'd), or NULL when we cannot say what gcov prints. */
static char *demangle(const char *name)
{
	size_t len = strlen(name);
	int status = 0;
	char *d;

	if (!strncmp(name, "_R", 2) || (!strncmp(name, "_GLOBAL_", 8) && len > 10 &&
					 (name[8] == '.' || name[8] == '_' || name[8] == '$') &&
					 (name[9] == 'D' || name[9] == 'I') && name[10] == '_'))
		return NULL;
	if (strncmp(name, "_Z", 2) != 0)
		return xstrdup(name);
	/* Legacy Rust symbols are "_ZN...17h<16 hex digits>E": libiberty tries Rust first. */
	if (len > 20 && name[len - 1] == 'E' && !strncmp(name + len - 20, "17h", 3)) {
		int hex = 1;
		for (size_t i = len - 17; i < len - 1; i++)
			hex &= is_hex(name[i]);
		if (hex)
			return NULL;
	}
	pthread_once(&demangle_once, demangle_init);
	if (!cxa_demangle)
		return NULL;
	d = cxa_demangle(name, NULL, NULL, &status);
	if (status == 0 && d)
		return d;
	free(d);
	return xstrdup(name); /* gcov prints the mangled name when demangling fails */
}

/* ---- reading: gcov.cc read_graph_file and read_count_file ------------------------------- */

/* gcov.cc canonicalize_name(): "." elided, ".." elided with the component before it when
 * the path so far exists (stat), repeated separators merged. */
static char *canonicalize_name(const char *name)
{
	char *result = xmalloc(strlen(name) + 1), *ptr = result, *dd_base = result;
	const char *base = name, *probe;
	int slash = 0;

	for (; *base; base = probe) {
		size_t len;
		for (probe = base; *probe && *probe != '/'; probe++)
			;
		len = (size_t)(probe - base);
		if (len == 1 && base[0] == '.') {
		} else if (len == 2 && base[0] == '.' && base[1] == '.') {
			struct stat st;
			*ptr = 0;
			if (dd_base == ptr || stat(result, &st) || S_ISLNK(st.st_mode)) {
				dd_base = ptr + 2 + slash;
				goto regular;
			}
			while (ptr != dd_base && *ptr != '/')
				ptr--;
			slash = ptr != result;
		} else {
		regular:
			if (slash)
				*ptr++ = '/';
			memcpy(ptr, base, len);
			ptr += len;
			slash = 1;
		}
		while (*probe == '/')
			probe++;
	}
	*ptr = 0;
	return result;
}

/* gcov.cc find_source(): names that canonicalise alike are one source. */
static void find_sources(struct gt *t)
{
	const struct gcno_object *o = t->o;
	t->src = xcalloc(o->n_files ? o->n_files : 1, sizeof *t->src);
	t->map = xcalloc(o->n_files ? o->n_files : 1, sizeof *t->map);
	for (size_t i = 0; i < o->n_files; i++) {
		char *canon = canonicalize_name(o->files[i]);
		size_t k;
		for (k = 0; k < t->n_src && strcmp(t->src[k].name, canon); k++)
			;
		if (k == t->n_src)
			t->src[t->n_src++].name = canon;
		else
			free(canon);
		t->map[i] = (uint32_t)k;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int build_graph(struct gt *t)
{
	const struct gcno_object *o = t->o;
	size_t nb = 0, na = 0;

	for (size_t i = 0; i < o->n_fn; i++) {
		nb += o->fn[i].n_blocks;
		na += o->fn[i].n_arcs;
	}
	t->fn = xcalloc(o->n_fn ? o->n_fn : 1, sizeof *t->fn);
	t->b = xcalloc(nb ? nb : 1, sizeof *t->b);
	t->a = xcalloc(na ? na : 1, sizeof *t->a);
	t->n_blocks = nb;
	t->n_arcs = na;
	nb = na = 0;
	for (size_t i = 0; i < o->n_fn; i++) {
		const struct gcno_function *g = &o->fn[i];
		struct fn *f = &t->fn[i];
		uint32_t *succ_tail, *pred_tail;

		f->g = g;
		f->src = t->map[g->src];
		f->first = (uint32_t)nb;
		if (g->n_blocks < 2)
			return decline(t, "function '%s' lacks entry or exit blocks", g->name);
		succ_tail = xcalloc(g->n_blocks, sizeof *succ_tail);
		pred_tail = xcalloc(g->n_blocks, sizeof *pred_tail);
		for (uint32_t b = 0; b < g->n_blocks; b++) {
			t->b[nb + b].succ = t->b[nb + b].pred = t->b[nb + b].chain = NONE;
			succ_tail[b] = pred_tail[b] = NONE;
		}
		/* Successors in the order of the record, predecessors in the order the arcs were
		 * read (gcov builds both reversed and reverses them in solve_flow_graph). */
		for (size_t k = 0; k < g->n_arcs; k++) {
			const struct gcno_arc *ga = &g->arcs[k];
			struct arc *a = &t->a[na + k];
			uint32_t id = (uint32_t)(na + k), s = (uint32_t)nb + ga->src, d = (uint32_t)nb + ga->dst;
			a->src = s;
			a->dst = d;
			a->succ_next = a->pred_next = NONE;
			a->on_tree = ga->on_tree != 0;
			a->fake = ga->fake;
			a->fall_through = ga->fallthrough;
			if (succ_tail[ga->src] == NONE)
				t->b[s].succ = id;
			else
				t->a[succ_tail[ga->src]].succ_next = id;
			succ_tail[ga->src] = id;
			if (pred_tail[ga->dst] == NONE)
				t->b[d].pred = id;
			else
				t->a[pred_tail[ga->dst]].pred_next = id;
			pred_tail[ga->dst] = id;
			t->b[s].num_succ++;
			t->b[d].num_pred++;
			if (a->fake) {
				if (ga->src) {
					t->b[s].is_call_site = 1;
					a->is_call_non_return = 1;
				}
				/* else a non-local return (setjmp): nothing gcov prints depends on it. */
			}
		}
		/* A block with a fake exit: its other non-fall-through exits go to catch handlers. */
		for (uint32_t b = 1; b < g->n_blocks; b++) {
			int catches = 0;
			for (uint32_t k = t->b[nb + b].succ; k != NONE; k = t->a[k].succ_next)
				catches |= t->a[k].fake;
			if (catches)
				for (uint32_t k = t->b[nb + b].succ; k != NONE; k = t->a[k].succ_next)
					if (!t->a[k].fake && !t->a[k].fall_through) {
						t->a[k].is_throw = 1;
						f->has_catch = 1;
					}
		}
		free(succ_tail);
		free(pred_tail);
		f->counts = xcalloc(g->n_counted ? g->n_counted : 1, sizeof *f->counts);
		/* Locations: each file's run of lines in a block's records. */
		for (uint32_t b = 0; b < g->n_blocks; b++)
			for (size_t l = g->line_start[b]; l < g->line_start[b + 1]; l++) {
				struct location *lc;
				if (g->lines[l].run_start || l == g->line_start[b]) {
					if (!(f->n_loc & (f->n_loc - 1)))
						f->loc = xreallocarray(f->loc, f->n_loc ? 2 * f->n_loc : 4, sizeof *f->loc);
					lc = &f->loc[f->n_loc++];
					memset(lc, 0, sizeof *lc);
					lc->block = b;
					lc->file = t->map[g->lines[l].file];
				}
				lc = &f->loc[f->n_loc - 1];
				if (!(lc->n & (lc->n - 1)))
					lc->lines = xreallocarray(lc->lines, lc->n ? 2 * lc->n : 4, sizeof *lc->lines);
				lc->lines[lc->n++] = g->lines[l].line;
			}
		nb += g->n_blocks;
		na += g->n_arcs;
	}
	return 0;
}

static int read_counts(struct gt *t, const struct gcda_file *d)
{
	const struct gcno_object *o = t->o;
	for (size_t i = 0; i < d->n_functions; i++) {
		const struct gcda_function *g = &d->functions[i];
		struct fn *f = NULL;
		if (!g->emitted)
			continue;
		/* gcov's ident_to_fn keeps the last function of an ident. */
		for (size_t k = o->n_fn; k-- > 0 && !f;)
			if (o->fn[k].ident == g->ident)
				f = &t->fn[k];
		if (!f)
			continue;
		if (f->g->lineno_checksum != g->lineno_checksum || f->g->cfg_checksum != g->cfg_checksum)
			return decline(t, "profile mismatch for '%s'", f->g->name);
		if (f->g->n_counted != g->n_arcs)
			return decline(t, "'%s' has %u counters, its graph %u", f->g->name, g->n_arcs,
				       f->g->n_counted);
		for (uint32_t k = 0; k < g->n_arcs; k++)
			f->counts[k] += (int64_t)g->arcs[k];
	}
	return 0;
}

/* ---- solving: gcov.cc solve_flow_graph and find_exception_blocks ------------------------ */

static void push_chain(struct gt *t, uint32_t *head, uint32_t b, int valid)
{
	t->b[b].chain = *head;
	if (valid)
		t->b[b].valid_chain = 1;
	else
		t->b[b].invalid_chain = 1;
	*head = b;
}

static int solve_flow_graph(struct gt *t, struct fn *f)
{
	uint32_t n = f->g->n_blocks, first = f->first;
	uint32_t valid_blocks = NONE, invalid_blocks = NONE;
	size_t ci = 0;
	struct block *entry = &t->b[first], *exit_ = &t->b[first + 1];

	if (entry->num_pred)
		return decline(t, "'%s' has arcs to its entry block", f->g->name);
	entry->num_pred = (int64_t)~(unsigned)0;
	if (exit_->num_succ)
		return decline(t, "'%s' has arcs from its exit block", f->g->name);
	exit_->num_succ = (int64_t)~(unsigned)0;

	for (uint32_t i = 0; i < n; i++) {
		struct block *blk = &t->b[first + i];
		uint32_t prev_dst = NONE;
		int out_of_order = 0, non_fake_succ = 0;
		for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next) {
			struct arc *a = &t->a[k];
			if (!a->fake)
				non_fake_succ++;
			if (!a->on_tree) {
				a->count = f->counts[ci++];
				a->count_valid = 1;
				blk->num_succ--;
				t->b[a->dst].num_pred--;
			}
			if (prev_dst != NONE && prev_dst > a->dst)
				out_of_order = 1;
			prev_dst = a->dst;
		}
		if (non_fake_succ == 1)
			for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next) {
				struct arc *a = &t->a[k];
				if (a->fake)
					continue;
				a->is_unconditional = 1;
				if (blk->is_call_site && a->fall_through && t->b[a->dst].pred == k &&
				    a->pred_next == NONE)
					t->b[a->dst].is_call_return = 1;
			}
		if (out_of_order) {
			/* gcov's bubble sort of the successors by destination (stable). */
			uint32_t start = blk->succ;
			int changes = 1;
			while (changes) {
				uint32_t k = start, p = NONE, nx;
				changes = 0;
				while ((nx = t->a[k].succ_next) != NONE) {
					if (t->a[k].dst > t->a[nx].dst) {
						changes = 1;
						if (p != NONE)
							t->a[p].succ_next = nx;
						else
							start = nx;
						t->a[k].succ_next = t->a[nx].succ_next;
						t->a[nx].succ_next = k;
						p = nx;
					} else {
						p = k;
						k = nx;
					}
				}
			}
			blk->succ = start;
		}
		push_chain(t, &invalid_blocks, first + i, 0);
	}

	while (invalid_blocks != NONE || valid_blocks != NONE) {
		uint32_t bi;
		while ((bi = invalid_blocks) != NONE) {
			struct block *blk = &t->b[bi];
			int64_t total = 0;
			invalid_blocks = blk->chain;
			blk->invalid_chain = 0;
			if (!blk->num_succ)
				for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next)
					total += t->a[k].count;
			else if (!blk->num_pred)
				for (uint32_t k = blk->pred; k != NONE; k = t->a[k].pred_next)
					total += t->a[k].count;
			else
				continue;
			blk->count = total;
			blk->count_valid = 1;
			push_chain(t, &valid_blocks, bi, 1);
		}
		while ((bi = valid_blocks) != NONE) {
			struct block *blk = &t->b[bi];
			valid_blocks = blk->chain;
			blk->valid_chain = 0;
			if (blk->num_succ == 1) {
				int64_t total = blk->count;
				uint32_t inv = NONE;
				struct block *dst;
				for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next) {
					total -= t->a[k].count;
					if (!t->a[k].count_valid)
						inv = k;
				}
				if (inv == NONE)
					return decline(t, "the graph of '%s' is inconsistent", f->g->name);
				dst = &t->b[t->a[inv].dst];
				t->a[inv].count_valid = 1;
				t->a[inv].count = total;
				blk->num_succ--;
				dst->num_pred--;
				if (dst->count_valid) {
					if (dst->num_pred == 1 && !dst->valid_chain)
						push_chain(t, &valid_blocks, t->a[inv].dst, 1);
				} else if (!dst->num_pred && !dst->invalid_chain) {
					push_chain(t, &invalid_blocks, t->a[inv].dst, 0);
				}
			}
			if (blk->num_pred == 1) {
				int64_t total = blk->count;
				uint32_t inv = NONE;
				struct block *src;
				for (uint32_t k = blk->pred; k != NONE; k = t->a[k].pred_next) {
					total -= t->a[k].count;
					if (!t->a[k].count_valid)
						inv = k;
				}
				if (inv == NONE)
					return decline(t, "the graph of '%s' is inconsistent", f->g->name);
				src = &t->b[t->a[inv].src];
				t->a[inv].count_valid = 1;
				t->a[inv].count = total;
				blk->num_pred--;
				src->num_succ--;
				if (src->count_valid) {
					if (src->num_succ == 1 && !src->valid_chain)
						push_chain(t, &valid_blocks, t->a[inv].src, 1);
				} else if (!src->num_succ && !src->invalid_chain) {
					push_chain(t, &invalid_blocks, t->a[inv].src, 0);
				}
			}
		}
	}
	for (uint32_t i = 0; i < n; i++)
		if (!t->b[first + i].count_valid)
			return decline(t, "the graph of '%s' cannot be solved", f->g->name);
	return 0;
}

static void find_exception_blocks(struct gt *t, struct fn *f)
{
	uint32_t n = f->g->n_blocks, first = f->first, sp = 1;
	uint32_t *queue = xcalloc(n + 1, sizeof *queue);
	for (uint32_t i = 0; i < n; i++)
		t->b[first + i].exceptional = 1;
	queue[0] = first;
	t->b[first].exceptional = 0;
	while (sp) {
		uint32_t bi = queue[--sp];
		for (uint32_t k = t->b[bi].succ; k != NONE; k = t->a[k].succ_next) {
			struct arc *a = &t->a[k];
			if (!a->fake && !a->is_throw && t->b[a->dst].exceptional) {
				t->b[a->dst].exceptional = 0;
				queue[sp++] = a->dst;
			}
		}
	}
	free(queue);
}

/* ---- gcov.cc process_all_functions -------------------------------------------------------- */

static int group_line_p(const struct fn *f, uint32_t n, uint32_t src)
{
	return f->is_group && f->src == src && f->g->start_line <= n && n <= f->g->end_line;
}

static void resize_lines(struct line **v, size_t *n, size_t want)
{
	if (want <= *n)
		return;
	*v = xreallocarray(*v, want, sizeof **v);
	memset(*v + *n, 0, (want - *n) * sizeof **v);
	*n = want;
}

static int cmp_group_key(const void *x, const void *y, void *ctx)
{
	const struct gt *t = ctx;
	const struct fn *a = &t->fn[*(const uint32_t *)x], *b = &t->fn[*(const uint32_t *)y];
	if (a->src != b->src)
		return a->src < b->src ? -1 : 1;
	return a->g->start_line < b->g->start_line ? -1 : a->g->start_line > b->g->start_line;
}

static int process_all_functions(struct gt *t)
{
	const struct gcno_object *o = t->o;
	uint32_t *idx = xcalloc(o->n_fn ? o->n_fn : 1, sizeof *idx);
	size_t m = 0;

	/* Group functions: several (not artificial) starting on one line of one source. */
	for (uint32_t i = 0; i < o->n_fn; i++)
		if (!o->fn[i].artificial)
			idx[m++] = i;
	qsort_r(idx, m, sizeof *idx, cmp_group_key, t);
	for (size_t i = 0; i + 1 < m; i++)
		if (!cmp_group_key(&idx[i], &idx[i + 1], t))
			t->fn[idx[i]].is_group = t->fn[idx[i + 1]].is_group = 1;
	free(idx);

	for (uint32_t i = 0; i < o->n_fn; i++) {
		struct fn *f = &t->fn[i];
		if (f->g->artificial || !(f->g->n_counted || t->no_data_file))
			continue;
		f->added = 1;
		vec_push(&t->src[f->src].fns, i);
		for (size_t l = 0; l < f->n_loc; l++) {
			struct location *lc = &f->loc[l];
			struct source *s = &t->src[lc->file];
			qsort(lc->lines, lc->n, sizeof *lc->lines, cmp_u32);
			resize_lines(&s->lines, &s->n_lines, (size_t)lc->lines[lc->n - 1] + 1);
		}
		if (f->is_group) {
			if (f->g->end_line < f->g->start_line)
				return decline(t, "'%s' ends before it starts", f->g->name);
			resize_lines(&f->lines, &f->n_lines, (size_t)f->g->end_line - f->g->start_line + 1);
		}
		if (solve_flow_graph(t, f) < 0)
			return -1;
		if (f->has_catch)
			find_exception_blocks(t, f);
	}
	return 0;
}

/* ---- gcov.cc add_line_counts, accumulate_line_counts, get_cycles_count ------------------ */

static int add_line_counts(struct gt *t, struct fn *f, const char *graph)
{
	uint32_t n = f->g->n_blocks;
	if (!f->n_loc) {
		char *name = demangle(f->g->name);
		if (!name)
			return decline(t, "gcov's demangler may read '%s' another way", f->g->name);
		buf_printf(t->msgs, "%s:no lines for '%s'\n", graph, name);
		free(name);
	}
	for (uint32_t ix = 0; ix < n; ix++) {
		struct block *blk = &t->b[f->first + ix];
		if (blk->count && ix && ix + 1 != n)
			f->blocks_executed++;
	}
	for (size_t l = 0; l < f->n_loc; l++) {
		const struct location *lc = &f->loc[l];
		uint32_t ix = lc->block;
		struct block *blk = &t->b[f->first + ix];
		struct line *line = NULL;
		for (size_t j = 0; j < lc->n; j++) {
			uint32_t ln = lc->lines[j];
			if (group_line_p(f, ln, lc->file)) {
				if (ln - f->g->start_line >= f->n_lines)
					return decline(t, "gcov would stop on '%s' (a group without lines)",
						       f->g->name);
				line = &f->lines[ln - f->g->start_line];
			} else {
				struct source *s = &t->src[lc->file];
				if (ln >= s->n_lines)
					return decline(t, "gcov would stop on '%s' (a line past its file)",
						       f->g->name);
				line = &s->lines[ln];
			}
			line->exists = 1;
			if (!blk->exceptional) {
				line->unexceptional = 1;
				if (blk->count == 0)
					line->has_unexecuted_block = 1;
			}
			line->count += blk->count;
		}
		if (ix && ix + 1 != n && line) {
			vec_push(&line->blocks, f->first + ix);
			for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next)
				vec_push(&line->branches, k);
		}
	}
	return 0;
}

/* Hawick and James' circuit enumeration, as gcov.cc's circuit() does it: `blocked` and
 * `lists` are parallel vectors (erasing from one erases the same index of the other). */
struct cyc {
	struct gt *t;
	const struct line *line;
	struct vec path, blocked;
	struct vec *lists;
	size_t n_lists, cap_lists;
	int64_t count;
};

static size_t find_idx(const struct vec *a, uint32_t x)
{
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i] == x)
			return i;
	return a->n;
}

static void unblock(struct cyc *c, uint32_t u)
{
	size_t i = find_idx(&c->blocked, u);
	struct vec to;
	if (i == c->blocked.n)
		return;
	memmove(c->blocked.v + i, c->blocked.v + i + 1, (c->blocked.n - i - 1) * sizeof *c->blocked.v);
	c->blocked.n--;
	to = c->lists[i];
	memmove(c->lists + i, c->lists + i + 1, (c->n_lists - i - 1) * sizeof *c->lists);
	c->n_lists--;
	for (size_t k = 0; k < to.n; k++)
		unblock(c, to.v[k]);
	free(to.v);
}

static int circuit(struct cyc *c, uint32_t v, uint32_t start)
{
	struct gt *t = c->t;
	int found = 0;

	vec_push(&c->blocked, v);
	if (c->n_lists == c->cap_lists) {
		c->cap_lists = c->cap_lists ? 2 * c->cap_lists : 8;
		c->lists = xreallocarray(c->lists, c->cap_lists, sizeof *c->lists);
	}
	memset(&c->lists[c->n_lists++], 0, sizeof *c->lists);
	for (uint32_t k = t->b[v].succ; k != NONE; k = t->a[k].succ_next) {
		uint32_t w = t->a[k].dst;
		if (w < start || t->a[k].cs_count <= 0 || !vec_has(&c->line->blocks, w))
			continue;
		vec_push(&c->path, k);
		if (w == start) {
			int64_t m = INT64_MAX;
			for (size_t i = 0; i < c->path.n; i++)
				if (t->a[c->path.v[i]].cs_count < m)
					m = t->a[c->path.v[i]].cs_count;
			c->count += m;
			for (size_t i = 0; i < c->path.n; i++)
				t->a[c->path.v[i]].cs_count -= m;
			found = 1;
		} else {
			int zero = 0;
			for (size_t i = 0; i < c->path.n; i++)
				zero |= t->a[c->path.v[i]].cs_count <= 0;
			if (!zero && !vec_has(&c->blocked, w))
				found |= circuit(c, w, start);
		}
		c->path.n--;
	}
	if (found) {
		unblock(c, v);
	} else {
		for (uint32_t k = t->b[v].succ; k != NONE; k = t->a[k].succ_next) {
			uint32_t w = t->a[k].dst;
			size_t i;
			if (w < start || t->a[k].cs_count <= 0 || !vec_has(&c->line->blocks, w))
				continue;
			i = find_idx(&c->blocked, w);
			if (i < c->blocked.n && !vec_has(&c->lists[i], v))
				vec_push(&c->lists[i], v);
		}
	}
	return found;
}

static int64_t get_cycles_count(struct gt *t, const struct line *line)
{
	struct cyc c = {.t = t, .line = line};
	for (size_t i = 0; i < line->blocks.n; i++) {
		c.path.n = c.blocked.n = 0;
		for (size_t k = 0; k < c.n_lists; k++)
			free(c.lists[k].v);
		c.n_lists = 0;
		circuit(&c, line->blocks.v[i], line->blocks.v[i]);
	}
	for (size_t k = 0; k < c.n_lists; k++)
		free(c.lists[k].v);
	free(c.lists);
	free(c.path.v);
	free(c.blocked.v);
	return c.count;
}

static void accumulate_line_info(struct gt *t, struct line *line, struct source *s)
{
	if (line->blocks.n) {
		int64_t count = 0;
		for (size_t i = 0; i < line->blocks.n; i++) {
			const struct block *blk = &t->b[line->blocks.v[i]];
			for (uint32_t k = blk->pred; k != NONE; k = t->a[k].pred_next)
				if (!vec_has(&line->blocks, t->a[k].src))
					count += t->a[k].count;
			for (uint32_t k = blk->succ; k != NONE; k = t->a[k].succ_next)
				t->a[k].cs_count = t->a[k].count;
		}
		count += get_cycles_count(t, line);
		line->count = count;
	}
	if (line->exists)
		s->n_linesum++;
}

static void accumulate_line_counts(struct gt *t, uint32_t si)
{
	struct source *s = &t->src[si];
	for (size_t i = 0; i < s->fns.n; i++) {
		struct fn *f = &t->fn[s->fns.v[i]];
		if (f->src != si || !f->is_group)
			continue;
		for (size_t l = 0; l < f->n_lines; l++)
			accumulate_line_info(t, &f->lines[l], s);
	}
	for (size_t l = 0; l < s->n_lines; l++)
		accumulate_line_info(t, &s->lines[l], s);
	for (size_t i = 0; i < s->fns.n; i++) {
		struct fn *f = &t->fn[s->fns.v[i]];
		if (f->src != si || !f->is_group)
			continue;
		for (size_t l = 0; l < f->n_lines; l++) {
			struct line *fl = &f->lines[l], *sl;
			if (!fl->exists)
				continue;
			/* The group's lines were sized from its locations: a line past them
			 * exists in the function only. */
			resize_lines(&s->lines, &s->n_lines, f->g->start_line + l + 1);
			sl = &s->lines[f->g->start_line + l];
			if (!sl->exists)
				s->n_linesum++;
			sl->count += fl->count;
			sl->exists = 1;
			if (fl->has_unexecuted_block)
				sl->has_unexecuted_block = 1;
			if (fl->unexceptional)
				sl->unexceptional = 1;
		}
	}
}

/* ---- gcov.cc output_lines ----------------------------------------------------------------- */

/* format_gcov(top, bottom, 0): gcov computes the ratio in float. */
static void percent(struct buffer *out, int64_t top, int64_t bottom)
{
	float ratio = bottom ? 100.0f * (float)top / (float)bottom : 0;
	if (ratio > 0.0f && ratio < 0.5f)
		ratio = 1.0f;
	buf_printf(out, "%.0f%%", (double)ratio);
}

/* Digits of v ending at end, returning where they start. */
static char *put_decimal(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* gcov's "%9s:%5u" of the count and the line number, one buf_add per line: it runs for every
 * line of every source of every object, where snprintf and buf_printf showed in profiles. */
static void line_beginning(struct buffer *out, const struct line *line, uint32_t num, int unexec_flag)
{
	char s[64], n[16], *e = s + 32, *p = e, *q, *d;
	size_t w;
	if (line->exists) {
		if (line->count > 0) {
			if (line->has_unexecuted_block && unexec_flag)
				*--p = '*';
			p = put_decimal(p, (uint64_t)line->count);
		} else {
			p -= 5;
			memcpy(p, line->unexceptional ? "#####" : "=====", 5);
		}
	} else {
		*--p = '-';
	}
	for (w = (size_t)(e - p); w < 9; w++)
		*--p = ' ';
	*e = ':';
	q = put_decimal(n + sizeof n, num);
	w = (size_t)(n + sizeof n - q);
	d = e + 1;
	for (; w < 5; w++)
		*d++ = ' ';
	memcpy(d, q, (size_t)(n + sizeof n - q));
	d += n + sizeof n - q;
	buf_add(out, p, (size_t)(d - p));
}

static void line_details(struct gt *t, struct buffer *out, const struct line *line)
{
	int ix = 0;
	for (size_t i = 0; i < line->branches.n; i++) {
		const struct arc *a = &t->a[line->branches.v[i]];
		int64_t sc = t->b[a->src].count;
		if (a->is_call_non_return) {
			if (sc)
				buf_printf(out, "call   %2d returned %" PRId64 "\n", ix, sc - a->count);
			else
				buf_printf(out, "call   %2d never executed\n", ix);
		} else if (!a->is_unconditional) {
			if (sc)
				buf_printf(out, "branch %2d taken %" PRId64 "%s\n", ix, a->count,
					   a->fall_through ? " (fallthrough)" : a->is_throw ? " (throw)" : "");
			else
				buf_printf(out, "branch %2d never executed\n", ix);
		} else {
			continue;
		}
		ix++;
	}
}

static void function_details(struct gt *t, struct buffer *out, struct fn *f, const char *name)
{
	const struct block *entry = &t->b[f->first], *exit_ = &t->b[f->first + 1];
	int64_t ret = exit_->count, called = entry->count;
	for (uint32_t k = exit_->pred; k != NONE; k = t->a[k].pred_next)
		if (t->a[k].fake)
			ret -= t->a[k].count;
	buf_printf(out, "function %s called %" PRId64 " returned ", name, called);
	percent(out, ret, called);
	buf_add(out, " blocks executed ", 17);
	percent(out, f->blocks_executed, (int64_t)f->g->n_blocks - 2);
	buf_add(out, "\n", 1);
}

struct srclines {
	const char **line;
	size_t *len;
	size_t n;
};

static int read_source(const char *path, struct srclines *sl)
{
	/* Read once for every object including it and for the HTML (util.h). */
	const struct source_file *sf = source_file(path, 1);
	const char *p, *end;
	size_t cap = 0;
	if (sf->read_errno)
		return -1;
	if (memchr(sf->text.data, '\0', sf->text.len))
		return 1;
	p = sf->text.data;
	end = p + sf->text.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		if (sl->n == cap) {
			cap = cap ? 2 * cap : 256;
			sl->line = xreallocarray(sl->line, cap, sizeof *sl->line);
			sl->len = xreallocarray(sl->len, cap, sizeof *sl->len);
		}
		sl->line[sl->n] = p;
		sl->len[sl->n++] = (size_t)(e - p);
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* The functions starting on a line, ordered by column exactly as gcov's std::sort leaves
 * them (functions of one template often share the column, and std::sort is not stable):
 * libstdc++'s introsort, step by step. */
struct colsort {
	struct gt *t;
	uint32_t *v;
};

static int col_less(const struct colsort *c, uint32_t a, uint32_t b)
{
	return c->t->fn[a].g->start_column < c->t->fn[b].g->start_column;
}

static void col_swap(uint32_t *v, size_t i, size_t j)
{
	uint32_t x = v[i];
	v[i] = v[j];
	v[j] = x;
}

/* __unguarded_linear_insert */
static void linear_insert(const struct colsort *c, size_t last)
{
	uint32_t val = c->v[last];
	size_t next = last - 1;
	while (col_less(c, val, c->v[next])) {
		c->v[last] = c->v[next];
		last = next--;
	}
	c->v[last] = val;
}

/* __insertion_sort */
static void insertion_sort(const struct colsort *c, size_t first, size_t last)
{
	if (first == last)
		return;
	for (size_t i = first + 1; i != last; i++) {
		if (col_less(c, c->v[i], c->v[first])) {
			uint32_t val = c->v[i];
			memmove(c->v + first + 1, c->v + first, (i - first) * sizeof *c->v);
			c->v[first] = val;
		} else {
			linear_insert(c, i);
		}
	}
}

/* __move_median_to_first, __unguarded_partition */
static size_t partition_pivot(const struct colsort *c, size_t first, size_t last)
{
	size_t mid = first + (last - first) / 2, a = first + 1, b = mid, cc = last - 1, lo, hi;
	uint32_t *v = c->v;
	if (col_less(c, v[a], v[b])) {
		if (col_less(c, v[b], v[cc]))
			col_swap(v, first, b);
		else if (col_less(c, v[a], v[cc]))
			col_swap(v, first, cc);
		else
			col_swap(v, first, a);
	} else if (col_less(c, v[a], v[cc])) {
		col_swap(v, first, a);
	} else if (col_less(c, v[b], v[cc])) {
		col_swap(v, first, cc);
	} else {
		col_swap(v, first, b);
	}
	lo = first + 1;
	hi = last;
	for (;;) {
		while (col_less(c, v[lo], v[first]))
			lo++;
		hi--;
		while (col_less(c, v[first], v[hi]))
			hi--;
		if (!(lo < hi))
			return lo;
		col_swap(v, lo, hi);
		lo++;
	}
}

/* __introsort_loop; -1 where it would turn to heap sort (never seen: we then decline). */
static int introsort_loop(const struct colsort *c, size_t first, size_t last, int depth)
{
	while (last - first > 16) {
		size_t cut;
		if (depth == 0)
			return -1;
		depth--;
		cut = partition_pivot(c, first, last);
		if (introsort_loop(c, cut, last, depth) < 0)
			return -1;
		last = cut;
	}
	return 0;
}

static int functions_at(struct gt *t, uint32_t *list, size_t n)
{
	struct colsort c = {t, list};
	int lg = 0;
	if (n == 0)
		return 0;
	for (size_t k = n; k > 1; k >>= 1)
		lg++;
	if (introsort_loop(&c, 0, n, 2 * lg) < 0)
		return -1;
	/* __final_insertion_sort */
	if (n > 16) {
		insertion_sort(&c, 0, 16);
		for (size_t i = 16; i < n; i++)
			linear_insert(&c, i);
	} else {
		insertion_sort(&c, 0, n);
	}
	return 0;
}

static int cmp_start(const void *x, const void *y, void *ctx)
{
	struct gt *t = ctx;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t la = t->fn[a].g->start_line, lb = t->fn[b].g->start_line;
	if (la != lb)
		return la < lb ? -1 : 1;
	return a < b ? -1 : a > b; /* the order they were added in: gcno order */
}

static int output_lines(struct gt *t, uint32_t si, const char *graph, const char *data,
			uint32_t runs, char **names, struct buffer *out)
{
	struct source *s = &t->src[si];
	struct srclines sl = {0};
	uint32_t *order, group_end = 0, *fns = NULL;
	size_t nf = s->fns.n, next = 0, n_fns = 0;
	int unexec = t->o->has_unexecuted_blocks, r, ret = 0;

	r = read_source(s->name, &sl);
	if (r != 0) {
		return decline(t, r < 0 ? "cannot read the source %s" : "the source %s holds NUL bytes",
			       s->name);
	}
	buf_printf(out, "        -:    0:Source:%s\n", s->name);
	buf_printf(out, "        -:    0:Graph:%s\n", graph);
	buf_printf(out, "        -:    0:Data:%s\n", data);
	buf_printf(out, "        -:    0:Runs:%u\n", runs);
	order = xcalloc(nf ? nf : 1, sizeof *order);
	memcpy(order, s->fns.v, nf * sizeof *order);
	qsort_r(order, nf, sizeof *order, cmp_start, t);

	for (uint32_t num = 1; num <= sl.n; num++) {
		const struct line *line;
		if (num >= s->n_lines) {
			static const struct line none; /* past the lines any block has */
			line_beginning(out, &none, num, 0);
			buf_add(out, ":", 1);
			buf_add(out, sl.line[num - 1], sl.len[num - 1]);
			buf_add(out, "\n", 1);
			continue;
		}
		line = &s->lines[num];
		if (group_end == 0) {
			while (next < nf && t->fn[order[next]].g->start_line < num)
				next++;
			n_fns = 0;
			free(fns);
			fns = NULL;
			while (next < nf && t->fn[order[next]].g->start_line == num) {
				fns = xreallocarray(fns, n_fns + 1, sizeof *fns);
				fns[n_fns++] = order[next++];
			}
			if (functions_at(t, fns, n_fns) < 0) {
				ret = decline(t, "gcov's std::sort turns to heap sort for the "
					      "functions starting at %s:%u", s->name, num);
				break;
			}
			if (n_fns > 1) {
				for (size_t i = 0; i < n_fns; i++)
					if (t->fn[fns[i]].g->end_line > group_end)
						group_end = t->fn[fns[i]].g->end_line;
			} else if (n_fns == 1) {
				function_details(t, out, &t->fn[fns[0]], names[fns[0]]);
			}
		}
		line_beginning(out, line, num, unexec);
		buf_add(out, ":", 1);
		buf_add(out, sl.line[num - 1], sl.len[num - 1]);
		buf_add(out, "\n", 1);
		line_details(t, out, line);
		if (group_end == num) {
			for (size_t i = 0; i < n_fns; i++) {
				struct fn *f = &t->fn[fns[i]];
				buf_add(out, "------------------\n", 19);
				buf_printf(out, "%s:\n", names[fns[i]]);
				function_details(t, out, f, names[fns[i]]);
				for (size_t l = 0; l < f->n_lines; l++) {
					uint32_t ln = f->g->start_line + (uint32_t)l;
					if (ln < 1 || ln > sl.n) {
						ret = decline(t, "'%s' ends past its source %s", f->g->name, s->name);
						break;
					}
					line_beginning(out, &f->lines[l], ln, unexec);
					buf_add(out, ":", 1);
					buf_add(out, sl.line[ln - 1], sl.len[ln - 1]);
					buf_add(out, "\n", 1);
					line_details(t, out, &f->lines[l]);
				}
				if (ret)
					break;
			}
			if (ret)
				break;
			buf_add(out, "------------------\n", 19);
			group_end = 0;
		}
	}
	free(fns);
	free(order);
	free(sl.line);
	free(sl.len);
	return ret;
}

/* ---- the whole run -------------------------------------------------------------------- */

uint32_t gcovtext_version(const char *v)
{
	const char *nl = strchr(v, '\n'), *end = nl ? nl : v + strlen(v), *p = end;
	unsigned major, minor;
	if (strncmp(v, "gcov ", 5) != 0)
		return 0;
	while (p > v && p[-1] != ' ')
		p--;
	if (sscanf(p, "%u.%u", &major, &minor) != 2 || major < 10 || major > 35 || minor > 9)
		return 0;
	return (uint32_t)('A' + major / 10) << 24 | (uint32_t)('0' + major % 10) << 16 |
	       (uint32_t)('0' + minor) << 8 | '*';
}

static char *with_suffix(const char *path, const char *suffix)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t stem;
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	stem = dot ? (size_t)(dot - path) : strlen(path);
	return xasprintf("%.*s%s", (int)stem, path, suffix);
}

static void gt_free(struct gt *t)
{
	const struct gcno_object *o = t->o;
	for (size_t i = 0; t->fn && i < o->n_fn; i++) {
		struct fn *f = &t->fn[i];
		for (size_t l = 0; l < f->n_loc; l++)
			free(f->loc[l].lines);
		for (size_t l = 0; l < f->n_lines; l++) {
			free(f->lines[l].blocks.v);
			free(f->lines[l].branches.v);
		}
		free(f->loc);
		free(f->lines);
		free(f->counts);
	}
	for (size_t i = 0; t->src && i < t->n_src; i++) {
		struct source *s = &t->src[i];
		for (size_t l = 0; l < s->n_lines; l++) {
			free(s->lines[l].blocks.v);
			free(s->lines[l].branches.v);
		}
		free(s->lines);
		free(s->fns.v);
		free(s->name);
	}
	free(t->src);
	free(t->map);
	free(t->fn);
	free(t->b);
	free(t->a);
}

static int render(struct gt *t, const char *graph, const char *datafile, struct buffer *out,
		  uint32_t version)
{
	const struct gcno_object *o = t->o;
	char err[256];
	struct gcda_file d = {0};
	struct stat gst;
	int have_data = 0, ret = 0;
	char **names = NULL;

	if (o->version == GCDA_VERSION_LLVM)
		return decline(t, "Clang's data");
	if (o->version != version)
		return decline(t, "its .gcno is of version 0x%08x, gcov reads 0x%08x", o->version, version);
	if (o->odd)
		return decline(t, "its .gcno has records gcov reads differently");
	if (stat(graph, &gst) < 0)
		return decline(t, "cannot stat %s: %s", graph, strerror(errno));
	find_sources(t);
	for (size_t i = 0; i < t->n_src; i++) {
		const struct source_file *sf;
		if (t->src[i].name[0] != '/')
			return decline(t, "the source name '%s' is relative", t->src[i].name);
		sf = source_file(t->src[i].name, 0);
		if (!sf->stat_errno && sf->st.st_mtime > gst.st_mtime)
			return decline(t, "the source %s is newer than its .gcno", t->src[i].name);
	}
	{
		struct buffer b = {0};
		if (read_file(datafile, &b) == 0) {
			if (gcda_parse((const unsigned char *)b.data, b.len, &d, err, sizeof err) < 0) {
				buf_free(&b);
				return decline(t, "%s: %s", datafile, err);
			}
			have_data = 1;
		} else if (errno != ENOENT) {
			return decline(t, "cannot read %s: %s", datafile, strerror(errno));
		}
		buf_free(&b);
	}
	if (!o->n_fn)
		buf_printf(t->msgs, "%s:no functions found\n", graph);
	if (!have_data)
		buf_printf(t->msgs, "%s:cannot open data file, assuming not executed\n", datafile);
	t->no_data_file = !have_data;
	if (have_data && (d.version != o->version || d.stamp != o->stamp))
		ret = decline(t, "its .gcda is not of this .gcno (version or stamp)");
	if (!ret)
		ret = build_graph(t);
	if (!ret && have_data)
		ret = read_counts(t, &d);
	if (!ret)
		ret = process_all_functions(t);
	for (size_t i = 0; !ret && i < o->n_fn; i++)
		if (!t->fn[i].g->artificial)
			ret = add_line_counts(t, &t->fn[i], graph);
	if (!ret) {
		names = xcalloc(o->n_fn ? o->n_fn : 1, sizeof *names);
		for (size_t i = 0; !ret && i < o->n_fn; i++)
			if (t->fn[i].added && !(names[i] = demangle(t->fn[i].g->name)))
				ret = decline(t, "gcov's demangler may read '%s' another way", t->fn[i].g->name);
	}
	for (uint32_t si = 0; !ret && si < t->n_src; si++) {
		const struct source_file *sf;
		accumulate_line_counts(t, si);
		if (!t->src[si].n_linesum)
			continue;
		/* gcov prints "Source is newer than graph" for a source it could not stat. */
		sf = source_file(t->src[si].name, 0);
		if (sf->stat_errno || sf->st.st_mtime == 0)
			ret = decline(t, "cannot stat the source %s", t->src[si].name);
		else
			ret = output_lines(t, si, graph, have_data ? datafile : "-", have_data ? d.runs : 0,
					   names, out);
	}
	for (size_t i = 0; names && i < o->n_fn; i++)
		free(names[i]);
	free(names);
	gcda_free(&d);
	return ret;
}

int gcovtext_render(const char *datafile, uint32_t version, struct buffer *out,
		    struct buffer *msgs, char *why, size_t whylen)
{
	char *graph = with_suffix(datafile, ".gcno"), *data = with_suffix(datafile, ".gcda");
	/* Read once for the stale check, this and the per-test coverage (gcno.h). */
	const struct gcno_cached *g = gcno_cached(graph);
	struct buffer text = {0}, m = {0};
	struct gt t = {.o = &g->o, .why = why, .whylen = whylen, .msgs = &m};
	int ret;

	if (!g->ok) {
		snprintf(why, whylen, "%s: %s", graph, g->err);
		free(graph);
		free(data);
		return 1;
	}
	ret = render(&t, graph, data, &text, version);
	if (ret == 0) {
		buf_add(out, text.data ? text.data : "", text.len);
		buf_add(msgs, m.data ? m.data : "", m.len);
	}
	buf_free(&text);
	buf_free(&m);
	gt_free(&t);
	free(graph);
	free(data);
	return ret ? 1 : 0;
}

/* ---- many files at once, and the debug command ----------------------------------------- */

uint32_t gcovtext_tool_version(const char *gcov)
{
	char *cmd = xasprintf("LC_ALL=C %s --version 2>/dev/null", gcov), line[512] = "";
	FILE *p = popen(cmd, "r");
	uint32_t v = 0;
	if (p) {
		if (fgets(line, sizeof line, p))
			v = gcovtext_version(line);
		while (fgets(line, sizeof line, p))
			;
		if (pclose(p) != 0)
			v = 0;
	}
	free(cmd);
	return v;
}

struct result {
	struct buffer text, msgs;
	char why[512];
	int declined;
	atomic_int done;
};

struct pool {
	char *const *files;
	size_t n;
	atomic_size_t next;
	uint32_t version;
	struct result *r;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_size_t waiting; /* the result the taking thread waits for (n: none) */
};

/* Render the next file nobody has taken; 0 when none is left. */
static int render_next(struct pool *p)
{
	/* No lock to take work, and a wake-up only for the result awaited: locks per file had
	 * the threads waiting on each other (a futex call per file or more). */
	size_t i = atomic_fetch_add(&p->next, 1);
	struct result *r;

	if (i >= p->n)
		return 0;
	r = &p->r[i];
	r->declined = gcovtext_render(p->files[i], p->version, &r->text, &r->msgs, r->why, sizeof r->why);
	/* Sequentially consistent: either the taker sees done, or this sees it waiting. */
	atomic_store(&r->done, 1);
	if (atomic_load(&p->waiting) == i) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return 1;
}

static void *worker(void *arg)
{
	while (render_next(arg))
		;
	return NULL;
}

void gcovtext_run(char *const *files, size_t n, uint32_t version, gcovtext_take *take, void *ctx)
{
	struct pool p = {.files = files, .n = n, .version = version, .waiting = n};
	/* The taking thread renders too while its next result is not there: one thread less
	 * than processors beside it, so that none waits for a processor or sleeps on the
	 * result (a wake-up per file cost more than the parsing it waited to do). */
	size_t nt = (size_t)cpu_count() - 1, started = 0;
	pthread_t *th;

	if (!n)
		return;
	if (nt > n)
		nt = n;
	p.r = xcalloc(n, sizeof *p.r);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	th = xcalloc(nt ? nt : 1, sizeof *th);
	for (size_t i = 0; i < nt; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	/* Results are taken in order, each as soon as it is there. */
	for (size_t i = 0; i < n; i++) {
		struct result *r = &p.r[i];
		while (!atomic_load(&r->done) && render_next(&p))
			;
		if (!atomic_load(&r->done)) {
			pthread_mutex_lock(&p.mu);
			atomic_store(&p.waiting, i);
			while (!atomic_load(&r->done))
				pthread_cond_wait(&p.cv, &p.mu);
			atomic_store(&p.waiting, n);
			pthread_mutex_unlock(&p.mu);
		}
		take(ctx, i, r->declined ? NULL : (r->text.data ? r->text.data : ""), r->text.len,
		     r->msgs.data ? r->msgs.data : "", r->msgs.len, r->declined ? r->why : NULL);
		buf_free(&r->text);
		buf_free(&r->msgs);
	}
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	free(th);
	free(p.r);
}

struct cmd_ctx {
	char *const *files;
	int declined;
};

static void print_take(void *ctx, size_t i, const char *text, size_t len, const char *msgs,
		       size_t mlen, const char *why)
{
	struct cmd_ctx *c = ctx;
	if (why) {
		fprintf(stderr, "parcov gcov-text: %s: %s\n", c->files[i], why);
		c->declined = 1;
		return;
	}
	fwrite(text, 1, len, stdout);
	fwrite(msgs, 1, mlen, stderr);
}

int gcovtext_command(int argc, char **argv)
{
	const char *gcov = "gcov";
	struct cmd_ctx c = {0};
	uint32_t v;
	int i = 1;

	if (argc > 2 && !strcmp(argv[1], "--gcov")) {
		gcov = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: parcov gcov-text [--gcov GCOV] FILE.gcda|FILE.gcno...\n"
				"Print what 'GCOV -t -b -c -m FILE' prints for each file, computed by\n"
				"parcov (a debugging aid; exit status 1 when it declines a file).\n");
		return 2;
	}
	if (!(v = gcovtext_tool_version(gcov))) {
		fprintf(stderr, "parcov gcov-text: '%s --version' does not name a GCC gcov\n", gcov);
		return 1;
	}
	c.files = argv + i;
	gcovtext_run(argv + i, (size_t)(argc - i), v, print_take, &c);
	gcno_cache_forget();
	source_cache_forget();
	return c.declined;
}

#define _GNU_SOURCE
#include "gcovjson.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

/* Above this many files per gcov call, the command line gets long: split further. */
enum { MAX_BATCH = 1000 };

/* ---- which files gcovr would look at ------------------------------------------------ */

struct datafiles {
	char **v;
	size_t n;
};

static int collect_datafile(const char *path, const char *rel, void *ctx)
{
	struct datafiles *d = ctx;
	(void)rel;
	if (!ends_with(path, ".gcda") && !ends_with(path, ".gcno"))
		return 0;
	d->v = xreallocarray(d->v, d->n + 1, sizeof *d->v);
	d->v[d->n++] = xstrdup(path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* gcovr's find_datafiles(): every .gcda, and each .gcno that has no .gcda (an object no
 * test ran: its sources are reported at 0%). Both sort next to each other by stem. */
static void keep_unpaired(struct datafiles *d)
{
	size_t k = 0;
	qsort(d->v, d->n, sizeof *d->v, cmp_str);
	for (size_t i = 0; i < d->n; i++) {
		size_t len = strlen(d->v[i]);
		const char *prev = k ? d->v[k - 1] : NULL;
		if (ends_with(d->v[i], ".gcno") && prev && ends_with(prev, ".gcda") &&
		    !strncmp(prev, d->v[i], len - 5) && strlen(prev) == len) {
			free(d->v[i]);
			continue;
		}
		d->v[k++] = d->v[i];
	}
	d->n = k;
}

/* os.path.normpath of an absolute path. */
static char *normpath(const char *p)
{
	char *out = xmalloc(strlen(p) + 2), *o = out;
	const char *s = p;

	*o++ = '/';
	while (*s) {
		const char *e;
		size_t len;
		while (*s == '/')
			s++;
		if (!*s)
			break;
		for (e = s; *e && *e != '/'; e++)
			;
		len = (size_t)(e - s);
		if (len == 1 && s[0] == '.') {
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > out + 1 && o[-1] != '/')
				o--;
			if (o > out + 1)
				o--;
			while (o > out + 1 && o[-1] != '/')
				o--;
		} else {
			if (o > out + 1 && o[-1] != '/')
				*o++ = '/';
			memcpy(o, s, len);
			o += len;
		}
		s = e;
	}
	if (o > out + 1 && o[-1] == '/')
		o--;
	*o = '\0';
	return out;
}

/* os.path.relpath(path, base) for absolute normalised paths. */
static char *relpath(const char *path, const char *base)
{
	struct buffer b = {0};
	size_t common = 0, i;
	const char *rest;

	/* Longest common prefix ending at a component boundary. */
	for (i = 0;; i++) {
		if ((base[i] == '\0' || base[i] == '/') && (path[i] == '\0' || path[i] == '/'))
			common = i;
		if (!base[i] || !path[i] || base[i] != path[i])
			break;
	}
	for (const char *s = base + common; *s; s++)
		if (*s == '/' && s[1])
			buf_add(&b, b.len ? "/.." : "..", b.len ? 3 : 2);
	rest = path + common;
	while (*rest == '/')
		rest++;
	if (*rest) {
		if (b.len)
			buf_add(&b, "/", 1);
		buf_add(&b, rest, strlen(rest));
	}
	if (!b.len)
		buf_add(&b, ".", 1);
	return b.data;
}

struct filter {
	regex_t re;
	int relative;
};

struct filters {
	struct filter *v;
	size_t n;
	char *root_real; /* realpath of the root, with a trailing '/' */
	char *cwd_real;  /* gcovr's working directory (the root): relative filters' base */
};

static char *real_or_norm(const char *p)
{
	char buf[PATH_MAX];
	return realpath(p, buf) ? xstrdup(buf) : normpath(p);
}

/* gcovr's regexes are Python's; POSIX EREs agree on the common subset. Anything else makes
 * us leave the report to gcovr rather than guess. */
static int filters_init(struct filters *f, const struct config *c)
{
	memset(f, 0, sizeof *f);
	f->cwd_real = real_or_norm(c->source_root);
	f->root_real = xasprintf("%s%s", f->cwd_real, strcmp(f->cwd_real, "/") ? "/" : "");
	f->v = xcalloc(c->n_exclude + 1, sizeof *f->v);
	for (size_t i = 0; i < c->n_exclude; i++) {
		const char *re = c->exclude[i];
		if (strstr(re, "(?") || strstr(re, "\\d") || strstr(re, "\\D") || strstr(re, "\\A") ||
		    strstr(re, "\\Z") || regcomp(&f->v[i].re, re, REG_EXTENDED) != 0) {
			info("the exclude pattern '%s' is not a POSIX regular expression: using gcovr", re);
			return 1;
		}
		f->v[i].relative = re[0] != '/';
		f->n++;
	}
	return 0;
}

static void filters_free(struct filters *f)
{
	for (size_t i = 0; i < f->n; i++)
		regfree(&f->v[i].re);
	free(f->v);
	free(f->root_real);
	free(f->cwd_real);
}

static int re_match_start(const regex_t *re, const char *s)
{
	regmatch_t m[1];
	return regexec(re, s, 1, m, 0) == 0 && m[0].rm_so == 0;
}

/* 1 if gcovr reports this (normalised, absolute) source: below the root, not excluded. */
static int wanted(const struct filters *f, const char *path)
{
	char *real, *rel = NULL;
	int ok = 1;

	if (strncmp(path, f->root_real, strlen(f->root_real)) != 0)
		return 0;
	real = real_or_norm(path);
	for (size_t i = 0; ok && i < f->n; i++) {
		if (f->v[i].relative) {
			if (!rel)
				rel = relpath(real, f->cwd_real);
			ok = !re_match_start(&f->v[i].re, rel);
		} else {
			ok = !re_match_start(&f->v[i].re, real);
		}
	}
	free(real);
	free(rel);
	return ok;
}

/* ---- sources: text, non-code lines, exclusion markers ------------------------------- */

struct source {
	char *text;
	size_t n;               /* lines 1..n */
	unsigned char *noncode; /* gcovr's _is_non_code() of each line */
	unsigned char *lexcl, *bexcl; /* excluded by LINE/START-STOP markers, BR_ markers */
};

static void source_free(void *p)
{
	struct source *s = p;
	if (!s)
		return;
	free(s->text);
	free(s->noncode);
	free(s->lexcl);
	free(s->bexcl);
	free(s);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       c == '\x1c' || c == '\x1d' || c == '\x1e' || c == '\x1f';
}

/* gcovr's _is_non_code(): without // comments, then C comments, the line is empty, a brace
 * or "else". */
static int non_code(const char *line, size_t len)
{
	char buf[256], *b = len < sizeof buf ? buf : xmalloc(len + 1), *w = b;
	const char *s = line, *end = line + len, *cpp;
	size_t start = 0, stop;
	int ret;

	cpp = memmem(line, len, "//", 2);
	if (cpp)
		end = cpp;
	while (s < end) {
		const char *open = memmem(s, (size_t)(end - s), "/*", 2), *close;
		if (!open || !(close = memmem(open + 2, (size_t)(end - open - 2), "*/", 2))) {
			memcpy(w, s, (size_t)(end - s));
			w += end - s;
			break;
		}
		memcpy(w, s, (size_t)(open - s));
		w += open - s;
		s = close + 2;
	}
	stop = (size_t)(w - b);
	while (start < stop && is_space(b[start]))
		start++;
	while (stop > start && is_space(b[stop - 1]))
		stop--;
	len = stop - start;
	ret = len == 0 || (len == 1 && (b[start] == '{' || b[start] == '}')) ||
	      (len == 4 && !memcmp(b + start, "else", 4));
	if (b != buf)
		free(b);
	return ret;
}

/* One [GL]COVR?_EXCL_(BR_)?(LINE|START|STOP) marker kind, as gcovr's _find_excluded_ranges
 * processes it: LINE excludes its line, START..STOP the lines from START up to before STOP. */
struct markers {
	size_t *stack;
	size_t depth;
};

static void marker(struct markers *m, unsigned char *excl, size_t n, size_t lineno, int kind)
{
	if (kind == 'L') {
		if (!m->depth)
			excl[lineno] = 1;
	} else if (kind == 'S') {
		m->stack = xreallocarray(m->stack, m->depth + 1, sizeof *m->stack);
		m->stack[m->depth++] = lineno;
	} else if (m->depth) {
		size_t from = m->stack[--m->depth];
		for (size_t l = from; l < lineno && l <= n; l++)
			excl[l] = 1;
	}
}

static void scan_markers(const char *line, size_t len, size_t lineno, size_t n,
			 struct markers *ml, struct markers *mb, struct source *src)
{
	const char *p = line, *end = line + len;
	while ((p = memmem(p, (size_t)(end - p), "_EXCL_", 6))) {
		const char *h = p, *after = p + 6;
		int br = 0, kind = 0;
		/* The header before: GCOVR, LCOVR, GCOV or LCOV. */
		if (h - line >= 4 && h[-1] == 'R' && !memcmp(h - 4, "COV", 3) &&
		    (h - line >= 5 && (h[-5] == 'G' || h[-5] == 'L')))
			;
		else if (!(h - line >= 4 && !memcmp(h - 3, "COV", 3) && (h[-4] == 'G' || h[-4] == 'L'))) {
			p = after;
			continue;
		}
		if (end - after >= 3 && !memcmp(after, "BR_", 3)) {
			br = 1;
			after += 3;
		}
		if (end - after >= 4 && !memcmp(after, "LINE", 4))
			kind = 'L';
		else if (end - after >= 5 && !memcmp(after, "START", 5))
			kind = 'S';
		else if (end - after >= 4 && !memcmp(after, "STOP", 4))
			kind = 'E';
		if (kind)
			marker(br ? mb : ml, br ? src->bexcl : src->lexcl, n, lineno, kind);
		p = after;
	}
}

static struct source *source_load(const char *path)
{
	struct source *s = xcalloc(1, sizeof *s);
	struct buffer b = {0};
	struct markers ml = {0}, mb = {0};
	size_t cap = 0;
	char **lines = NULL;
	size_t *lens = NULL;

	if (read_file(path, &b) == 0) {
		char *p = b.data, *end = b.data + b.len;
		while (p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			char *e = nl ? nl : end;
			if (s->n + 2 > cap) {
				cap = cap ? cap * 2 : 256;
				lines = xreallocarray(lines, cap, sizeof *lines);
				lens = xreallocarray(lens, cap, sizeof *lens);
			}
			s->n++;
			lines[s->n] = p;
			lens[s->n] = (size_t)(e - p);
			p = nl ? nl + 1 : end;
		}
	}
	s->text = b.data;
	s->noncode = xcalloc(s->n + 1, 1);
	s->lexcl = xcalloc(s->n + 1, 1);
	s->bexcl = xcalloc(s->n + 1, 1);
	for (size_t i = 1; i <= s->n; i++) {
		s->noncode[i] = (unsigned char)non_code(lines[i], lens[i]);
		if (memmem(lines[i], lens[i], "_EXCL_", 6))
			scan_markers(lines[i], lens[i], i, s->n, &ml, &mb, s);
	}
	free(ml.stack);
	free(mb.stack);
	free(lines);
	free(lens);
	return s;
}

/* ---- one gcov JSON document (one .gcda) ---------------------------------------------- */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;
	json_object_object_get_ex(o, key, &v);
	return v;
}

struct state {
	const struct config *c;
	struct filters filters;
	struct covdata *cd;
	int unsupported;
};

/* Merge one line of one translation unit into the report (gcovr's merge_line()). */
static struct cov_line *merge_line(struct cov_file *f, long n, int noncode, long long count)
{
	struct cov_line *l = cov_line_at(f, n);
	if (!l->present) {
		l->present = 1;
		l->noncode = (unsigned char)noncode;
	} else {
		l->noncode = l->noncode && noncode;
	}
	l->count += count;
	return l;
}

/* Add a line's branches. gcov's text output, which gcovr reads, says "never executed"
 * without the (fallthrough)/(throw) note when the branch's block never ran. The JSON lists
 * each block's arcs together; a conditional block has two, one of them the fall-through:
 * a group ends once it has two arcs and a fall-through one, and a group whose arcs all
 * have count 0 never ran. */
static void add_branches(struct cov_line *l, json_object *br)
{
	size_t n = br ? json_object_array_length(br) : 0;
	for (size_t k = 0, end; k < n; k = end) {
		long long sum = 0;
		int ft = 0;
		for (end = k; end < n && !(end - k >= 2 && ft); end++) {
			json_object *b = json_object_array_get_idx(br, end);
			ft |= json_object_get_boolean(get(b, "fallthrough"));
			sum += json_object_get_int64(get(b, "count"));
		}
		for (size_t i = k; i < end; i++) {
			json_object *b = json_object_array_get_idx(br, i);
			cov_add_branch(l, i, json_object_get_int64(get(b, "count")),
				       sum && json_object_get_boolean(get(b, "fallthrough")),
				       sum && json_object_get_boolean(get(b, "throw")));
		}
	}
}

static void add_file(struct state *st, json_object *jf, const char *cwd)
{
	json_object *lines = get(jf, "lines"), *fns = get(jf, "functions");
	const char *name = json_object_get_string(get(jf, "file"));
	size_t nl = lines ? json_object_array_length(lines) : 0, maxl, nsrc;
	json_object **at;
	struct cov_file *f;
	struct source *src;
	char *abs, *joined;

	/* gcov -t writes no .gcov for a source without code, so gcovr never sees it. */
	if (!name || nl == 0)
		return;
	joined = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", cwd ? cwd : st->c->build_dir, name);
	abs = normpath(joined);
	free(joined);
	if (!wanted(&st->filters, abs)) {
		free(abs);
		return;
	}
	f = covdata_file(st->cd, abs, st->c->source_root);
	free(abs);
	if (!f->source) {
		f->source = source_load(f->path);
		f->free_source = source_free;
	}
	src = f->source;
	nsrc = src->n;
	maxl = nsrc;
	for (size_t i = 0; i < nl; i++) {
		long n = (long)json_object_get_int64(get(json_object_array_get_idx(lines, i), "line_number"));
		if (n > 0 && (size_t)n > maxl)
			maxl = (size_t)n;
	}
	at = xcalloc(maxl + 1, sizeof *at);
	for (size_t i = 0; i < nl; i++) {
		json_object *jl = json_object_array_get_idx(lines, i);
		long n = (long)json_object_get_int64(get(jl, "line_number"));
		if (n <= 0)
			continue;
		if (at[n]) {
			/* Functions sharing lines (C++ templates, inline groups): gcov's text output,
			 * which gcovr reads, shows these lines several times. Leave it to gcovr. */
			st->unsupported = 1;
		}
		at[n] = jl;
	}
	/* gcovr's _line_noncode_and_count() over every line gcov's text output shows. */
	for (size_t n = 1; n <= maxl; n++) {
		int nc = n <= nsrc ? src->noncode[n] : 1; /* gcov shows EOF comments past the end */
		int excl = n <= nsrc && src->lexcl[n];
		json_object *jl = at[n], *br;
		long long count;
		struct cov_line *l;

		if (excl) {
			merge_line(f, (long)n, 1, 0);
			continue;
		}
		if (!jl) {
			if (nc)
				merge_line(f, (long)n, 1, 0);
			continue;
		}
		count = json_object_get_int64(get(jl, "count"));
		l = count == 0 && nc ? merge_line(f, (long)n, 1, 0) : merge_line(f, (long)n, 0, count);
		if (n <= nsrc && src->bexcl[n])
			continue;
		br = get(jl, "branches");
		add_branches(l, br);
	}
	free(at);
	for (size_t i = 0; fns && i < json_object_array_length(fns); i++) {
		json_object *fn = json_object_array_get_idx(fns, i);
		const char *fname = json_object_get_string(get(fn, "demangled_name"));
		if (!fname)
			fname = json_object_get_string(get(fn, "name"));
		/* gcovr leaves out compiler-internal functions by default. */
		if (!fname || !strncmp(fname, "__", 2) || !strncmp(fname, "_GLOBAL__sub_I_", 15))
			continue;
		cov_add_function(f, fname, (long)json_object_get_int64(get(fn, "start_line")),
				 json_object_get_int64(get(fn, "execution_count")));
	}
}

/* Parse one invocation's output: one JSON document per line. Returns documents read or -1. */
static long parse_output(struct state *st, char *data, size_t len)
{
	json_tokener *tok = json_tokener_new();
	char *p = data, *end = data + len;
	long docs = 0;

	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		json_object *doc, *files;
		if (n == 0) {
			p = nl ? nl + 1 : end;
			continue;
		}
		json_tokener_reset(tok);
		doc = json_tokener_parse_ex(tok, p, (int)n);
		if (!doc) {
			json_tokener_free(tok);
			return -1;
		}
		files = get(doc, "files");
		for (size_t i = 0; files && i < json_object_array_length(files); i++)
			add_file(st, json_object_array_get_idx(files, i),
				 json_object_get_string(get(doc, "current_working_directory")));
		json_object_put(doc);
		docs++;
		p = nl ? nl + 1 : end;
	}
	json_tokener_free(tok);
	return docs;
}

/* ---- running gcov ----------------------------------------------------------------------- */

struct job {
	pid_t pid;
	int fd, efd; /* stdout (JSON), stderr */
	size_t first, count;
	struct buffer out, err;
};

/* gcov's messages, less the one it prints for every object no test ran (gcovr hides it
 * too: such objects are reported at 0%). */
static void show_errors(const struct buffer *b)
{
	char *p = b->data, *end = b->data + b->len;
	while (p && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (!memmem(p, n, "assuming not executed", 21))
			fprintf(stderr, "%.*s\n", (int)n, p);
		p = nl ? nl + 1 : end;
	}
}

static int start_job(const struct config *c, struct datafiles *d, struct job *j)
{
	posix_spawn_file_actions_t fa;
	char **argv = xcalloc(j->count + 6, sizeof *argv);
	int p[2], e[2], rc;
	size_t a = 0;

	if (pipe2(p, O_CLOEXEC) < 0 || (pipe2(e, O_CLOEXEC) < 0 && (close(p[0]), close(p[1]), 1))) {
		free(argv);
		error("cannot create a pipe:");
		return -1;
	}
	argv[a++] = c->gcov;
	argv[a++] = "--json-format";
	argv[a++] = "--stdout";
	argv[a++] = "--branch-probabilities";
	for (size_t i = 0; i < j->count; i++)
		argv[a++] = d->v[j->first + i];
	argv[a] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, c->build_dir);
	rc = posix_spawnp(&j->pid, c->gcov, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	close(e[1]);
	free(argv);
	if (rc != 0) {
		close(p[0]);
		close(e[0]);
		errno = rc;
		error("cannot run %s: (set PARALLEL_COVERAGE_GCOV to the gcov of your compiler)", c->gcov);
		return -1;
	}
	j->fd = p[0];
	j->efd = e[0];
	memset(&j->out, 0, sizeof j->out);
	memset(&j->err, 0, sizeof j->err);
	return 0;
}

static long nprocs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? n : 1;
}

/* Run every batch, at most nprocs() at a time, each with its own pipe (one stream per
 * invocation: a shared one would interleave), parsing each output as it completes. */
static int run_batches(struct state *st, struct datafiles *d)
{
	size_t P = (size_t)nprocs(), nb, per, next = 0, done_files = 0, running = 0;
	struct job *jobs;
	struct pollfd *pfd;
	int ret = 0;

	nb = 2 * P;
	if (nb > d->n)
		nb = d->n;
	per = (d->n + nb - 1) / nb;
	if (per > MAX_BATCH)
		per = MAX_BATCH;
	nb = (d->n + per - 1) / per;
	jobs = xcalloc(nb, sizeof *jobs);
	pfd = xcalloc(2 * nb, sizeof *pfd);
	for (size_t i = 0; i < nb; i++) {
		jobs[i].first = i * per;
		jobs[i].count = i * per + per > d->n ? d->n - i * per : per;
		jobs[i].fd = jobs[i].efd = -1;
		jobs[i].pid = -1;
	}
	while (next < nb || running) {
		size_t np = 0;
		while (ret == 0 && next < nb && running < P) {
			if (start_job(st->c, d, &jobs[next]) < 0) {
				ret = -1;
				break;
			}
			next++;
			running++;
		}
		if (ret < 0 && !running)
			break;
		if (ret < 0)
			next = nb;
		for (size_t i = 0; i < nb; i++) {
			if (jobs[i].fd >= 0)
				pfd[np++] = (struct pollfd){.fd = jobs[i].fd, .events = POLLIN};
			if (jobs[i].efd >= 0)
				pfd[np++] = (struct pollfd){.fd = jobs[i].efd, .events = POLLIN};
		}
		if (poll(pfd, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			error("poll:");
			ret = -1;
			break;
		}
		for (size_t k = 0; k < np; k++) {
			struct job *j = NULL;
			char buf[65536];
			ssize_t r;
			int status;
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int is_err = 0;
			for (size_t i = 0; i < nb; i++)
				if (jobs[i].fd == pfd[k].fd || jobs[i].efd == pfd[k].fd) {
					j = &jobs[i];
					is_err = jobs[i].efd == pfd[k].fd;
				}
			r = read(pfd[k].fd, buf, sizeof buf);
			if (r > 0) {
				buf_add(is_err ? &j->err : &j->out, buf, (size_t)r);
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			close(pfd[k].fd);
			*(is_err ? &j->efd : &j->fd) = -1;
			if (j->fd >= 0 || j->efd >= 0)
				continue;
			running--;
			show_errors(&j->err);
			buf_free(&j->err);
			while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
				;
			if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
				info("%s --json-format failed (status %d): using gcovr", st->c->gcov,
				     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
				ret = 1;
			}
			if (ret == 0 && parse_output(st, j->out.data ? j->out.data : "", j->out.len) !=
						(long)j->count) {
				info("%s gave no JSON for some files (not GCC's gcov?): using gcovr",
				     st->c->gcov);
				ret = 1;
			}
			buf_free(&j->out);
			done_files += j->count;
			progress(done_files, d->n, "gcov");
		}
	}
	for (size_t i = 0; i < nb; i++) {
		buf_free(&jobs[i].out);
		buf_free(&jobs[i].err);
	}
	free(jobs);
	free(pfd);
	return ret;
}

int gcovjson_collect(const struct config *c, struct covdata *cd)
{
	struct datafiles d = {0};
	struct state st = {.c = c, .cd = cd};
	int ret;

	/* Clang's gcov backend names a command with arguments ("llvm-cov-14 gcov"), and
	 * llvm-cov's gcov has no JSON output: gcovr reads it. */
	if (strchr(c->gcov, ' '))
		return 1;
	if (filters_init(&st.filters, c) != 0) {
		filters_free(&st.filters);
		return 1;
	}
	walk_files(c->build_dir, c->skip_dirs, collect_datafile, &d);
	keep_unpaired(&d);
	ret = d.n ? run_batches(&st, &d) : 0;
	if (ret == 0 && st.unsupported) {
		info("functions share source lines (templates or inline groups): using gcovr");
		ret = 1;
	}
	if (ret == 0)
		covdata_sort(cd);
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
	filters_free(&st.filters);
	return ret;
}

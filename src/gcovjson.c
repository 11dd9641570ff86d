#define _GNU_SOURCE
#include "gcovjson.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gcovtext.h"
#include "proc.h"
#include "util.h"

extern char **environ;

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

/* gcovr's find_datafiles(): every .gcda, and each .gcno that has no .gcda (an object no
 * test ran: its sources are reported at 0%). Both sort next to each other by stem. */
static void keep_unpaired(struct datafiles *d)
{
	size_t k = 0;
	qsort(d->v, d->n, sizeof *d->v, cmp_strp);
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
	return realpath_cached(p, buf) ? xstrdup(buf) : normpath(p);
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
			info("the exclude pattern '%s' is not a POSIX extended regular expression: gcovr "
			     "makes the report (the same numbers, slower; write the pattern in POSIX syntax "
			     "to keep parcov's own reader)", re);
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

/* ---- gcov's text output, as gcovr 5.2's gcov_parser.py reads it ----------------------- */

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

/* One token of gcov's text output that gcovr acts on. */
enum { T_SOURCE, T_FUNCTION, T_BRANCH };
enum { C_COUNT, C_DASH, C_HASH, C_EQUAL }; /* "12", "-", "#####", "=====" */

struct token {
	int type, kind, fallthrough, thrown;
	long lineno, number;   /* source: line number; branch: branch number */
	long long count;       /* source: line count; branch: taken; function: calls */
	const char *text;      /* source: the code; function: the name */
	size_t len;
};

/* The tokens of one source's section, and the exclusion marker state gcovr builds over it. */
struct section {
	struct cov_file *f; /* NULL: not reported (outside the root or excluded) */
	struct token *t;
	size_t n, cap;
	long maxline;
};

/* One [GL]COVR?_EXCL_(BR_)?(LINE|START|STOP) marker kind, as gcovr's _find_excluded_ranges
 * processes it: LINE excludes its line, START..STOP the lines from START up to before STOP. */
struct markers {
	long *stack;
	size_t depth;
};

static void marker(struct markers *m, unsigned char *excl, long maxline, long lineno, int kind)
{
	if (kind == 'L') {
		if (!m->depth)
			excl[lineno] = 1;
	} else if (kind == 'S') {
		m->stack = xreallocarray(m->stack, m->depth + 1, sizeof *m->stack);
		m->stack[m->depth++] = lineno;
	} else if (m->depth) {
		long from = m->stack[--m->depth];
		for (long l = from; l < lineno && l <= maxline; l++)
			excl[l] = 1;
	}
}

/* gcovr runs its marker regexes over the code of every source line of the output in order
 * (lines of template instantiations are listed again after the function). */
static void scan_markers(const struct token *t, long maxline, struct markers *ml,
			 struct markers *mb, unsigned char *lexcl, unsigned char *bexcl)
{
	const char *line = t->text, *p = line, *end = line + t->len;
	while ((p = memmem(p, (size_t)(end - p), "_EXCL_", 6))) {
		const char *h = p, *after = p + 6;
		int br = 0, kind = 0;
		/* The header before: GCOVR, LCOVR, GCOV or LCOV. */
		if (h - line >= 5 && h[-1] == 'R' && !memcmp(h - 4, "COV", 3) &&
		    (h[-5] == 'G' || h[-5] == 'L'))
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
			marker(br ? mb : ml, br ? bexcl : lexcl, maxline, t->lineno, kind);
		p = after;
	}
}

struct state {
	const struct config *c;
	struct filters filters;
	struct covdata *cd;
	struct section sec;
	struct cov_file tmp; /* one section as gcovr parses it, before merging */
	char *unsupported;   /* why gcovr must make this report (printed once) */
	struct buffer log;   /* gcov's messages */
	size_t unexpected;   /* how many of them are not the expected kinds */
	char *first_unexpected;
	struct argv cmd;     /* the gcov command, split */
};

/* gcovr's _add_coverage_for_function(): compiler-internal functions are left out. */
static void add_function(struct cov_file *f, const struct token *fn, long lineno)
{
	char *name;
	if (fn->len >= 2 && !memcmp(fn->text, "__", 2))
		return;
	if (fn->len >= 15 && !memcmp(fn->text, "_GLOBAL__sub_I_", 15))
		return;
	name = strndup(fn->text, fn->len);
	if (!name)
		fatal("out of memory");
	cov_add_function(f, name, lineno, fn->count);
	free(name);
}

/* gcovr's parse_coverage() over one section, then insert_file_coverage(). */
static void section_flush(struct state *st)
{
	struct section *s = &st->sec;
	struct cov_file *f = &st->tmp;
	struct markers ml = {0}, mb = {0};
	unsigned char *lexcl, *bexcl;
	size_t deferred = 0, first_deferred = 0;
	long lineno = 0;
	int excluded = 0;

	if (!s->f) {
		s->n = 0;
		return;
	}
	lexcl = xcalloc((size_t)s->maxline + 2, 1);
	bexcl = xcalloc((size_t)s->maxline + 2, 1);
	for (size_t i = 0; i < s->n; i++)
		if (s->t[i].type == T_SOURCE && memmem(s->t[i].text, s->t[i].len, "_EXCL_", 6))
			scan_markers(&s->t[i], s->maxline, &ml, &mb, lexcl, bexcl);
	for (size_t i = 0; i < s->n; i++) {
		const struct token *t = &s->t[i];
		if (t->type == T_SOURCE) {
			/* _line_noncode_and_count() */
			int noncode = 0, has_count = 0;
			lineno = t->lineno;
			excluded = lexcl[lineno];
			if (excluded)
				noncode = 1;
			else if (t->kind == C_DASH)
				noncode = non_code(t->text, t->len);
			else if (t->count == 0 && non_code(t->text, t->len))
				noncode = 1;
			else
				has_count = 1;
			if (noncode || has_count) {
				struct cov_line *l = cov_line_at(f, lineno);
				l->present = 1;
				if (noncode)
					l->noncode = 1;
				if (has_count)
					l->count += t->count;
			}
			for (size_t k = first_deferred; deferred; k++)
				if (s->t[k].type == T_FUNCTION) {
					add_function(f, &s->t[k], lineno);
					deferred--;
				}
		} else if (t->type == T_FUNCTION) {
			if (!deferred)
				first_deferred = i;
			deferred++;
		} else if (!excluded && !bexcl[lineno]) {
			struct cov_line *l = cov_line_at(f, lineno);
			l->present = 1;
			cov_add_branch(l, (size_t)t->number, t->count, t->fallthrough, t->thrown);
		}
	}
	/* A function line after the last source line is given the next line. */
	for (size_t k = first_deferred; deferred; k++)
		if (s->t[k].type == T_FUNCTION) {
			add_function(f, &s->t[k], lineno + 1);
			deferred--;
		}
	cov_file_merge(s->f, f);
	free(lexcl);
	free(bexcl);
	free(ml.stack);
	free(mb.stack);
	s->n = 0;
}

static struct token *new_token(struct section *s, int type)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->t = xreallocarray(s->t, s->cap, sizeof *s->t);
	}
	memset(&s->t[s->n], 0, sizeof *s->t);
	s->t[s->n].type = type;
	return &s->t[s->n++];
}

/* An unsigned decimal number at p (gcov writes counts in full with --branch-counts). */
static int number_at(const char **p, const char *end, long long *out)
{
	const char *s = *p;
	long long v = 0;
	if (s >= end || *s < '0' || *s > '9')
		return 0;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	*out = v;
	*p = s;
	return 1;
}

static int starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/* "branch  N taken C (fallthrough)" / "branch  N never executed" */
static void branch_line(struct section *s, const char *p, const char *end)
{
	long long n, c = 0;
	struct token *t;
	p += 7;
	skip_spaces(&p, end);
	if (!number_at(&p, end, &n))
		return;
	skip_spaces(&p, end);
	t = new_token(s, T_BRANCH);
	t->number = (long)n;
	if (starts(p, end, "taken ")) {
		p += 6;
		skip_spaces(&p, end);
		number_at(&p, end, &c);
		t->count = c;
		t->fallthrough = starts(p, end, " (fallthrough)");
		t->thrown = starts(p, end, " (throw)");
	}
}

/* "function NAME called N returned X% blocks executed Y%": the name ends at the first
 * " called " the rest of the line matches after (gcovr's non-greedy regex). */
static void function_line(struct section *s, const char *p, const char *end)
{
	const char *name = p + 9;
	for (const char *q = name; (q = memmem(q, (size_t)(end - q), " called ", 8)); q++) {
		const char *r = q + 8;
		long long calls, x;
		if (!number_at(&r, end, &calls) || !starts(r, end, " returned "))
			continue;
		r += 10;
		if (!number_at(&r, end, &x) || !(r = memmem(r, (size_t)(end - r), " blocks executed ", 17)))
			continue;
		struct token *t = new_token(s, T_FUNCTION);
		t->text = name;
		t->len = (size_t)(q - name);
		t->count = calls;
		return;
	}
}

static int all_of(const char *p, const char *end, char c)
{
	if (end - p < 5)
		return 0;
	for (; p < end; p++)
		if (*p != c)
			return 0;
	return 1;
}

/* "  COUNT: LINENO:CODE" (COUNT: a number, maybe with '*', '-', '#####' or '====='), or
 * "  -: 0:KEY:VALUE" metadata. Returns 1 when the line was one. */
static int source_line(struct state *st, const char *p, const char *end)
{
	const char *c0, *c1, *colon;
	long long lineno, count = 0;
	int kind;
	struct token *t;

	skip_spaces(&p, end);
	colon = memchr(p, ':', (size_t)(end - p));
	if (!colon)
		return 0;
	c0 = p;
	c1 = colon;
	if (c1 - c0 == 1 && *c0 == '-') {
		kind = C_DASH;
	} else if (all_of(c0, c1, '#')) {
		kind = C_HASH;
	} else if (all_of(c0, c1, '=')) {
		kind = C_EQUAL;
	} else {
		const char *q = c0;
		if (!number_at(&q, c1, &count) || (q != c1 && !(q + 1 == c1 && *q == '*')))
			return 0;
		kind = C_COUNT;
	}
	p = colon + 1;
	skip_spaces(&p, end);
	if (!number_at(&p, end, &lineno) || p >= end || *p != ':')
		return 0;
	p++;
	if (lineno == 0 && kind == C_DASH) {
		/* Metadata: a new source starts at "Source:". */
		if (starts(p, end, "Source:")) {
			const char *v = p + 7, *e = end;
			char *name, *abs;
			section_flush(st);
			while (v < e && is_space(*v))
				v++;
			while (e > v && is_space(e[-1]))
				e--;
			name = strndup(v, (size_t)(e - v));
			if (!name)
				fatal("out of memory");
			st->sec.f = NULL;
			st->sec.maxline = 0;
			if (name[0] != '/') {
				/* gcovr guesses which directory a relative name is in. */
				if (!st->unsupported)
					st->unsupported = xasprintf("gcov names the source '%s' relative to "
								    "a directory it does not record (compile "
								    "with -fprofile-abs-path, a default option, "
								    "to keep parcov's own reader)", name);
			} else {
				abs = normpath(name);
				if (wanted(&st->filters, abs))
					st->sec.f = covdata_file(st->cd, abs, st->c->source_root);
				free(abs);
			}
			free(name);
		}
		return 1;
	}
	if (!st->sec.f)
		return 1;
	t = new_token(&st->sec, T_SOURCE);
	t->kind = kind;
	t->lineno = (long)lineno;
	t->count = count;
	t->text = p;
	t->len = (size_t)(end - p);
	if (t->lineno > st->sec.maxline)
		st->sec.maxline = t->lineno;
	return 1;
}

/* Parse one invocation's output (the sections of every source of every file given). */
static void parse_output(struct state *st, const char *data, size_t len)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		/* Python's splitlines() also ends a line at '\r' (a CRLF source), and gcovr skips
		 * the empty rest. */
		const char *cr = memchr(p, '\r', (size_t)(e - p));
		if (cr)
			e = cr;
		if (starts(p, e, "branch ")) {
			if (st->sec.f)
				branch_line(&st->sec, p, e);
		} else if (starts(p, e, "function ")) {
			if (st->sec.f)
				function_line(&st->sec, p, e);
		} else {
			source_line(st, p, e);
		}
		p = nl ? nl + 1 : end;
	}
	section_flush(st);
	st->sec.f = NULL;
}

/* ---- running gcov ----------------------------------------------------------------------- */

struct job {
	pid_t pid;
	int fd, efd; /* stdout (JSON), stderr */
	size_t first, count;
	struct buffer out, err;
};

/* gcov's messages go to a log we name (data dir/gcov-messages.txt), not the terminal. Two
 * kinds are expected and say nothing wrong: an object no test ran ("assuming not
 * executed": reported at 0%, as gcovr does) and one without functions ("no functions
 * found": only data, nothing to report). A source gcov cannot open makes gcovr drop that
 * object; we leave the report to gcovr then, naming the source. */
static void keep_messages(struct state *st, const struct buffer *b)
{
	const char *p = b->data, *end = b->data + b->len;
	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		const char *cannot = memmem(p, n, "Cannot open source file ", 24);
		buf_add(&st->log, p, n);
		buf_add(&st->log, "\n", 1);
		if (cannot && !st->unsupported)
			st->unsupported = xasprintf("gcov cannot open the source %.*s (moved or deleted "
						    "since it was compiled? gcovr then leaves its object out)",
						    (int)(n - (size_t)(cannot + 24 - p)), cannot + 24);
		if (!memmem(p, n, "assuming not executed", 21) && !memmem(p, n, "no functions found", 18) &&
		    !st->unexpected++)
			st->first_unexpected = strndup(p, n);
		p = nl ? nl + 1 : end;
	}
}

/* The environment with LC_ALL=C: gcov translates "branch", "taken", "never executed". */
static char **c_locale_env(void)
{
	size_t n = 0, k = 0;
	char **env;
	while (environ[n])
		n++;
	env = xcalloc(n + 3, sizeof *env);
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) && strncmp(environ[i], "LANGUAGE=", 9))
			env[k++] = environ[i];
	env[k++] = "LC_ALL=C";
	env[k++] = "LANGUAGE=en_US";
	env[k] = NULL;
	return env;
}

/* The gcov command split like a shell would, as gcovr does (shlex.split): Clang's is
 * "'llvm-cov-14' gcov". Quotes and backslashes; no expansions. */
static void split_command(const char *cmd, struct argv *out)
{
	struct buffer w = {0};
	int have = 0;
	char q = 0;

	for (const char *p = cmd;; p++) {
		if (!*p || (!q && (*p == ' ' || *p == '\t'))) {
			if (have) {
				buf_add(&w, "", 1);
				arg(out, w.data);
				memset(&w, 0, sizeof w);
				have = 0;
			}
			if (!*p)
				break;
			continue;
		}
		have = 1;
		if (q && *p == q)
			q = 0;
		else if (!q && (*p == '\'' || *p == '"'))
			q = *p;
		else if (*p == '\\' && q != '\'' && p[1])
			buf_add(&w, ++p, 1);
		else
			buf_add(&w, p, 1);
	}
	buf_free(&w);
}

static int start_job(const struct config *c, const struct argv *cmd, struct datafiles *d,
		     struct job *j, char **env)
{
	posix_spawn_file_actions_t fa;
	char **argv = xcalloc(cmd->n + j->count + 6, sizeof *argv);
	int p[2], e[2], rc;
	size_t a = 0;

	if (pipe2(p, O_CLOEXEC) < 0 || (pipe2(e, O_CLOEXEC) < 0 && (close(p[0]), close(p[1]), 1))) {
		free(argv);
		error("cannot create a pipe:");
		return -1;
	}
	/* gcovr's options (it adds --hash-filenames, for .gcov file names we do not write):
	 * counts, not percentages; demangled names, which gcovr reports. */
	for (size_t i = 0; i < cmd->n; i++)
		argv[a++] = cmd->v[i];
	/* Short forms: llvm-cov gcov (Clang) knows these too. */
	argv[a++] = "-t"; /* --stdout */
	argv[a++] = "-b"; /* --branch-probabilities */
	argv[a++] = "-c"; /* --branch-counts */
	argv[a++] = "-m"; /* --demangled-names */
	for (size_t i = 0; i < j->count; i++)
		argv[a++] = d->v[j->first + i];
	argv[a] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_adddup2(&fa, e[1], 2);
	posix_spawn_file_actions_addchdir_np(&fa, c->build_dir);
	rc = posix_spawnp(&j->pid, argv[0], &fa, NULL, argv, env);
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

/* Run gcov once per data file, as gcovr does (given several files, gcov's text mode adds them
 * up before printing, which changes what it prints for functions sharing lines), at most
 * cpu_count() at a time, each with its own pipes, parsing each output as it completes. */
static int run_gcov(struct state *st, struct datafiles *d)
{
	size_t P = (size_t)cpu_count() + 1, next = 0, done_files = 0, running = 0;
	struct job *slots;
	struct pollfd *pfd = xcalloc(2 * P, sizeof *pfd);
	size_t *owner = xcalloc(2 * P, sizeof *owner);
	char **env = c_locale_env();
	int ret = 0;

	if (P > d->n)
		P = d->n;
	slots = xcalloc(P, sizeof *slots);
	for (size_t i = 0; i < P; i++)
		slots[i].fd = slots[i].efd = -1;
	for (;;) {
		size_t np = 0;
		for (size_t i = 0; ret == 0 && i < P && next < d->n; i++) {
			if (slots[i].fd >= 0 || slots[i].efd >= 0)
				continue;
			slots[i].first = next++;
			slots[i].count = 1;
			if (start_job(st->c, &st->cmd, d, &slots[i], env) < 0) {
				ret = -1;
				break;
			}
			running++;
		}
		if (!running)
			break;
		for (size_t i = 0; i < P; i++) {
			if (slots[i].fd >= 0) {
				owner[np] = i;
				pfd[np++] = (struct pollfd){.fd = slots[i].fd, .events = POLLIN};
			}
			if (slots[i].efd >= 0) {
				owner[np] = i;
				pfd[np++] = (struct pollfd){.fd = slots[i].efd, .events = POLLIN};
			}
		}
		if (poll(pfd, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			error("poll:");
			ret = -1;
			break;
		}
		for (size_t k = 0; k < np; k++) {
			struct job *j = &slots[owner[k]];
			int is_err = j->efd == pfd[k].fd, status;
			char buf[65536];
			ssize_t r;
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
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
			keep_messages(st, &j->err);
			buf_free(&j->err);
			while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
				;
			if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
				info("%s failed on %s (status %d; its messages are in %s/gcov-messages.txt): "
				     "gcovr makes the report", st->c->gcov, d->v[j->first],
				     WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				     st->c->data_dir);
				ret = 1;
			}
			if (ret == 0)
				parse_output(st, j->out.data ? j->out.data : "", j->out.len);
			buf_free(&j->out);
			progress(++done_files, d->n, "gcov");
		}
	}
	for (size_t i = 0; i < P; i++) {
		buf_free(&slots[i].out);
		buf_free(&slots[i].err);
	}
	free(slots);
	free(pfd);
	free(owner);
	free(env);
	return ret;
}

/* ---- gcov's text computed in-process (gcovtext.c) ---------------------------------------- */

struct emulated {
	struct state *st;
	struct datafiles *d;
	struct datafiles rest; /* declined: a gcov process reads them */
	size_t done;
};

static void take_text(void *ctx, size_t i, const char *text, size_t len, const char *msgs,
		      size_t mlen, const char *why)
{
	struct emulated *e = ctx;
	if (why) {
		info("%s: %s: gcov reads it", e->d->v[i], why);
		e->rest.v = xreallocarray(e->rest.v, e->rest.n + 1, sizeof *e->rest.v);
		e->rest.v[e->rest.n++] = e->d->v[i];
	} else {
		struct buffer m = {(char *)msgs, mlen, mlen};
		keep_messages(e->st, &m); /* as gcov's stderr: the same log, the same warning */
		parse_output(e->st, text, len);
		free(e->d->v[i]);
	}
	progress(++e->done, e->d->n, "gcov");
}

/* The executable a command word names (PATH searched as the shell does), stat'ed; -1 when
 * none is found. */
static int find_executable(const char *word, char *path, size_t len, struct stat *st)
{
	const char *dirs = getenv("PATH");

	if (strchr(word, '/')) {
		snprintf(path, len, "%s", word);
		return stat(path, st) == 0 && S_ISREG(st->st_mode) ? 0 : -1;
	}
	for (const char *d = dirs ? dirs : "/usr/bin:/bin"; d;) {
		const char *colon = strchr(d, ':');
		int n = colon ? (int)(colon - d) : (int)strlen(d);
		snprintf(path, len, "%.*s%s%s", n, d, n ? "/" : "", word);
		if (stat(path, st) == 0 && S_ISREG(st->st_mode) && access(path, X_OK) == 0)
			return 0;
		d = colon ? colon + 1 : NULL;
	}
	return -1;
}

/* gcovtext_tool_version() starts a shell and gcov (milliseconds of a report's tens): its
 * answer is kept in the data directory for as long as the command names the same executable
 * file, when that is a compiled program (a script may run another gcov each time). The
 * cache's path and the key its text starts with for the command word, or -1 when it does
 * not name such a file (no cache then). */
static int version_cache(const struct config *c, const char *word, char **cache, char **key)
{
	char exe[PATH_MAX], elf[4] = {0};
	struct stat es;
	int fd;

	if (find_executable(word, exe, sizeof exe, &es) < 0 || (fd = open(exe, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (read(fd, elf, sizeof elf) != (ssize_t)sizeof elf || memcmp(elf, "\177ELF", 4)) {
		close(fd);
		return -1;
	}
	close(fd);
	*cache = path_join(c->data_dir, "gcov-version.txt");
	*key = xasprintf("parcov-gcov-version 1\n%s\n%s %llu %llu %lld %lld.%09ld\n", c->gcov, exe,
			 (unsigned long long)es.st_dev, (unsigned long long)es.st_ino,
			 (long long)es.st_size, (long long)es.st_mtim.tv_sec, es.st_mtim.tv_nsec);
	return 0;
}

/* The version the cache holds for key, or 0. */
static uint32_t cached_version(const char *cache, const char *key)
{
	struct buffer old = {0};
	uint32_t v = 0;

	if (read_file(cache, &old) < 0 || strncmp(old.data, key, strlen(key)) ||
	    sscanf(old.data + strlen(key), "%8x", &v) != 1)
		v = 0;
	buf_free(&old);
	return v;
}

static uint32_t gcov_version(struct state *st)
{
	char *key, *cache;
	uint32_t v;

	if (!st->cmd.n || version_cache(st->c, st->cmd.v[0], &cache, &key) < 0)
		return gcovtext_tool_version(st->c->gcov);
	if (!(v = cached_version(cache, key)) && (v = gcovtext_tool_version(st->c->gcov))) {
		struct buffer b = {0};
		buf_printf(&b, "%s%08x\n", key, (unsigned)v);
		if (write_file_unsynced(cache, b.data, b.len) < 0)
			warn("cannot write %s:", cache);
		buf_free(&b);
	}
	free(key);
	free(cache);
	return v;
}

uint32_t gcovjson_known_version(const struct config *c)
{
	struct argv cmd = {0};
	char *key, *cache;
	uint32_t v = 0;

	split_command(c->gcov, &cmd);
	if (cmd.n && version_cache(c, cmd.v[0], &cache, &key) == 0) {
		v = cached_version(cache, key);
		free(key);
		free(cache);
	}
	argv_free(&cmd);
	return v;
}

/* Replace the gcov runs by gcov's text computed from the .gcno, .gcda and sources, leaving
 * in d the files it declines. PARCOV_REPORTER=gcov keeps every gcov process (to compare). */
static void emulate_gcov(struct state *st, struct datafiles *d)
{
	const char *rep = getenv("PARCOV_REPORTER");
	struct emulated e = {.st = st, .d = d};
	uint32_t version;

	if (rep && !strcmp(rep, "gcov"))
		return;
	if (!(version = gcov_version(st))) {
		info("%s is not GCC's gcov: it runs once per data file (parcov computes GCC's gcov "
		     "text only)", st->c->gcov);
		return;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i][0] != '/')
			return; /* never: the walk gives absolute paths; gcov would then run in build_dir */
	gcovtext_run(d->v, d->n, version, take_text, &e);
	free(d->v);
	*d = e.rest;
}

int gcovjson_parse_text(const struct config *c, struct covdata *cd, const char *const *runs,
			size_t n)
{
	struct state st = {.c = c, .cd = cd};
	int ret = 0;

	if (filters_init(&st.filters, c) != 0) {
		filters_free(&st.filters);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		parse_output(&st, runs[i], strlen(runs[i]));
	if (st.unsupported) {
		info("%s: gcovr makes the report", st.unsupported);
		ret = 1;
	}
	covdata_sort(cd);
	free(st.sec.t);
	cov_file_clear(&st.tmp);
	free(st.unsupported);
	filters_free(&st.filters);
	return ret;
}

int gcovjson_collect(const struct config *c, struct covdata *cd)
{
	struct datafiles d = {0};
	struct state st = {.c = c, .cd = cd};
	int ret;

	split_command(c->gcov, &st.cmd);
	if (!st.cmd.n) {
		error("PARALLEL_COVERAGE_GCOV is empty: set it to the gcov of your compiler");
		return -1;
	}
	if (filters_init(&st.filters, c) != 0) {
		filters_free(&st.filters);
		argv_free(&st.cmd);
		return 1;
	}
	walk_files_parallel(c->build_dir, c->skip_dirs, collect_datafile, &d);
	keep_unpaired(&d);
	if (d.n)
		emulate_gcov(&st, &d);
	ret = d.n ? run_gcov(&st, &d) : 0;
	if (st.log.len) {
		char *log = path_join(c->data_dir, "gcov-messages.txt");
		if (write_file_unsynced(log, st.log.data, st.log.len) < 0)
			warn("cannot write %s:", log);
		else if (st.unexpected)
			warn("gcov printed %zu unexpected message%s (first: \"%s\"), which may explain "
			     "numbers that look wrong; all its messages are in %s", st.unexpected,
			     st.unexpected == 1 ? "" : "s", st.first_unexpected, log);
		free(log);
	}
	if (ret == 0 && st.unsupported) {
		info("%s: gcovr makes the report", st.unsupported);
		ret = 1;
	}
	if (ret == 0)
		covdata_sort(cd);
	free(st.sec.t);
	cov_file_clear(&st.tmp);
	buf_free(&st.log);
	free(st.unsupported);
	free(st.first_unexpected);
	argv_free(&st.cmd);
	for (size_t i = 0; i < d.n; i++)
		free(d.v[i]);
	free(d.v);
	filters_free(&st.filters);
	return ret;
}

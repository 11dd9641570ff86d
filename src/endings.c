#define _GNU_SOURCE
#include "endings.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "runs.h"
#include "testname.h"

/* The last event of one process (a pid's "start" without a later ending means it vanished;
 * "snapshot" last means it was killed after the watchdog's snapshot K, value). */
struct proc {
	long pid;
	char event[32];
	long value;
	int snapshot; /* a watchdog snapshot was taken before the deadline */
	long snapshot_k; /* the number of the last one */
};

struct procs {
	struct proc *v;
	size_t n;
};

static void procs_load(const char *path, struct procs *p)
{
	struct buffer b = {0};
	char *line, *next;

	memset(p, 0, sizeof *p);
	if (read_file(path, &b) < 0)
		return;
	for (line = b.data; line && *line; line = next) {
		long pid, ppid, value;
		char event[32];
		size_t i;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%ld\t%ld\t%31[^\t]\t%ld", &pid, &ppid, event, &value) != 4)
			continue;
		/* A snapshot that did not finish changes nothing: an earlier one still counts. */
		if (!strcmp(event, "snapshot-abandoned"))
			continue;
		for (i = 0; i < p->n && p->v[i].pid != pid; i++)
			;
		if (i == p->n) {
			p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
			p->v[i].snapshot = 0;
			p->n++;
		}
		if (!strcmp(event, "snapshot")) {
			p->v[i].snapshot = 1;
			p->v[i].snapshot_k = value;
		}
		p->v[i].pid = pid;
		snprintf(p->v[i].event, sizeof p->v[i].event, "%s", event);
		p->v[i].value = value;
	}
	buf_free(&b);
}

/* The test directory whose record snapshot_cache holds. */
static struct {
	char *dir;
	struct procs procs;
} snapshot_cache;

void endings_forget(void)
{
	free(snapshot_cache.dir);
	free(snapshot_cache.procs.v);
	memset(&snapshot_cache, 0, sizeof snapshot_cache);
}

int endings_snapshot_file(const char *run, const char *rel, const char **object)
{
	const char *slash = strchr(rel, '/'), *p;
	char *dir, *record, *end;
	long pid, k;

	*object = slash ? slash + 1 : rel;
	if (!slash || strncmp(slash + 1, SNAPSHOT_DIR "/", sizeof SNAPSHOT_DIR))
		return -1;
	p = slash + 1 + sizeof SNAPSHOT_DIR;
	pid = strtol(p, &end, 10);
	if (end == p || *end != '.')
		return 0;
	k = strtol(end + 1, &end, 10);
	/* PID.K.tmp: a snapshot being written, or one whose writer was killed. */
	if (*end != '/')
		return 0;
	*object = end + 1;
	dir = xasprintf("%s/tests/%.*s", run, (int)(slash - rel), rel);
	if (!snapshot_cache.dir || strcmp(snapshot_cache.dir, dir)) {
		endings_forget();
		record = path_join(dir, ENDINGS_RECORD);
		procs_load(record, &snapshot_cache.procs);
		free(record);
		snapshot_cache.dir = dir;
	} else {
		free(dir);
	}
	for (size_t i = 0; i < snapshot_cache.procs.n; i++) {
		const struct proc *q = &snapshot_cache.procs.v[i];
		/* Killed after it (no ending), or its final write was abandoned. */
		if (q->pid == pid)
			return q->snapshot && q->snapshot_k == k &&
			       (!strcmp(q->event, "snapshot") || !strcmp(q->event, "flush-abandoned"));
	}
	return 0;
}

/* Coverage data of either backend: gcov's .gcda, llvm's .profraw. */
static int found_data(const char *path, const char *rel, void *ctx)
{
	(void)path;
	(void)ctx;
	return ends_with(rel, ".gcda") || ends_with(rel, ".profraw");
}

static void describe(struct buffer *why, const struct proc *p)
{
	const char *sep = why->len ? "; " : "";
	const char *name = sigabbrev_np((int)p->value);

	if (!strcmp(p->event, "signal")) {
		buf_printf(why, "%sprocess %ld %sended by SIG%s (its counts were saved first)", sep, p->pid,
			   p->snapshot ? "timed out and was " : "", name ? name : "?");
	} else if (!strcmp(p->event, "flush-abandoned")) {
		buf_printf(why, "%sprocess %ld ended by SIG%s; writing its counts blocked and was "
			   "abandoned after 10 s: %s", sep, p->pid, name ? name : "?",
			   p->snapshot ? "counts up to its last snapshot kept, later ones lost"
				       : "its counts are lost");
	} else if (!strcmp(p->event, "start")) {
		buf_printf(why, "%sprocess %ld vanished without an ending (SIGKILL?): its counts are lost",
			   sep, p->pid);
	} else if (!strcmp(p->event, "snapshot")) {
		buf_printf(why, "%sprocess %ld timed out (killed without an ending): counts up to its "
			   "snapshot before the deadline kept, later ones lost", sep, p->pid);
	} else if (!strcmp(p->event, "check-timeout")) {
		buf_printf(why, "%sprocess %ld was killed by Check's timeout (its counts were saved first)",
			   sep, p->pid);
	}
}

static size_t scan_with(const struct config *c, const char *run, const struct strings *with_data,
			struct buffer *out)
{
	struct strings ran = {0};
	struct test_list tests;
	/* Which tests ran: ctest's log, when it describes this set's run. */
	int know_ran = runs_ctest_tests(c, run, &ran) == 0;
	size_t listed = 0;

	if (ran.n)
		qsort(ran.v, ran.n, sizeof *ran.v, cmp_strp);
	if (testname_load(c->data_dir, run, &tests) < 0) {
		strings_free(&ran);
		return 0;
	}
	for (size_t k = 0; k < tests.n; k++) {
		const char *name = tests.v[k].name;
		char *dir, *record;
		struct buffer why = {0};
		struct procs procs;
		int present;

		dir = xasprintf("%s/tests/%s", run, tests.v[k].dir);
		present = is_dir(dir);
		if (know_ran ? !ran.n || !bsearch(&name, ran.v, ran.n, sizeof *ran.v, cmp_strp) : !present) {
			free(dir);
			continue;
		}
		record = path_join(dir, ENDINGS_RECORD);
		procs_load(record, &procs);
		for (size_t i = 0; i < procs.n; i++)
			describe(&why, &procs.v[i]);
		if (!present || (with_data ? !with_data->n || !bsearch(&tests.v[k].dir, with_data->v, with_data->n,
		                                                         sizeof *with_data->v, cmp_strp)
		                           : walk_data(dir, NULL, found_data, NULL) != 1))
			buf_printf(&why, "%swrote no coverage data", why.len ? "; " : "");
		if (why.len) {
			buf_printf(out, "  %s: %s\n", name, why.data);
			listed++;
		}
		buf_free(&why);
		free(procs.v);
		free(record);
		free(dir);
	}
	testname_free(&tests);
	strings_free(&ran);
	return listed;
}

size_t endings_scan(const struct config *c, const char *run, struct buffer *out)
{
	return scan_with(c, run, NULL, out);
}

int endings_save(const struct config *c, const char *run)
{
	return endings_save_with(c, run, NULL);
}

int endings_save_with(const struct config *c, const char *run, const struct strings *with_data)
{
	struct buffer b = {0};
	char *path = path_join(c->data_dir, ENDINGS_LIST);
	size_t n = scan_with(c, run, with_data, &b);
	/* Unchanged by a repeated coverage step: not written again (a new inode each time). */
	int ret = file_holds(path, b.data ? b.data : "", b.len) ? 0
	          : write_file_atomic(path, b.data ? b.data : "", b.len);

	if (ret < 0)
		error("cannot write %s:", path);
	else if (n)
		warn("%zu test%s crashed, timed out or wrote no coverage data (their lines may show as "
		     "untested); the report lists them, and so does %s", n, n == 1 ? "" : "s", path);
	buf_free(&b);
	free(path);
	return ret;
}

int endings_recorded(const char *run, const char *test_dir)
{
	char *record = xasprintf("%s/tests/%s/%s", run, test_dir, ENDINGS_RECORD);
	struct stat st;
	int ret = stat(record, &st) == 0 && st.st_size > 0;

	free(record);
	return ret;
}

int endings_load_list(const struct config *c, struct buffer *list)
{
	char *path = path_join(c->data_dir, ENDINGS_LIST);
	int ret = read_file(path, list);

	free(path);
	return ret;
}

/* What a line says after "<test>: " (endings_listed's rule). */
static int counts_lost(const char *why, size_t len)
{
	/* The phrases describe() uses when counts after some point are gone. */
	return memmem(why, len, "lost", 4) || memmem(why, len, "blocked", 7) ||
	       memmem(why, len, "killed without", 14);
}

int endings_listed(const struct buffer *list, const char *name)
{
	size_t nl = strlen(name);

	/* Lines are "  <test>: <what happened>", as endings_scan() writes them. */
	for (const char *line = list->data; line && *line;) {
		const char *eol = strchr(line, '\n'), *why;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (len > nl + 4 && !memcmp(line, "  ", 2) && !memcmp(line + 2, name, nl) &&
		    !memcmp(line + 2 + nl, ": ", 2)) {
			why = line + nl + 4;
			return counts_lost(why, len - nl - 4);
		}
		line = eol ? eol + 1 : line + len;
	}
	return -1;
}

struct ending_key {
	const char *name;
	size_t len, order; /* order: the line's, so the first line naming a test wins */
	int lost;
};

struct endings_index {
	struct ending_key *v;
	size_t n;
};

static int cmp_key(const void *a, const void *b)
{
	const struct ending_key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int d = memcmp(x->name, y->name, n);

	if (d || x->len != y->len)
		return d ? d : x->len < y->len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct endings_index *endings_index_make(const struct buffer *list)
{
	struct endings_index *x = xcalloc(1, sizeof *x);
	size_t cap = 0, order = 0, k = 0;

	/* A test's name may hold ": " itself: every prefix of a line that ends before a ": "
	 * is a name the line could be about, as endings_listed() matches it. */
	for (const char *line = list->data; line && *line; order++) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		for (size_t p = 2; len > 2 && !memcmp(line, "  ", 2) && p + 2 < len; p++) {
			if (line[p] != ':' || line[p + 1] != ' ')
				continue;
			if (x->n == cap) {
				cap = cap ? 2 * cap : 64;
				x->v = xreallocarray(x->v, cap, sizeof *x->v);
			}
			x->v[x->n++] = (struct ending_key){line + 2, p - 2, order,
							   counts_lost(line + p + 2, len - p - 2)};
		}
		line = eol ? eol + 1 : line + len;
	}
	if (x->n) /* no list, no array: qsort's pointer must not be NULL */
		qsort(x->v, x->n, sizeof *x->v, cmp_key);
	for (size_t i = 0; i < x->n; i++)
		if (!k || x->v[k - 1].len != x->v[i].len || memcmp(x->v[k - 1].name, x->v[i].name, x->v[i].len))
			x->v[k++] = x->v[i];
	x->n = k;
	return x;
}

int endings_index_listed(const struct endings_index *x, const char *name)
{
	size_t lo = 0, hi = x->n, nl = strlen(name);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct ending_key *e = &x->v[mid];
		size_t n = e->len < nl ? e->len : nl;
		int d = memcmp(e->name, name, n);
		if (!d)
			d = e->len < nl ? -1 : e->len > nl;
		if (!d)
			return e->lost;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void endings_index_free(struct endings_index *x)
{
	if (x)
		free(x->v);
	free(x);
}

void endings_append(const struct config *c, struct buffer *summary)
{
	char *path = path_join(c->data_dir, ENDINGS_LIST);
	struct buffer b = {0};

	/* Their lines are not untested: their coverage is partial or missing. */
	if (read_file(path, &b) == 0 && b.len)
		buf_printf(summary, "\nTests whose coverage is partial or missing (crashed, timed out or "
			   "wrote no data):\n%s", b.data);
	buf_free(&b);
	free(path);
}

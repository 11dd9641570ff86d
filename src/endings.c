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

/* Names of the tests ctest's last run started, or NULL when its log is missing or older
 * than the data set (then we cannot tell which tests ran). */
static char *tests_of_last_log(const struct config *c, const char *run)
{
	char *log = runs_ctest_log(c, run);
	struct stat sl, sr;
	struct buffer b = {0}, names = {0};
	char *line, *next;

	if (stat(log, &sl) < 0 || stat(run, &sr) < 0 || sl.st_mtim.tv_sec < sr.st_mtim.tv_sec ||
	    read_file(log, &b) < 0) {
		free(log);
		return NULL;
	}
	free(log);
	buf_add(&names, "\n", 1);
	for (line = b.data; line && *line; line = next) {
		const char *p = line;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p += strspn(p, "0123456789");
		if (*p++ != '/')
			continue;
		p += strspn(p, "0123456789");
		if (strncmp(p, " Test: ", 7))
			continue;
		buf_printf(&names, "%s\n", p + 7);
	}
	buf_free(&b);
	return names.data;
}

static int in_list(const char *list, const char *name)
{
	char *key = xasprintf("\n%s\n", name);
	int ret = strstr(list, key) != NULL;
	free(key);
	return ret;
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

/* One line of tests.tsv: its directory and hex-encoded name. */
struct tsv_line {
	char *dir, *hex;
	size_t at;
	int dup;
};

static int cmp_by_hex(const void *a, const void *b)
{
	const struct tsv_line *x = *(struct tsv_line *const *)a, *y = *(struct tsv_line *const *)b;
	int d = strcmp(x->hex, y->hex);
	return d ? d : (x->at > y->at) - (x->at < y->at);
}

/* The lines of both tests.tsv files in order; a name listed again (a discovered test named
 * like a configure-time one, hence the same directory) is marked dup after its first. */
static struct tsv_line *tsv_lines(char *text, size_t *count)
{
	struct tsv_line *v = NULL, **order;
	size_t n = 0;
	char *line, *next;

	for (line = text; line && *line; line = next) {
		char *tab = strchr(line, '\t');
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!tab)
			continue;
		*tab = '\0';
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n] = (struct tsv_line){line, tab + 1, n, 0};
		n++;
	}
	order = xreallocarray(NULL, n ? n : 1, sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof *order, cmp_by_hex);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(order[i]->hex, order[i - 1]->hex))
			order[i]->dup = 1;
	free(order);
	*count = n;
	return v;
}

size_t endings_scan(const struct config *c, const char *run, struct buffer *out)
{
	char *ran = tests_of_last_log(c, run);
	struct buffer b = {0};
	struct tsv_line *lines;
	size_t listed = 0, n;

	if (testname_read_tsv(c->data_dir, run, &b) < 0) {
		free(ran);
		return 0;
	}
	lines = tsv_lines(b.data, &n);
	for (size_t k = 0; k < n; k++) {
		char *line = lines[k].dir, *name = NULL, *dir, *record;
		struct buffer why = {0};
		struct procs procs;
		size_t len;
		int present;

		if (lines[k].dup)
			continue;
		if (hex_decode(lines[k].hex, &name, &len) < 0 || strlen(name) != len) {
			free(name);
			continue;
		}
		dir = xasprintf("%s/tests/%s", run, line);
		present = is_dir(dir);
		if (ran ? !in_list(ran, name) : !present) {
			free(dir);
			free(name);
			continue;
		}
		record = path_join(dir, ENDINGS_RECORD);
		procs_load(record, &procs);
		for (size_t i = 0; i < procs.n; i++)
			describe(&why, &procs.v[i]);
		if (!present || walk_data(dir, NULL, found_data, NULL) != 1)
			buf_printf(&why, "%swrote no coverage data", why.len ? "; " : "");
		if (why.len) {
			buf_printf(out, "  %s: %s\n", name, why.data);
			listed++;
		}
		buf_free(&why);
		free(procs.v);
		free(record);
		free(dir);
		free(name);
	}
	free(lines);
	buf_free(&b);
	free(ran);
	return listed;
}

int endings_save(const struct config *c, const char *run)
{
	struct buffer b = {0};
	char *path = path_join(c->data_dir, ENDINGS_LIST);
	size_t n = endings_scan(c, run, &b);
	int ret = write_file_atomic(path, b.data ? b.data : "", b.len);

	if (ret < 0)
		error("cannot write %s:", path);
	else if (n)
		warn("%zu test%s crashed, timed out or wrote no coverage data (their lines may show as "
		     "untested); the report lists them, and so does %s", n, n == 1 ? "" : "s", path);
	buf_free(&b);
	free(path);
	return ret;
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

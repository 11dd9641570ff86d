#define _GNU_SOURCE
#include "combine.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endings.h"
#include "gcda.h"
#include "runs.h"
#include "util.h"

/* One per-test input file: its object's build-relative .gcda path and where it is. */
struct input {
	char *rel;
	char *path;
};

struct inputs {
	struct input *v;
	size_t n;
	const char *run;
};

/* A .gcda file combine wrote, as recorded in the manifest, to tell it from foreign data. */
struct written {
	char *rel;
	long long size, mtime_ns;
};

struct manifest {
	struct written *v;
	size_t n;
};

static int collect_input(const char *path, const char *rel, void *ctx)
{
	struct inputs *in = ctx;
	const char *slash = strchr(rel, '/'), *object;

	if (!slash || !ends_with(rel, ".gcda"))
		return 0;
	/* A watchdog's snapshot counts only for a process that never ended (see endings.h). */
	if (endings_snapshot_file(in->run, rel, &object) == 0)
		return 0;
	in->v = xreallocarray(in->v, in->n + 1, sizeof *in->v);
	in->v[in->n].rel = xstrdup(object);
	in->v[in->n].path = xstrdup(path);
	in->n++;
	return 0;
}

static int cmp_input(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	int d = strcmp(x->rel, y->rel);
	return d ? d : strcmp(x->path, y->path);
}

static char *manifest_path(const struct config *c)
{
	return path_join(c->data_dir, "combined.tsv");
}

/* The journal of a replacement under way: the new results' paths, written before the first
 * old result goes and removed after the new manifest is in place. */
static char *pending_path(const struct config *c)
{
	return path_join(c->data_dir, "combined-pending.tsv");
}

static int cmp_written(const void *a, const void *b)
{
	return strcmp(((const struct written *)a)->rel, ((const struct written *)b)->rel);
}

static void manifest_load(const struct config *c, struct manifest *m)
{
	char *path = manifest_path(c);
	struct buffer b = {0};
	char *line, *next;

	memset(m, 0, sizeof *m);
	if (read_file(path, &b) == 0) {
		for (line = b.data; line && *line; line = next) {
			char rel[4096];
			long long size, mtime;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (sscanf(line, "%lld\t%lld\t%4095[^\n]", &size, &mtime, rel) != 3)
				continue;
			m->v = xreallocarray(m->v, m->n + 1, sizeof *m->v);
			m->v[m->n].rel = xstrdup(rel);
			m->v[m->n].size = size;
			m->v[m->n].mtime_ns = mtime;
			m->n++;
		}
	}
	buf_free(&b);
	free(path);
	/* Sorted, for binary search: a build tree has thousands of objects. */
	qsort(m->v, m->n, sizeof *m->v, cmp_written);
}

static void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].rel);
	free(m->v);
}

static long long mtime_ns(const struct stat *st)
{
	return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* 1 if the build tree's file is exactly the one combine wrote last time. */
static int ours_unchanged(const struct manifest *m, const char *rel, const char *path)
{
	struct stat st;
	struct written key = {.rel = (char *)rel}, *w;
	if (lstat(path, &st) < 0)
		return 0;
	w = bsearch(&key, m->v, m->n, sizeof *m->v, cmp_written);
	return w && w->size == (long long)st.st_size && w->mtime_ns == mtime_ns(&st);
}

/* Data in the build tree that combine did not write (a program run outside ctest, or one
 * run by the build) is moved aside, never deleted, and never mixed into the result. */
static int move_to_stray(const struct config *c, const char *rel, const char *path)
{
	char *dest = xasprintf("%s/stray/%s", c->data_dir, rel);
	char *dir = xstrdup(dest);
	int ret = 0;

	/* Earlier stray data of the same object is kept too: the first free name wins. */
	for (int i = 1; exists(dest); i++) {
		free(dest);
		dest = xasprintf("%s/stray/%s.%d", c->data_dir, rel, i);
	}
	*strrchr(dir, '/') = '\0';
	if (mkdirs(dir, 0777) < 0 || rename(path, dest) < 0) {
		error("cannot move %s to %s:", path, dest);
		ret = -1;
	} else {
		warn("%s was not written by parcov (a program ran outside ctest?): moved to %s, not counted",
		     path, dest);
	}
	free(dir);
	free(dest);
	return ret;
}

/* Merge the inputs [first, last) of one object into *out. Returns 1 if anything merged. */
static int merge_object(const struct config *c, const struct inputs *in, size_t first, size_t last,
			struct gcda_file *out, size_t *skipped)
{
	const char *rel = in->v[first].rel;
	char err[512];
	char *gcno = xasprintf("%s/%.*s.gcno", c->build_dir, (int)(strlen(rel) - 5), rel);
	uint32_t version, stamp, checksum;
	int have = 0;

	if (gcno_read_header(gcno, &version, &stamp, &checksum, err, sizeof err) < 0) {
		warn("skipping the data of %d test(s) for %s: %s: %s (the object was removed, or the "
		     "data comes from another build tree)", (int)(last - first), rel, gcno, err);
		*skipped += last - first;
		free(gcno);
		return 0;
	}
	for (size_t i = first; i < last; i++) {
		struct gcda_file f;
		if (gcda_read(in->v[i].path, &f, err, sizeof err) < 0) {
			warn("skipping %s: %s", in->v[i].path, err);
			(*skipped)++;
			continue;
		}
		if (!gcda_matches_gcno(&f, version, stamp, checksum)) {
			warn("skipping %s: it was written by an older build of %s (rebuilt since the tests "
			     "ran); re-run ctest", in->v[i].path, gcno);
			(*skipped)++;
			gcda_free(&f);
			continue;
		}
		if (!have) {
			*out = f;
			have = 1;
			continue;
		}
		if (gcda_merge(out, &f, err, sizeof err) < 0) {
			warn("skipping %s: %s", in->v[i].path, err);
			(*skipped)++;
		}
		gcda_free(&f);
	}
	free(gcno);
	return have;
}

struct outputs {
	char **rel, **tmp;
	size_t n;
};

static void outputs_free(struct outputs *o, int unlink_tmp)
{
	for (size_t i = 0; i < o->n; i++) {
		if (unlink_tmp && o->tmp[i])
			unlink(o->tmp[i]);
		free(o->rel[i]);
		free(o->tmp[i]);
	}
	free(o->rel);
	free(o->tmp);
}

struct build_scan {
	const struct config *c;
	const struct manifest *m;
	const struct outputs *o;
	int failed;
};

/* A .gcda in the build tree before the new result is put in place: our stale output goes,
 * anything else goes to stray/. */
static int clear_build_gcda(const char *path, const char *rel, void *ctx)
{
	struct build_scan *s = ctx;

	if (!ends_with(rel, ".gcda"))
		return 0;
	if (ours_unchanged(s->m, rel, path)) {
		/* Every new result is already written: remove the old one even when a new one
		 * replaces it. ext4 flushes a file renamed over another (auto_da_alloc), which
		 * costs a millisecond per object; a rename to a free name does not. */
		if (unlink(path) < 0) {
			error("cannot remove the old result %s:", path);
			s->failed = 1;
		}
	} else if (move_to_stray(s->c, rel, path) < 0) {
		s->failed = 1;
	}
	return 0;
}

/* A combine that stopped half-way through replacing its results (a crash, a kill) left its
 * journal: the build tree then holds a mix of old and new results, all ours. Remove them all
 * (and their temporaries) with the manifest, so this combine starts from none and nothing of
 * ours is taken for foreign data. Returns 0, or -1 with an error printed. */
static int recover_interrupted(const struct config *c)
{
	char *pending = pending_path(c), *manifest = manifest_path(c);
	struct buffer b = {0};
	struct manifest m;
	char *line, *next;
	int ret = 0;

	if (read_file(pending, &b) < 0) {
		free(pending);
		free(manifest);
		return 0;
	}
	warn("the last combine was interrupted while replacing its results: removing them all");
	for (line = b.data; line && *line; line = next) {
		char *full, *tmp;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		full = path_join(c->build_dir, line);
		tmp = xasprintf("%s.parcov-tmp", full);
		if ((unlink(full) < 0 && errno != ENOENT) || (unlink(tmp) < 0 && errno != ENOENT)) {
			error("cannot remove %s:", full);
			ret = -1;
		}
		free(tmp);
		free(full);
	}
	manifest_load(c, &m);
	for (size_t i = 0; i < m.n; i++) {
		char *full = path_join(c->build_dir, m.v[i].rel);
		if (unlink(full) < 0 && errno != ENOENT) {
			error("cannot remove %s:", full);
			ret = -1;
		}
		free(full);
	}
	manifest_free(&m);
	if (ret == 0 && ((unlink(manifest) < 0 && errno != ENOENT) || unlink(pending) < 0)) {
		error("cannot remove %s:", pending);
		ret = -1;
	}
	buf_free(&b);
	free(pending);
	free(manifest);
	return ret;
}

static int write_pending(const struct config *c, const struct outputs *o)
{
	struct buffer b = {0};
	char *path = pending_path(c);
	int ret = 0;

	for (size_t i = 0; i < o->n; i++)
		buf_printf(&b, "%s\n", o->rel[i]);
	if (write_file_atomic(path, b.data ? b.data : "", b.len) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	buf_free(&b);
	free(path);
	return ret;
}

static int write_manifest(const struct config *c, const struct outputs *o)
{
	struct buffer b = {0};
	char *path = manifest_path(c);
	int ret = 0;

	for (size_t i = 0; i < o->n; i++) {
		char *full = path_join(c->build_dir, o->rel[i]);
		struct stat st;
		if (lstat(full, &st) == 0)
			buf_printf(&b, "%lld\t%lld\t%s\n", (long long)st.st_size, mtime_ns(&st), o->rel[i]);
		free(full);
	}
	if (write_file_atomic(path, b.data ? b.data : "", b.len) < 0) {
		error("cannot write %s:", path);
		ret = -1;
	}
	buf_free(&b);
	free(path);
	return ret;
}

int combine(const struct config *c)
{
	struct inputs in = {0};
	struct outputs out = {0};
	struct manifest m;
	struct build_scan scan;
	size_t skipped = 0, i, first;
	char *run, *tests;
	int ret = 1;

	run = runs_latest_with_data(c);
	if (!run) {
		error("no coverage data in %s: run the tests first (ctest --test-dir %s -j N), then the "
		      "coverage target", c->data_dir, c->build_dir);
		return 1;
	}
	if (runs_check_idle(c, run) < 0 || recover_interrupted(c) < 0) {
		free(run);
		return 1;
	}
	tests = path_join(run, "tests");
	in.run = run;
	if (walk_files(tests, NULL, collect_input, &in) < 0) {
		error("cannot read all the data of %s (see above): nothing was combined", run);
		goto fail;
	}
	qsort(in.v, in.n, sizeof *in.v, cmp_input);
	info("combining %zu data files of %s", in.n, run);

	/* Write every result to a temporary first: a failure leaves the previous result whole. */
	for (first = 0; first < in.n; first = i) {
		struct gcda_file merged;
		struct buffer b = {0};
		char *dest, *tmp;

		for (i = first; i < in.n && !strcmp(in.v[i].rel, in.v[first].rel); i++)
			;
		progress(i, in.n, "combine");
		if (!merge_object(c, &in, first, i, &merged, &skipped))
			continue;
		gcda_serialize(&merged, &b);
		gcda_free(&merged);
		dest = path_join(c->build_dir, in.v[first].rel);
		/* No fsync: the per-test data stays, so a crash costs a re-run of combine. */
		tmp = write_temp_unsynced(dest, b.data, b.len);
		buf_free(&b);
		if (!tmp) {
			error("cannot write %s.parcov-tmp:", dest);
			free(dest);
			goto fail;
		}
		free(dest);
		out.rel = xreallocarray(out.rel, out.n + 1, sizeof *out.rel);
		out.tmp = xreallocarray(out.tmp, out.n + 1, sizeof *out.tmp);
		out.rel[out.n] = xstrdup(in.v[first].rel);
		out.tmp[out.n] = tmp;
		out.n++;
	}
	if (out.n == 0) {
		error("none of the %zu data files of %s could be used (see the warnings above)", in.n, run);
		goto fail;
	}

	/* From here until the manifest is written the journal says a replacement is under way:
	 * a crash in between is undone by the next combine (recover_interrupted). */
	if (write_pending(c, &out) < 0)
		goto fail;
	manifest_load(c, &m);
	scan = (struct build_scan){c, &m, &out, 0};
	if (walk_files(c->build_dir, c->skip_dirs, clear_build_gcda, &scan) < 0) {
		error("cannot read all of %s (see above): the previous results may be partly removed; "
		      "run combine again", c->build_dir);
		scan.failed = 1;
	}
	manifest_free(&m);
	if (scan.failed)
		goto fail;
	for (i = 0; i < out.n; i++) {
		char *dest = path_join(c->build_dir, out.rel[i]);
		if (rename(out.tmp[i], dest) < 0) {
			error("cannot rename %s to %s:", out.tmp[i], dest);
			free(dest);
			goto fail;
		}
		free(out.tmp[i]);
		out.tmp[i] = NULL;
		free(dest);
	}
	if (write_manifest(c, &out) < 0)
		goto fail;
	{
		char *pending = pending_path(c);
		int gone = unlink(pending) == 0;
		if (!gone)
			error("cannot remove %s:", pending);
		free(pending);
		if (!gone)
			goto fail;
	}
	info("wrote %zu .gcda files%s", out.n,
	     skipped ? " (some inputs were skipped: see the warnings above)" : "");
	if (endings_save(c, run) < 0)
		goto fail;
	ret = 0;
fail:
	endings_forget();
	outputs_free(&out, 1);
	for (i = 0; i < in.n; i++) {
		free(in.v[i].rel);
		free(in.v[i].path);
	}
	free(in.v);
	free(tests);
	free(run);
	return ret;
}

int combine_interrupted(const struct config *c)
{
	char *pending = pending_path(c);
	int ret = exists(pending);

	if (ret)
		error("the last combine was interrupted while replacing its results (%s is left): the "
		      "build tree holds a mix of old and new ones; run 'parcov combine -C %s' (or the "
		      "coverage target) again", pending, c->build_dir);
	free(pending);
	return ret;
}

size_t combined_count(const struct config *c)
{
	struct manifest m;
	size_t n;
	manifest_load(c, &m);
	n = m.n;
	manifest_free(&m);
	return n;
}

static int remove_gcda(const char *path, const char *rel, void *ctx)
{
	int *ret = ctx;
	if (ends_with(rel, ".gcda") && unlink(path) < 0) {
		warn("cannot remove %s:", path);
		*ret = -1;
	}
	return 0;
}

int combine_clean(const struct config *c)
{
	char *path = manifest_path(c);
	int ret = 0;

	walk_files(c->build_dir, c->skip_dirs, remove_gcda, &ret);
	if (unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove %s:", path);
		ret = -1;
	}
	free(path);
	path = path_join(c->data_dir, ENDINGS_LIST);
	if (unlink(path) < 0 && errno != ENOENT) {
		warn("cannot remove %s:", path);
		ret = -1;
	}
	free(path);
	return ret;
}

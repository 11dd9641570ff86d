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
#include "manifest.h"
#include "runs.h"
#include "util.h"

/* One per-test input file: its object's build-relative .gcda path and where it is. */
struct input {
	char *rel;
	char *path;
	struct gcda_file *parsed; /* read already (combine_seen_parsed), or NULL */
};

struct inputs {
	struct input *v;
	size_t n;
	const char *run;
	struct strings with_data; /* test directories holding a data file, in walk (sorted) order */
};

static int collect_input(const char *path, const char *rel, void *ctx)
{
	struct inputs *in = ctx;
	const char *slash = strchr(rel, '/'), *object;

	if (slash && (ends_with(rel, ".gcda") || ends_with(rel, ".profraw")) &&
	    (!in->with_data.n || strncmp(in->with_data.v[in->with_data.n - 1], rel, (size_t)(slash - rel)) ||
	     in->with_data.v[in->with_data.n - 1][slash - rel]))
		strings_add(&in->with_data, xasprintf("%.*s", (int)(slash - rel), rel));
	if (!slash || !ends_with(rel, ".gcda"))
		return 0;
	/* A watchdog's snapshot counts only for a process that never ended (see endings.h). */
	if (endings_snapshot_file(in->run, rel, &object) == 0)
		return 0;
	in->v = xreallocarray(in->v, in->n + 1, sizeof *in->v);
	in->v[in->n].rel = xstrdup(object);
	in->v[in->n].path = xstrdup(path);
	in->v[in->n].parsed = NULL;
	in->n++;
	return 0;
}

static int cmp_input(const void *a, const void *b)
{
	const struct input *x = a, *y = b;
	int d = strcmp(x->rel, y->rel);
	return d ? d : strcmp(x->path, y->path);
}

/* A damaged manifest: nothing tells our results from foreign data. */
static void manifest_damaged(const struct config *c, const char *err)
{
	error("%s: delete it, then run the coverage target again (the .gcda files it listed are "
	      "then moved to %s/stray/, not lost)", err, c->data_dir);
}

/* Data in the build tree that combine did not write (a program run outside ctest, or one
 * run by the build) is moved aside, never deleted, and never mixed into the result. */
static int move_to_stray(const struct config *c, const char *rel, const char *path)
{
	/* Under a hidden name (DATA_HIDDEN in util.h): a project's own lcov stops at a .gcda
	 * without its .gcno beside it. */
	char *dest = xasprintf("%s/stray/%s%s", c->data_dir, rel, DATA_HIDDEN);
	char *dir = xstrdup(dest);
	int ret = 0;

	/* Earlier stray data of the same object is kept too: the first free name wins. */
	for (int i = 2; exists(dest); i++) {
		free(dest);
		dest = xasprintf("%s/stray/%s%s%d", c->data_dir, rel, DATA_HIDDEN, i);
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

static int cmp_gcno(const void *a, const void *b)
{
	return strcmp(((const struct combine_gcno *)a)->rel, ((const struct combine_gcno *)b)->rel);
}

/* The header of the notes of the object whose .gcda is rel, as doctor read it, or NULL. */
static const struct combine_gcno *seen_gcno(const struct combine_seen *seen, const char *rel)
{
	struct combine_gcno key;
	const struct combine_gcno *hit;

	if (!seen || !seen->n_gcno)
		return NULL;
	key.rel = xasprintf("%.*s", (int)(strlen(rel) - 5), rel);
	hit = bsearch(&key, seen->gcno, seen->n_gcno, sizeof *seen->gcno, cmp_gcno);
	free(key.rel);
	return hit;
}

/* Merge the inputs [first, last) of one object into *out. Returns 1 if anything merged. */
static int merge_object(const struct config *c, struct inputs *in, size_t first, size_t last,
			struct gcda_file *out, size_t *skipped, const struct combine_seen *seen)
{
	const char *rel = in->v[first].rel;
	char err[512];
	char *gcno = xasprintf("%s/%.*s.gcno", c->build_dir, (int)(strlen(rel) - 5), rel);
	const struct combine_gcno *known = seen_gcno(seen, rel);
	uint32_t version, stamp, checksum;
	int have = 0;

	if (known) {
		version = known->version;
		stamp = known->stamp;
		checksum = known->checksum;
	} else if (gcno_read_header(gcno, &version, &stamp, &checksum, err, sizeof err) < 0) {
		warn("skipping the data of %d test(s) for %s: %s: %s (the object was removed, or the "
		     "data comes from another build tree)", (int)(last - first), rel, gcno, err);
		*skipped += last - first;
		free(gcno);
		return 0;
	}
	for (size_t i = first; i < last; i++) {
		struct gcda_file f;
		if (in->v[i].parsed) {
			f = *in->v[i].parsed;
			free(in->v[i].parsed);
			in->v[i].parsed = NULL;
		} else if (gcda_read(in->v[i].path, &f, err, sizeof err) < 0) {
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

/* The new results, sorted by rel, each with what putting it in place takes. */
enum action {
	KEEP,      /* the result there holds the same bytes */
	OVERWRITE, /* written over ours in place, after the journal: it is no larger, so no
	            * disk space is needed then */
	CREATE,    /* written to a temporary before the journal, then renamed into place */
};
struct outputs {
	char **rel, **tmp;
	struct buffer *data;
	enum action *todo;
	size_t n;
};

static void outputs_free(struct outputs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		if (o->tmp[i])
			unlink(o->tmp[i]);
		free(o->tmp[i]);
		free(o->rel[i]);
		buf_free(&o->data[i]);
	}
	free(o->rel);
	free(o->tmp);
	free(o->data);
	free(o->todo);
}

/* The .gcda files of the build tree, before anything changes: ours (the manifest's, as
 * combine left them) and the rest, foreign. */
struct build_scan {
	const struct manifest *m;
	struct strings ours, foreign; /* build-relative; ours sorted */
	long long *size;              /* of ours[i], after sorting: see ours_size() */
};

static int scan_build_gcda(const char *path, const char *rel, void *ctx)
{
	struct build_scan *s = ctx;
	struct stat st;
	int found;

	if (!ends_with(rel, ".gcda"))
		return 0;
	/* Gone since it was listed (recover_interrupted removes ours): nothing to move. */
	if (!(found = lstat(path, &st) == 0) && errno == ENOENT)
		return 0;
	if (found && manifest_unchanged(s->m, rel, &st))
		strings_add(&s->ours, xstrdup(rel));
	else
		strings_add(&s->foreign, xstrdup(rel));
	return 0;
}

/* The size of our result rel in the build tree, or -1 when there is none of ours. */
static long long ours_size(const struct build_scan *s, const char *rel)
{
	char **hit = s->ours.n ? bsearch(&rel, s->ours.v, s->ours.n, sizeof *s->ours.v, cmp_strp) : NULL;
	struct manifest_entry key = {.rel = (char *)rel}, *e;

	if (!hit)
		return -1;
	e = bsearch(&key, s->m->v, s->m->n, sizeof *s->m->v, manifest_cmp_entry);
	return e ? e->size : -1;
}

/* Put the new results in place. A result equal to the one there is left alone, a changed
 * one is written over ours in place, one no longer made is removed: the repeated coverage
 * step over the same data writes nothing, and a new data set of the same objects makes no
 * inode and frees none (ext4 scans its recently deleted inodes for each new one, which was
 * most of combine's time). Foreign data goes to stray/ first, so the journal never names a
 * file that is not ours. Everything that needs disk space is written before the journal:
 * a full disk leaves the previous results whole. Returns 0, or -1 with an error printed. */
static int replace_results(const struct config *c, struct outputs *out, const struct manifest *m,
			   const struct combine_seen *seen)
{
	struct build_scan scan = {m, {0}, {0}, NULL};
	struct strings gone = {0};
	char **written = NULL;
	size_t n_written = 0;
	int ret = -1;

	if (seen && seen->build_whole && seen->build_state) {
		/* ... and lstat'ed each file, with this manifest. */
		for (size_t i = 0; i < seen->build_gcda.n; i++)
			if (seen->build_state[i] != SEEN_GONE)
				strings_add(seen->build_state[i] == SEEN_OURS ? &scan.ours : &scan.foreign,
				            xstrdup(seen->build_gcda.v[i]));
	} else if (seen && seen->build_whole) {
		/* parcov coverage's doctor walked the build tree a moment ago, holding the lock. */
		for (size_t i = 0; i < seen->build_gcda.n; i++) {
			char *path = path_join(c->build_dir, seen->build_gcda.v[i]);
			scan_build_gcda(path, seen->build_gcda.v[i], &scan);
			free(path);
		}
	} else if (walk_files(c->build_dir, c->skip_dirs, scan_build_gcda, &scan) < 0) {
		error("cannot read all of %s (see above): nothing was changed; run combine again",
		      c->build_dir);
		goto out;
	}
	qsort(scan.ours.v, scan.ours.n, sizeof *scan.ours.v, cmp_strp);
	for (size_t i = 0; i < scan.foreign.n; i++) {
		char *path = path_join(c->build_dir, scan.foreign.v[i]);
		int rc = move_to_stray(c, scan.foreign.v[i], path);
		free(path);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < out->n; i++) {
		char *dest = path_join(c->build_dir, out->rel[i]);
		long long have = ours_size(&scan, out->rel[i]);
		const struct buffer *b = &out->data[i];

		if (have < 0 || (long long)b->len > have)
			out->todo[i] = CREATE;
		else
			out->todo[i] = file_holds(dest, b->data, b->len) ? KEEP : OVERWRITE;
		if (out->todo[i] == CREATE && !(out->tmp[i] = write_temp_unsynced(dest, b->data, b->len))) {
			error("cannot write %s.parcov-tmp:", dest);
			free(dest);
			goto out;
		}
		if (out->todo[i] != KEEP) {
			written = xreallocarray(written, n_written + 1, sizeof *written);
			written[n_written++] = out->rel[i];
		}
		free(dest);
	}
	for (size_t i = 0; i < scan.ours.n; i++)
		if (!bsearch(&scan.ours.v[i], out->rel, out->n, sizeof *out->rel, cmp_strp))
			strings_add(&gone, xstrdup(scan.ours.v[i]));
	/* Nothing to change, and the manifest names exactly what is there. */
	if (!n_written && !gone.n && scan.ours.n == m->n) {
		ret = 0;
		goto out;
	}
	/* From here until the manifest is written the journal says a replacement is under way:
	 * a crash in between is undone by the next combine (recover_interrupted). */
	if (journal_write(c, written, n_written) < 0)
		goto out;
	for (size_t i = 0; i < out->n; i++) {
		char *dest;
		int rc = 0;
		if (out->todo[i] == KEEP)
			continue;
		dest = path_join(c->build_dir, out->rel[i]);
		/* No fsync: the per-test data stays, so a crash costs a re-run of combine. Only
		 * our own result (a regular file, as the manifest recorded it) is written over;
		 * anything else there (a symbolic link) is replaced by the rename, never
		 * followed. */
		if (out->todo[i] == OVERWRITE && write_in_place(dest, out->data[i].data, out->data[i].len) < 0) {
			error("cannot write %s:", dest);
			rc = -1;
		} else if (out->todo[i] == CREATE && rename(out->tmp[i], dest) < 0) {
			error("cannot rename %s to %s:", out->tmp[i], dest);
			rc = -1;
		} else if (out->todo[i] == CREATE) {
			free(out->tmp[i]);
			out->tmp[i] = NULL;
		}
		free(dest);
		if (rc < 0)
			goto out;
	}
	for (size_t i = 0; i < gone.n; i++) {
		char *path = path_join(c->build_dir, gone.v[i]);
		if (unlink(path) < 0 && errno != ENOENT) {
			error("cannot remove the old result %s:", path);
			free(path);
			goto out;
		}
		free(path);
	}
	if (manifest_write(c, out->rel, out->n) < 0)
		goto out;
	if (journal_remove(c) < 0) {
		char *pending = journal_path(c);
		error("cannot remove %s:", pending);
		free(pending);
		goto out;
	}
	ret = 0;
out:
	free(written);
	strings_free(&gone);
	strings_free(&scan.ours);
	strings_free(&scan.foreign);
	return ret;
}

/* A combine that stopped half-way through replacing its results (a crash, a kill) left its
 * journal: the build tree then holds a mix of old and new results, all ours. Remove them all
 * (and their temporaries) with the manifest, so this combine starts from none and nothing of
 * ours is taken for foreign data. Returns 0 when there was none, 1 when it was undone, or -1
 * with an error printed. */
static int recover_interrupted(const struct config *c)
{
	struct strings pending = {0};
	struct manifest m;
	char err[1024];
	int ret = 0, found = journal_read(c, &pending, err, sizeof err);

	if (found < 0) {
		error("%s: delete it and the combined results (parcov clean -C %s), then re-run ctest "
		      "and the coverage target", err, c->build_dir);
		return -1;
	}
	if (found == 0)
		return 0;
	if (manifest_load(c, &m, err, sizeof err) < 0) {
		manifest_damaged(c, err);
		strings_free(&pending);
		return -1;
	}
	warn("the last combine was interrupted while replacing its results: removing them all");
	for (size_t i = 0; i < pending.n; i++) {
		char *full = path_join(c->build_dir, pending.v[i]);
		char *tmp = xasprintf("%s.parcov-tmp", full);
		if ((unlink(full) < 0 && errno != ENOENT) || (unlink(tmp) < 0 && errno != ENOENT)) {
			error("cannot remove %s:", full);
			ret = -1;
		}
		free(tmp);
		free(full);
	}
	for (size_t i = 0; i < m.n; i++) {
		char *full = path_join(c->build_dir, m.v[i].rel);
		if (unlink(full) < 0 && errno != ENOENT) {
			error("cannot remove %s:", full);
			ret = -1;
		}
		free(full);
	}
	manifest_free(&m);
	if (ret == 0 && (manifest_remove(c) < 0 || journal_remove(c) < 0)) {
		char *path = journal_path(c);
		error("cannot remove %s:", path);
		free(path);
		ret = -1;
	}
	strings_free(&pending);
	return ret < 0 ? -1 : 1;
}

int combine_seen_file(const char *path, const char *rel, void *ctx)
{
	struct combine_seen *seen = ctx;
	struct inputs *in = seen->inputs;

	if (!in) {
		seen->inputs = in = xcalloc(1, sizeof *in);
		in->run = seen->run;
	}
	return collect_input(path, rel, in);
}

int combine_seen_parsed(struct combine_seen *seen, const char *path, struct gcda_file *f)
{
	struct inputs *in = seen->inputs;
	struct input *last = in && in->n ? &in->v[in->n - 1] : NULL;

	if (!last || last->parsed || strcmp(last->path, path))
		return 0;
	last->parsed = xmalloc(sizeof *f);
	*last->parsed = *f;
	return 1;
}

static void inputs_free(struct inputs *in)
{
	strings_free(&in->with_data);
	for (size_t i = 0; i < in->n; i++) {
		free(in->v[i].rel);
		free(in->v[i].path);
		if (in->v[i].parsed)
			gcda_free(in->v[i].parsed);
		free(in->v[i].parsed);
	}
	free(in->v);
}

void combine_seen_free(struct combine_seen *seen)
{
	if (seen->inputs)
		inputs_free(seen->inputs);
	free(seen->inputs);
	free(seen->run);
	strings_free(&seen->build_gcda);
	free(seen->build_state);
	for (size_t i = 0; i < seen->n_gcno; i++)
		free(seen->gcno[i].rel);
	free(seen->gcno);
	memset(seen, 0, sizeof *seen);
}

int combine(const struct config *c)
{
	return combine_with(c, NULL);
}

int combine_with(const struct config *c, struct combine_seen *seen)
{
	struct inputs in = {0};
	struct outputs out = {0};
	struct manifest m;
	size_t skipped = 0, i, first;
	char *run, *tests;
	char err[1024];
	int ret = 1, recovered = 0;

	run = runs_latest_with_data(c);
	if (!run) {
		error("no coverage data in %s: run the tests first (ctest --test-dir %s -j N), then the "
		      "coverage target", c->data_dir, c->build_dir);
		return 1;
	}
	if (runs_check_idle(c, run) < 0 || (recovered = recover_interrupted(c)) < 0) {
		free(run);
		return 1;
	}
	/* Undoing it changed the build tree doctor saw: its lstat()s are out of date. */
	if (recovered && seen) {
		free(seen->build_state);
		seen->build_state = NULL;
	}
	tests = path_join(run, "tests");
	in.run = run;
	if (seen && seen->data_whole && seen->run && !strcmp(seen->run, run)) {
		/* The files doctor listed: the same walk, a moment ago, with no ctest writing. */
		if (seen->inputs) {
			in = *(struct inputs *)seen->inputs;
			memset(seen->inputs, 0, sizeof in);
			in.run = run;
		}
	} else if (walk_data(tests, NULL, collect_input, &in) < 0) {
		error("cannot read all the data of %s (see above): nothing was combined", run);
		goto fail;
	}
	qsort(in.v, in.n, sizeof *in.v, cmp_input);
	info("combining %zu data files of %s", in.n, run);

	/* Every result is made before the first old one changes: a failure leaves the previous
	 * results whole. They are small (the counters of one object each). */
	for (first = 0; first < in.n; first = i) {
		struct gcda_file merged;

		for (i = first; i < in.n && !strcmp(in.v[i].rel, in.v[first].rel); i++)
			;
		progress(i, in.n, "combine");
		if (!merge_object(c, &in, first, i, &merged, &skipped, seen))
			continue;
		out.rel = xreallocarray(out.rel, out.n + 1, sizeof *out.rel);
		out.data = xreallocarray(out.data, out.n + 1, sizeof *out.data);
		out.rel[out.n] = xstrdup(in.v[first].rel);
		out.data[out.n] = (struct buffer){0};
		gcda_serialize(&merged, &out.data[out.n]);
		gcda_free(&merged);
		out.n++;
	}
	if (out.n == 0) {
		error("none of the %zu data files of %s could be used (see the warnings above)", in.n, run);
		goto fail;
	}
	out.todo = xcalloc(out.n, sizeof *out.todo);
	out.tmp = xcalloc(out.n, sizeof *out.tmp);

	/* Read before anything changes: a damaged manifest stops combine with nothing changed. */
	if (manifest_load(c, &m, err, sizeof err) < 0) {
		manifest_damaged(c, err);
		goto fail;
	}
	if (replace_results(c, &out, &m, seen) < 0) {
		manifest_free(&m);
		goto fail;
	}
	manifest_free(&m);
	info("wrote %zu .gcda files%s", out.n,
	     skipped ? " (some inputs were skipped: see the warnings above)" : "");
	if (endings_save_with(c, run, &in.with_data) < 0)
		goto fail;
	ret = 0;
fail:
	endings_forget();
	outputs_free(&out);
	inputs_free(&in);
	free(tests);
	free(run);
	return ret;
}

int combine_interrupted(const struct config *c)
{
	char *pending = journal_path(c);
	int ret = exists(pending);
	struct manifest m;
	char err[1024];

	if (ret) {
		error("the last combine was interrupted while replacing its results (%s is left): the "
		      "build tree holds a mix of old and new ones; run 'parcov combine -C %s' (or the "
		      "coverage target) again", pending, c->build_dir);
	} else if (manifest_load(c, &m, err, sizeof err) < 0) {
		manifest_damaged(c, err);
		ret = 1;
	} else {
		manifest_free(&m);
	}
	free(pending);
	return ret;
}

size_t combined_count(const struct config *c)
{
	struct manifest m;
	char err[1024];
	size_t n;

	/* Damaged: combine_interrupted() said so. */
	if (manifest_load(c, &m, err, sizeof err) < 0)
		return 0;
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
	char *path;
	int ret = 0;

	walk_files(c->build_dir, c->skip_dirs, remove_gcda, &ret);
	if (manifest_remove(c) < 0)
		ret = -1;
	path = path_join(c->data_dir, ENDINGS_LIST);
	if (remove_file(path) < 0)
		ret = -1;
	free(path);
	return ret;
}

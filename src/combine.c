#define _GNU_SOURCE
#include "combine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
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
	size_t call;              /* its calls[] entry, when recording */
};

/* A data file (.gcda or .profraw) as the walk gave it, for the merge record; version and
 * stamp are its header's when it is an input that was read (have). */
struct call {
	char *path, *rel;
	int have;
	uint32_t version, stamp;
};

struct inputs {
	struct input *v;
	size_t n;
	const char *run;
	struct strings with_data; /* test directories holding a data file, in walk (sorted) order */
	struct call *calls;       /* recording (combine_and_record) only */
	size_t n_calls;
	int recording;
};

static int collect_input(const char *path, const char *rel, void *ctx)
{
	struct inputs *in = ctx;
	const char *slash = strchr(rel, '/'), *object;
	int data = slash && (ends_with(rel, ".gcda") || ends_with(rel, ".profraw"));

	if (data && (!in->with_data.n || strncmp(in->with_data.v[in->with_data.n - 1], rel, (size_t)(slash - rel)) ||
		     in->with_data.v[in->with_data.n - 1][slash - rel]))
		strings_add(&in->with_data, xasprintf("%.*s", (int)(slash - rel), rel));
	/* Arrays grow by doubling (at each power of two): one call per data file of the set. */
	if (in->recording && data) {
		if (!(in->n_calls & (in->n_calls - 1)))
			in->calls = xreallocarray(in->calls, in->n_calls ? 2 * in->n_calls : 4, sizeof *in->calls);
		in->calls[in->n_calls++] = (struct call){xstrdup(path), xstrdup(rel), 0, 0, 0};
	}
	if (!slash || !ends_with(rel, ".gcda"))
		return 0;
	/* A watchdog's snapshot counts only for a process that never ended (see endings.h). */
	if (endings_snapshot_file(in->run, rel, &object) == 0)
		return 0;
	if (!(in->n & (in->n - 1)))
		in->v = xreallocarray(in->v, in->n ? 2 * in->n : 4, sizeof *in->v);
	in->v[in->n].rel = xstrdup(object);
	in->v[in->n].path = xstrdup(path);
	in->v[in->n].parsed = NULL;
	in->v[in->n].call = in->n_calls - 1;
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
			struct gcda_file *out, size_t *skipped, const struct combine_seen *seen,
			struct combine_gcno *used)
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
	*used = (struct combine_gcno){NULL, version, stamp, checksum};
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
		if (in->recording)
			in->calls[in->v[i].call] = (struct call){in->calls[in->v[i].call].path,
			                                         in->calls[in->v[i].call].rel, 1, f.version, f.stamp};
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
	for (size_t i = 0; i < in->n_calls; i++) {
		free(in->calls[i].path);
		free(in->calls[i].rel);
	}
	free(in->calls);
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
	merge_record_free(seen->record);
	for (size_t i = 0; i < seen->n_gcno; i++)
		free(seen->gcno[i].rel);
	free(seen->gcno);
	memset(seen, 0, sizeof *seen);
}

int combine(const struct config *c)
{
	return combine_with(c, NULL);
}

/* What a combine did, for its record (combine_and_record). */
struct merged {
	char *run;
	size_t inputs;
	int clean; /* every input merged, no warning */
	struct combine_gcno *results; /* rel and the header of its notes, sorted */
	size_t n_results;
	struct call *calls;
	size_t n_calls;
};

static int record_holds(const struct config *c, const struct combine_seen *seen, size_t inputs);

/* combine_with(), filling *rec (when not NULL) for the merge record. */
static int combine_run(const struct config *c, struct combine_seen *seen, struct merged *rec)
{
	struct inputs in = {0};
	struct outputs out = {0};
	struct manifest m;
	size_t skipped = 0, i, first;
	char *run, *tests;
	char err[1024];
	int ret = 1, recovered = 0;
	struct combine_gcno *used = NULL;

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
	in.recording = rec != NULL;
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
	/* ctest's post-test merged this very set into the results that are there (its record
	 * still holds, and so do they and their notes): merging again would make the same bytes
	 * and change nothing. */
	if (seen && seen->record && seen->data_whole && !recovered && seen->run && !strcmp(seen->run, run) &&
	    record_holds(c, seen, in.n)) {
		for (first = 0; first < in.n; first = i) {
			for (i = first; i < in.n && !strcmp(in.v[i].rel, in.v[first].rel); i++)
				;
			progress(i, in.n, "combine");
		}
		info("wrote %zu .gcda files", seen->build_gcda.n);
		if (endings_save_with(c, run, &in.with_data) == 0)
			ret = 0;
		goto fail;
	}

	/* Every result is made before the first old one changes: a failure leaves the previous
	 * results whole. They are small (the counters of one object each). */
	for (first = 0; first < in.n; first = i) {
		struct gcda_file merged;

		for (i = first; i < in.n && !strcmp(in.v[i].rel, in.v[first].rel); i++)
			;
		progress(i, in.n, "combine");
		used = xreallocarray(used, out.n + 1, sizeof *used);
		if (!merge_object(c, &in, first, i, &merged, &skipped, seen, &used[out.n]))
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
	if (rec) {
		rec->run = xstrdup(run);
		rec->inputs = in.n;
		rec->clean = !skipped;
		rec->results = used;
		rec->n_results = out.n;
		for (i = 0; i < out.n; i++)
			used[i].rel = xstrdup(out.rel[i]);
		used = NULL;
		rec->calls = in.calls;
		rec->n_calls = in.n_calls;
		in.calls = NULL;
		in.n_calls = 0;
	}
fail:
	endings_forget();
	outputs_free(&out);
	inputs_free(&in);
	free(used);
	free(tests);
	free(run);
	return ret;
}

int combine_with(const struct config *c, struct combine_seen *seen)
{
	return combine_run(c, seen, NULL);
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

/* --- The merge record: <run>/merge-record, written by ctest's post-test when it merged the
 * set with no warning, so that the coverage step after it need not read and merge the set
 * again (README.md, "Data sets"). It holds the set's listing (runs_listing()), each data file
 * the walk gave with its header, the results with their notes' headers and their listing
 * lines, and the manifest's line: while every listed line holds, the set is what was merged,
 * and while the results and their notes are unchanged, so is what a merge would write. --- */

#define MERGE_RECORD "merge-record"
#define RECORD_MAGIC "parcov-merge-record 1\n"

struct merge_record {
	char *text;                /* the file's text, cut into the strings below */
	size_t inputs;
	const char *manifest;      /* the manifest's listing line */
	struct recorded_result {
		const char *rel, *line; /* line: its listing line */
		uint32_t version, stamp, checksum;
	} *results;                /* sorted by rel */
	size_t n_results;
	struct call *calls;        /* path and rel point into text */
	size_t n_calls;
};

void merge_record_free(struct merge_record *r)
{
	if (!r)
		return;
	free(r->text);
	free(r->results);
	for (size_t i = 0; i < r->n_calls; i++)
		free(r->calls[i].path);
	free(r->calls);
	free(r);
}

static int record_write(const struct config *c, const char *run, const struct merged *rec,
			const struct buffer *listing)
{
	struct buffer b = {0};
	char *path = path_join(run, MERGE_RECORD), *manifest = manifest_path(c);
	size_t len = strlen(run);
	int ret = -1;

	buf_printf(&b, RECORD_MAGIC "inputs %zu\nm ", rec->inputs);
	if (runs_listing_line(AT_FDCWD, manifest, "manifest", &b) < 0)
		goto out;
	for (size_t i = 0; i < rec->n_results; i++) {
		const struct combine_gcno *g = &rec->results[i];
		char *full = path_join(c->build_dir, g->rel);
		int rc;
		buf_printf(&b, "r %08x %08x %08x ", (unsigned)g->version, (unsigned)g->stamp, (unsigned)g->checksum);
		rc = runs_listing_line(AT_FDCWD, full, g->rel, &b);
		free(full);
		if (rc < 0 || strpbrk(g->rel, "\n\t"))
			goto out;
	}
	for (size_t i = 0; i < rec->n_calls; i++) {
		const struct call *k = &rec->calls[i];
		/* Its path below run/tests, where the walk found it. */
		if (strncmp(k->path, run, len) || strncmp(k->path + len, "/tests/", 7) ||
		    strpbrk(k->path, "\n\t") || strpbrk(k->rel, "\n\t"))
			goto out;
		if (k->have)
			buf_printf(&b, "w %08x %08x\t%s\t%s\n", (unsigned)k->version, (unsigned)k->stamp,
			           k->path + len + 7, k->rel);
		else
			buf_printf(&b, "w - -\t%s\t%s\n", k->path + len + 7, k->rel);
	}
	buf_add(&b, listing->data, listing->len);
	/* Its length last: a record cut short (it is not synced: a crash costs the next
	 * coverage step a walk) is never taken for a smaller set. */
	buf_printf(&b, "end %zu\n", b.len);
	ret = write_file_unsynced(path, b.data, b.len);
out:
	buf_free(&b);
	free(manifest);
	free(path);
	return ret;
}

int combine_and_record(const struct config *c)
{
	char *run = runs_latest_with_data(c), *record;
	struct buffer before = {0}, after = {0};
	struct merged rec = {0};
	int ret, listed;

	if (!run)
		return combine(c); /* which says why */
	/* An earlier one (PARALLEL_COVERAGE_APPEND=ON keeps the set) no longer holds. */
	record = path_join(run, MERGE_RECORD);
	remove_file(record);
	listed = runs_listing(run, &before) == 0;
	ret = combine_run(c, NULL, listed ? &rec : NULL);
	/* The set as listed before is the set that was merged only if nothing changed it
	 * meanwhile. */
	if (ret == 0 && listed && rec.clean && !strcmp(rec.run, run) && runs_listing(run, &after) == 0 &&
	    after.len == before.len && !memcmp(after.data, before.data, before.len) &&
	    record_write(c, run, &rec, &before) < 0)
		remove_file(record);
	for (size_t i = 0; i < rec.n_results; i++)
		free(rec.results[i].rel);
	free(rec.results);
	for (size_t i = 0; i < rec.n_calls; i++) {
		free(rec.calls[i].path);
		free(rec.calls[i].rel);
	}
	free(rec.calls);
	free(rec.run);
	buf_free(&before);
	buf_free(&after);
	free(record);
	free(run);
	return ret;
}

static int cmp_recorded(const void *a, const void *b)
{
	return strcmp(((const struct recorded_result *)a)->rel, ((const struct recorded_result *)b)->rel);
}

/* Cut the next line of *p (its newline made a NUL), or NULL at the end. */
static char *next_line(char **p)
{
	char *line = *p, *nl;

	if (!*line)
		return NULL;
	nl = strchr(line, '\n');
	if (!nl)
		return NULL; /* cut short */
	*nl = '\0';
	*p = nl + 1;
	return line;
}

/* 1 if the entry at path (relative to dir, shown as rel) still has the listing line line
 * (without its newline). */
static int line_holds(int dir, const char *path, const char *rel, const char *line, struct buffer *b)
{
	b->len = 0;
	return runs_listing_line(dir, path, rel, b) == 0 && b->len == strlen(line) + 1 &&
	       !memcmp(b->data, line, b->len - 1);
}

/* The set's listing checked line by line, in parallel: a stat() each, path lookups from the
 * set's directory. */
struct listed {
	int dir;
	char **lines;
	atomic_int changed;
};

static void check_listed(void *ctx, size_t i)
{
	struct listed *l = ctx;
	struct buffer b = {0};
	const char *rel;

	if (atomic_load(&l->changed))
		return;
	rel = strchr(l->lines[i], '\t') + 1;
	if (!line_holds(l->dir, rel, rel, l->lines[i], &b))
		atomic_store(&l->changed, 1);
	buf_free(&b);
}

struct merge_record *merge_record_load(const char *run)
{
	struct merge_record *r = xcalloc(1, sizeof *r);
	struct buffer file = {0}, b = {0};
	char *path = path_join(run, MERGE_RECORD), *p, *line;
	struct listed listed = {.dir = -1};
	size_t n_listed = 0;
	int ok = 0, ended = 0;

	if (read_file(path, &file) < 0 || strncmp(file.data, RECORD_MAGIC, strlen(RECORD_MAGIC)))
		goto out;
	r->text = file.data;
	file.data = NULL;
	p = r->text + strlen(RECORD_MAGIC);
	if (!(line = next_line(&p)) || sscanf(line, "inputs %zu", &r->inputs) != 1 || !(line = next_line(&p)) ||
	    strncmp(line, "m ", 2))
		goto out;
	r->manifest = line + 2;
	while ((line = next_line(&p))) {
		char *tab = strchr(line, '\t'), *tab2;
		unsigned v = 0, s = 0, k = 0;
		if (line[0] == 'r' && tab && sscanf(line, "r %8x %8x %8x ", &v, &s, &k) == 3 && strlen(line) > 29) {
			if (!(r->n_results & (r->n_results - 1)))
				r->results = xreallocarray(r->results, r->n_results ? 2 * r->n_results : 4,
							   sizeof *r->results);
			r->results[r->n_results++] = (struct recorded_result){tab + 1, line + 29, v, s, k};
		} else if (line[0] == 'w' && tab && (tab2 = strchr(tab + 1, '\t'))) {
			struct call k = {tab + 1, tab2 + 1, 0, 0, 0};
			*tab2 = '\0';
			k.have = sscanf(line, "w %8x %8x", &v, &s) == 2;
			k.version = v;
			k.stamp = s;
			if (!(r->n_calls & (r->n_calls - 1)))
				r->calls = xreallocarray(r->calls, r->n_calls ? 2 * r->n_calls : 4, sizeof *r->calls);
			r->calls[r->n_calls++] = k;
		} else if (!strncmp(line, "end ", 4) && !*p) {
			size_t len;
			if (sscanf(line, "end %zu", &len) != 1 || len != (size_t)(line - r->text))
				goto out;
			ended = 1;
		} else if (line[0] && strchr("DFLO", line[0]) && line[1] == ' ' && tab) {
			/* Every entry of the set as it was merged. */
			listed.lines = xreallocarray(listed.lines, n_listed + 1, sizeof *listed.lines);
			listed.lines[n_listed++] = line;
		} else {
			goto out;
		}
	}
	if (*p || !ended || !n_listed || (listed.dir = open(run, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	parallel_for(n_listed, check_listed, &listed);
	close(listed.dir);
	ok = !atomic_load(&listed.changed);
	qsort(r->results, r->n_results, sizeof *r->results, cmp_recorded);
out:
	free(listed.lines);
	buf_free(&file);
	buf_free(&b);
	free(path);
	if (!ok) {
		r->n_calls = 0; /* their paths are still the text's */
		merge_record_free(r);
		return NULL;
	}
	/* The calls' paths are relative to run/tests: made whole for the walk's callers. */
	for (size_t i = 0; i < r->n_calls; i++)
		r->calls[i].path = xasprintf("%s/tests/%s", run, r->calls[i].path);
	return r;
}

void merge_record_files(const struct merge_record *r, merge_record_fn *fn, void *ctx)
{
	for (size_t i = 0; i < r->n_calls; i++)
		fn(r->calls[i].path, r->calls[i].rel, r->calls[i].have, r->calls[i].version, r->calls[i].stamp, ctx);
}

/* The fast path's conditions beyond the set's listing (doctor checked that): the manifest,
 * every .gcda of the build tree ours and unchanged since the record, exactly the results,
 * their notes' headers the same, and as many inputs. */
static int record_holds(const struct config *c, const struct combine_seen *seen, size_t inputs)
{
	const struct merge_record *r = seen->record;
	char *manifest = manifest_path(c);
	struct buffer b = {0};
	int ok = inputs == r->inputs && seen->build_whole && seen->build_state &&
	         seen->build_gcda.n == r->n_results && line_holds(AT_FDCWD, manifest, "manifest", r->manifest, &b);

	for (size_t i = 0; ok && i < seen->build_gcda.n; i++) {
		struct recorded_result key = {.rel = seen->build_gcda.v[i]}, *hit;
		const struct combine_gcno *g;
		char *full;
		if (seen->build_state[i] != SEEN_OURS ||
		    !(hit = bsearch(&key, r->results, r->n_results, sizeof *r->results, cmp_recorded)) ||
		    !(g = seen_gcno(seen, hit->rel)) || g->version != hit->version || g->stamp != hit->stamp ||
		    g->checksum != hit->checksum) {
			ok = 0;
			break;
		}
		full = path_join(c->build_dir, hit->rel);
		ok = line_holds(AT_FDCWD, full, hit->rel, hit->line, &b);
		free(full);
	}
	buf_free(&b);
	free(manifest);
	return ok;
}

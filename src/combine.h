/* parcov combine: merge the per-test .gcda files of the last ctest run into the build tree. */
#ifndef PARCOV_COMBINE_H
#define PARCOV_COMBINE_H

#include <stdint.h>

#include "config.h"
#include "util.h"

/* Merge the newest data set into <build>/<object>.gcda files. Returns 0 on success, 1 when
 * there was nothing usable to merge (error printed). The previous result stays intact on
 * failure. */
int combine(const struct config *c);

/* What 'parcov coverage' saw of the build tree and the data set in its doctor step, so that
 * combine does not walk both again: filled by doctor (doctor_data.c) through
 * combine_seen_file() and the objects' walk, each part used only when it is whole. */
struct combine_seen {
	char *run;                 /* the data set doctor read (the newest holding data) */
	int data_whole;            /* every file of run/tests was listed, and no ctest was
	                            * writing the set then (combine would stop otherwise) */
	void *inputs;              /* combine.c's list of run's data files (opaque) */
	int build_whole;           /* build_gcda lists every .gcda of the build tree */
	struct strings build_gcda; /* build-relative, in walk order (doctor's objects') */
	/* What doctor's lstat() of each build_gcda found, with the manifest as it loaded it
	 * (NULL when it could not): SEEN_GONE, SEEN_OURS or SEEN_FOREIGN. Valid while no
	 * combine changed the build tree since (an interrupted one is undone first). */
	char *build_state;
	/* The notes' headers doctor read, sorted by rel (build-relative, without ".gcno"); an
	 * object whose header could not be parsed is not listed (combine reads it and says
	 * why). */
	struct combine_gcno {
		char *rel;
		uint32_t version, stamp, checksum;
	} *gcno;
	size_t n_gcno;
	/* run's merge record, when every entry it lists still holds (doctor checked, and gave
	 * combine the files it lists instead of walking): combine then checks the rest. */
	struct merge_record *record;
};
enum { SEEN_GONE = 1, SEEN_OURS, SEEN_FOREIGN };

/* Called for each file of seen->run's tests/ as walk_data() finds it (a walk_fn). */
int combine_seen_file(const char *path, const char *rel, void *seen);
/* The data file path, as gcda_read() gave it to doctor right after combine_seen_file(): 1 if
 * combine takes it (and frees it), 0 if path is not one of combine's inputs. */
struct gcda_file;
int combine_seen_parsed(struct combine_seen *seen, const char *path, struct gcda_file *f);
/* combine(), using what seen holds instead of walking again; seen stays the caller's to
 * free with combine_seen_free(). The same messages and results as combine(). */
int combine_with(const struct config *c, struct combine_seen *seen);
void combine_seen_free(struct combine_seen *seen);

/* ctest's post-test: combine(), then, when it merged every input of the set with no
 * warning and nothing changed the set meanwhile, its record in the set (<run>/merge-record):
 * the set's listing (runs_listing()), each data file with its header, the results with the
 * headers of their notes. The coverage step after it reads the record instead of the set
 * while every entry it lists holds, and writes nothing while the results and their notes
 * are unchanged too (combine_with()): the same messages and results. */
int combine_and_record(const struct config *c);

/* The record of data set run, when it still holds (every entry it lists unchanged), else
 * NULL. */
struct merge_record *merge_record_load(const char *run);
/* Each data file (.gcda, .profraw) of the set as walk_data() gave it when it was merged, in
 * its order: path, rel and, for an input combine read, its header (have 1). */
typedef void merge_record_fn(const char *path, const char *rel, int have, uint32_t version, uint32_t stamp,
			     void *ctx);
void merge_record_files(const struct merge_record *r, merge_record_fn *fn, void *ctx);
void merge_record_free(struct merge_record *r);

/* 1 (after an error with the fix) when a combine stopped half-way through replacing its
 * results (the build tree holds a mix that no report may read), or its manifest is damaged
 * (nothing tells its results from foreign data). */
int combine_interrupted(const struct config *c);

/* Number of .gcda files combine() last wrote into the build tree (from its manifest). */
size_t combined_count(const struct config *c);

/* Remove the .gcda files of the build tree (outside coverage-data/) and combine's manifest.
 * Returns 0 or -1 (warned). */
int combine_clean(const struct config *c);

#endif

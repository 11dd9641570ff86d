/* The control-flow graph of one object from its .gcno (GCC 12, GCC 11 and Clang's "408*"
 * format), and gcov's way of turning one .gcda's arc counters into block counts: the arcs
 * on the spanning tree have no counter and are solved from the others (gcov.cc's
 * solve_flow_graph). Used for per-test coverage, where running gcov once per test and object
 * would cost more than the whole report.
 *
 * Records (lengths in bytes for GCC 12, in 4-byte words for GCC 11 and Clang):
 *   header:   magic "gcno", version, stamp, [GCC 12: checksum], [GCC: cwd string, GCC 11+:
 *             has_unexecuted_blocks]
 *   function: tag 0x01000000: ident, lineno_checksum, cfg_checksum, name, [GCC: artificial],
 *             source, start line, [GCC: start column, end line, end column]
 *   blocks:   tag 0x01410000: GCC: the number of blocks; Clang: one flags word per block
 *   arcs:     tag 0x01430000: source block, then (destination, flags) pairs; flag 1: on the
 *             spanning tree (no counter), 2: fake, 4: fall-through
 *   lines:    tag 0x01450000: block, then line numbers, a 0 followed by a file name
 *             switching the file, and a 0 followed by an empty string at the end
 * Strings: GCC 12: a byte length (with the NUL, 0 for none) then the bytes; GCC 11 and
 * Clang: a length in words then the bytes padded to a word. */
#ifndef PARCOV_GCNO_H
#define PARCOV_GCNO_H

#include <stddef.h>
#include <stdint.h>

struct gcda_file;

struct gcno_arc {
	uint32_t src, dst;
	int on_tree;
	unsigned char fake, fallthrough; /* flags 2 and 4 (for gcov's text, gcovtext.c) */
};

/* A line a block belongs to: its file (index in gcno_object.files) and number. */
struct gcno_line {
	uint32_t file;
	uint32_t line;
	unsigned char last;   /* the highest line of its file's run in the block's list */
	/* Whether this block running makes the line run, as gcov counts lines (see
	 * gcno_executed_lines()). */
	unsigned char counts;
	unsigned char run_start; /* the first line after a file name: gcov's "location" */
};

struct gcno_function {
	uint32_t ident, lineno_checksum, cfg_checksum;
	int artificial; /* compiler-made (static initialisers): gcov shows none of its lines */
	/* GCC only: the (mangled) name, the source (index in files) and the span. */
	char *name;
	uint32_t src, start_line, start_column, end_line, end_column;
	uint32_t n_blocks;
	struct gcno_arc *arcs;
	size_t n_arcs;
	uint32_t n_counted; /* arcs off the tree: the .gcda's counters, in arc order */
	/* The lines of block b are lines[line_start[b] .. line_start[b + 1]). */
	size_t *line_start;
	struct gcno_line *lines;
	size_t n_lines;
	/* The arcs into block b are arcs[in_arc[in_start[b] .. in_start[b + 1])], out of it
	 * the same with out_. */
	size_t *in_start, *out_start, *in_arc, *out_arc;
	/* The solver cannot find every block's count (whatever the counters: which counts it
	 * finds depends on the graph alone). Known at load, so that a function whose counters
	 * are all zero, which then ran no block, needs no solving per test. */
	int unsolvable;
};

struct gcno_object {
	uint32_t version, stamp;
	char *cwd;       /* the compilation's directory (GCC), "" for Clang */
	char **files;    /* source names as recorded (absolute with CMake) */
	size_t n_files;
	struct gcno_function *fn;
	size_t n_fn;
	int has_unexecuted_blocks; /* GCC's header flag: gcov marks lines with '*' */
	size_t max_arcs, max_blocks; /* over fn: the solver's scratch for any of them */
	/* Something gcov reads differently from what is kept here (a file name followed by no
	 * line, two arc records of one block): gcovtext.c leaves such objects to gcov. */
	int odd;
};

/* Files come in the order gcov's find_source() meets them: each function's source, then
 * the files of its line records. */
/* Read a .gcno. Returns 0, or -1 with a message in err (the object is left empty). */
int gcno_load(const char *path, struct gcno_object *o, char *err, size_t errlen);
/* Parse a .gcno image (for the unit tests). */
int gcno_parse(const unsigned char *data, size_t len, struct gcno_object *o, char *err, size_t errlen);
void gcno_free(struct gcno_object *o);

/* One .gcno as the readers of one report share it: the stale check (its header), gcovtext
 * and the per-test coverage each read every object's graph otherwise. */
struct gcno_cached {
	int header_ok;           /* gcno_parse_header() of its first bytes (else header_err) */
	uint32_t version, stamp; /* from the header */
	int ok;                  /* gcno_load() succeeded: o is the object (else err) */
	struct gcno_object o;
	char err[256], header_err[256];
};
/* The .gcno at path, read and parsed on first use by any thread (the others wait), kept until
 * gcno_cache_forget(). Files are not read again: for one command's reading of a build tree. */
const struct gcno_cached *gcno_cached(const char *path);
void gcno_cache_forget(void);

/* For every function of o with counters in d (matched by ident and checksums), solve its
 * block counts and call mark(ctx, file, line) for each line gcov would show with a count
 * above 0; a line may be reported more than once. GCC's gcov (gcov.cc add_line_counts,
 * accumulate_line_info) counts a line by the blocks it ends (the highest line of a block's
 * run of lines in one file, entry and exit blocks aside) when there are any in the object: a
 * block that only starts on a line (a label followed by a statement) does not make it run.
 * Only the lines no block ends count by every block on them. llvm-cov gcov counts every
 * block on a line. Returns 0, or -1 with a message when d does not
 * fit o (another build of the object) or its graph cannot be solved. */
int gcno_executed_lines(const struct gcno_object *o, const struct gcda_file *d,
			void (*mark)(void *ctx, uint32_t file, uint32_t line), void *ctx,
			char *err, size_t errlen);

#endif

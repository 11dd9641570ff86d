/* Small helpers shared by every part of parcov: errors, memory, a growable buffer, files. */
#ifndef PARCOV_UTIL_H
#define PARCOV_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>

/* Name printed before every message ("parcov"). */
extern const char *argv0;

/* Verbosity: 0 = errors and warnings only, 1 = progress (default on a terminal). */
extern int verbose;

/* Print "parcov: warning: ..." to stderr; a format ending in ':' appends strerror(errno). */
void warn(const char *fmt, ...);
/* Print "parcov: error: ..." to stderr, same ':' rule as warn(). */
void error(const char *fmt, ...);
/* error(), then exit(1). */
void fatal(const char *fmt, ...);
/* Print a progress/info line to stdout when verbose. */
void info(const char *fmt, ...);
/* Show "parcov: what: done/total" on stderr, rewriting one line, only when verbose and
 * stderr is a terminal (CI logs stay quiet); done == total ends the line. */
void progress(size_t done, size_t total, const char *what);

/* Allocation that never returns NULL: out of memory is fatal. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* asprintf that dies on failure. */
char *xasprintf(const char *fmt, ...);

/* A growable byte buffer; data is always NUL-terminated for convenience. */
struct buffer {
	char *data;
	size_t len, cap;
};

/* Append n bytes. */
void buf_add(struct buffer *b, const void *p, size_t n);
/* Append a formatted string. */
void buf_printf(struct buffer *b, const char *fmt, ...);
/* Append a string, and a number in decimal: buf_printf's "%s" and "%lld" without parsing a
 * format, for the loops that write a report's megabytes. */
void buf_str(struct buffer *b, const char *s);
void buf_num(struct buffer *b, long long v);
/* Append s as a JSON string exactly as json-c (0.16, JSON_C_TO_STRING_NOSLASHESCAPE) writes it:
 * \b \n \r \t \f \" \\ and \u00xx for the other control bytes, every other byte as it is. */
void json_c_string(struct buffer *b, const char *s);
/* Release the buffer's memory and reset it to empty. */
void buf_free(struct buffer *b);

/* The messages (warn, error, info, progress) of work done ahead that may be dropped: while
 * msgs_capture(m) is in effect (NULL ends it), those of the calling thread and of the
 * parallel_for() workers it starts are kept in m, in order, instead of printed (fatal()'s
 * are printed). msgs_replay() prints them as they would have been. */
struct msgs {
	struct buffer b;
};
void msgs_capture(struct msgs *m);
void msgs_replay(const struct msgs *m);
void msgs_free(struct msgs *m);

/* Read a whole file into *out (NUL-terminated). Returns 0, or -1 with errno set. */
int read_file(const char *path, struct buffer *out);
/* Write all len bytes to fd (retrying short writes). Returns 0, or -1 with errno set. */
int write_all(int fd, const void *data, size_t len);
/* Write data to path atomically: a temporary file in the same directory, fsync'd, then
 * rename(2). On failure the old file is untouched, no temporary is left, and -1 is returned
 * with errno set. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* write_file_atomic() without the fsync, for what the next report makes again (the per-test
 * store, tests.json, gcov's messages): an fsync waits for the disk, up to tens of ms. */
int write_file_unsynced(const char *path, const void *data, size_t len);
/* Write data to "<path>.parcov-tmp" and fsync it; the caller renames or unlinks it.
 * Returns the temporary's name (caller frees), or NULL with errno set and nothing left. */
char *write_temp_beside(const char *path, const void *data, size_t len);
/* write_temp_beside() without the fsync, for data that can be made again from files that
 * are kept (combine's results): a thousand fsyncs cost seconds. */
char *write_temp_unsynced(const char *path, const void *data, size_t len);

/* mkdir -p. Returns 0, or -1 with errno set. */
int mkdirs(const char *path, int mode);
/* Remove a file that may be missing. Returns 0, or -1 after a warning naming it. */
int remove_file(const char *path);
/* Remove a tree without following symbolic links (a link is removed, never its target).
 * Returns 0 or -1 (errors are reported with warn()). */
int remove_tree(const char *path);
/* 1 if path is a directory (not following a final symlink), 0 otherwise. */
int is_dir(const char *path);
/* 1 if path exists (lstat), 0 otherwise. */
int exists(const char *path);

/* Join two path parts with one '/'. Caller frees. */
char *path_join(const char *a, const char *b);

/* 1 if the file at path holds exactly len bytes of data, else 0 (also when unreadable). */
int file_holds(const char *path, const void *data, size_t len);
/* Write data over the file at path (made if missing) in place: the same inode, no
 * temporary. For files whose readers a journal or lock keeps away while they change; a new
 * inode per write costs ext4 a scan of the recently deleted ones. Returns 0, or -1 (errno
 * set; the file may then hold a mix). */
int write_in_place(const char *path, const void *data, size_t len);

/* flush and close stdout, turning a write error (full disk, closed pipe) into a failure. */
int close_stdout(void);



/* Called by walk_files() for each regular file: its full path and its path relative to the
 * walk's root. Return non-zero to stop the walk. */
typedef int walk_fn(const char *path, const char *rel, void *ctx);

/* Visit the regular files below root, depth first in name order, never following symbolic
 * links. Directories whose relative path is in skip (NULL-terminated, may be NULL) are not
 * entered; an entry "* /NAME" (without the space) skips every directory named NAME. Returns the callback's non-zero value, 0 when done, -1 on an I/O error (warned). */
int walk_files(const char *root, const char *const *skip, walk_fn *fn, void *ctx);

/* walk_files() with the root's entries walked on every processor (a build tree has
 * thousands of files in large directories: the kernel's readdir is most of the walk), the
 * callback called after, in the calling thread, in the same order with the same result. Only
 * when a directory cannot be read may it warn of more than walk_files() would have. */
int walk_files_parallel(const char *root, const char *const *skip, walk_fn *fn, void *ctx);

/* walk_files() over a data set (runs/N or its tests/), without the files of recycled
 * trees: empty, with the modification time 0 (the epoch). A recycled tree keeps its files
 * truncated to nothing, and GCC's and Clang's runtimes write an existing empty file as a
 * new one (see recycle in runs.c); one written (or cut short) since has a real time. A
 * hidden data file (data_hidden_len) comes with its visible name in rel. */
int walk_data(const char *root, const char *const *skip, walk_fn *fn, void *ctx);

/* A per-test data file hidden from tools that search a build tree for *.gcda (a project's own
 * lcov or gcovr target, README.md "Using it in your project"): NAME.gcda renamed
 * NAME.gcda.parcov, or NAME.gcda.parcovN when that is taken, once the ctest run that wrote it
 * has ended (runs_hide_data). walk_data() gives such a file its visible name in rel (path
 * stays the file's real one). The length of that name if name is one, else 0. */
#define DATA_HIDDEN ".parcov"
size_t data_hidden_len(const char *name);

/* walk_data() of one data set's directory (no skip list) once per process, its list kept
 * with the contents of the files whose names end in suffix: the report's stale check and
 * its per-test coverage read the same thousands of small .gcda files, and the walk itself
 * costs a dozen system calls per directory. Returns walk_data()'s value; *files (in walk
 * order) stay valid until data_files_forget() or a call with another root or suffix. */
/* FNV-1a of n bytes. */
uint64_t str_hash(const char *s, size_t n);
/* A table of entries found by a string key, each entry starting with its key (a char *): the
 * caches of one report (source files, real paths, .gcno files). Not locked. */
struct str_table {
	void **slots;
	size_t n, nslots;
};
/* The slot of key (len bytes): holding its entry, or NULL for the caller to fill (then
 * t->n++; the table has room for it). */
void **str_table_slot(struct str_table *t, const char *key, size_t len);
/* Each entry to free_entry, then the table emptied. */
void str_table_free(struct str_table *t, void (*free_entry)(void *));

/* realpath(path, out) (out: PATH_MAX bytes), each directory resolved once per process until
 * realpath_cache_forget(): one lstat per plain absolute file name instead of a readlink per
 * component. For names of files that do not move while a command runs. */
char *realpath_cached(const char *path, char *out);
void realpath_cache_forget(void);

/* A source file as one report reads it: gcovtext stats each source of each object twice and
 * reads it, the HTML reads it again, and a header is a source of every object including it.
 * source_file() stats path once per process and, with text, reads it once (any thread); the
 * entry stays valid until source_cache_forget(). */
struct source_file {
	int stat_errno; /* 0: st is valid */
	struct stat st;
	int read_errno; /* asked with text: 0 and text (NUL-terminated), or why not */
	struct buffer text;
};
const struct source_file *source_file(const char *path, int text);
void source_cache_forget(void);

struct data_file {
	char *path, *rel;
	struct buffer data; /* data NULL when unread: not of the suffix, or read_errno */
	int read_errno;
};
int data_files(const char *root, const char *suffix, const struct data_file **files, size_t *n);
void data_files_forget(void);

/* 1 if s ends with suffix. */
int ends_with(const char *s, const char *suffix);

/* qsort() comparison of two char * by strcmp. */
int cmp_strp(const void *a, const void *b);

/* Processors online (at least 1): the parallelism of gcov, gcovr and llvm's tools. */
long cpu_count(void);
/* fn(ctx, i) for every i < n, on cpu_count() threads (the caller's one of them); returns when
 * all are done. fn must be safe to run concurrently with itself. */
void parallel_for(size_t n, void (*fn)(void *ctx, size_t i), void *ctx);

/* Put the directory tmp in place of dest. dest, when it exists, is moved aside to
 * "<dest>.parcov-old" and removed afterwards; or, given a spare path (on the same file
 * system), kept there for the caller to reuse (removed when it cannot be moved). When tmp
 * cannot take dest's place, dest is put back. Returns 0, or -1 after an error. */
int replace_dir(const char *tmp, const char *dest, const char *spare);

/* A growable list of strings, each owned by the list. */
struct strings {
	char **v;
	size_t n;
};

/* Append s (taken: freed by strings_free()). */
void strings_add(struct strings *l, char *s);
/* 1 if s is in the list. */
int strings_has(const struct strings *l, const char *s);
/* Free every string and the list; it is empty again. */
void strings_free(struct strings *l);

#endif

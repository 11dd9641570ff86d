/* The text `gcov -t -b -c -m DATAFILE` prints, computed in-process from the object's .gcno,
 * its .gcda and the sources, by GCC's gcov.cc rules (GCC 11 and 12): line counts (the arcs
 * entering a line's blocks from other lines plus the cycles within it), the '*' of lines
 * with an unexecuted block, "#####" / "=====" (only exceptional blocks), branch and call
 * lines, function lines and the sections of functions sharing lines, demangled names. The
 * report parses it exactly as it parses gcov's own output (gcovjson.c), so both paths meet
 * at the same bytes, which tests/e2e/gcovtext.sh compares file by file with real gcov.
 *
 * Whatever it does not reproduce exactly (another gcov or data version, Clang's data, a
 * checksum mismatch, a source missing or newer than its .gcno, odd records...) makes it
 * decline with the reason: that file then goes to a gcov process. */
#ifndef PARCOV_GCOVTEXT_H
#define PARCOV_GCOVTEXT_H

#include <stddef.h>
#include <stdint.h>

struct buffer;

/* The data version ("B22*" as a word) gcov writes and reads, from its --version line
 * ("gcov (Debian 12.2.0-14) 12.2.0"); 0 when it is not GCC's gcov. */
uint32_t gcovtext_version(const char *version_line);

/* Append to out what gcov (of data version `version`) prints for `datafile` (a .gcda, or a
 * .gcno without .gcda) on stdout, and to msgs what it prints on stderr (the messages a
 * rendered file can have: no functions, no data file, a function without lines), named as
 * given, relative names from the current directory. Returns 0, or 1 with the reason in why
 * (out and msgs then hold nothing new). */
int gcovtext_render(const char *datafile, uint32_t version, struct buffer *out,
		    struct buffer *msgs, char *why, size_t whylen);

/* The data version of the gcov command (a shell word list, as PARALLEL_COVERAGE_GCOV), from
 * one `GCOV --version`; 0 when it is not GCC's gcov (llvm-cov gcov) or cannot run. */
uint32_t gcovtext_tool_version(const char *gcov);

/* Render every file, cpu_count() at a time, and hand each result to take() in the order of
 * files, in the calling thread: text (len bytes) and messages (mlen), or, when declined,
 * text NULL and why. */
typedef void gcovtext_take(void *ctx, size_t i, const char *text, size_t len, const char *msgs,
			   size_t mlen, const char *why);
void gcovtext_run(char *const *files, size_t n, uint32_t version, gcovtext_take *take, void *ctx);

/* parcov gcov-text [--gcov GCOV] FILE...: the hidden debugging command. */
int gcovtext_command(int argc, char **argv);

#endif

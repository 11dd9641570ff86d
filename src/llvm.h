/* The llvm backend: Clang's source-based coverage (-fprofile-instr-generate
 * -fcoverage-mapping). combine merges the last ctest run's .profraw files with llvm-profdata;
 * report runs llvm-cov and writes the same reports as the gcov backend (README.md, "How it
 * works").
 *
 * Runtime seam (the GCC runtime lives in src/runtime/; its LLVM side is not implemented here):
 * - on a fatal signal or _exit(), call __llvm_profile_dump(): it writes the profile and marks
 *   it written, so the atexit handler does not write it again (in %m merge mode a second
 *   write would add every counter twice); or __llvm_profile_write_file() followed by
 *   __llvm_profile_reset_counters();
 * - in a forked child, call __llvm_profile_reset_counters() first, or the counts from before
 *   fork() are written by both processes.
 * All three are exported by Clang 14's libclang_rt.profile; declare them weak so a binary
 * built without -fprofile-instr-generate still links. */
#ifndef PARCOV_LLVM_H
#define PARCOV_LLVM_H

#include "config.h"

/* 1 if the build tree uses the llvm backend (parcov.conf: backend=llvm). */
int llvm_backend(const struct config *c);

/* Merge the newest data set's .profraw files into coverage-data/coverage.profdata (written
 * atomically). Returns 0, or 1 with an error printed; the previous result stays intact. */
int llvm_combine(const struct config *c);

/* Write the reports (formats as for report()) with llvm-cov; also coverage.info (lcov).
 * Returns 0, or 1 on failure or when a fail-under threshold is not met. */
int llvm_report(const struct config *c, const char *formats);

/* Remove coverage.profdata. Returns 0 or -1 (warned). */
int llvm_clean(const struct config *c);

#endif

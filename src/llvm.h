/* The llvm backend (backend_llvm, backend.h): Clang's source-based coverage
 * (-fprofile-instr-generate -fcoverage-mapping). combine merges the last ctest run's .profraw
 * files with llvm-profdata; collect runs llvm-cov and reads its exports into the report model,
 * which the shared writers turn into the same reports as the gcov backend's (README.md, "How
 * it works").
 *
 * The runtime (src/runtime/parcov_rt.c built with -DPARCOV_RT_LLVM) uses this seam:
 * - on a fatal signal or _exit(), call __llvm_profile_dump(): it writes the profile and marks
 *   it written, so the atexit handler does not write it again (in %m merge mode a second
 *   write would add every counter twice); or __llvm_profile_write_file() followed by
 *   __llvm_profile_reset_counters();
 * - in a forked child, call __llvm_profile_reset_counters() first, or the counts from before
 *   fork() are written by both processes.
 * All three are in Clang 14's libclang_rt.profile, hidden: every instrumented binary has its
 * own copy and its own profile, so each binary's copy of the runtime registers its own
 * (README "Endings"). combine also saves the endings list (endings.h), which report shows. */
#ifndef PARCOV_LLVM_H
#define PARCOV_LLVM_H

#include "config.h"

/* 1 if the build tree uses the llvm backend (parcov.conf: backend=llvm). */
int llvm_backend(const struct config *c);

/* Merge the newest data set's .profraw files into coverage-data/coverage.profdata (written
 * atomically). Returns 0, or 1 with an error printed; the previous result stays intact. */
int llvm_combine(const struct config *c);

/* Remove coverage.profdata. Returns 0 or -1 (warned). */
int llvm_clean(const struct config *c);

#endif

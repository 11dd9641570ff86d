/* Build IDs: the linker's NT_GNU_BUILD_ID note of an ELF executable or shared library, and
 * the binary IDs Clang's profile runtime writes into a raw profile (.profraw, raw format
 * versions 7 to 10: the build ID of the binary whose runtime wrote it). They tell which
 * instrumented binaries a test ran (src/pertest_llvm.c). IDs are lowercase hex, as
 * readelf -n and llvm-profdata show --binary-ids print them. */
#ifndef PARCOV_BUILDID_H
#define PARCOV_BUILDID_H

#include "util.h"

/* The build ID of an ELF file (malloc'd hex), or NULL: not ELF, no build ID note, or
 * unreadable. Never an error: the caller falls back. */
char *buildid_elf(const char *path);

/* The binary IDs of a raw profile, each added to ids (malloc'd hex). Returns their number
 * (0: the runtime wrote none, e.g. Clang 13, or a binary linked without a build ID), or -1
 * when the file's layout is not one this reader knows (another raw version, byte order, a
 * truncated file). */
int buildid_profraw(const char *path, struct strings *ids);

#endif

/* Mapping of CTest test names to the per-test data directory names. */
#ifndef PARCOV_TESTNAME_H
#define PARCOV_TESTNAME_H

#include <stddef.h>

/* Longest readable part kept from a test name before the hash suffix. */
#define TESTNAME_KEEP 48

/* Directory name for a test: the name's safe characters ([A-Za-z0-9+_.-], others become '_'),
 * cut to TESTNAME_KEEP bytes, then '-' and the 8-hex-digit FNV-1a hash of the whole name.
 * The result never starts with '.', never contains '/', is never empty, and two different
 * names give different directories unless their 32-bit hashes collide. Caller frees. */
char *testname_to_dir(const char *name, size_t len);

/* Decode a hexadecimal string (as CMake's string(HEX) writes it) into *out and *outlen.
 * Returns 0, or -1 if the input is not an even number of hex digits. Caller frees *out. */
int hex_decode(const char *hex, char **out, size_t *outlen);

struct buffer;

/* The isolated tests of data set run, as tests.tsv lines (directory TAB hex-encoded name):
 * DATA_DIR/tests.tsv, written at configure time, then RUN/tests.tsv, the tests ctest added
 * from TEST_INCLUDE_FILES (gtest_discover_tests...) while that set was current. run may be
 * NULL. Returns 0, or -1 when neither file can be read. */
int testname_read_tsv(const char *data_dir, const char *run, struct buffer *out);

#endif

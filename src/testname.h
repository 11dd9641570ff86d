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

/* One isolated test, from a line of tests.tsv: its directory, TAB, its name hex-encoded. */
struct test_entry {
	char *dir;
	char *name; /* decoded */
};

struct test_list {
	struct test_entry *v;
	size_t n;
};

/* Append the tests of tests.tsv text to t, skipping a name t has already (a discovered test
 * named like a configure-time one shares its directory: its first line counts). A damaged
 * line (no TAB, no directory, a name not in hex or holding a NUL) is skipped with a warning
 * naming path and line. */
void testname_parse_tsv(const char *text, const char *path, struct test_list *t);

/* The isolated tests of data set run: DATA_DIR/tests.tsv, written at configure time, then
 * RUN/tests.tsv, the tests ctest added from TEST_INCLUDE_FILES (gtest_discover_tests...)
 * while that set was current. run may be NULL. Returns 0, or -1 (t empty) when neither file
 * can be read. */
int testname_load(const char *data_dir, const char *run, struct test_list *t);
void testname_free(struct test_list *t);

#endif

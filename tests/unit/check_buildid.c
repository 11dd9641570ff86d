/* buildid.c: the build ID note of ELF files (64- and 32-bit, both byte orders) and the binary
 * IDs of raw profiles (versions 8 and 10, the layouts Clang 14-16 and 19 write), from files
 * built here byte by byte; every malformed or unknown layout gives "cannot tell". The e2e
 * test (e2e.pertest-clang) reads what the real compilers write. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buildid.h"
#include "fixtures.h"

/* Append v as n bytes, little-endian unless big. */
static void put(struct buffer *b, uint64_t v, int n, int big)
{
	unsigned char p[8];

	for (int i = 0; i < n; i++)
		p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
	buf_add(b, p, (size_t)n);
}

static const unsigned char id20[20] = {0xe7, 0xa8, 0x94, 0x8b, 0xcf, 0xe6, 0xff, 0xab, 0x3c, 0xbd,
				       0x2a, 0xa9, 0xe7, 0x8d, 0xc4, 0xbe, 0xbb, 0x96, 0x40, 0x46};
static const char *hex20 = "e7a8948bcfe6ffab3cbd2aa9e78dc4bebb964046";

static char *write_tmp(const char *dir, const char *name, const struct buffer *b)
{
	char *path = path_join(dir, name);

	ck_assert_int_eq(write_file_atomic(path, b->data, b->len), 0);
	return path;
}

/* A raw profile header of version v (fields header fields) and its binary IDs section: ids
 * of the given lengths (bytes from id20), then a few bytes of data. */
static void profraw(struct buffer *b, uint64_t v, int fields, const size_t *lens, size_t n, int big)
{
	uint64_t size = 0;

	for (size_t i = 0; i < n; i++)
		size += 8 + ((lens[i] + 7) & ~(size_t)7);
	put(b, 0xff6c70726f667281ULL, 8, big);
	put(b, v, 8, big);
	put(b, size, 8, big);
	for (int f = 3; f < fields; f++)
		put(b, 2, 8, big); /* sizes and deltas: not read */
	for (size_t i = 0; i < n; i++) {
		put(b, lens[i], 8, big);
		buf_add(b, id20, lens[i]);
		for (size_t k = lens[i]; k % 8; k++)
			buf_add(b, "", 1);
	}
	buf_add(b, "data....", 8);
}

START_TEST(test_profraw_versions)
{
	char *dir = fixture_tmpdir("buildid"), *path;
	struct buffer b = {0};
	struct strings ids = {0};
	size_t one[] = {20}, two[] = {8, 20};

	/* Version 8 (Clang 14-17), with the IR-profile flag in the high bits. */
	profraw(&b, 8 | (1ULL << 56), 11, one, 1, 0);
	path = write_tmp(dir, "v8.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), 1);
	ck_assert_str_eq(ids.v[0], hex20);
	free(path);
	buf_free(&b);
	/* Version 10 (Clang 19): a longer header, two IDs, appended to what ids holds. */
	profraw(&b, 10, 16, two, 2, 0);
	path = write_tmp(dir, "v10.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), 2);
	ck_assert_uint_eq(ids.n, 3);
	ck_assert_str_eq(ids.v[1], "e7a8948bcfe6ffab");
	ck_assert_str_eq(ids.v[2], hex20);
	free(path);
	buf_free(&b);
	/* Version 9 (Clang 18) and big-endian. */
	profraw(&b, 9, 14, one, 1, 1);
	path = write_tmp(dir, "v9be.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), 1);
	ck_assert_str_eq(ids.v[3], hex20);
	free(path);
	buf_free(&b);
	/* Version 7 without IDs (Clang 13 on Linux): none, not an error. */
	profraw(&b, 7, 11, NULL, 0, 0);
	path = write_tmp(dir, "v7.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), 0);
	ck_assert_uint_eq(ids.n, 4);
	strings_free(&ids);
	free(path);
	buf_free(&b);
	remove_tree(dir);
	free(dir);
}
END_TEST

START_TEST(test_profraw_bad)
{
	char *dir = fixture_tmpdir("buildid"), *path;
	struct buffer b = {0};
	struct strings ids = {0};
	size_t one[] = {20};

	/* An unknown version, a wrong magic, a truncated ID section, an ID longer than its
	 * section: -1, and nothing added. */
	profraw(&b, 6, 11, one, 1, 0);
	path = write_tmp(dir, "v6.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), -1);
	free(path);
	b.data[0] = 'x';
	b.data[8] = 8;
	path = write_tmp(dir, "magic.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), -1);
	free(path);
	buf_free(&b);
	profraw(&b, 8, 11, one, 1, 0);
	b.len = 11 * 8 + 16;
	path = write_tmp(dir, "short.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), -1);
	free(path);
	buf_free(&b);
	profraw(&b, 8, 11, one, 1, 0);
	b.data[11 * 8] = 40;
	path = write_tmp(dir, "long.profraw", &b);
	ck_assert_int_eq(buildid_profraw(path, &ids), -1);
	free(path);
	buf_free(&b);
	path = path_join(dir, "missing.profraw");
	ck_assert_int_eq(buildid_profraw(path, &ids), -1);
	ck_assert_uint_eq(ids.n, 0);
	free(path);
	remove_tree(dir);
	free(dir);
}
END_TEST

/* A minimal ELF file: its header, two program headers (a PT_LOAD, then a PT_NOTE) and the
 * note segment: a GNU property note, then the build ID note (when id). */
static void elf(struct buffer *b, int is64, int big, int id)
{
	uint64_t ehsize = is64 ? 64 : 52, phsize = is64 ? 56 : 32, notes = ehsize + 2 * phsize;
	uint64_t notesize = (12 + 4 + 8) + (id ? 12 + 4 + 20 : 0);
	unsigned char ident[16] = {0x7f, 'E', 'L', 'F', is64 ? 2 : 1, big ? 2 : 1, 1};

	buf_add(b, ident, 16);
	put(b, 2, 2, big); /* ET_EXEC */
	put(b, 62, 2, big);
	put(b, 1, 4, big);
	put(b, 0, is64 ? 8 : 4, big);        /* entry */
	put(b, ehsize, is64 ? 8 : 4, big);   /* phoff */
	put(b, 0, is64 ? 8 : 4, big);        /* shoff */
	put(b, 0, 4, big);                   /* flags */
	put(b, ehsize, 2, big);
	put(b, phsize, 2, big);
	put(b, 2, 2, big); /* phnum */
	put(b, 0, 2, big);
	put(b, 0, 2, big);
	put(b, 0, 2, big);
	for (int k = 0; k < 2; k++) {
		uint64_t type = k ? 4 : 1, off = k ? notes : 0, size = k ? notesize : 0;
		put(b, type, 4, big);
		if (is64) {
			put(b, 4, 4, big); /* flags */
			put(b, off, 8, big);
			put(b, 0, 8, big);
			put(b, 0, 8, big);
			put(b, size, 8, big);
			put(b, size, 8, big);
			put(b, 4, 8, big);
		} else {
			put(b, off, 4, big);
			put(b, 0, 4, big);
			put(b, 0, 4, big);
			put(b, size, 4, big);
			put(b, size, 4, big);
			put(b, 4, 4, big); /* flags */
			put(b, 4, 4, big);
		}
	}
	/* NT_GNU_PROPERTY_TYPE_0 first: a note to step over. */
	put(b, 4, 4, big);
	put(b, 8, 4, big);
	put(b, 5, 4, big);
	buf_add(b, "GNU", 4);
	buf_add(b, "\1\2\3\4\5\6\7\10", 8);
	if (id) {
		put(b, 4, 4, big);
		put(b, 20, 4, big);
		put(b, 3, 4, big);
		buf_add(b, "GNU", 4);
		buf_add(b, id20, 20);
	}
}

START_TEST(test_elf)
{
	char *dir = fixture_tmpdir("buildid"), *path, *id;
	struct buffer b = {0};

	for (int is64 = 0; is64 < 2; is64++)
		for (int big = 0; big < 2; big++) {
			elf(&b, is64, big, 1);
			path = write_tmp(dir, "elf", &b);
			id = buildid_elf(path);
			ck_assert_msg(id && !strcmp(id, hex20), "ELF%d %s: %s", is64 ? 64 : 32,
				      big ? "big" : "little", id ? id : "(none)");
			free(id);
			free(path);
			buf_free(&b);
		}
	/* No build ID note; not ELF; truncated program headers; missing. */
	elf(&b, 1, 0, 0);
	path = write_tmp(dir, "noid", &b);
	ck_assert_ptr_null(buildid_elf(path));
	free(path);
	b.len = 80;
	path = write_tmp(dir, "short", &b);
	ck_assert_ptr_null(buildid_elf(path));
	free(path);
	b.data[1] = 'X';
	path = write_tmp(dir, "notelf", &b);
	ck_assert_ptr_null(buildid_elf(path));
	free(path);
	buf_free(&b);
	path = path_join(dir, "missing");
	ck_assert_ptr_null(buildid_elf(path));
	free(path);
	remove_tree(dir);
	free(dir);
}
END_TEST

Suite *make_buildid_suite(void)
{
	Suite *s = suite_create("buildid");
	TCase *t = tcase_create("buildid");

	tcase_add_test(t, test_profraw_versions);
	tcase_add_test(t, test_profraw_bad);
	tcase_add_test(t, test_elf);
	suite_add_tcase(s, t);
	return s;
}

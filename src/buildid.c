/* Build IDs of ELF files and raw profiles (buildid.h). Both are read with a few pread()s:
 * an ELF file's program headers and note segments, a raw profile's header and the binary
 * IDs that follow it; neither file is read whole. */
#define _GNU_SOURCE
#include "buildid.h"

#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An unsigned integer of n bytes at p, little-endian unless big. */
static uint64_t get(const unsigned char *p, int n, int big)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
	return v;
}

static int read_at(int fd, void *p, size_t n, uint64_t off)
{
	return off <= INT64_MAX && pread(fd, p, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

static char *hex(const unsigned char *p, size_t n)
{
	char *s = xmalloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	s[2 * n] = '\0';
	return s;
}

/* The NT_GNU_BUILD_ID note among the notes of one PT_NOTE segment. */
static char *note_id(const unsigned char *p, size_t n, uint64_t align, int big)
{
	size_t off = 0;

	align = align == 8 ? 8 : 4;
	while (off + 12 <= n) {
		uint64_t namesz = get(p + off, 4, big), descsz = get(p + off + 4, 4, big);
		uint64_t type = get(p + off + 8, 4, big);
		uint64_t name = off + 12, desc = (name + namesz + align - 1) & ~(align - 1);
		if (desc > n || descsz > n - desc)
			return NULL;
		if (type == NT_GNU_BUILD_ID && namesz == 4 && !memcmp(p + name, "GNU", 4) && descsz)
			return hex(p + desc, descsz);
		off = (desc + descsz + align - 1) & ~(align - 1);
	}
	return NULL;
}

char *buildid_elf(const char *path)
{
	unsigned char eh[64], ph[56];
	char *id = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), big, is64;
	uint64_t phoff, phentsize, phnum;

	if (fd < 0)
		return NULL;
	if (read_at(fd, eh, sizeof eh, 0) < 0 || memcmp(eh, ELFMAG, SELFMAG) ||
	    (eh[EI_CLASS] != ELFCLASS32 && eh[EI_CLASS] != ELFCLASS64) ||
	    (eh[EI_DATA] != ELFDATA2LSB && eh[EI_DATA] != ELFDATA2MSB))
		goto out;
	is64 = eh[EI_CLASS] == ELFCLASS64;
	big = eh[EI_DATA] == ELFDATA2MSB;
	phoff = is64 ? get(eh + 32, 8, big) : get(eh + 28, 4, big);
	phentsize = get(eh + (is64 ? 54 : 42), 2, big);
	phnum = get(eh + (is64 ? 56 : 44), 2, big);
	if (phentsize < (is64 ? 56u : 32u))
		goto out;
	for (uint64_t i = 0; !id && i < phnum; i++) {
		uint64_t off, size, align;
		unsigned char *notes;
		if (read_at(fd, ph, is64 ? 56 : 32, phoff + i * phentsize) < 0)
			break;
		if (get(ph, 4, big) != PT_NOTE)
			continue;
		off = is64 ? get(ph + 8, 8, big) : get(ph + 4, 4, big);
		size = is64 ? get(ph + 32, 8, big) : get(ph + 16, 4, big);
		align = is64 ? get(ph + 48, 8, big) : get(ph + 28, 4, big);
		if (size > 1 << 20)
			continue; /* not a note segment any linker writes */
		notes = xmalloc(size ? size : 1);
		if (read_at(fd, notes, size, off) == 0)
			id = note_id(notes, size, align, big);
		free(notes);
	}
out:
	close(fd);
	return id;
}

/* The number of 64-bit fields of a raw profile's header, by version (its low 32 bits; the
 * high ones are flags), from LLVM's InstrProfData.inc: BinaryIdsSize is the third field
 * from version 7 (LLVM 13) on, and the IDs follow the header. Version 8: LLVM 14-17, 9: 18
 * (bitmap fields), 10: 19 (vtable fields). */
static int header_fields(uint64_t version)
{
	switch (version & 0xffffffffu) {
	case 7:
	case 8:
		return 11;
	case 9:
		return 14;
	case 10:
		return 16;
	}
	return 0;
}

int buildid_profraw(const char *path, struct strings *ids)
{
	static const unsigned char magic[8] = {0x81, 'r', 'f', 'o', 'r', 'p', 'l', 0xff};
	unsigned char h[24], *p = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), big, n = -1, fields;
	uint64_t size, off = 0;
	size_t first = ids->n;

	if (fd < 0)
		return -1;
	if (read_at(fd, h, sizeof h, 0) < 0)
		goto out;
	if (!memcmp(h, magic, 8))
		big = 0;
	else if (get(h, 8, 1) == get(magic, 8, 0))
		big = 1;
	else
		goto out;
	fields = header_fields(get(h + 8, 8, big));
	size = get(h + 16, 8, big);
	if (!fields || size > 1 << 20 || size % 8)
		goto out;
	p = xmalloc(size ? size : 1);
	if (read_at(fd, p, size, (uint64_t)fields * 8) < 0)
		goto out;
	/* Each ID: its length (64 bits), its bytes, padding to 8. */
	while (off < size) {
		uint64_t len = get(p + off, 8, big);
		if (size - off < 8 || !len || len > size - off - 8)
			goto out;
		strings_add(ids, hex(p + off + 8, len));
		off += 8 + ((len + 7) & ~(uint64_t)7);
	}
	n = (int)(ids->n - first);
out:
	if (n < 0)
		while (ids->n > first)
			free(ids->v[--ids->n]);
	free(p);
	close(fd);
	return n;
}

#define _GNU_SOURCE
#include "fixtures.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *fixture_path(const char *env, const char *name)
{
	const char *dir = getenv(env);

	ck_assert_msg(dir != NULL, "%s is not set (run the fixture script first)", env);
	return xasprintf("%s/%s", dir, name);
}

void fixture_load_raw(const char *env, const char *name, struct buffer *raw)
{
	char *path = fixture_path(env, name);

	memset(raw, 0, sizeof *raw);
	ck_assert_msg(read_file(path, raw) == 0, "cannot read %s", path);
	free(path);
}

void fixture_load(const char *env, const char *name, struct gcda_file *f)
{
	char err[256] = "";
	char *path = fixture_path(env, name);

	ck_assert_msg(gcda_read(path, f, err, sizeof err) == 0, "%s: %s", path, err);
	free(path);
}

char *fixture_tmpdir(const char *tag)
{
	char *dir = xasprintf("/tmp/parcov-check-%s.XXXXXX", tag);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	return dir;
}

void fixture_put(const char *dir, const char *rel, const char *text)
{
	char *path = path_join(dir, rel), *parent = xstrdup(path);

	*strrchr(parent, '/') = '\0';
	ck_assert_int_eq(mkdirs(parent, 0777), 0);
	ck_assert_int_eq(write_file_atomic(path, text, strlen(text)), 0);
	free(parent);
	free(path);
}

/* One capture per descriptor: 1 stdout, 2 stderr. */
static struct {
	int saved;
	FILE *file;
} captures[3];

static void capture_begin(int fd)
{
	fflush(stdout);
	fflush(stderr);
	captures[fd].file = tmpfile();
	ck_assert_ptr_nonnull(captures[fd].file);
	captures[fd].saved = dup(fd);
	ck_assert_int_ge(captures[fd].saved, 0);
	ck_assert_int_ge(dup2(fileno(captures[fd].file), fd), 0);
}

static char *capture_end(int fd)
{
	struct buffer b = {0};
	char chunk[4096];
	size_t n;

	fflush(fd == 1 ? stdout : stderr);
	dup2(captures[fd].saved, fd);
	close(captures[fd].saved);
	rewind(captures[fd].file);
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, captures[fd].file)) > 0)
		buf_add(&b, chunk, n);
	fclose(captures[fd].file);
	/* Shown again, so a failing test's log still has it. */
	fputs(b.data, fd == 1 ? stdout : stderr);
	return b.data;
}

void stderr_capture_begin(void)
{
	capture_begin(2);
}

char *stderr_capture_end(void)
{
	return capture_end(2);
}

void stdout_capture_begin(void)
{
	capture_begin(1);
}

char *stdout_capture_end(void)
{
	return capture_end(1);
}

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

static int saved_stderr = -1;
static FILE *captured;

void stderr_capture_begin(void)
{
	fflush(stderr);
	captured = tmpfile();
	ck_assert_ptr_nonnull(captured);
	saved_stderr = dup(2);
	ck_assert_int_ge(saved_stderr, 0);
	ck_assert_int_ge(dup2(fileno(captured), 2), 0);
}

char *stderr_capture_end(void)
{
	struct buffer b = {0};
	char chunk[4096];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(captured);
	buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, captured)) > 0)
		buf_add(&b, chunk, n);
	fclose(captured);
	/* Shown again, so a failing test's log still has it. */
	fputs(b.data, stderr);
	return b.data;
}

#include "fixtures.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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

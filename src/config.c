#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

static void set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

int config_load(struct config *c, const char *dir)
{
	char real[PATH_MAX];
	struct buffer b = {0};
	char *path, *line, *next;
	int lineno = 0;

	memset(c, 0, sizeof *c);
	if (!realpath(dir ? dir : ".", real)) {
		error("build directory %s:", dir ? dir : ".");
		return -1;
	}
	path = xasprintf("%s/coverage-data/parcov.conf", real);
	if (read_file(path, &b) < 0) {
		char *cache = path_join(real, "CMakeCache.txt");
		if (errno != ENOENT)
			error("cannot read %s:", path);
		else if (exists(cache))
			error("%s was configured without coverage (no coverage-data/parcov.conf): "
			      "reconfigure it with -DPARALLEL_COVERAGE=ON", real);
		else
			error("%s is not a CMake build tree: run in the build directory or name it with -C BUILD_DIR",
			      real);
		free(cache);
		free(path);
		buf_free(&b);
		return -1;
	}
	for (line = b.data; line && *line; line = next) {
		char *eq;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			warn("%s:%d: ignoring line without '='", path, lineno);
			continue;
		}
		*eq++ = '\0';
		if (!strcmp(line, "source_root"))
			set(&c->source_root, eq);
		else if (!strcmp(line, "output_dir"))
			set(&c->output_dir, eq);
		else if (!strcmp(line, "gcov"))
			set(&c->gcov, eq);
		else if (!strcmp(line, "gcovr"))
			set(&c->gcovr, eq);
		else if (!strcmp(line, "formats"))
			set(&c->formats, eq);
		else if (!strcmp(line, "fail_under_line"))
			set(&c->fail_under_line, eq);
		else if (!strcmp(line, "fail_under_branch"))
			set(&c->fail_under_branch, eq);
		else if (!strcmp(line, "fail_under_mcdc"))
			set(&c->fail_under_mcdc, eq);
		else if (!strcmp(line, "mcdc"))
			c->mcdc = !strcmp(eq, "1");
		else if (!strcmp(line, "backend"))
			set(&c->backend, eq);
		else if (!strcmp(line, "llvm_cov"))
			set(&c->llvm_cov, eq);
		else if (!strcmp(line, "llvm_profdata"))
			set(&c->llvm_profdata, eq);
		else if (!strcmp(line, "append"))
			c->append = !strcmp(eq, "1");
		else if (!strcmp(line, "allow_stale"))
			c->allow_stale = !strcmp(eq, "1");
		else if (!strcmp(line, "exclude")) {
			c->exclude = xreallocarray(c->exclude, c->n_exclude + 1, sizeof *c->exclude);
			c->exclude[c->n_exclude++] = xstrdup(eq);
		}
	}
	buf_free(&b);
	free(path);
	c->build_dir = xstrdup(real);
	c->data_dir = path_join(real, "coverage-data");
	if (!c->source_root)
		c->source_root = xstrdup(real);
	if (!c->output_dir)
		c->output_dir = path_join(real, "coverage");
	if (!c->formats)
		c->formats = xstrdup("txt,html,xml,json");
	if (!c->gcov)
		c->gcov = xstrdup("gcov");
	if (!c->gcovr)
		c->gcovr = xstrdup("gcovr");
	if (!c->backend)
		c->backend = xstrdup("gcov");
	if (!c->llvm_cov)
		c->llvm_cov = xstrdup("llvm-cov");
	if (!c->llvm_profdata)
		c->llvm_profdata = xstrdup("llvm-profdata");
	if (!c->fail_under_line)
		c->fail_under_line = xstrdup("");
	if (!c->fail_under_branch)
		c->fail_under_branch = xstrdup("");
	if (!c->fail_under_mcdc)
		c->fail_under_mcdc = xstrdup("");
	return 0;
}

void config_free(struct config *c)
{
	free(c->build_dir);
	free(c->data_dir);
	free(c->source_root);
	free(c->output_dir);
	free(c->gcov);
	free(c->gcovr);
	free(c->formats);
	free(c->fail_under_line);
	free(c->fail_under_branch);
	free(c->fail_under_mcdc);
	free(c->backend);
	free(c->llvm_cov);
	free(c->llvm_profdata);
	for (size_t i = 0; i < c->n_exclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	memset(c, 0, sizeof *c);
}

int config_lock(const struct config *c)
{
	char *path = path_join(c->data_dir, "lock");
	int fd;

	if (mkdirs(c->data_dir, 0777) < 0) {
		error("cannot create %s:", c->data_dir);
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0) {
		error("cannot open %s:", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			error("cannot lock %s:", path);
			goto fail;
		}
		info("waiting for another parcov working on %s", c->build_dir);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				error("cannot lock %s:", path);
				goto fail;
			}
		}
	}
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

void config_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

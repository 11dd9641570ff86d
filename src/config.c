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

const char *config_wanted;

static void set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Multi-config generators put each configuration's objects in a directory of its name
 * (CMakeFiles/T.dir/Debug/): the walks of the build tree skip the other configurations'. */
static int select_config(struct config *c, const char *conf)
{
	size_t i, n = 0;

	c->skip_dirs = xreallocarray(NULL, c->n_configs + 3, sizeof *c->skip_dirs);
	c->skip_dirs[n++] = xstrdup("coverage-data");
	c->skip_dirs[n++] = xstrdup("_parcov");
	if (!c->n_configs) {
		c->skip_dirs[n] = NULL;
		free(c->config);
		c->config = NULL;
		c->data_dir = path_join(c->build_dir, "coverage-data");
		return 0;
	}
	if (config_wanted)
		set(&c->config, config_wanted);
	else if (!c->config)
		set(&c->config, c->configs[0]);
	for (i = 0; i < c->n_configs && strcmp(c->configs[i], c->config); i++)
		;
	if (i == c->n_configs) {
		char *names = xstrdup(c->configs[0]);
		for (i = 1; i < c->n_configs; i++) {
			char *more = xasprintf("%s, %s", names, c->configs[i]);
			free(names);
			names = more;
		}
		error("%s: no configuration '%s' in this build tree: use --config with one of %s",
		      conf, c->config, names);
		free(names);
		c->skip_dirs[n] = NULL;
		return -1;
	}
	for (i = 0; i < c->n_configs; i++)
		if (strcmp(c->configs[i], c->config))
			c->skip_dirs[n++] = xasprintf("*/%s", c->configs[i]);
	c->skip_dirs[n] = NULL;
	c->data_dir = xasprintf("%s/coverage-data/configs/%s", c->build_dir, c->config);
	return 0;
}

int config_load(struct config *c, const char *dir)
{
	char real[PATH_MAX];
	struct buffer b = {0};
	char *path, *line, *next;
	int lineno = 0;

	memset(c, 0, sizeof *c);
	c->per_test = 1;
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
		if (!strcmp(line, "build_dir"))
			set(&c->configured_dir, eq);
		else if (!strcmp(line, "source_root"))
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
		/* Per-test coverage (issue 15): src/pertest.h, src/diff.h. */
		else if (!strcmp(line, "per_test"))
			c->per_test = !strcmp(eq, "1");
		else if (!strcmp(line, "fail_under_patch"))
			set(&c->fail_under_patch, eq);
		else if (!strcmp(line, "diff_base"))
			set(&c->diff_base, eq);
		else if (!strcmp(line, "mcdc"))
			c->mcdc = !strcmp(eq, "1");
		else if (!strcmp(line, "backend"))
			set(&c->backend, eq);
		else if (!strcmp(line, "llvm_cov"))
			set(&c->llvm_cov, eq);
		else if (!strcmp(line, "llvm_profdata"))
			set(&c->llvm_profdata, eq);
		else if (!strcmp(line, "default_config"))
			set(&c->config, eq);
		else if (!strcmp(line, "config")) {
			c->configs = xreallocarray(c->configs, c->n_configs + 1, sizeof *c->configs);
			c->configs[c->n_configs++] = xstrdup(eq);
		} else if (!strcmp(line, "append"))
			c->append = !strcmp(eq, "1");
		else if (!strcmp(line, "allow_stale"))
			c->allow_stale = !strcmp(eq, "1");
		else if (!strcmp(line, "runtime"))
			c->runtime = !strcmp(eq, "1");
		else if (!strcmp(line, "exclude")) {
			c->exclude = xreallocarray(c->exclude, c->n_exclude + 1, sizeof *c->exclude);
			c->exclude[c->n_exclude++] = xstrdup(eq);
		}
	}
	buf_free(&b);
	c->build_dir = xstrdup(real);
	if (select_config(c, path) < 0) {
		free(path);
		config_free(c);
		return -1;
	}
	free(path);
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
	if (!c->fail_under_patch)
		c->fail_under_patch = xstrdup("");
	if (!c->diff_base)
		c->diff_base = xstrdup("");
	return 0;
}

void config_free(struct config *c)
{
	free(c->build_dir);
	free(c->configured_dir);
	free(c->data_dir);
	free(c->source_root);
	free(c->output_dir);
	free(c->gcov);
	free(c->gcovr);
	free(c->formats);
	free(c->fail_under_line);
	free(c->fail_under_branch);
	free(c->fail_under_mcdc);
	free(c->fail_under_patch);
	free(c->diff_base);
	free(c->backend);
	free(c->llvm_cov);
	free(c->llvm_profdata);
	for (size_t i = 0; i < c->n_exclude; i++)
		free(c->exclude[i]);
	free(c->exclude);
	free(c->config);
	for (size_t i = 0; i < c->n_configs; i++)
		free(c->configs[i]);
	free(c->configs);
	for (size_t i = 0; c->skip_dirs && c->skip_dirs[i]; i++)
		free((char *)c->skip_dirs[i]);
	free(c->skip_dirs);
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

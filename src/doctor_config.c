#define _GNU_SOURCE
#include "doctor_checks.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "testname.h"

/* The value of KEY in a CMakeCache.txt ("KEY:TYPE=value"), or NULL. Caller frees. */
char *cache_value(const char *build, const char *key)
{
	char *path = path_join(build, "CMakeCache.txt");
	struct buffer b = {0};
	char *found = NULL, *line, *next;
	size_t klen = strlen(key);

	if (read_file(path, &b) == 0) {
		for (line = b.data; line && *line && !found; line = next) {
			char *eq;
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (strncmp(line, key, klen) || line[klen] != ':' || !(eq = strchr(line, '=')))
				continue;
			found = xstrdup(eq + 1);
		}
	}
	buf_free(&b);
	free(path);
	return found;
}

static int cache_bool_off(const char *v)
{
	static const char *const off[] = {"OFF", "0", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", ""};
	for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
		if (!strcasecmp(v, off[i]))
			return 1;
	return ends_with(v, "-NOTFOUND");
}
/* --- The build tree itself --------------------------------------------------------------- */

/* Build trees configured with coverage one or two levels below a source directory
 * (build/, build/dev/): where the user probably meant to point. */
static void find_build_trees(const char *src, int depth, struct strings *found)
{
	DIR *dir = opendir(src);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char *sub, *conf;
		if (e->d_name[0] == '.')
			continue;
		sub = path_join(src, e->d_name);
		conf = path_join(sub, "coverage-data/parcov.conf");
		if (exists(conf))
			strings_add(found, xstrdup(sub));
		else if (depth > 1 && is_dir(sub))
			find_build_trees(sub, depth - 1, found);
		free(conf);
		free(sub);
	}
	closedir(dir);
}

/* Before parcov.conf can be read: say what the directory is and where to look instead.
 * Returns 0 if it is a ParallelCoverage build tree. */
int doctor_build_dir(struct doctor *d, const char *real)
{
	char *conf = xasprintf("%s/coverage-data/parcov.conf", real);
	char *cache = path_join(real, "CMakeCache.txt");
	char *lists = path_join(real, "CMakeLists.txt");
	int ret = -1;

	if (exists(conf)) {
		ret = 0;
	} else if (exists(cache)) {
		char *src = cache_value(real, "CMAKE_HOME_DIRECTORY");
		char *on = cache_value(real, "PARALLEL_COVERAGE");
		finding(d, FINDING_STOP, on ? xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s",
		                                        src ? src : "SOURCE_DIR", real, real)
		                            : xasprintf("include(ParallelCoverage) in the project (or configure with "
		                                        "-DCMAKE_PROJECT_INCLUDE=/path/to/ParallelCoverage.cmake), then "
		                                        "cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s",
		                                        src ? src : "SOURCE_DIR", real, real),
		        "%s was configured without coverage (no coverage-data/parcov.conf; "
		        "PARALLEL_COVERAGE is %s)", real, on ? on : "not defined: the module is not included");
		free(src);
		free(on);
	} else if (exists(lists)) {
		struct strings found = {0};
		char *names;
		find_build_trees(real, 2, &found);
		names = names_join(&found);
		finding(d, FINDING_STOP, found.n ? xasprintf("name the build directory: parcov doctor -C %s", found.v[0])
		                                             : xstrdup("name the build directory: parcov doctor -C BUILD_DIR"),
		        "%s is a source directory, not a build tree%s%s", real,
		        found.n ? "; build trees configured with coverage below it: " : "", names);
		free(names);
		strings_free(&found);
	} else {
		finding(d, FINDING_STOP, xstrdup("run in the build directory or name it: parcov doctor -C BUILD_DIR"),
		        "%s is not a CMake build tree (no CMakeCache.txt)", real);
	}
	free(conf);
	free(cache);
	free(lists);
	return ret;
}

/* Multi-config generators: data in a literal configs/$<CONFIG>/ directory, where tests
 * declared with add_test(name command) wrote before the module gave them their
 * configuration's directory at test time (or where that failed): no combine reads it. */
static void unevaluated_config(struct doctor *d)
{
	const struct config *c = d->c;
	char *root = xasprintf("%s/coverage-data/configs/$<CONFIG>", c->build_dir);
	char *tests = path_join(root, "current/tests");
	struct strings names = {0};
	struct test_list known = {0};
	struct dirent *e;
	DIR *dir;

	if (!c->config || !is_dir(root))
		goto out;
	testname_load(c->data_dir, NULL, &known);
	if ((dir = opendir(tests))) {
		while ((e = readdir(dir))) {
			const char *name = e->d_name;
			if (name[0] == '.')
				continue;
			for (size_t i = 0; i < known.n; i++)
				if (!strcmp(known.v[i].dir, e->d_name))
					name = known.v[i].name;
			strings_add(&names, xstrdup(name));
		}
		closedir(dir);
	}
	qsort(names.v, names.n, sizeof *names.v, cmp_strp);
	char *list = names_join(&names);
	finding(d, FINDING_PROBLEM, xasprintf("reconfigure (cmake %s), which makes ctest give these tests "
	                                      "the directory of the configuration it tests, rerun ctest -C "
	                                      "CONFIG, then remove '%s'", c->build_dir, root),
	        "coverage data of %zu test%s declared with add_test(name command) is in %s, which no "
	        "report reads (the configuration was left unevaluated)%s%s", names.n, names.n == 1 ? "" : "s",
	        root, names.n ? ": " : "", list);
	free(list);
	strings_free(&names);
	testname_free(&known);
out:
	free(tests);
	free(root);
}

/* Settings that make the data go elsewhere, or nowhere. */
void doctor_config(struct doctor *d)
{
	const struct config *c = d->c;
	char *on = cache_value(c->build_dir, "PARALLEL_COVERAGE");
	char *src = cache_value(c->build_dir, "CMAKE_HOME_DIRECTORY");
	const char *written = c->configured_dir;

	if (on && cache_bool_off(on))
		finding(d, FINDING_STOP, xasprintf("cmake -S %s -B %s -DPARALLEL_COVERAGE=ON && cmake --build %s, then "
		                                   "ctest --test-dir %s -j N", src ? src : "SOURCE_DIR", c->build_dir,
		                                   c->build_dir, c->build_dir),
		        "PARALLEL_COVERAGE is %s in %s/CMakeCache.txt: nothing is instrumented or isolated "
		        "(coverage-data/ is left from an earlier configuration)", on, c->build_dir);
	if (written) {
		char real[PATH_MAX];
		if (!realpath(written, real) || strcmp(real, c->build_dir))
			finding(d, FINDING_STOP, xasprintf("reconfigure and rebuild it where it is: cmake -S %s -B %s && "
			                                   "cmake --build %s --clean-first (objects remember the absolute "
			                                   "path of their data)", src ? src : "SOURCE_DIR", c->build_dir,
			                                   c->build_dir),
			        "%s was configured as %s (copied or moved since): its tests write their "
			        "coverage data into the other tree", c->build_dir, written);
		else
			finding(d, FINDING_OK, NULL, "%s is configured with ParallelCoverage", c->build_dir);
	}
	unevaluated_config(d);
	free(on);
	free(src);
}


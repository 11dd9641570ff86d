/* The settings of one build tree, as ParallelCoverage.cmake wrote them, and its layout. */
#ifndef PARCOV_CONFIG_H
#define PARCOV_CONFIG_H

#include <stddef.h>

struct config {
	char *build_dir;   /* absolute */
	char *configured_dir; /* the build directory at configure time (moved or copied since?); NULL: not written */
	char *data_dir;    /* <build_dir>/coverage-data */
	char *source_root;
	char *output_dir;
	char *gcov;
	char *gcovr;
	char *formats;     /* comma list */
	char *fail_under_line, *fail_under_branch, *fail_under_mcdc; /* "" when unset */
	int per_test;       /* record which tests ran each line (PARALLEL_COVERAGE_PER_TEST) */
	char *fail_under_patch, *diff_base; /* patch coverage: "" when unset */
	int mcdc;           /* MC/DC columns and totals (llvm backend, Clang 18+) */
	int append;
	int allow_stale;    /* report without data older than its object */
	int runtime;       /* the runtime is linked: it records every instrumented process */
	char **exclude;
	size_t n_exclude;
	char *backend;     /* "gcov" or "llvm" (Clang's source-based coverage) */
	char *llvm_cov, *llvm_profdata; /* the llvm backend's tools */
	/* Multi-config generators: the configuration chosen (--config, else the default one),
	 * NULL for a single-config build. Each has its own data_dir, coverage-data/configs/X. */
	char *config;
	char **configs;
	size_t n_configs;
	/* Directories of the build tree that hold no objects of this configuration, for
	 * walk_files(): our data, the bootstrap parcov, other configurations' object dirs. */
	const char **skip_dirs;
};

/* The configuration --config named (multi-config generators), NULL: the default one. */
extern const char *config_wanted;

/* Load <dir>/coverage-data/parcov.conf (dir NULL: the current directory). On failure,
 * prints an error that says how to fix it and returns -1. With a multi-config generator,
 * selects config_wanted (or the default configuration); an unknown one is an error. */
int config_load(struct config *c, const char *dir);
/* Release everything config_load() allocated. */
void config_free(struct config *c);

/* Take the build tree's lock (blocking, with a message if another parcov holds it).
 * Returns the descriptor to pass to config_unlock(), or -1 after printing an error. */
int config_lock(const struct config *c);
/* Release the lock. */
void config_unlock(int fd);

#endif

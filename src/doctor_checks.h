/* The parts of parcov doctor (doctor.c runs them): each check reports what it finds through
 * one frame, finding(). */
#ifndef PARCOV_DOCTOR_CHECKS_H
#define PARCOV_DOCTOR_CHECKS_H

#include <stdint.h>

#include "config.h"
#include "util.h"

struct doctor {
	const struct config *c;
	int full; /* parcov doctor (DOCTOR_FULL); else before a report: problems only */
	int problems, fatal;
	struct combine_seen *seen; /* parcov coverage: what combine may take from the checks */
};

/* What a check found. Problems are counted; stopping ones make the report empty or wrong, so
 * the coverage target stops on them. */
enum finding {
	FINDING_OK,      /* "ok: ..." (parcov doctor only, not with -q) */
	FINDING_NOTE,    /* "note: ...", the same */
	FINDING_PROBLEM, /* "problem: ...\n  fix: ..."; a warning before a report */
	FINDING_STOP,    /* the same; an error before a report, which does not go on */
};

/* Report one finding: what (printf-style), and for problems the exact fix (taken and freed;
 * NULL for ok and note). */
void finding(struct doctor *d, enum finding kind, char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "a, b, c, d, e and 4 more": names in one finding. Caller frees. */
char *names_join(const struct strings *l);

/* doctor_config.c: the build tree and its configuration. */

/* The value of KEY in dir's CMakeCache.txt ("KEY:TYPE=value"), or NULL. Caller frees. */
char *cache_value(const char *dir, const char *key);
/* Before parcov.conf can be read: what the directory real is, and where to look instead.
 * Returns 0 if it is a ParallelCoverage build tree. */
int doctor_build_dir(struct doctor *d, const char *real);
/* Settings that make the data go elsewhere, or nowhere. */
void doctor_config(struct doctor *d);

/* doctor_data.c: the objects of the build tree, and the data of the last ctest run. */

struct notes {
	char *rel; /* build-relative, without ".gcno" */
	uint32_t version, stamp;
	int readable;
	int executed; /* some usable data of the last run (doctor_data) */
	int parsed; /* gcno_parse_header() took the header, giving these (for combine) */
	uint32_t h_version, h_stamp, h_checksum;
	long long mtime_ns; /* -1: cannot stat */
};

struct objects {
	struct notes *v; /* in the walk's order */
	size_t n;
	size_t *by_rel;  /* indices of v sorted by rel, for lookups */
	struct strings objs;       /* build-relative .o/.obj */
	struct strings build_gcda; /* build-relative .gcda outside coverage-data */
	char *build_state;         /* SEEN_* of each build_gcda (doctor_data), or NULL */
	int whole;                 /* the walk read every directory */
};

void objects_scan(const struct config *c, struct objects *o);
void objects_free(struct objects *o);
/* Are the objects instrumented, and built with the flags they were configured with? */
void doctor_objects(struct doctor *d, const struct objects *o);
/* Does the last run's data match the objects, and did every test write some? */
void doctor_data(struct doctor *d, const struct objects *o);

/* doctor_tools.c: gcov and gcovr, for the objects' compiler. */
void doctor_tools(struct doctor *d, const struct objects *o);

/* doctor_fs.c: the filesystem of the build tree. */
void doctor_locks(struct doctor *d);

#endif

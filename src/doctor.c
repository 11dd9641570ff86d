#define _GNU_SOURCE
#include "doctor.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "combine.h"
#include "config.h"
#include "doctor_checks.h"
#include "util.h"

/* Names listed in one finding at most; the rest are counted. */
enum { SHOW = 5 };

char *names_join(const struct strings *l)
{
	struct buffer b = {0};
	buf_add(&b, "", 0);
	for (size_t i = 0; i < l->n && i < SHOW; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", l->v[i]);
	if (l->n > SHOW)
		buf_printf(&b, " and %zu more", l->n - SHOW);
	return b.data;
}

void finding(struct doctor *d, enum finding kind, char *fix, const char *fmt, ...)
{
	static const char *const label[] = {"ok", "note", "problem", "problem"};
	va_list ap;
	char *what;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	if (kind >= FINDING_PROBLEM) {
		d->problems++;
		d->fatal += kind == FINDING_STOP;
	}
	/* Before a report only problems show, as errors (stopping) or warnings. */
	if (d->full && (kind >= FINDING_PROBLEM || verbose))
		printf("%s: %s\n", label[kind], what);
	if (d->full && kind >= FINDING_PROBLEM)
		printf("  fix: %s\n", fix);
	else if (kind == FINDING_STOP)
		error("%s; fix: %s", what, fix);
	else if (kind == FINDING_PROBLEM)
		warn("%s; fix: %s", what, fix);
	free(what);
	free(fix);
}

/* doctor(); keep, c and lock as doctor_before_coverage() says (keep 0: nothing kept). */
static int run(const char *dir, enum doctor_mode mode, int keep, struct config *kept, int *kept_lock,
	       struct combine_seen *seen)
{
	struct doctor d = {NULL, mode == DOCTOR_FULL, 0, 0, seen};
	struct objects o = {0};
	struct config c;
	char real[PATH_MAX];
	int lock;

	if (!realpath(dir ? dir : ".", real)) {
		finding(&d, FINDING_STOP, xstrdup("name an existing build directory: parcov doctor -C BUILD_DIR"),
		        "build directory %s: %s", dir ? dir : ".", strerror(errno));
		return 1;
	}
	if (mode == DOCTOR_FULL)
		printf("parcov doctor: checking %s\n", real);
	if (doctor_build_dir(&d, real) < 0 || config_load(&c, real) < 0)
		goto done;
	d.c = &c;
	/* Read what combine and pre-test write only while neither is writing it. */
	if ((lock = config_lock(&c)) < 0) {
		config_free(&c);
		return 1;
	}
	doctor_config(&d);
	if (c.backend && !strcmp(c.backend, "llvm")) {
		/* The object and data checks below read gcov's files; llvm's are still to come. */
		finding(&d, FINDING_NOTE, NULL, "backend llvm: only the configuration and lock checks "
		        "apply so far");
		doctor_locks(&d);
		goto release;
	}
	objects_scan(&c, &o);
	doctor_objects(&d, &o);
	if (o.n) {
		doctor_tools(&d, &o);
		doctor_data(&d, &o);
	}
	doctor_locks(&d);
	if (seen) {
		seen->build_gcda = o.build_gcda;
		seen->build_whole = o.whole;
		memset(&o.build_gcda, 0, sizeof o.build_gcda);
		/* The notes' headers, in rel order (by_rel), for combine not to read them again. */
		seen->gcno = xcalloc(o.n ? o.n : 1, sizeof *seen->gcno);
		for (size_t i = 0; i < o.n; i++) {
			struct notes *n = &o.v[o.by_rel[i]];
			if (!n->parsed)
				continue;
			seen->gcno[seen->n_gcno++] = (struct combine_gcno){n->rel, n->h_version, n->h_stamp, n->h_checksum};
			n->rel = NULL;
		}
	}
	objects_free(&o);
release:
	if (keep) {
		*kept = c;
		*kept_lock = lock;
	} else {
		config_unlock(lock);
		config_free(&c);
	}
done:
	if (mode == DOCTOR_FULL) {
		if (d.problems)
			printf("parcov doctor: %d problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
		else
			printf("parcov doctor: no problems found\n");
		return d.problems ? 1 : 0;
	}
	return d.fatal ? 1 : 0;
}


int doctor(const char *dir, enum doctor_mode mode)
{
	return run(dir, mode, 0, NULL, NULL, NULL);
}

int doctor_before_coverage(const char *dir, struct config *c, int *lock, struct combine_seen *seen)
{
	*lock = -1;
	return run(dir, DOCTOR_BEFORE_REPORT, 1, c, lock, seen);
}

#define _GNU_SOURCE
#include "doctor_checks.h"
#include "doctor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gcovjson.h"
#include "proc.h"

extern char **environ;

/* gcovr's first release with the options parcov passes (--json, --exclude-directories). */
#define GCOVR_MIN_MAJOR 5

/* Run argv, capture its standard output (stderr discarded). Returns the exit status, or -1
 * if it could not start (errno set). */
static int capture(char *const argv[], struct buffer *out)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], rc;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		errno = rc;
		return -1;
	}
	while ((n = read(pipefd[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_add(out, chunk, (size_t)n);
	}
	close(pipefd[0]);
	return proc_wait(pid);
}

/* The last "X.Y" or "X.Y.Z" of the first line of a --version output. */
static int parse_version(const char *text, int *major, int *minor)
{
	const char *end = strchr(text, '\n');
	int found = 0;

	if (!end)
		end = text + strlen(text);
	for (const char *p = text; p < end; p++) {
		int a, b;
		if ((p == text || p[-1] == ' ' || p[-1] == '(') && sscanf(p, "%d.%d", &a, &b) == 2) {
			*major = a;
			*minor = b;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

/* GCC's version word: "B22*" for 12.2 (gcov-iov.cc). Only the first three characters say
 * the release; the fourth is its status. */
static uint32_t gcc_version_word(int major, int minor)
{
	return (uint32_t)('A' + major / 10) << 24 | (uint32_t)('0' + major % 10) << 16 |
	       (uint32_t)('0' + minor) << 8 | '*';
}

static void version_chars(uint32_t v, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char ch = (char)(v >> (24 - 8 * i));
		out[i] = ch >= 0x20 && ch <= 0x7e ? ch : '?';
	}
	out[4] = '\0';
}

/* "12.2" from a GCC version word. */
static void version_release(uint32_t v, char *out, size_t n)
{
	int hi = (int)(v >> 24) - 'A', lo = (int)((v >> 16) & 0xff) - '0', mi = (int)((v >> 8) & 0xff) - '0';
	if (hi < 0 || hi > 25 || lo < 0 || lo > 9 || mi < 0 || mi > 9)
		snprintf(out, n, "unknown (version word 0x%08" PRIx32 ")", v);
	else
		snprintf(out, n, "%d.%d", hi * 10 + lo, mi);
}

/* The notes' compiler release: the version word most .gcno files carry. */
static uint32_t notes_version(const struct objects *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i].readable)
			return o->v[i].version;
	return 0;
}

static void check_gcov(struct doctor *d, const struct objects *o)
{
	const struct config *c = d->c;
	char *argv[] = {c->gcov, "--version", NULL};
	struct buffer out = {0};
	uint32_t want = notes_version(o), known;
	char want_rel[64], want_word[5];
	int major, minor, rc;

	version_release(want, want_rel, sizeof want_rel);
	version_chars(want, want_word);
	buf_add(&out, "", 0);
	/* The report's cache of this executable's answer, when it has one: starting gcov is
	 * most of this check's time. It holds only GCC's gcov ("gcov ... X.Y" on the first line,
	 * exit status 0). */
	known = gcovjson_known_version(c);
	/* Only a word gcovtext_version() makes ("B22*"): anything else there is not trusted. */
	if (known && ((known >> 24) < 'A' || (known >> 24) > 'Z' || ((known >> 16) & 0xff) < '0' ||
	              ((known >> 16) & 0xff) > '9' || ((known >> 8) & 0xff) < '0' || ((known >> 8) & 0xff) > '9'))
		known = 0;
	if (known) {
		rc = 0;
		major = ((int)(known >> 24) - 'A') * 10 + (int)((known >> 16) & 0xff) - '0';
		minor = (int)((known >> 8) & 0xff) - '0';
	} else if ((rc = capture(argv, &out)) == 0 && parse_version(out.data, &major, &minor) < 0) {
		rc = -2; /* no version printed */
	}
	if (rc == -1) {
		finding(d, FINDING_STOP, want ? xasprintf("install gcov %s (Debian: apt-get install gcc-%.*s) and "
		                                          "reconfigure, or set -DPARALLEL_COVERAGE_GCOV=/path/to/gcov",
		                                          want_rel, (int)strcspn(want_rel, "."), want_rel)
		                              : xstrdup("install the gcov of your GCC, or set "
		                                        "-DPARALLEL_COVERAGE_GCOV=/path/to/gcov"),
		        "gcov %s cannot run: %s", c->gcov, strerror(errno));
	} else if (strstr(out.data, "LLVM")) {
		/* llvm-cov gcov reads GCC notes only of old formats: the Clang backend's checks
		 * decide when it is the right tool. */
		finding(d, FINDING_STOP, xasprintf("set -DPARALLEL_COVERAGE_GCOV=gcov-%.*s (the gcov of the GCC "
		                                   "that compiled the objects)", (int)strcspn(want_rel, "."), want_rel),
		        "%s is LLVM's gcov, but the objects were compiled by GCC %s", c->gcov, want_rel);
	} else if (rc != 0) {
		finding(d, FINDING_STOP, xstrdup("install the gcov of your GCC, or set "
		                                 "-DPARALLEL_COVERAGE_GCOV=/path/to/gcov"),
		        "'%s --version' did not print a gcov version (exit status %d)", c->gcov, rc == -2 ? 0 : rc);
	} else if (want && (gcc_version_word(major, minor) >> 8) != (want >> 8)) {
		char have_word[5];
		version_chars(gcc_version_word(major, minor), have_word);
		finding(d, FINDING_STOP, xasprintf("reconfigure with -DPARALLEL_COVERAGE_GCOV=/usr/bin/gcov-%.*s (the "
		                                   "gcov of the compiler, GCC %s)", (int)strcspn(want_rel, "."),
		                                   want_rel, want_rel),
		        "%s is gcov %d.%d but the objects were compiled by GCC %s: gcov would warn "
		        "\"version '%s', prefer '%s'\" and misread the data", c->gcov, major, minor,
		        want_rel, want_word, have_word);
	} else {
		finding(d, FINDING_OK, NULL, "gcov %s is version %d.%d, like the compiler of the objects", c->gcov, major, minor);
	}
	buf_free(&out);
}

/* parcov writes every report itself: gcovr is needed only for PARCOV_REPORTER=gcovr and
 * the fallback (gcovjson.h), so a missing one is a problem only when it is asked for. */
static void check_gcovr(struct doctor *d)
{
	const struct config *c = d->c;
	char *argv[] = {c->gcovr, "--version", NULL};
	const char *engine = getenv("PARCOV_REPORTER");
	int asked = engine && !strcmp(engine, "gcovr");
	struct buffer out = {0}, what = {0};
	int major, minor, rc;

	/* Before a report that will not run it, starting gcovr (Python) is most of doctor's time. */
	if (!d->full && !asked)
		return;
	buf_add(&out, "", 0);
	rc = capture(argv, &out);
	if (rc < 0)
		buf_printf(&what, "gcovr %s cannot run: %s", c->gcovr, strerror(errno));
	else if (rc != 0 || parse_version(out.data, &major, &minor) < 0)
		buf_printf(&what, "'%s --version' did not print a gcovr version (exit status %d)", c->gcovr, rc);
	else if (major < GCOVR_MIN_MAJOR)
		buf_printf(&what, "%s is gcovr %d.%d, too old: parcov needs gcovr %d.0 or newer", c->gcovr,
			   major, minor, GCOVR_MIN_MAJOR);
	else
		finding(d, FINDING_OK, NULL, "gcovr %s is version %d.%d", c->gcovr, major, minor);
	if (what.data && asked)
		finding(d, FINDING_STOP, xstrdup("install gcovr 5.0 or newer (Debian: apt-get install gcovr) and "
						 "reconfigure, or set -DPARALLEL_COVERAGE_GCOVR=/path/to/gcovr"),
			"%s, and PARCOV_REPORTER=gcovr asks for it", what.data);
	else if (what.data)
		finding(d, FINDING_NOTE, NULL, "%s: parcov writes the reports itself; gcovr (5.0 or newer) is "
			"needed only for PARCOV_REPORTER=gcovr and the fallback (README, Reporting)", what.data);
	buf_free(&what);
	buf_free(&out);
}

/* Each coverage backend checks its own tools: GCC's gcov here; the Clang backend adds its
 * llvm-cov/llvm-profdata checks beside this one. */
void doctor_tools(struct doctor *d, const struct objects *o)
{
	/* Clang's gcov backend runs "llvm-cov-N gcov" (a command, not one executable): its
	 * version follows the compiler's by construction (module: _parcov_find_llvm_tools). */
	if (strchr(d->c->gcov, ' '))
		finding(d, FINDING_NOTE, NULL, "gcov is '%s' (Clang): version checks of GNU gcov do not apply", d->c->gcov);
	else
		check_gcov(d, o);
	check_gcovr(d);
}

/* --- ctest -j ------------------------------------------------------------------------------ */

/* 1 if s is a positive decimal number. */
static int is_count(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s) && strtol(s, NULL, 10) > 0;
}

void doctor_check_ctest_parallel(void)
{
	char *path = xasprintf("/proc/%ld/cmdline", (long)getppid());
	char exe[PATH_MAX];
	struct buffer b = {0}, out = {0};
	const char *bad = NULL, *name;
	ssize_t n;
	int major = 0, minor = 0;

	if (read_file(path, &b) < 0 || b.len == 0)
		goto out;
	name = strrchr(b.data, '/') ? strrchr(b.data, '/') + 1 : b.data;
	if (strncmp(name, "ctest", 5))
		goto out;
	for (size_t i = 0; i < b.len; i += strlen(b.data + i) + 1) {
		const char *a = b.data + i, *v = NULL;
		if (!strcmp(a, "-j") || !strcmp(a, "--parallel")) {
			size_t next = i + strlen(a) + 1;
			v = next < b.len ? b.data + next : NULL;
		} else if (!strncmp(a, "-j", 2)) {
			v = a + 2;
		} else if (!strncmp(a, "--parallel=", 11)) {
			v = a + 11;
		}
		if (v && *v && *v != '-' && !is_count(v))
			bad = v;
	}
	if (!bad)
		goto out;
	n = readlink(strstr(path, "/cmdline") ? (strcpy(strstr(path, "/cmdline"), "/exe"), path) : path,
	             exe, sizeof exe - 1);
	if (n > 0) {
		char *argv[] = {exe, "--version", NULL};
		exe[n] = '\0';
		buf_add(&out, "", 0);
		if (capture(argv, &out) == 0)
			parse_version(out.data, &major, &minor);
	}
	if (major > 3 || (major == 3 && minor >= 29))
		warn("ctest -j %s is not a number of jobs: type a bare -j (as many jobs as CPUs) or "
		     "-j N", bad);
	else
		warn("ctest -j %s runs the tests one at a time: CMake %d.%d reads '%s' as 1 (a bare -j "
		     "needs CMake 3.29); type -j N or -j$(nproc)", bad, major ? major : 3,
		     major ? minor : 25, bad);
out:
	buf_free(&b);
	buf_free(&out);
	free(path);
}


/* parcov doctor: find out why a coverage report would be empty or wrong, and say the fix. */
#ifndef PARCOV_DOCTOR_H
#define PARCOV_DOCTOR_H

/* What doctor() prints and what makes it fail. */
enum doctor_mode {
	DOCTOR_FULL,          /* parcov doctor: every check, "ok" lines too; 1 on any problem */
	DOCTOR_BEFORE_REPORT, /* the coverage target: problems only; 1 only when the report
	                         would be empty or wrong */
};

/* Diagnose the build tree dir (NULL: the current directory). Returns 0 when healthy, 1 when
 * problems were found (each printed with what is wrong and the exact fix). */
int doctor(const char *dir, enum doctor_mode mode);

struct config;
struct combine_seen;
/* doctor(dir, DOCTOR_BEFORE_REPORT) for 'parcov coverage', with the same checks, messages
 * and result, keeping for combine and report what it loaded: on return *lock >= 0 when *c
 * holds the configuration, locked (the caller unlocks and frees it), and seen what doctor
 * saw of the build tree and the data set (combine.h). */
int doctor_before_coverage(const char *dir, struct config *c, int *lock, struct combine_seen *seen);

/* Run by 'parcov pre-test': if the ctest that runs us was given -j with a value it cannot
 * read (CMake before 3.29 takes 'ctest -j auto' as -j 1, silently), print one line saying so
 * and what to type instead. */
void doctor_check_ctest_parallel(void);

#endif

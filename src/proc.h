/* Child processes: argument vectors, starting, waiting. */
#ifndef PARCOV_PROC_H
#define PARCOV_PROC_H

#include <sys/types.h>

/* A NULL-terminated argument vector that owns its strings. */
struct argv {
	char **v;
	size_t n;
};

/* Append s (taken over, freed by argv_free()). */
void arg(struct argv *a, char *s);
/* Free the strings and the vector, and reset it to empty. */
void argv_free(struct argv *a);

/* Start argv (searched in PATH) in dir, its stdout into out_path when not NULL. Returns the
 * pid, or -1 with errno set. */
pid_t proc_start(char **argv, const char *dir, const char *out_path);
/* The same, with its stderr appended to err_path when not NULL. */
pid_t proc_start_logged(char **argv, const char *dir, const char *out_path, const char *err_path);
/* Wait for pid. Returns its exit status, 128 + the signal that killed it, or -1 with errno. */
int proc_wait(pid_t pid);
/* proc_start() then proc_wait(). */
int proc_run(char **argv, const char *dir);

#endif

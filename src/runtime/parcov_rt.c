/* parcov runtime: linked by ParallelCoverage.cmake into every instrumented executable and
 * shared library, never instrumented itself. It makes GCC's coverage counters survive the
 * ways a test process can end besides exit() and counts fork()ed work once:
 *
 *  - _exit()/_Exit() (wrapped at link time with -Wl,--wrap): Check's fork mode ends a child
 *    whose assertion failed with _exit(1), which skips libgcov's destructor;
 *  - fatal signals: the handler flushes the counters, then the process dies by the same
 *    signal (a fault re-executes the faulting instruction under the default action, so the
 *    core dump is the one it would have been), also when exit() had begun (a crash in a
 *    destructor or an atexit handler);
 *  - fork() from code libgcov does not see (an uninstrumented library such as libcheck): the
 *    child's counters are zeroed, so what the parent ran before the fork is counted once;
 *    a vfork() child (shares the parent's memory, runs no atfork handler) is left alone;
 *  - Check's timeout: Check's parent kills a timed-out child with killpg(..., SIGKILL);
 *    killpg is wrapped, so the child is first asked (FLUSH_SIGNAL) to write its counters and
 *    kill itself with SIGKILL, which keeps the status Check sees;
 *  - CTest's TIMEOUT (SIGKILL on CMake < 3.27): when a timeout applies, a watchdog thread
 *    takes snapshots before the deadline. A snapshot never touches the live counters: a
 *    clone()d copy of the process writes them elsewhere (parcov-snap/PID.K/ in the test's
 *    directory) and parcov uses it only for a process that never recorded an ending.
 *
 *  - a test program run outside ctest only to list its tests (POST_BUILD discovery) writes
 *    into coverage-data/discovery-runs/ instead of next to the objects (see
 *    redirect_listing_run).
 *
 * Under ctest (GCOV_PREFIX set; llvm: LLVM_PROFILE_FILE) every process also appends how it
 * started and ended to parcov-endings.tsv in that directory, which parcov reads to name tests
 * that crashed, timed out or wrote no data, and to choose snapshots.
 *
 * One state per process: every copy of this file (the executable's, each shared library's)
 * binds parcov_rt_state_v1 to its first definition (the executable exports it), so whichever
 * copy's constructor ran first owns the hooks and every copy's wrappers see the same
 * "exiting" (exit() began) and "flushing" (the final write began) states.
 *
 * Signal safety: flushing runs libgcov's dump from the signal handler. That code is not
 * async-signal-safe (stdio, malloc, its own mutex): if the signal interrupted a thread that
 * held one of those locks, the flush could block. A guard (SIGALRM after
 * FLUSH_GUARD_SECONDS) then abandons the flush, records so, and lets the process die by its
 * original signal, so a crash never becomes a hang; that process's counters are lost.
 *
 * Backends: compiled as is for GCC's libgcov; with -DPARCOV_RT_LLVM for Clang's source-based
 * coverage (-fprofile-instr-generate), with -DPARCOV_RT_CLANG_GCOV for Clang's --coverage.
 * Clang's runtimes are linked privately into every executable and shared library (hidden
 * symbols, no list of loaded modules like libgcov's), so there every copy registers its
 * binary's flush function in the shared state's table, and the owner flushes them all.
 * With llvm the record goes to the directory of LLVM_PROFILE_FILE. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(PARCOV_RT_LLVM) || defined(PARCOV_RT_CLANG_GCOV)
#define PARCOV_RT_TABLE 1 /* one profile runtime per binary: the table below */
#endif

/* glibc < 2.34 has these in libdl, which the project may not link: then nothing is pinned. */
#pragma weak dladdr
#pragma weak dlopen
#pragma weak dlclose

#ifdef __cplusplus
extern "C" {
#endif

#ifdef PARCOV_RT_TABLE
#ifdef PARCOV_RT_LLVM
/* Clang's profile runtime (compiler-rt, hidden in each binary): write this binary's profile
 * and mark it written, so the atexit handler does not write it again (in %m merge mode a
 * second write adds every counter twice); write it without that mark; zero the counters
 * (which also clears the mark); register the atexit writer now (idempotent); change where
 * the profile goes (a snapshot's copy of the process only). */
int __llvm_profile_dump(void);
int __llvm_profile_write_file(void);
void __llvm_profile_reset_counters(void);
int __llvm_profile_register_write_file_atexit(void);
void __llvm_profile_set_filename(const char *name);
#else
/* Clang's gcov runtime (compiler-rt's GCDAProfiling, hidden in each binary; its exported
 * __gcov_dump/__gcov_reset would bind to one binary's copy only): write this binary's .gcda
 * files, zero its counters. Its atexit writer empties the list llvm_writeout_files walks,
 * so a write after it writes nothing. */
void llvm_writeout_files(void);
void llvm_reset_counters(void);
#endif
#define MAX_MODULES 256
#else
/* libgcov (GCC >= 11): dump every loaded module's counters once (a module dumped since its
 * last reset is skipped, so a dump after libgcov's own at exit adds nothing), zero them. The
 * lock-free variants, and the lock (libgcov's own, hidden but linked in our module). */
void __gcov_dump(void);
void __gcov_dump_int(void);
void __gcov_reset_int(void);
void __gcov_lock(void);
void __gcov_unlock(void);
extern pthread_mutex_t __gcov_mx;
#endif

void __real__exit(int status) __attribute__((noreturn));
void __real__Exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));
void __wrap__Exit(int status) __attribute__((noreturn));
int __real_killpg(pid_t pgrp, int sig);
int __wrap_killpg(pid_t pgrp, int sig);
int __real_execve(const char *path, char *const argv[], char *const envp[]);
int __wrap_execve(const char *path, char *const argv[], char *const envp[]);
int __real_execv(const char *path, char *const argv[]);
int __wrap_execv(const char *path, char *const argv[]);
int __real_execvp(const char *file, char *const argv[]);
int __wrap_execvp(const char *file, char *const argv[]);
int __real_execvpe(const char *file, char *const argv[], char *const envp[]);
int __wrap_execvpe(const char *file, char *const argv[], char *const envp[]);
int __real_fexecve(int fd, char *const argv[], char *const envp[]);
int __wrap_fexecve(int fd, char *const argv[], char *const envp[]);

/* What the owner asks of one binary's profile (Clang). */
enum { OP_DUMP, OP_SNAPSHOT, OP_RESET };

#define RECORD_MAX 4096
/* The process-wide state, shared by every copy of this file (see the top). */
struct parcov_rt_state {
	volatile sig_atomic_t owner;    /* a copy installed the hooks */
	volatile sig_atomic_t exiting;  /* exit() began */
	volatile sig_atomic_t flushing; /* the final write began: a fault now is in it */
	volatile pid_t pid;             /* whose counters these are (a vfork child differs) */
	char record_path[RECORD_MAX];   /* "" when not under ctest */
	char data_dir[RECORD_MAX];      /* the test's data directory */
	char snapshot_dir[RECORD_MAX];  /* a snapshot's copy of the process writes here */
#ifdef PARCOV_RT_TABLE
	void (*module[MAX_MODULES])(int op); /* NULL once dlclose()d */
	int n;
#endif
};
extern struct parcov_rt_state parcov_rt_state_v1;
__attribute__((visibility("default"))) struct parcov_rt_state parcov_rt_state_v1;

#ifdef __cplusplus
}
#endif

#define S parcov_rt_state_v1
#define FLUSH_GUARD_SECONDS 10
/* Asks a process Check is about to kill to write its counters first (see __wrap_killpg). */
#define FLUSH_SIGNAL (SIGRTMAX - 4)

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				    SIGTERM, SIGINT, SIGQUIT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static struct sigaction previous[N_FATAL];
#ifdef PARCOV_RT_TABLE
static int module_slot = -1; /* this binary's entry in the table */
#endif
#ifdef PARCOV_RT_LLVM
static volatile sig_atomic_t exit_written; /* compiler-rt's atexit writer wrote this binary */
#endif
static volatile sig_atomic_t guard_signal;
static long long test_deadline_ns; /* CLOCK_MONOTONIC, 0: none */
static long long test_timeout_ns;
static int snapshot_tries;         /* by this process: numbers its snapshots */
static char altstack[65536];

/* The hooks act in this process: the runtime is on, and this is not a vfork() child running
 * on its parent's memory (getpid() is a system call since glibc 2.25). */
static int active_here(void)
{
	return S.owner && S.pid == getpid();
}

/* --- Records (async-signal-safe: open/write/close and our own number formatting) ------ */

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

static char *put_num(char *p, long long v)
{
	char tmp[24];
	int n = 0;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	if (v < 0)
		*p++ = '-';
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/* Append "pid<TAB>ppid<TAB>event<TAB>value" to the record; one write(), so lines of
 * processes of the same test never interleave. */
static void record(const char *event, long long value)
{
	char line[128], *p = line;
	int saved = errno, fd;

	if (!S.record_path[0])
		return;
	p = put_num(p, (long long)getpid());
	*p++ = '\t';
	p = put_num(p, (long long)getppid());
	*p++ = '\t';
	p = put_str(p, event);
	*p++ = '\t';
	p = put_num(p, value);
	*p++ = '\n';
	fd = open(S.record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, line, (size_t)(p - line)) < 0) {
			/* Nothing to do: the record is advisory. */
		}
		close(fd);
	}
	errno = saved;
}

/* Read a small file into buf as a string (async-signal-safe). Returns 0 if it is missing or
 * empty. */
static int read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* --- Flushing ------------------------------------------------------------------------ */

#ifdef PARCOV_RT_TABLE
/* This binary's profile (each copy of the runtime has its own, see the top). */
static void module_op(int op)
{
#ifdef PARCOV_RT_LLVM
	switch (op) {
	case OP_DUMP:
		/* After compiler-rt's atexit writer (a crash in a destructor), writing again
		 * would count everything twice. */
		if (!exit_written)
			__llvm_profile_dump();
		break;
	case OP_SNAPSHOT:
		__llvm_profile_set_filename(S.snapshot_dir);
		__llvm_profile_write_file();
		break;
	default:
		__llvm_profile_reset_counters();
	}
#else
	/* OP_DUMP is final (the process ends without exit handlers), so a plain write will do. */
	if (op != OP_RESET)
		llvm_writeout_files();
	else
		llvm_reset_counters();
#endif
}

/* Every loaded binary's profile. */
static void all_modules(int op)
{
	int n = S.n;

	for (int i = 0; i < n && i < MAX_MODULES; i++) {
		void (*fn)(int) = S.module[i];
		if (fn)
			fn(op);
	}
}

/* The process ends: write every profile once (the atexit writers then skip it). */
static void dump_final(void)
{
	all_modules(OP_DUMP);
}

/* In a snapshot's copy of the process: write everything to S.snapshot_dir. */
static void dump_snapshot(void)
{
#ifdef PARCOV_RT_CLANG_GCOV
	setenv("GCOV_PREFIX", S.snapshot_dir, 1);
#endif
	all_modules(OP_SNAPSHOT);
}

static void fork_prepare_lock(void)
{
}

static void fork_parent_unlock(void)
{
}

/* In a fresh fork child (alone): counters at zero. */
static void child_reset(void)
{
	all_modules(OP_RESET);
}
#else
/* The process ends: write every module's counters (libgcov walks all loaded modules). */
static void dump_final(void)
{
	__gcov_dump();
}

/* In a snapshot's copy of the process (alone: the lock may be held by a thread that is
 * not there). */
static void dump_snapshot(void)
{
	pthread_mutex_init(&__gcov_mx, NULL);
	setenv("GCOV_PREFIX", S.snapshot_dir, 1);
	__gcov_dump_int();
}

/* No dump or reset is half done when the process forks. */
static void fork_prepare_lock(void)
{
	__gcov_lock();
}

static void fork_parent_unlock(void)
{
	__gcov_unlock();
}

/* The parent keeps (and will dump) what ran before the fork; the child starts at zero. The
 * child is single-threaded, so no lock is needed (another thread of the parent may have
 * held it at the fork). */
static void child_reset(void)
{
	pthread_mutex_init(&__gcov_mx, NULL);
	__gcov_reset_int();
}
#endif

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/* Snapshot number k of this process: a copy made by clone() without SIGCHLD (so the
 * program's wait() and SIGCHLD handler never see it) writes the counters as they are into
 * parcov-snap/PID.K.tmp, then renames it to parcov-snap/PID.K; the live counters are never
 * touched, so nothing is lost or counted twice, whatever the other threads do. The copy can
 * block on a lock another thread held at the clone (malloc, stdio): it is killed after
 * FLUSH_GUARD_SECONDS and the snapshot is not recorded. Async-signal-safe in the process
 * itself. */
static void snapshot(void)
{
	char final_dir[RECORD_MAX], *p;
	size_t n = strlen(S.data_dir);
	long child;
	int status = 0, k = ++snapshot_tries; /* a new number even after a failed try */
	long waited;

	if (!S.data_dir[0] || n + 64 > sizeof final_dir)
		return;
	p = put_str(final_dir, S.data_dir);
	p = put_str(p, "/parcov-snap/");
	p = put_num(p, (long long)getpid());
	*p++ = '.';
	p = put_num(p, k);
	*p = '\0';
	memcpy(S.snapshot_dir, final_dir, (size_t)(p - final_dir));
	memcpy(S.snapshot_dir + (p - final_dir), ".tmp", sizeof ".tmp");
	child = syscall(SYS_clone, 0L, NULL, NULL, NULL, NULL);
	if (child < 0)
		return;
	if (child == 0) {
#ifdef PARCOV_RT_LLVM
		/* Each binary's profile: PID.K.tmp/<binary's %m name>.profraw. */
		size_t m = strlen(S.snapshot_dir);
		if (m + 16 < sizeof S.snapshot_dir)
			memcpy(S.snapshot_dir + m, "/%m.profraw", sizeof "/%m.profraw");
#endif
		dump_snapshot();
#ifdef PARCOV_RT_LLVM
		*strrchr(S.snapshot_dir, '/') = '\0';
#endif
		syscall(SYS_exit_group, rename(S.snapshot_dir, final_dir) == 0 ? 0 : 1);
	}
	for (waited = 0; waited < FLUSH_GUARD_SECONDS * 100L; waited++) {
		long r = (long)waitpid((pid_t)child, &status, (int)(__WCLONE | WNOHANG));
		if (r == child || (r < 0 && errno != EINTR))
			break;
		sleep_ms(10);
	}
	if (waited == FLUSH_GUARD_SECONDS * 100L) {
		kill((pid_t)child, SIGKILL);
		waitpid((pid_t)child, &status, (int)__WCLONE);
		record("snapshot-abandoned", k);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		record("snapshot", k);
}

void __wrap__exit(int status)
{
	/* Any copy's wrapper: the call may come from a shared library's own code. */
	if (active_here() && !S.flushing) {
		S.exiting = 1;
		S.flushing = 1;
		record("exit", status);
		dump_final();
	}
	__real__exit(status);
}

void __wrap__Exit(int status)
{
	__wrap__exit(status);
}

/* exit() began. Runs before libgcov's final dump (registered later, so called earlier). */
static void on_exit_record(int status, void *arg)
{
	(void)arg;
	if (!active_here() || S.exiting)
		return;
	S.exiting = 1;
	record("exit", status);
}

/* --- exec ---------------------------------------------------------------------------- */

/* The process image goes: its counters were written (GCC writes them before an exec from
 * instrumented code) or are lost, and the program exec'd records its own ending, if any. */
static void record_exec(void)
{
	if (active_here())
		record("exec", 0);
}

int __wrap_execve(const char *path, char *const argv[], char *const envp[])
{
	record_exec();
	return __real_execve(path, argv, envp);
}

int __wrap_execv(const char *path, char *const argv[])
{
	record_exec();
	return __real_execv(path, argv);
}

int __wrap_execvp(const char *file, char *const argv[])
{
	record_exec();
	return __real_execvp(file, argv);
}

int __wrap_execvpe(const char *file, char *const argv[], char *const envp[])
{
	record_exec();
	return __real_execvpe(file, argv, envp);
}

int __wrap_fexecve(int fd, char *const argv[], char *const envp[])
{
	record_exec();
	return __real_fexecve(fd, argv, envp);
}

/* --- Fatal signals ------------------------------------------------------------------- */

static int slot_of(int sig)
{
	for (size_t i = 0; i < N_FATAL; i++)
		if (fatal_signals[i] == sig)
			return (int)i;
	return -1;
}

/* The flush of a fatal signal blocked (see the top of this file): give up on it, say so,
 * and die by the original signal. */
static void on_guard(int unused)
{
	sigset_t set;
	int sig = guard_signal;

	(void)unused;
	record("flush-abandoned", sig);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	__real__exit(128 + sig);
}

/* Write everything, at most FLUSH_GUARD_SECONDS, then return (the caller dies). */
static void final_flush(int sig, const char *event)
{
	struct sigaction guard;

	S.flushing = 1;
	guard_signal = sig;
	memset(&guard, 0, sizeof guard);
	guard.sa_handler = on_guard;
	guard.sa_flags = SA_NODEFER;
	sigaction(SIGALRM, &guard, NULL);
	alarm(FLUSH_GUARD_SECONDS);
	record(event, sig);
	dump_final();
	alarm(0);
}

static void on_fatal(int sig, siginfo_t *si, void *context);

/* SA_RESETHAND: a second fault during the flush gets the default action; SA_NODEFER: the
 * guard can re-raise the signal; SA_ONSTACK: a stack overflow can still be handled. */
static void install_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = (int)(SA_SIGINFO | SA_RESETHAND | SA_NODEFER | SA_ONSTACK);
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* The default action, as if we had not been there: a fault the kernel raised happens again
 * when we return, at the same instruction; a signal someone sent must be sent again. */
static void die_by(int sig, const siginfo_t *si)
{
	signal(sig, SIG_DFL);
	if (si && si->si_code > 0 && si->si_code != SI_KERNEL &&
	    (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL))
		return;
	raise(sig);
}

static void on_fatal(int sig, siginfo_t *si, void *context)
{
	int slot = slot_of(sig), saved = errno;
	const struct sigaction *prev = slot >= 0 ? &previous[slot] : NULL;

	if (!prev || (prev->sa_handler == SIG_DFL && (S.flushing || !active_here()))) {
		/* A fault inside the final flush, or a vfork() child: the default action. */
		die_by(sig, si);
		errno = saved;
		return;
	}
	if (prev->sa_handler == SIG_IGN) {
		install_handler(sig);
		errno = saved;
		return;
	}
	if (prev->sa_handler != SIG_DFL) {
		/* A handler installed before us (another library's constructor) decides; it may
		 * go on running code, so the live counters stay as they are. A snapshot keeps what
		 * ran so far in case it then dies without an ending. */
		install_handler(sig);
		if (active_here() && !S.flushing)
			snapshot();
		errno = saved;
		if (prev->sa_flags & SA_SIGINFO)
			prev->sa_sigaction(sig, si, context);
		else
			prev->sa_handler(sig);
		return;
	}
	/* Also when exit() had begun (a crash in a destructor or atexit handler): a module
	 * already written at exit is not written again (see dump_final). */
	final_flush(sig, "signal");
	die_by(sig, si);
	errno = saved;
}

/* Check's parent is about to kill this process (see __wrap_killpg): write everything, then
 * die by SIGKILL as Check expects. */
static void on_flush_request(int sig)
{
	(void)sig;
	if (active_here() && !S.flushing) {
		final_flush(SIGKILL, "check-timeout");
	}
	raise(SIGKILL);
}

static void install_signal_handlers(void)
{
	stack_t ss, old_ss;
	struct sigaction sa, old;

	/* A stack overflow's SIGSEGV needs another stack; keep the program's if it has one. */
	if (sigaltstack(NULL, &old_ss) == 0 && (old_ss.ss_flags & SS_DISABLE)) {
		ss.ss_sp = altstack;
		ss.ss_size = sizeof altstack;
		ss.ss_flags = 0;
		sigaltstack(&ss, NULL);
	}
	for (size_t i = 0; i < N_FATAL; i++) {
		if (sigaction(fatal_signals[i], NULL, &previous[i]) < 0)
			continue;
		/* An ignored signal (SIGINT in a background job) stays ignored. */
		if (previous[i].sa_handler != SIG_IGN)
			install_handler(fatal_signals[i]);
	}
	/* Only if the program does not use that signal itself. */
	if (sigaction(FLUSH_SIGNAL, NULL, &old) == 0 && old.sa_handler == SIG_DFL) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_flush_request;
		sa.sa_flags = SA_ONSTACK;
		sigemptyset(&sa.sa_mask);
		sigaction(FLUSH_SIGNAL, &sa, NULL);
	}
}

/* Check (fork mode) ends a test that outlives its timeout (CK_DEFAULT_TIMEOUT,
 * tcase_set_timeout) with killpg(child, SIGKILL), from its SIGALRM handler. The child gets
 * FLUSH_SIGNAL first: our handler there writes its counters and dies by SIGKILL, the status
 * Check would have seen; we wait (without reaping: WNOWAIT) until it is gone or
 * FLUSH_GUARD_SECONDS + 1 passed, then kill the group as asked. Only for our own child that
 * leads that process group and runs our handler, so other uses of killpg() are unchanged. */
/* 1 if process pid catches FLUSH_SIGNAL (SigCgt of /proc/PID/status): it runs our handler, so
 * the signal cannot kill a program that is not ours (an exec'd one) with another status. */
static int catches_flush_signal(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long long mask = 0;

	memcpy(put_num(put_str(path, "/proc/"), (long long)pid), "/status", sizeof "/status");
	if (!read_small(path, buf, sizeof buf) || !(p = strstr(buf, "SigCgt:")))
		return 0;
	for (p += 7; *p == ' ' || *p == '\t'; p++)
		;
	for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'); p++)
		mask = mask * 16 + (unsigned long long)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	return (int)((mask >> (FLUSH_SIGNAL - 1)) & 1);
}

int __wrap_killpg(pid_t pgrp, int sig)
{
	int saved = errno;

	if (sig == SIGKILL && pgrp > 0 && pgrp != getpgrp() && active_here()) {
		siginfo_t si;
		memset(&si, 0, sizeof si);
		if (waitid(P_PID, (id_t)pgrp, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0 &&
		    catches_flush_signal(pgrp) && kill(pgrp, FLUSH_SIGNAL) == 0) {
			for (long i = 0; i < (FLUSH_GUARD_SECONDS + 1) * 100L; i++) {
				memset(&si, 0, sizeof si);
				if (waitid(P_PID, (id_t)pgrp, &si, WEXITED | WNOHANG | WNOWAIT) < 0 ||
				    si.si_pid != 0)
					break;
				sleep_ms(10);
			}
		}
	}
	errno = saved;
	return __real_killpg(pgrp, sig);
}

/* --- Watchdog ------------------------------------------------------------------------ */

/* Snapshots before a CTest deadline: at half the timeout and at TIMEOUT - min(2 s, 25 %).
 * Each costs one clone() and a few milliseconds in the copy; the latest one the process
 * made before it was killed is used. */
static void *watchdog(void *arg)
{
	long long at[2];
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	/* malloc now: the snapshot's copy then uses this thread's own arena, whose lock nobody
	 * holds at the clone. */
	free(malloc(16));
	at[0] = test_deadline_ns - test_timeout_ns / 2;
	at[1] = test_deadline_ns - (test_timeout_ns / 4 < 2000000000LL ? test_timeout_ns / 4
									: 2000000000LL);
	for (int i = 0; i < 2; i++) {
		struct timespec ts;
		ts.tv_sec = (time_t)(at[i] / 1000000000LL);
		ts.tv_nsec = (long)(at[i] % 1000000000LL);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		if (!active_here() || S.exiting)
			break;
		snapshot();
	}
	return NULL;
}

static void start_watchdog(void)
{
	pthread_t t;
	pthread_attr_t attr;

	if (!test_deadline_ns || !S.data_dir[0])
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 65536);
	pthread_create(&t, &attr, watchdog, NULL);
	pthread_attr_destroy(&attr);
}

static double parse_seconds(const char *v)
{
	char *end;
	double d;

	if (!v || !*v)
		return 0;
	d = strtod(v, &end);
	return end != v && d > 0 ? d : 0;
}

/* --- fork ---------------------------------------------------------------------------- */

static void on_fork_prepare(void)
{
	fork_prepare_lock();
}

static void on_fork_parent(void)
{
	fork_parent_unlock();
}

static void on_fork_child(void)
{
	/* The parent keeps (and will write) what ran before the fork; we start at zero. */
	child_reset();
	S.pid = getpid();
	S.exiting = 0;
	S.flushing = 0;
	snapshot_tries = 0;
	record("start", 0);
	start_watchdog();
}

/* --- Set-up -------------------------------------------------------------------------- */

/* The test's data directory is <data>/current/tests/<dir>: when pre-test deletes superseded
 * data sets, it keeps the trees their tests wrote, every file truncated to nothing, and
 * puts them in the new set as current/recycled/<dir> (see recycle in src/runs.c). Moving
 * the test's in (never over an existing directory) saves making every directory and file
 * again: GCC's and Clang's runtimes rewrite an existing empty file as a new one. Returns 0
 * once the data directory exists, -1 when it must be made. */
#if !defined(PARCOV_RT_LLVM) && defined(SYS_renameat2)
/* The emptied NAME.gcda files of a recycled tree are hidden as NAME.gcda.parcov[N] (out of
 * the way of a project's own lcov or gcovr, see DATA_HIDDEN in src/util.h): back to NAME.gcda
 * in the tree just moved in, so that GCC's and Clang's runtimes rewrite them in place. Never
 * over a file (another process of the test may have written one already); one left hidden
 * is an empty file with the time 0, which no reader counts. */
static void unhide_tree(int parent, const char *name, int depth)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		unsigned char type = e->d_type;
		struct stat st;
		char *p;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (type == DT_UNKNOWN && fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		if (type == DT_DIR && depth < 64 && strcmp(e->d_name, "parcov-snap")) {
			unhide_tree(fd, e->d_name, depth + 1);
		} else if (type == DT_REG && (p = strstr(e->d_name, ".gcda.parcov")) &&
			   strspn(p + 12, "0123456789") == strlen(p + 12) && p != e->d_name) {
			char to[256];
			size_t n = (size_t)(p - e->d_name) + 5;
			if (n < sizeof to) {
				memcpy(to, e->d_name, n);
				to[n] = '\0';
				syscall(SYS_renameat2, fd, e->d_name, fd, to, 1 /* RENAME_NOREPLACE */);
			}
		}
	}
	closedir(d);
}
#endif

static int reuse_skeleton(const char *dir)
{
#ifdef SYS_renameat2
	static const char tests[] = "/current/tests/";
	char skel[RECORD_MAX + 16];
	const char *name = strrchr(dir, '/');
	size_t base, len = sizeof tests - 1;

	if (!name || (size_t)(name + 1 - dir) < len || name[1] == '\0' ||
	    memcmp(name + 1 - len, tests, len) != 0)
		return -1;
	base = (size_t)(name + 1 - len - dir);
	memcpy(skel, dir, base);
	memcpy(put_str(put_str(skel + base, "/current/recycled/"), name + 1), "", 1);
	if (syscall(SYS_renameat2, AT_FDCWD, skel, AT_FDCWD, dir, 1 /* RENAME_NOREPLACE */) == 0) {
#ifndef PARCOV_RT_LLVM
		unhide_tree(AT_FDCWD, dir, 0);
#endif
		return 0;
	}
	if (errno == EEXIST)
		return 0;
#else
	(void)dir;
#endif
	return -1;
}

static void make_record_path(void)
{
#ifdef PARCOV_RT_LLVM
	/* The test's data directory: where its profiles go. */
	const char *file = getenv("LLVM_PROFILE_FILE"), *slash = file ? strrchr(file, '/') : NULL;
	size_t n = slash ? (size_t)(slash - file) : 0;
	char *path = S.record_path;

	if (!n || n + 64 > sizeof S.record_path)
		return;
	memcpy(path, file, n);
	path[n] = '\0';
#else
	const char *prefix = getenv("GCOV_PREFIX");
	char *path = S.record_path;
	size_t n;

	if (!prefix || !*prefix || strlen(prefix) + 64 > sizeof S.record_path)
		return;
	n = strlen(prefix);
	memcpy(path, prefix, n + 1);
#endif
	/* mkdir -p: the test's data directory may not exist yet; when this is the test's first
	 * process, the tree an earlier run of the test left (emptied) may take its place. */
	for (size_t i = reuse_skeleton(path) == 0 ? n + 1 : 1; i <= n; i++) {
		if (path[i] == '/' || path[i] == '\0') {
			char c = path[i];
			path[i] = '\0';
			if (mkdir(path, 0777) < 0 && errno != EEXIST) {
				path[0] = '\0';
				return;
			}
			path[i] = c;
		}
	}
	memcpy(S.data_dir, path, n + 1);
	memcpy(path + n, "/parcov-endings.tsv", sizeof "/parcov-endings.tsv");
}

/* ctest --timeout N, which pre-test recorded in the data set (two levels above the test's
 * directory), for tests without their own TIMEOUT. */
static double ctest_timeout(void)
{
	char path[RECORD_MAX + 32], buf[32];

	if (!S.data_dir[0])
		return 0;
	memcpy(put_str(path, S.data_dir), "/../../ctest-timeout", sizeof "/../../ctest-timeout");
	return read_small(path, buf, sizeof buf) ? parse_seconds(buf) : 0;
}

/* The test's timeout: its TIMEOUT (PARCOV_TIMEOUT), else ctest --timeout; none (or
 * PARCOV_WATCHDOG=off, for a test that must stay single-threaded): no watchdog. */
static void read_deadlines(void)
{
	const char *deadline = getenv("PARCOV_DEADLINE"), *off = getenv("PARCOV_WATCHDOG");
	double timeout = parse_seconds(getenv("PARCOV_TIMEOUT"));

	if (off && !strcmp(off, "off"))
		return;
	if (timeout <= 0)
		timeout = ctest_timeout();
	if (timeout <= 0)
		return;
	test_timeout_ns = (long long)(timeout * 1e9);
	if (deadline && *deadline) {
		test_deadline_ns = strtoll(deadline, NULL, 10);
	} else {
		/* The first process of the test sets the deadline its descendants share. */
		char buf[32];
		test_deadline_ns = now_ns() + test_timeout_ns;
		*put_num(buf, test_deadline_ns) = '\0';
		setenv("PARCOV_DEADLINE", buf, 1);
	}
}

/* --- Test listing outside ctest ------------------------------------------------------ */

#ifdef PARCOV_RT_BUILD_DIR

/* gtest_discover_tests (POST_BUILD, its default), Catch2's catch_discover_tests and doctest's
 * doctest_discover_tests run each test program at build time, outside ctest, only to list
 * its tests. Such a run executes no test body, and its data written next to the objects
 * would be foreign data to parcov combine (moved to stray/ with a warning after every
 * build). Only these frameworks' long listing options count: a short one like -l could be
 * any program's, whose data must stay visible. doctest also takes any number of leading
 * dashes and an optional "dt-" prefix. */
static int is_listing_option(const char *a)
{
	static const char *const exact[] = {
		"--gtest_list_tests",                       /* GoogleTest */
		"--list-test-names-only", "--list-tests",   /* Catch2 2 and 3 */
		"--list-reporters", "--list-tags", "--list-listeners",
		NULL};
	static const char *const doctest[] = {"list-test-cases", "list-test-suites", "ltc", "lts",
					      NULL};
	const char *p = a;

	for (int i = 0; exact[i]; i++)
		if (!strcmp(a, exact[i]))
			return 1;
	while (*p == '-')
		p++;
	if (p == a)
		return 0;
	if (!strncmp(p, "dt-", 3))
		p += 3;
	for (int i = 0; doctest[i]; i++)
		if (!strcmp(p, doctest[i]))
			return 1;
	return 0;
}

/* 1 if this process's command line (/proc/self/cmdline) holds a listing option. */
static int listing_run(void)
{
	char buf[4096], arg[64];
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC), found = 0, first = 1;

	if (fd < 0)
		return 0;
	while (!found && (n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n && !found; i++) {
			if (buf[i] != '\0') {
				/* Longer arguments cannot be one of the options: never compared. */
				if (len < sizeof arg - 1)
					arg[len] = buf[i];
				len++;
				continue;
			}
			arg[len < sizeof arg ? len : sizeof arg - 1] = '\0';
			/* argv[0] is the program itself. */
			found = !first && len < sizeof arg && is_listing_option(arg);
			first = 0;
			len = 0;
		}
	}
	close(fd);
	return found;
}

/* A listing run outside ctest writes its data into <build>/coverage-data/discovery-runs/,
 * which parcov never reads, instead of next to the objects (llvm: instead of default.profraw
 * in the working directory). Under ctest (GCOV_PREFIX or LLVM_PROFILE_FILE set: a test, or
 * ctest's own PRE_TEST discovery) nothing changes. The build tree comes from the module
 * (PARCOV_RT_BUILD_DIR); libgcov and Clang's gcov read GCOV_PREFIX when they write, so
 * setting it now is enough; compiler-rt's profile is told directly (each binary's copy
 * tells its own). */
static void redirect_listing_run(void)
{
	static const char build[] = PARCOV_RT_BUILD_DIR;
	char dir[RECORD_MAX];

	if (sizeof build + 64 > sizeof dir)
		return;
#ifdef PARCOV_RT_LLVM
	if (getenv("LLVM_PROFILE_FILE") || !listing_run())
		return;
	memcpy(put_str(put_str(dir, build), "/coverage-data/discovery-runs/%m.profraw"), "", 1);
	__llvm_profile_set_filename(dir);
#else
	{
		char strip[24];
		int slashes = 0;
		if (getenv("GCOV_PREFIX") || !listing_run())
			return;
		for (const char *p = build; *p; p++)
			slashes += *p == '/';
		memcpy(put_str(put_str(dir, build), "/coverage-data/discovery-runs"), "", 1);
		*put_num(strip, slashes) = '\0';
		setenv("GCOV_PREFIX", dir, 1);
		setenv("GCOV_PREFIX_STRIP", strip, 1);
	}
#endif
}
#else
static void redirect_listing_run(void)
{
}
#endif

/* An owner in a shared library: its handlers must outlive a dlclose() by a host that is not
 * instrumented itself, so the library stays mapped (RTLD_NODELETE). */
static void pin_owner(void)
{
	Dl_info info;
	void *self;

	if (!dladdr || !dlopen || !dlclose || !dladdr((void *)previous, &info) || !info.dli_fname)
		return;
	self = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
	if (self)
		dlclose(self);
}

#ifdef PARCOV_RT_LLVM
/* Registered just before compiler-rt's atexit writer, so it runs just after it. */
static void on_exit_written(void)
{
	exit_written = 1;
}
#endif

#ifdef PARCOV_RT_TABLE
/* Every copy: enter this binary in the table, and make compiler-rt's atexit writer run after
 * the owner's on_exit_record (registered later, in parcov_rt_init, so called earlier). llvm:
 * a dump there would make that writer print "already written" into the test's output, so the
 * writer writes, and a marker tells a later crash that it did. */
static void register_module(void)
{
	int slot = __atomic_fetch_add(&S.n, 1, __ATOMIC_SEQ_CST);

#ifdef PARCOV_RT_LLVM
	atexit(on_exit_written);
	__llvm_profile_register_write_file_atexit();
#endif
	if (slot < MAX_MODULES) {
		S.module[slot] = module_op;
		module_slot = slot;
	}
}

/* A dlclose()d library's flush function goes with it. */
__attribute__((destructor)) static void parcov_rt_fini(void)
{
	if (module_slot >= 0)
		S.module[module_slot] = NULL;
}
#endif

__attribute__((constructor)) static void parcov_rt_init(void)
{
	const char *off = getenv("PARCOV_RUNTIME");

	if (off && !strcmp(off, "off"))
		return;
#ifdef PARCOV_RT_TABLE
	register_module();
#endif
#ifdef PARCOV_RT_LLVM
	/* Every binary's own profile. */
	redirect_listing_run();
#endif
	if (S.owner)
		return;
	S.owner = 1;
	S.pid = getpid();
	make_record_path();
#ifndef PARCOV_RT_LLVM
	/* After make_record_path(): a listing run records no endings. */
	redirect_listing_run();
#endif
	read_deadlines();
	record("start", 0);
	on_exit(on_exit_record, NULL);
	install_signal_handlers();
	pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
	pin_owner();
	start_watchdog();
}

/* parcov runtime: linked by ParallelCoverage.cmake into every instrumented executable and
 * shared library, never instrumented itself. It makes GCC's coverage counters survive the
 * ways a test process can end besides exit() and counts fork()ed work once:
 *
 *  - _exit()/_Exit() (wrapped at link time with -Wl,--wrap): Check's fork mode ends a child
 *    whose assertion failed with _exit(1), which skips libgcov's destructor;
 *  - fatal signals: the handler flushes the counters, then the process dies by the same
 *    signal (a fault re-executes the faulting instruction under the default action, so the
 *    core dump is the one it would have been);
 *  - fork() from code libgcov does not see (an uninstrumented library such as libcheck): the
 *    child's counters are zeroed, so what the parent ran before the fork is counted once;
 *  - timeouts: a watchdog thread flushes just before the test's deadline (PARCOV_TIMEOUT,
 *    the CTest TIMEOUT) and before Check's per-test timeout in Check's forked children, since
 *    both end the process with SIGKILL, which nothing can catch.
 *
 * Under ctest (GCOV_PREFIX set; llvm: LLVM_PROFILE_FILE) every process also appends how it
 * started and ended to parcov-endings.tsv in that directory, which parcov reads to name tests
 * that crashed, timed out or wrote no data.
 *
 * Signal safety: flushing runs libgcov's dump from the signal handler. That code is not
 * async-signal-safe (stdio, malloc, its own mutex): if the signal interrupted a thread that
 * held one of those locks, the flush could block. A guard (SIGALRM after
 * PARCOV_FLUSH_GUARD seconds) then abandons the flush and lets the process die by its
 * original signal, so a crash never becomes a hang; that process's counters are lost. We
 * accept that rare loss for the common case: crashes in the code under test.
 *
 * Backends: compiled as is for GCC's libgcov; with -DPARCOV_RT_LLVM for Clang's source-based
 * coverage (-fprofile-instr-generate), with -DPARCOV_RT_CLANG_GCOV for Clang's --coverage.
 * Clang's runtimes are linked privately into every executable and shared library (hidden
 * symbols, no list of loaded modules like libgcov's), so there every copy of this file
 * registers its binary's flush function in one process-wide table (parcov_rt_table_v1,
 * resolved to the first definition like parcov_rt_owner_v1), and the owner flushes them all.
 * With llvm the record goes to the directory of LLVM_PROFILE_FILE. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(PARCOV_RT_LLVM) || defined(PARCOV_RT_CLANG_GCOV)
#define PARCOV_RT_TABLE 1 /* one profile runtime per binary: the table below */
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifdef PARCOV_RT_TABLE
#ifdef PARCOV_RT_LLVM
/* Clang's profile runtime (compiler-rt, hidden in each binary): write this binary's profile
 * and mark it written, so the atexit handler does not write it again (in %m merge mode a
 * second write adds every counter twice); write it without that mark; zero the counters
 * (which also clears the mark); register the atexit writer now (idempotent). */
int __llvm_profile_dump(void);
int __llvm_profile_write_file(void);
void __llvm_profile_reset_counters(void);
int __llvm_profile_register_write_file_atexit(void);
#else
/* Clang's gcov runtime (compiler-rt's GCDAProfiling, hidden in each binary; its exported
 * __gcov_dump/__gcov_reset would bind to one binary's copy only): write this binary's .gcda
 * files, zero its counters. */
void llvm_writeout_files(void);
void llvm_reset_counters(void);
#endif

#define MAX_MODULES 256
/* What the owner asks of one binary's profile. */
enum { OP_DUMP, OP_WRITE_RESET, OP_RESET };
/* The process-wide table: one flush function per instrumented binary loaded (NULL once
 * dlclose()d), and the owner's state shared by every copy. */
struct parcov_rt_table {
	void (*module[MAX_MODULES])(int op);
	int n;
	volatile sig_atomic_t dying;
};
extern struct parcov_rt_table parcov_rt_table_v1;
__attribute__((visibility("default"))) struct parcov_rt_table parcov_rt_table_v1;
#else
/* libgcov (GCC >= 11): dump every loaded module's counters, zero them (locked; the
 * lock-free variant for a fresh fork child, who is alone). */
void __gcov_dump(void);
void __gcov_reset(void);
void __gcov_reset_int(void);
/* The same without locking, and the lock (libgcov's own, hidden but linked in our module). */
void __gcov_dump_int(void);
void __gcov_lock(void);
void __gcov_unlock(void);
extern pthread_mutex_t __gcov_mx;
#endif
/* Present when the program links Check (Debian's libcheck is static). */
extern void srunner_run_all(void *, int) __attribute__((weak));

void __real__exit(int status) __attribute__((noreturn));
void __real__Exit(int status) __attribute__((noreturn));
void __wrap__exit(int status) __attribute__((noreturn));
void __wrap__Exit(int status) __attribute__((noreturn));

/* One copy of the runtime per process does the work: the executable's and every shared
 * library's copy resolve this symbol to the first definition (the executable exports it). */
extern int parcov_rt_owner_v1;
__attribute__((visibility("default"))) int parcov_rt_owner_v1;

#ifdef __cplusplus
}
#endif

#define FLUSH_GUARD_SECONDS 10

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
				    SIGTERM, SIGINT, SIGQUIT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])

static int owner;                     /* this copy installed the hooks */
static char record_path[4096];       /* "" when not under ctest */
static struct sigaction previous[N_FATAL];
#ifdef PARCOV_RT_TABLE
#define dying parcov_rt_table_v1.dying /* any copy's _exit() wrapper may see it */
static int module_slot = -1;          /* this binary's entry in parcov_rt_table_v1 */
static pthread_mutex_t rt_mx = PTHREAD_MUTEX_INITIALIZER; /* watchdog flush vs exit, fork */
#else
static volatile sig_atomic_t dying;   /* the flush of a fatal signal is under way */
#endif
static volatile sig_atomic_t guard_signal;
static long long test_deadline_ns;    /* CLOCK_MONOTONIC, 0: none */
static long long test_margin_ns;      /* flush this long before it */
static double check_timeout_s;        /* Check's default test timeout, 0: not a Check program */
static char altstack[65536];

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

	if (!record_path[0])
		return;
	p = put_num(p, (long long)getpid());
	*p++ = '\t';
	p = put_num(p, (long long)getppid());
	*p++ = '\t';
	p = put_str(p, event);
	*p++ = '\t';
	p = put_num(p, value);
	*p++ = '\n';
	fd = open(record_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd >= 0) {
		if (write(fd, line, (size_t)(p - line)) < 0) {
			/* Nothing to do: the record is advisory. */
		}
		close(fd);
	}
	errno = saved;
}

/* --- Flushing ------------------------------------------------------------------------ */

#ifdef PARCOV_RT_TABLE
/* This binary's profile (each copy of the runtime has its own, see the top). */
static void module_op(int op)
{
#ifdef PARCOV_RT_LLVM
	switch (op) {
	case OP_DUMP:
		__llvm_profile_dump();
		break;
	case OP_WRITE_RESET:
		__llvm_profile_write_file();
		__llvm_profile_reset_counters();
		break;
	default:
		__llvm_profile_reset_counters();
	}
#else
	/* OP_DUMP is final (the process ends without exit handlers), so a plain write will do. */
	if (op != OP_RESET)
		llvm_writeout_files();
	if (op != OP_DUMP)
		llvm_reset_counters();
#endif
}

/* Every loaded binary's profile. */
static void all_modules(int op)
{
	int n = parcov_rt_table_v1.n;

	for (int i = 0; i < n && i < MAX_MODULES; i++) {
		void (*fn)(int) = parcov_rt_table_v1.module[i];
		if (fn)
			fn(op);
	}
}

/* The process ends: write every profile once (the atexit writers then skip it). */
static void dump_final(void)
{
	all_modules(OP_DUMP);
}

/* Write the counters so far and start from zero (the process goes on). */
static void flush_and_reset(void)
{
	all_modules(OP_WRITE_RESET);
}

/* The same, called under rt_lock(). */
static void flush_and_reset_locked(void)
{
	all_modules(OP_WRITE_RESET);
}

/* Serialises a watchdog flush with the exit path and fork(). */
static void rt_lock(void)
{
	pthread_mutex_lock(&rt_mx);
}

static void rt_unlock(void)
{
	pthread_mutex_unlock(&rt_mx);
}

/* In a fresh fork child (alone): a free lock, counters at zero. */
static void child_reset(void)
{
	pthread_mutex_init(&rt_mx, NULL);
	all_modules(OP_RESET);
}
#else
/* The process ends: write every module's counters. */
static void dump_final(void)
{
	__gcov_dump();
}

/* Write the counters so far and start from zero: a later dump (exit, another flush) then
 * adds only what ran since, so flushing early never counts anything twice. */
static void flush_and_reset(void)
{
	__gcov_dump();
	__gcov_reset();
}

/* The same without libgcov's lock, which the caller holds (rt_lock()). */
static void flush_and_reset_locked(void)
{
	__gcov_dump_int();
	__gcov_reset_int();
}

static void rt_lock(void)
{
	__gcov_lock();
}

static void rt_unlock(void)
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

void __wrap__exit(int status)
{
#ifdef PARCOV_RT_TABLE
	/* The call may come from a shared library's copy: it flushes every binary too. */
	if (parcov_rt_owner_v1 && !dying) {
#else
	if (owner && !dying) {
#endif
		dying = 1;
		record("exit", status);
		dump_final();
	}
	__real__exit(status);
}

void __wrap__Exit(int status)
{
	__wrap__exit(status);
}

/* Runs before libgcov's final dump (registered later, so called earlier; with Clang the
 * constructor registers compiler-rt's writer first). Under the lock, so a watchdog flush is
 * either finished or never starts: the final dump, which takes no lock, must not run
 * alongside it. */
static void on_exit_record(int status, void *arg)
{
	(void)arg;
	rt_lock();
	if (!dying) {
		dying = 1;
		record("exit", status);
	}
	rt_unlock();
}

/* --- Fatal signals ------------------------------------------------------------------- */

static int slot_of(int sig)
{
	for (size_t i = 0; i < N_FATAL; i++)
		if (fatal_signals[i] == sig)
			return (int)i;
	return -1;
}

/* The flush of a fatal signal blocked (see the top of this file): give up on it and die by
 * the original signal. */
static void on_guard(int unused)
{
	sigset_t set;
	int sig = guard_signal;

	(void)unused;
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void on_fatal(int sig, siginfo_t *si, void *context);

/* SA_RESETHAND: a second fault during the flush gets the default action; SA_NODEFER: the
 * guard can re-raise the signal; SA_ONSTACK: a stack overflow can still be handled. */
static void install_handler(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fatal;
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void on_fatal(int sig, siginfo_t *si, void *context)
{
	int slot = slot_of(sig), saved = errno;
	const struct sigaction *prev = slot >= 0 ? &previous[slot] : NULL;
	struct sigaction guard, old_alarm;
	unsigned old_left;

	if (dying || !prev) {
		/* A fault inside the flush itself: the default action is back (SA_RESETHAND). */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	if (prev->sa_handler == SIG_IGN) {
		errno = saved;
		return;
	}
	if (prev->sa_handler != SIG_DFL) {
		/* A handler installed before us (another library's constructor): flush what ran so
		 * far, then let it decide; it keeps running code, so keep the counters live. */
		install_handler(sig);
		flush_and_reset();
		errno = saved;
		if (prev->sa_flags & SA_SIGINFO)
			prev->sa_sigaction(sig, si, context);
		else
			prev->sa_handler(sig);
		return;
	}
	dying = 1;
	guard_signal = sig;
	memset(&guard, 0, sizeof guard);
	guard.sa_handler = on_guard;
	guard.sa_flags = SA_NODEFER;
	sigaction(SIGALRM, &guard, &old_alarm);
	old_left = alarm(FLUSH_GUARD_SECONDS);
	record("signal", sig);
	dump_final();
	alarm(old_left);
	sigaction(SIGALRM, &old_alarm, NULL);
	/* SA_RESETHAND restored the default action. A fault the kernel raised happens again
	 * when we return, at the same instruction; a signal someone sent must be sent again. */
	if (si && si->si_code > 0 && si->si_code != SI_KERNEL &&
	    (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL))
		return;
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void install_signal_handlers(void)
{
	stack_t ss, old_ss;

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
}

/* --- Watchdog ------------------------------------------------------------------------ */

/* Flush this long before a deadline: enough for the dump on a loaded machine, small against
 * long timeouts (an early flush costs nothing if the process goes on: counts stay exact). */
static long long margin_ns(long long timeout_ns)
{
	long long m = timeout_ns / 4;
	return m < 2000000000LL ? m : 2000000000LL;
}

struct watch {
	long long at_ns;
	int kind; /* 1: the test's (CTest) deadline, 2: Check's */
};

static void *watchdog(void *arg)
{
	struct watch w = *(struct watch *)arg;
	struct timespec ts;
	sigset_t all;

	free(arg);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	ts.tv_sec = (time_t)(w.at_ns / 1000000000LL);
	ts.tv_nsec = (long)(w.at_ns % 1000000000LL);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	rt_lock();
	if (!dying) {
		record(w.kind == 1 ? "timeout-flush" : "check-timeout-flush", 0);
		flush_and_reset_locked();
	}
	rt_unlock();
	return NULL;
}

static void start_watchdog(long long at_ns, int kind)
{
	pthread_t t;
	pthread_attr_t attr;
	struct watch *w = (struct watch *)malloc(sizeof *w);

	if (!w)
		return;
	w->at_ns = at_ns;
	w->kind = kind;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 65536);
	if (pthread_create(&t, &attr, watchdog, w) != 0)
		free(w);
	pthread_attr_destroy(&attr);
}

static double env_seconds(const char *name, double fallback)
{
	const char *v = getenv(name);
	char *end;
	double d;

	if (!v || !*v)
		return fallback;
	d = strtod(v, &end);
	return end != v && d > 0 ? d : fallback;
}

/* --- fork ---------------------------------------------------------------------------- */

/* No dump is half done when the process forks; the child gets the lock back free. */
static void on_fork_prepare(void)
{
	rt_lock();
}

static void on_fork_parent(void)
{
	rt_unlock();
}

static void on_fork_child(void)
{
	/* The parent keeps (and will write) what ran before the fork; we start at zero. */
	child_reset();
	dying = 0;
	record("start", 0);
	if (test_deadline_ns)
		start_watchdog(test_deadline_ns - test_margin_ns, 1);
	if (check_timeout_s > 0) {
		long long t = (long long)(check_timeout_s * 1e9);
		start_watchdog(now_ns() + t - margin_ns(t), 2);
	}
}

/* --- Set-up -------------------------------------------------------------------------- */

static void make_record_path(void)
{
#ifdef PARCOV_RT_LLVM
	/* The test's data directory: where its profiles go. */
	const char *file = getenv("LLVM_PROFILE_FILE"), *slash = file ? strrchr(file, '/') : NULL;
	size_t n = slash ? (size_t)(slash - file) : 0;

	if (!n || n + 32 > sizeof record_path)
		return;
	memcpy(record_path, file, n);
	record_path[n] = '\0';
#else
	const char *prefix = getenv("GCOV_PREFIX");
	size_t n;

	if (!prefix || !*prefix || strlen(prefix) + 32 > sizeof record_path)
		return;
	n = strlen(prefix);
	memcpy(record_path, prefix, n + 1);
#endif
	/* mkdir -p: the test's data directory may not exist yet. */
	for (size_t i = 1; i <= n; i++) {
		if (record_path[i] == '/' || record_path[i] == '\0') {
			char c = record_path[i];
			record_path[i] = '\0';
			if (mkdir(record_path, 0777) < 0 && errno != EEXIST) {
				record_path[0] = '\0';
				return;
			}
			record_path[i] = c;
		}
	}
	memcpy(record_path + n, "/parcov-endings.tsv", sizeof "/parcov-endings.tsv");
}

static void read_deadlines(void)
{
	const char *deadline = getenv("PARCOV_DEADLINE");
	double timeout = env_seconds("PARCOV_TIMEOUT", 0);
	const char *ck_fork = getenv("CK_FORK");

	if (srunner_run_all && !(ck_fork && !strcmp(ck_fork, "no")))
		check_timeout_s = env_seconds("CK_DEFAULT_TIMEOUT", 4) *
				  env_seconds("CK_TIMEOUT_MULTIPLIER", 1);
	if (timeout <= 0)
		return;
	test_margin_ns = margin_ns((long long)(timeout * 1e9));
	if (deadline && *deadline) {
		test_deadline_ns = strtoll(deadline, NULL, 10);
	} else {
		/* The first process of the test sets the deadline its descendants share. */
		char buf[32];
		test_deadline_ns = now_ns() + (long long)(timeout * 1e9);
		*put_num(buf, test_deadline_ns) = '\0';
		setenv("PARCOV_DEADLINE", buf, 1);
	}
}

#ifdef PARCOV_RT_TABLE
/* Every copy: enter this binary in the table, and make compiler-rt's atexit writer run after
 * the owner's on_exit_record (registered later, in parcov_rt_init, so called earlier). */
static void register_module(void)
{
	int slot = __atomic_fetch_add(&parcov_rt_table_v1.n, 1, __ATOMIC_SEQ_CST);

#ifdef PARCOV_RT_LLVM
	__llvm_profile_register_write_file_atexit();
#endif
	if (slot < MAX_MODULES) {
		parcov_rt_table_v1.module[slot] = module_op;
		module_slot = slot;
	}
}

/* A dlclose()d library's flush function goes with it. */
__attribute__((destructor)) static void parcov_rt_fini(void)
{
	if (module_slot >= 0)
		parcov_rt_table_v1.module[module_slot] = NULL;
}
#endif

__attribute__((constructor)) static void parcov_rt_init(void)
{
	const char *off = getenv("PARCOV_RUNTIME");

	if (off && !strcmp(off, "off"))
		return;
#ifdef PARCOV_RT_TABLE
	register_module();
	/* A shared library's _exit() wrapper records too. */
	if (!record_path[0])
		make_record_path();
#endif
	if (parcov_rt_owner_v1)
		return;
	parcov_rt_owner_v1 = 1;
	owner = 1;
	make_record_path();
	read_deadlines();
	record("start", 0);
	on_exit(on_exit_record, NULL);
	install_signal_handlers();
	pthread_atfork(on_fork_prepare, on_fork_parent, on_fork_child);
	if (test_deadline_ns)
		start_watchdog(test_deadline_ns - test_margin_ns, 1);
}

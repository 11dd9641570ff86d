/* Installs its own SIGTERM handler: it must still run, and the test still passes. */
#include <signal.h>
#include <string.h>
static volatile sig_atomic_t got;
static void on_term(int sig)
{
	got = sig; /* MARK:sigterm.handler */
}
int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, 0);
	raise(SIGTERM);
	raise(SIGTERM);
	return got == SIGTERM ? 0 : 1; /* MARK:sigterm.end */
}

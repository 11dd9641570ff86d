/* Crashes with SIGSEGV after work here and in an instrumented shared library. */
void shared_hit(void);
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 3; i++)
		sink++; /* MARK:segv.loop */
	shared_hit();
	shared_hit();
	shared_hit();
	*(volatile int *)0 = 1;
	return sink; /* MARK:segv.after */
}

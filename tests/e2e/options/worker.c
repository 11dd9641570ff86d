/* Run by two threads of threads.c at once: every call must be counted. */
static volatile int sink;
void hit(void)
{
	sink = 1; /* MARK:hit */
}

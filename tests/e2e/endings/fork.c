/* Work before, in and after two forks done by an uninstrumented library. */
int spawn(void (*fn)(void));
static volatile int sink;
static void child(void)
{
	sink++; /* MARK:fork.child */
	sink++; /* MARK:fork.child2 */
}
int main(void)
{
	sink++; /* MARK:fork.before */
	spawn(child);
	spawn(child);
	sink++; /* MARK:fork.after */
	return 0;
}

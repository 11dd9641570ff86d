/* Calls into an instrumented shared library, whose runtime copy starts first (its
 * constructor runs before the executable's), then ends by _exit() from the library's code. */
void lib2_hit(void);
void lib2_exit(int status);
static volatile int sink;
int main(void)
{
	for (int i = 0; i < 4; i++) {
		sink++; /* MARK:libexit.loop */
		lib2_hit();
	}
	lib2_exit(5);
}

/* Fixture for check_gcda: a program whose arc counts follow from its argument. Built with
 * --coverage -O0 by make-fixtures.sh; every function is external so that its .gcda ident is
 * the CRC of its name. With argument N: main runs once, step() runs N times, never_called()
 * never runs (its counters are all zero, so libgcov writes them as a negative length). */
#include <stdlib.h>

volatile int sink;

int step(int i)
{
	return i + 1;
}

int never_called(int x)
{
	if (x > 0)
		sink = x;
	return x;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;

	for (int i = 0; i < n; i++)
		sink = step(i);
#ifdef COUNTED_V2
	/* The second build's extra branch changes main's CFG, so its checksum and the object's
	 * differ from the first build's. */
	if (n > 1000)
		sink = never_called(n);
#endif
	return 0;
}

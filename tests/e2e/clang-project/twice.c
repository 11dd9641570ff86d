/* Calls the shared library twice with the argument K. */
#include <stdio.h>
#include <stdlib.h>

int shout(int k);

int main(int argc, char **argv)
{
	int k = argc > 1 ? atoi(argv[1]) : 0;

	printf("%d\n", shout(k) + shout(k));
	return 0;
}

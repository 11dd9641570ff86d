/* Two decisions; tests/e2e/mcdc-project/CMakeLists.txt says which tests cover what. */
#include <stdio.h>
#include <stdlib.h>

int decide(int a, int b, int c)
{
	if ((a && b) || c)
		return 1;
	return 0;
}

int both(int x, int y)
{
	if (x > 0 && y > 0)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: decide A B C X Y\n");
		return 2;
	}
	printf("%d %d\n", decide(atoi(argv[1]), atoi(argv[2]), atoi(argv[3])),
	       both(atoi(argv[4]), atoi(argv[5])));
	return 0;
}

#include <stdio.h>
#include <stdlib.h>

#include "tally.h"

int main(int argc, char **argv)
{
	int n;
	if (argc != 2)
		return 2;
	n = atoi(argv[1]);
	printf("%d %d\n", tally_classify(n), tally_sum(n));
	return 0;
}

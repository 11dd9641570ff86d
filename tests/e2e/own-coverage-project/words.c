#include <string.h>
#include "words.h"

int words_longest(int argc, char **argv)
{
	int best = 0;
	for (int i = 0; i < argc; i++)
		if ((int)strlen(argv[i]) > best)
			best = (int)strlen(argv[i]);
	return best;
}

int words_total(int argc, char **argv)
{
	int total = 0;
	for (int i = 0; i < argc; i++)
		total += (int)strlen(argv[i]);
	return total;
}

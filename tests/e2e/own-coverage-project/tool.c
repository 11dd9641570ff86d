#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "words.h"

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "count")) {
		printf("%d\n", words_total(argc - 2, argv + 2));
		return 0;
	}
	if (!strcmp(argv[1], "env")) {
		/* The project's own ENVIRONMENT and WORKING_DIRECTORY reach the test. */
		const char *w = getenv("OWNCOV_WORD");
		FILE *f = fopen("words.h", "r");
		if (!w || !f)
			return 1;
		fclose(f);
		printf("%d\n", words_longest(1, (char **)&w));
		return 0;
	}
	if (!strcmp(argv[1], "longest"))
		return words_longest(argc - 2, argv + 2) > 0 ? 0 : 3;
	return 2;
}

/* calc-cli EXPR...: print the value of each expression; exit 1 if any is invalid. */
#include <stdio.h>
#include <string.h>

#include "calc.h"

int main(int argc, char **argv)
{
	int ret = 0, raw = 0;

	for (int i = 1; i < argc; i++) {
		long long v;
		size_t at = 0;
		char buf[32];
		enum calc_status st;

		if (!strcmp(argv[i], "--raw")) {
			raw = 1;
			continue;
		}
		st = calc_eval(argv[i], &v, &at);
		if (st != CALC_OK) {
			fprintf(stderr, "calc: %s at column %zu of '%s'\n", calc_strerror(st), at + 1, argv[i]);
			ret = 1;
			continue;
		}
		if (raw)
			printf("%lld\n", v);
		else
			printf("%s\n", calc_format(v, buf, sizeof buf));
	}
	return ret;
}

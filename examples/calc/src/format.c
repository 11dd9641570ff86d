#include <stdio.h>
#include <string.h>

#include "calc.h"

char *calc_format(long long value, char *buf, size_t size)
{
	char digits[32];
	unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
	int n = snprintf(digits, sizeof digits, "%llu", u);
	size_t o = 0;

	if (value < 0 && o + 1 < size)
		buf[o++] = '-';
	for (int i = 0; i < n && o + 1 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= size)
				break;
		}
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

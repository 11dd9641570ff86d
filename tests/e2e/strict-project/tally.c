#include "tally.h"

int tally_classify(int n)
{
	if (n < 0)
		return -1;
	if (n % 2 == 0)
		return 0;
	return 1;
}

int tally_sum(int n)
{
	int i;
	int sum = 0;
	for (i = 0; i < n; i++) {
		if (tally_classify(i) == 0)
			sum += i;
		else
			sum -= 1;
	}
	return sum;
}

#include "stats.hpp"

#include <stdexcept>

long stats_sum_of_squares(int n)
{
	if (n < 0)
		throw std::invalid_argument("negative");
	long sum = 0;
	for (int i = 1; i <= n; i++)
		sum += static_cast<long>(i) * i;
	return sum;
}

int stats_parity(int n)
{
	return n % 2 == 0 ? 0 : 1;
}

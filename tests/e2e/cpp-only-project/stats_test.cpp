#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "stats.hpp"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	int n = std::atoi(argv[1]);
	try {
		Accumulator<long> acc;
		acc.add(stats_sum_of_squares(n)); // throws for n < 0
		for (int i = 0; i <= n; i++)
			acc.add(stats_sum_of_squares(i) * (stats_parity(i) ? -1 : 1));
		std::printf("%ld %zu\n", acc.max(), acc.size());
		return acc.size() > 0 ? 0 : 1;
	} catch (const std::invalid_argument &e) {
		std::printf("error: %s\n", e.what());
		return 0;
	}
}

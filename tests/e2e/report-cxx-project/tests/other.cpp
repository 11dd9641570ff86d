#include "box.hpp"

#include <cstdio>

int main()
{
	std::vector<double> v{1.0, 2.0, 4.5};
	Box<double> b(2.5);
	std::printf("%f %f %d\n", stats_mean(v), b.twice(), clamp(50, 0, 10));
	std::printf("%f\n", stats_mean({}));
	return 0;
}

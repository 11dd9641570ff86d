#include "box.hpp"

double stats_mean(const std::vector<double> &v)
{
	if (v.empty())
		return 0.0;
	Box<double> b(sum(v));
	return b.get() / static_cast<double>(v.size());
}

int stats_clamped(int v)
{
	try {
		return clamp(checked(v), 0, 10);
	} catch (const std::invalid_argument &) {
		return -1;
	}
}

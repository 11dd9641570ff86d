#include "geometry.hpp"

#include <algorithm>
#include <numeric>

namespace geo {

int count_positive(const std::vector<int> &v)
{
	return (int)std::count_if(v.begin(), v.end(), [](int x) { return sign(x) > 0; });
}

double mean(const std::vector<double> &v)
{
	if (v.empty())
		throw std::invalid_argument("mean of nothing");
	double sum = std::accumulate(v.begin(), v.end(), 0.0, [](double a, double b) { return a + b; });
	return sum / (double)v.size();
}

std::string classify(int x)
{
	switch (sign(x)) {
	case -1:
		return "negative";
	case 1:
		return x > 100 ? "large" : "positive";
	default:
		return "zero";
	}
}

int parse_int(const std::string &s)
{
	try {
		size_t used = 0;
		int v = std::stoi(s, &used);
		if (used != s.size())
			throw std::invalid_argument("trailing characters");
		return v;
	} catch (const std::out_of_range &) {
		return s[0] == '-' ? -1 : 1;
	}
}

} // namespace geo

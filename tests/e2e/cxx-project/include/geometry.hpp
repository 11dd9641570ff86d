#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace geo {

// Inline header code: counted in every object that uses it, merged by the report.
inline int sign(int x)
{
	if (x < 0)
		return -1;
	if (x > 0)
		return 1;
	return 0;
}

template <typename T> T clamp(T v, T lo, T hi)
{
	if (v < lo)
		return lo;
	if (hi < v)
		return hi;
	return v;
}

template <typename T> class Stack {
public:
	void push(const T &v) { items.push_back(v); }
	T pop()
	{
		if (items.empty())
			throw std::out_of_range("pop from an empty stack");
		T v = items.back();
		items.pop_back();
		return v;
	}
	bool empty() const { return items.empty(); }

private:
	std::vector<T> items;
};

int count_positive(const std::vector<int> &v);
double mean(const std::vector<double> &v);
std::string classify(int x);
int parse_int(const std::string &s);

} // namespace geo

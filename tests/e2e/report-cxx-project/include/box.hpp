#pragma once
#include <stdexcept>
#include <vector>

template <typename T> class Box {
public:
	explicit Box(T v) : v_(v) {}
	T get() const { return v_; }
	T twice() const
	{
		if (v_ > T(10))
			return v_;
		return v_ + v_;
	}
	template <typename F> T apply(F f) const { return f(v_); }

private:
	T v_;
};

inline int clamp(int v, int lo, int hi)
{
	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return v;
}

template <typename T> T sum(const std::vector<T> &v)
{
	T s{};
	for (const T &x : v)
		s += x;
	return s;
}

inline int checked(int v)
{
	if (v < 0)
		throw std::invalid_argument("negative");
	return v;
}

int shapes_area(int w, int h);
double stats_mean(const std::vector<double> &v);
int stats_clamped(int v);

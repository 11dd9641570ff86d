#include "box.hpp"

#include <algorithm>

int shapes_area(int w, int h)
{
	Box<int> bw(w), bh(h);
	auto mul = [&](int x) { return x * bh.get(); };
	int a = bw.apply(mul);
	std::vector<int> v{a, clamp(w, 0, 100)};
	return sum(v) - clamp(w, 0, 100);
}

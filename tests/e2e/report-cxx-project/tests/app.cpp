#include "box.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int multi_count(const char *s, int n, int which);

int main(int argc, char **argv)
{
	int n = argc > 1 ? std::atoi(argv[1]) : 1;
	Box<int> b(n);
	Box<long> l(n);
	std::printf("%d %d %ld\n", b.twice(), shapes_area(n, 2), l.twice());
	std::printf("%d\n", stats_clamped(n));
	std::string s(static_cast<size_t>(n > 0 ? n : 1), 'a');
	std::printf("%d\n", multi_count(s.c_str(), static_cast<int>(s.size()), n > 5 ? 0 : 1));
	return 0;
}

// Run by a test of the project's own TEST_INCLUDE_FILES: it must get its arguments exactly
// (an empty one, one holding ';', two holding ends of bracket arguments) and its ENVIRONMENT.
// 'own_check zero' is a configure-time test, 'own_check abort' dies by SIGABRT.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "geometry.hpp"

int main(int argc, char **argv)
{
	if (argc == 2 && !std::strcmp(argv[1], "abort"))
		std::abort();
	if (argc == 2 && !std::strcmp(argv[1], "zero"))
		return geo::classify(0) == "zero" ? 0 : 1;
	const char *env = std::getenv("CXX_FIXTURE");
	if (argc != 5 || argv[1][0] != '\0' || std::strcmp(argv[2], "arg;with;semicolons") ||
	    std::strcmp(argv[3], "tail]==") || std::strcmp(argv[4], "mid]==]x") || !env ||
	    std::strcmp(env, "own")) {
		std::fprintf(stderr, "own_check: wrong arguments or environment (argc %d)\n", argc);
		return 1;
	}
	return geo::classify(500) == "large" ? 0 : 1;
}

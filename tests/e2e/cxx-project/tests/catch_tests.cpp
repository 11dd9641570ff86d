#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "geometry.hpp"

TEST_CASE("classify names the sign", "[classify]")
{
	CHECK(geo::classify(-3) == "negative");
	CHECK(geo::classify(0) == "zero");
}

TEST_CASE("count_positive counts with a lambda", "[lambda]")
{
	CHECK(geo::count_positive({-1, 2, 3, 0}) == 2);
}

TEST_CASE("stack of strings, popped", "[stack]")
{
	geo::Stack<std::string> s;
	s.push("a");
	CHECK(s.pop() == "a");
	CHECK_THROWS_AS(s.pop(), std::out_of_range);
}

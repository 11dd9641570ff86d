#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "geometry.hpp"

TEST_CASE("clamp works on doubles")
{
	CHECK(geo::clamp(-1.5, 0.0, 1.0) == 0.0);
	CHECK(std::string(std::getenv("CXX_FIXTURE") ? std::getenv("CXX_FIXTURE") : "") == "doctest");
}

TEST_CASE("parse rejects trailing text")
{
	CHECK_THROWS_AS(geo::parse_int("7 "), std::invalid_argument);
}

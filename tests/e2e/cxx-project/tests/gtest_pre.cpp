#include <gtest/gtest.h>

#include "geometry.hpp"

TEST(Mean, Averages)
{
	EXPECT_DOUBLE_EQ(geo::mean({1.0, 2.0, 6.0}), 3.0);
}

TEST(Mean, ThrowsOnEmpty)
{
	EXPECT_THROW(geo::mean({}), std::invalid_argument);
}

TEST(Parse, Numbers)
{
	EXPECT_EQ(geo::parse_int("42"), 42);
	EXPECT_THROW(geo::parse_int("4x"), std::invalid_argument);
}

TEST(Parse, Overflow)
{
	EXPECT_EQ(geo::parse_int("99999999999999"), 1);
}

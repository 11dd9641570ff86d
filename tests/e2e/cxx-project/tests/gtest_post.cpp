#include <cstdlib>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "geometry.hpp"

TEST(Stack, PopsInReverse)
{
	geo::Stack<int> s;
	s.push(1);
	s.push(2);
	EXPECT_EQ(s.pop(), 2);
	EXPECT_EQ(s.pop(), 1);
	EXPECT_TRUE(s.empty());
}

TEST(Stack, ThrowsWhenEmpty)
{
	geo::Stack<std::string> s;
	EXPECT_THROW(s.pop(), std::out_of_range);
}

TEST(Env, UserEnvironmentKept)
{
	const char *v = std::getenv("CXX_FIXTURE");
	ASSERT_NE(v, nullptr);
	EXPECT_STREQ(v, "post");
}

template <typename T> class TypedClamp : public ::testing::Test {};
using ClampTypes = ::testing::Types<int, double>;
TYPED_TEST_SUITE(TypedClamp, ClampTypes);
TYPED_TEST(TypedClamp, Clamps)
{
	EXPECT_EQ(geo::clamp<TypeParam>(5, 0, 3), TypeParam(3));
	EXPECT_EQ(geo::clamp<TypeParam>(1, 0, 3), TypeParam(1));
}

class SignTest : public ::testing::TestWithParam<int> {};
TEST_P(SignTest, MatchesClassify)
{
	int x = GetParam();
	std::string c = geo::classify(x);
	EXPECT_EQ(c == "negative", geo::sign(x) < 0);
}
INSTANTIATE_TEST_SUITE_P(Signs, SignTest, ::testing::Values(-7, 0, 250));

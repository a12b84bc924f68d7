#include <gtest/gtest.h>

#include "ddb/decimal.h"

namespace kura::ddb {
namespace {

TEST(Decimal, CanonicalForms) {
  EXPECT_EQ(canonicalNumber("1.50"), "1.5");
  EXPECT_EQ(canonicalNumber("-0"), "0");
  EXPECT_EQ(canonicalNumber("0010"), "10");
  EXPECT_EQ(canonicalNumber("1e2"), "100");
  EXPECT_EQ(canonicalNumber("1.5E-3"), "0.0015");
  EXPECT_EQ(canonicalNumber("-.5"), "-0.5");
  EXPECT_FALSE(canonicalNumber("abc"));
  EXPECT_FALSE(canonicalNumber(""));
  EXPECT_FALSE(canonicalNumber("1e"));
  EXPECT_FALSE(canonicalNumber("123456789012345678901234567890123456789"));  // 39 digits
  EXPECT_TRUE(canonicalNumber("12345678901234567890123456789012345678"));
}

TEST(Decimal, ComparesNumerically) {
  EXPECT_LT(compareNumbers("9", "10"), 0);
  EXPECT_GT(compareNumbers("-1", "-2"), 0);
  EXPECT_EQ(compareNumbers("1.0", "1"), 0);
  EXPECT_LT(compareNumbers("-0.5", "0"), 0);
  EXPECT_GT(compareNumbers("0.001", "0.0001"), 0);
}

TEST(Decimal, AddsExactly) {
  EXPECT_EQ(addNumbers("0.1", "0.2"), "0.3");
  EXPECT_EQ(addNumbers("99", "1"), "100");
  EXPECT_EQ(subtractNumbers("1", "1.5"), "-0.5");
  EXPECT_EQ(addNumbers("-5", "5"), "0");
  EXPECT_EQ(addNumbers("99999999999999999999999999999999999999", "1"), "100000000000000000000000000000000000000");
  EXPECT_EQ(addNumbers("10000000000000000000000000000000000000", "0.5"), std::nullopt);
}

}  // namespace
}  // namespace kura::ddb

#include "services/rds/serverless_capacity.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

using nlohmann::json;
constexpr uint64_t kGiB = 1ull << 30;

std::string refusal(const json& given, const json* current = nullptr) {
  auto range = scalingRangeOf(given, current);
  EXPECT_FALSE(range.ok()) << given.dump();
  if (range.ok()) return "";
  EXPECT_EQ(range.error().code, "InvalidParameterValue");
  return range.error().message;
}

TEST(ServerlessCapacityTest, ARangeIsGivenWholeAtFirstThenInParts) {
  EXPECT_NE(refusal({{"MaxCapacity", 4}}).find("Both MinCapacity and MaxCapacity"), std::string::npos);
  EXPECT_NE(refusal(json::object()).find("Both MinCapacity and MaxCapacity"), std::string::npos);
  auto range = scalingRangeOf({{"MinCapacity", 0.5}, {"MaxCapacity", 4}}, nullptr);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(*range, json({{"MinCapacity", 0.5}, {"MaxCapacity", 4.0}}));
  auto wider = scalingRangeOf({{"MaxCapacity", 256}}, &*range);
  ASSERT_TRUE(wider.ok());
  EXPECT_EQ(*wider, json({{"MinCapacity", 0.5}, {"MaxCapacity", 256.0}}));
  // A change checked against what it keeps.
  EXPECT_NE(refusal({{"MinCapacity", 8}}, &*range).find("less than or equal to MaxCapacity 4"), std::string::npos);
}

TEST(ServerlessCapacityTest, CapacitiesAreHalfStepsWithinAuroraBounds) {
  EXPECT_NE(refusal({{"MinCapacity", 0.75}, {"MaxCapacity", 4}}).find("steps of 0.5"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", 1}, {"MaxCapacity", 4.2}}).find("steps of 0.5"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", 0}, {"MaxCapacity", 4}}).find("does not pause"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", -1}, {"MaxCapacity", 4}}).find("from 0.5 to 256"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", 0.5}, {"MaxCapacity", 0.5}}).find("from 1 to 256"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", 0.5}, {"MaxCapacity", 256.5}}).find("from 1 to 256"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", "1"}, {"MaxCapacity", 4}}).find("a number"), std::string::npos);
  EXPECT_NE(refusal({{"MinCapacity", 1e300}, {"MaxCapacity", 4}}).find("from 0.5 to 256"), std::string::npos);
  EXPECT_FALSE(scalingRangeOf(json::array(), nullptr).ok());
  EXPECT_TRUE(scalingRangeOf({{"MinCapacity", 256}, {"MaxCapacity", 256}}, nullptr).ok());
}

TEST(ServerlessCapacityTest, AServerlessInstanceHasTwoGibAnAcuOfItsClustersMaximum) {
  EXPECT_EQ(instanceMemoryBytes({{"DBInstanceClass", "db.t3.micro"}}), kGiB);
  EXPECT_EQ(instanceMemoryBytes({{"DBInstanceClass", "db.serverless"}}), 0u);  // no range: no bound
  json range = {{"MinCapacity", 0.5}, {"MaxCapacity", 2.5}};
  EXPECT_EQ(instanceMemoryBytes({{"DBInstanceClass", "db.serverless"}, {kServerlessScaling, range}}), 5 * kGiB);
  // A provisioned instance of the same cluster keeps its class's memory.
  EXPECT_EQ(instanceMemoryBytes({{"DBInstanceClass", "db.r6g.large"}, {kServerlessScaling, range}}), 16 * kGiB);
  EXPECT_EQ(instanceMemoryBytes({{"DBInstanceClass", "db.serverless"},
                                 {kServerlessScaling, {{"MinCapacity", 0.5}, {"MaxCapacity", 256}}}}),
            512 * kGiB);
}

}  // namespace
}  // namespace kura::rds

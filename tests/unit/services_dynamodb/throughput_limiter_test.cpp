#include "services/dynamodb/throughput_limiter.h"

#include <gtest/gtest.h>

namespace kura::ddb {
namespace {

using Clock = ThroughputLimiter::Clock;

nlohmann::json provisioned(double read, double write) {
  return {{"_id", "t1"},
          {"TableName", "t"},
          {"BillingModeSummary", {{"BillingMode", "PROVISIONED"}}},
          {"ProvisionedThroughput", {{"ReadCapacityUnits", read}, {"WriteCapacityUnits", write}}}};
}

TEST(ThroughputLimiter, BurstThenThrottleThenRefill) {
  ThroughputLimiter limiter;
  auto table = provisioned(1, 2);
  Clock::time_point t0{};
  // 300 seconds of write capacity (600 units) to burst with.
  EXPECT_FALSE(limiter.admit(table, Use::Write, "", t0));
  limiter.charge(table, Use::Write, 600, "", t0);
  auto refused = limiter.admit(table, Use::Write, "", t0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "ProvisionedThroughputExceededException");
  // Reads have their own bucket.
  EXPECT_FALSE(limiter.admit(table, Use::Read, "", t0));
  // Half a second later one unit is back.
  EXPECT_FALSE(limiter.admit(table, Use::Write, "", t0 + std::chrono::milliseconds(500)));
}

TEST(ThroughputLimiter, DebtIsRepaidBeforeAnotherCall) {
  ThroughputLimiter limiter;
  auto table = provisioned(10, 10);
  Clock::time_point t0{};
  limiter.charge(table, Use::Read, 3000 + 50, "", t0);  // the whole burst and 5 seconds more
  EXPECT_TRUE(limiter.admit(table, Use::Read, "", t0 + std::chrono::seconds(4)));
  EXPECT_FALSE(limiter.admit(table, Use::Read, "", t0 + std::chrono::seconds(6)));
}

TEST(ThroughputLimiter, OnDemandTablesAreNeverThrottled) {
  ThroughputLimiter limiter;
  nlohmann::json table = {{"_id", "t2"},
                          {"BillingModeSummary", {{"BillingMode", "PAY_PER_REQUEST"}}},
                          {"ProvisionedThroughput", {{"ReadCapacityUnits", 0}, {"WriteCapacityUnits", 0}}}};
  Clock::time_point t0{};
  limiter.charge(table, Use::Write, 1e9, "", t0);
  EXPECT_FALSE(limiter.admit(table, Use::Write, "", t0));
}

TEST(ThroughputLimiter, UnusedCapacityIsKeptForAtMostFiveMinutes) {
  ThroughputLimiter limiter;
  auto table = provisioned(1, 1);
  Clock::time_point t0{};
  limiter.charge(table, Use::Write, 300, "", t0);  // empty
  // An hour idle refills 300 units, not 3600.
  limiter.charge(table, Use::Write, 300, "", t0 + std::chrono::hours(1));
  EXPECT_TRUE(limiter.admit(table, Use::Write, "", t0 + std::chrono::hours(1)));
}

TEST(ThroughputLimiter, GlobalIndexesHaveTheirOwnCapacity) {
  ThroughputLimiter limiter;
  auto table = provisioned(100, 100);
  table["GlobalSecondaryIndexes"] = {
      {{"IndexName", "gsi"}, {"ProvisionedThroughput", {{"ReadCapacityUnits", 1}, {"WriteCapacityUnits", 1}}}}};
  Clock::time_point t0{};
  // The index's reads are its own: emptying them leaves the table's.
  limiter.charge(table, Use::Read, 300, "gsi", t0);
  EXPECT_TRUE(limiter.admit(table, Use::Read, "gsi", t0));
  EXPECT_FALSE(limiter.admit(table, Use::Read, "", t0));
  // An index out of write capacity throttles the table's writes.
  EXPECT_FALSE(limiter.admit(table, Use::Write, "", t0));
  limiter.charge(table, Use::Write, 300, "gsi", t0);
  auto refused = limiter.admit(table, Use::Write, "", t0);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("global secondary indexes"), std::string::npos);
  EXPECT_FALSE(limiter.admit(table, Use::Write, "", t0 + std::chrono::seconds(2)));
}

}  // namespace
}  // namespace kura::ddb

// Application Auto Scaling's pieces that need no server: which targets it
// takes, the schedules it runs, and the store that keeps them.
#include <gtest/gtest.h>

#include <filesystem>

#include "services/applicationautoscaling/scalable_dimensions.h"
#include "services/applicationautoscaling/scaling_store.h"
#include "services/applicationautoscaling/scheduled_actions.h"
#include "services/applicationautoscaling/tracking_alarms.h"

namespace kura {
namespace {

TEST(ScalableTargetTest, TablesAndIndexesOfDynamoDb) {
  auto table = parseScalableTarget("dynamodb", "table/orders", "dynamodb:table:ReadCapacityUnits");
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->table, "orders");
  EXPECT_TRUE(table->index.empty());
  EXPECT_TRUE(table->read);
  auto index = parseScalableTarget("dynamodb", "table/orders/index/by-day", "dynamodb:index:WriteCapacityUnits");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->table, "orders");
  EXPECT_EQ(index->index, "by-day");
  EXPECT_FALSE(index->read);
}

TEST(ScalableTargetTest, AuroraReplicasAndElastiCacheGroups) {
  auto aurora = parseScalableTarget("rds", "cluster:orders-db", "rds:cluster:ReadReplicaCount");
  ASSERT_TRUE(aurora.ok());
  EXPECT_EQ(aurora->kind, ScalableKind::AuroraReplicas);
  EXPECT_EQ(aurora->id, "orders-db");
  auto replicas = parseScalableTarget("elasticache", "replication-group/cache", "elasticache:replication-group:Replicas");
  ASSERT_TRUE(replicas.ok());
  EXPECT_EQ(replicas->kind, ScalableKind::CacheReplicas);
  EXPECT_EQ(replicas->id, "cache");
  auto shards = parseScalableTarget("elasticache", "replication-group/cache", "elasticache:replication-group:NodeGroups");
  ASSERT_TRUE(shards.ok());
  EXPECT_EQ(shards->kind, ScalableKind::CacheNodeGroups);
  EXPECT_EQ(capacityBounds(*aurora).maximum, 15);
  EXPECT_EQ(capacityBounds(*replicas).maximum, 5);
}

TEST(ScalableTargetTest, RefusesWhatItCannotScale) {
  for (auto [nameSpace, resource, dimension] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"ecs", "service/c/s", "ecs:service:DesiredCount"},
           {"rds", "cluster/db", "rds:cluster:ReadReplicaCount"},
           {"rds", "cluster:", "rds:cluster:ReadReplicaCount"},
           {"rds", "cluster:db", "elasticache:replication-group:Replicas"},
           {"elasticache", "replication-group/", "elasticache:replication-group:Replicas"},
           {"elasticache", "replication-group/a/b", "elasticache:replication-group:NodeGroups"},
           {"elasticache", "cluster:db", "elasticache:replication-group:Replicas"},
           {"dynamodb", "table/orders", "dynamodb:index:ReadCapacityUnits"},     // a table as an index
           {"dynamodb", "table/orders/index/i", "dynamodb:table:ReadCapacityUnits"},  // an index as a table
           {"dynamodb", "table/", "dynamodb:table:ReadCapacityUnits"},
           {"dynamodb", "orders", "dynamodb:table:ReadCapacityUnits"},
           {"dynamodb", "table/orders/index/", "dynamodb:index:ReadCapacityUnits"},
           {"dynamodb", "table/orders", "ecs:service:DesiredCount"}}) {
    auto parsed = parseScalableTarget(nameSpace, resource, dimension);
    ASSERT_FALSE(parsed.ok()) << resource << " " << dimension;
    EXPECT_EQ(parsed.error().code, "ValidationException");
    EXPECT_EQ(parsed.error().message, "Unsupported service namespace, resource type or scalable dimension");
  }
}

TEST(ScheduleTest, AtRateAndCronInUtc) {
  for (const char* good : {"at(2030-01-02T03:04:05)", "rate(5 minutes)", "rate(1 hour)", "rate(2 days)",
                           "cron(0 8 * * ? *)", "cron(*/15 9-17 ? * 2-6 *)", "cron(0,30 1 1 1 ? 2030)"}) {
    EXPECT_TRUE(checkSchedule({{"Schedule", good}}).ok()) << good;
  }
  for (const char* bad : {"", "every day", "at(2030-01-02)", "rate(0 minutes)", "rate(5 weeks)", "rate(5)",
                          "cron(0 8 * *)", "cron(a b c d e f)"}) {
    auto checked = checkSchedule({{"Schedule", bad}});
    ASSERT_FALSE(checked.ok()) << bad;
    EXPECT_EQ(checked.error().code, "ValidationException");
  }
  EXPECT_FALSE(checkSchedule({{"Schedule", "rate(1 hour)"}, {"Timezone", "Asia/Tokyo"}}).ok());
  EXPECT_TRUE(checkSchedule({{"Schedule", "rate(1 hour)"}, {"Timezone", "UTC"}}).ok());
}

TEST(ScalingTimesTest, AMinuteLastsAsLongAsTheScaleSays) {
  EXPECT_DOUBLE_EQ(ScalingTimes{1}.period(), 60);
  EXPECT_DOUBLE_EQ(ScalingTimes{60}.period(), 1);
  EXPECT_DOUBLE_EQ(ScalingTimes{600}.period(), 1);  // a period is never shorter than a second
  EXPECT_DOUBLE_EQ(ScalingTimes{60}.seconds(300), 5);
}

TEST(ScalingStoreTest, KeepsStateAcrossReopeningAndRemovesATargetWhole) {
  auto dir = std::filesystem::temp_directory_path() /
             ("kura-scaling-store-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  TargetKey key{"1", "r", "dynamodb", "table/t", "dynamodb:table:ReadCapacityUnits"};
  TargetKey other{"1", "r", "dynamodb", "table/u", "dynamodb:table:ReadCapacityUnits"};
  {
    ScalingStore store(dir);
    store.putTarget(key, {{"MinCapacity", 1}, {"MaxCapacity", 5}});
    store.putTarget(other, {{"MinCapacity", 2}, {"MaxCapacity", 6}});
    store.putPolicy(key, "p", {{"PolicyName", "p"}});
    store.putScheduledAction(key, "s", {{"ScheduledActionName", "s"}});
    store.putActivity(key, {{"ActivityId", "a1"}, {"StatusCode", "InProgress"}});
    store.putActivity(key, {{"ActivityId", "a1"}, {"StatusCode", "Successful"}});
    store.putActivity(key, {{"ActivityId", "a2"}, {"StatusCode", "Failed"}});
  }
  ScalingStore store(dir);
  EXPECT_EQ(store.target(key)->value("MaxCapacity", 0), 5);
  EXPECT_EQ(store.targets("1", "r", "dynamodb").size(), 2u);
  EXPECT_TRUE(store.targets("2", "r", "dynamodb").empty());  // another account's are not listed
  EXPECT_EQ(store.policies("", "", "").size(), 1u);            // every account's, for the scaler's pass
  auto activities = store.activities("1", "r", "dynamodb", "table/t", "", 10);
  ASSERT_EQ(activities.size(), 2u);
  EXPECT_EQ(activities[0]["ActivityId"], "a2");  // newest first
  EXPECT_EQ(activities[1]["StatusCode"], "Successful");  // updated in place
  auto removed = store.removeTarget(key);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0]["PolicyName"], "p");
  EXPECT_FALSE(store.target(key));
  EXPECT_FALSE(store.policy(key, "p"));
  EXPECT_FALSE(store.scheduledAction(key, "s"));
  EXPECT_TRUE(store.target(other));
  std::filesystem::remove_all(dir);
}

TEST(ScalingStoreTest, ATargetKeepsItsNewestActivitiesOnly) {
  auto dir = std::filesystem::temp_directory_path() /
             ("kura-scaling-activities-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::remove_all(dir);
  TargetKey key{"1", "r", "dynamodb", "table/t", "dynamodb:table:ReadCapacityUnits"};
  TargetKey other{"1", "r", "dynamodb", "table/u", "dynamodb:table:ReadCapacityUnits"};
  {
    ScalingStore store(dir);
    store.putActivity(other, {{"ActivityId", "o1"}});
    for (int i = 0; i < 1010; ++i) store.putActivity(key, {{"ActivityId", "a" + std::to_string(i)}});
    store.putActivity(other, {{"ActivityId", "o2"}});
  }
  ScalingStore store(dir);
  auto kept = store.activities("1", "r", "dynamodb", "table/t", "", 5000);
  ASSERT_EQ(kept.size(), 1000u);
  EXPECT_EQ(kept.front()["ActivityId"], "a1009");
  EXPECT_EQ(kept.back()["ActivityId"], "a10");
  EXPECT_EQ(store.activities("1", "r", "dynamodb", "table/u", "", 5000).size(), 2u);  // another target's stay
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kura

#include "services/rds/instance_class_memory.h"

#include <gtest/gtest.h>

#include "services/rds/rds_validation.h"

namespace kura::rds {
namespace {

constexpr uint64_t kGiB = 1ull << 30;

TEST(InstanceClassMemoryTest, ClassesHaveTheMemoryAwsGivesThem) {
  EXPECT_EQ(instanceClassMemoryBytes("db.t3.micro"), kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.t3.small"), 2 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.t4g.medium"), 4 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.m5.large"), 8 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.r5.large"), 16 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.r6g.large"), 16 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.r6g.16xlarge"), 512 * kGiB);
  EXPECT_EQ(instanceClassMemoryBytes("db.x2iedn.32xlarge"), 4096 * kGiB);
  // Previous generations print fractions.
  EXPECT_EQ(instanceClassMemoryBytes("db.m3.medium"), static_cast<uint64_t>(3.75 * kGiB));
  EXPECT_EQ(instanceClassMemoryBytes("db.m1.small"), static_cast<uint64_t>(1.7 * kGiB + 0.5));
  // Oracle's classes with more memory per core.
  EXPECT_EQ(instanceClassMemoryBytes("db.r5.large.tpc1.mem2x"), 32 * kGiB);
}

TEST(InstanceClassMemoryTest, NamesRdsHasNoClassOfHaveNone) {
  for (const char* name : {"", "db.t3", "db.t3.micro ", "DB.T3.MICRO", "db.t3.huge", "cache.t3.micro", "db.serverless"}) {
    EXPECT_EQ(instanceClassMemoryBytes(name), 0u) << name;
  }
  EXPECT_TRUE(isInstanceClass("db.serverless"));
  EXPECT_FALSE(isInstanceClass("db.t3.huge"));
}

TEST(InstanceClassMemoryTest, UnknownClassesAreRefusedAsRdsRefusesThem) {
  EXPECT_FALSE(checkInstanceClass("db.t3.micro", "postgres", "16"));
  EXPECT_FALSE(checkInstanceClass("db.serverless", "aurora-postgresql", "16"));
  auto refused = checkInstanceClass("db.t3.huge", "postgres", "16");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "InvalidParameterCombination");
  EXPECT_NE(refused->message.find("DBInstanceClass=db.t3.huge, Engine=postgres, EngineVersion=16, "
                                  "LicenseModel=postgresql-license"),
            std::string::npos)
      << refused->message;
  // Serverless v2 is Aurora's only.
  auto serverless = checkInstanceClass("db.serverless", "mysql", "8.0.36");
  ASSERT_TRUE(serverless);
  EXPECT_NE(serverless->message.find("LicenseModel=general-public-license"), std::string::npos);
}

}  // namespace
}  // namespace kura::rds

// What DynamoDB publishes of its tables' consumed capacity.
#include "services/dynamodb/consumption_meter.h"

#include <gtest/gtest.h>

namespace kura::ddb {
namespace {

TEST(ConsumptionMeterTest, SumsPerTableIndexAndDirectionUntilDrained) {
  ConsumptionMeter meter;
  nlohmann::json table = {{"TableName", "t"}, {"TableArn", "arn:aws:dynamodb:eu-west-1:123456789012:table/t"}};
  meter.add(table, true, 2, "");
  meter.add(table, true, 3.5, "");
  meter.add(table, false, 1, "");
  meter.add(table, true, 4, "by-g");
  meter.add(table, true, 0, "");  // nothing consumed: nothing counted
  auto drained = meter.drain();
  ASSERT_EQ(drained.size(), 3u);
  double tableReads = 0, tableWrites = 0, indexReads = 0;
  for (const auto& used : drained) {
    EXPECT_EQ(used.account, "123456789012");
    EXPECT_EQ(used.region, "eu-west-1");
    EXPECT_EQ(used.table, "t");
    if (used.index.empty()) (used.read ? tableReads : tableWrites) += used.units;
    if (used.index == "by-g") indexReads += used.units;
  }
  EXPECT_DOUBLE_EQ(tableReads, 5.5);
  EXPECT_DOUBLE_EQ(tableWrites, 1);
  EXPECT_DOUBLE_EQ(indexReads, 4);
  EXPECT_TRUE(meter.drain().empty());  // an idle interval publishes nothing
  meter.add(table, false, 2, "");
  drained = meter.drain();
  ASSERT_EQ(drained.size(), 1u);
  EXPECT_DOUBLE_EQ(drained[0].units, 2);
}

}  // namespace
}  // namespace kura::ddb

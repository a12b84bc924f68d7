// CloudWatch alarm evaluation ("M out of N", missing data) and the metric
// store's statistics, on a store in a temporary directory.
#include "services/cloudwatch/alarm_evaluation.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace kura {
namespace {

class AlarmEvaluationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("kura-alarm-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = std::make_unique<MetricStore>(dir_);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void put(double at, double value) {
    store_->put("1", "r", {"App", "Depth", {{"Queue", "q"}}}, {{at, 1, value, value, value, "Count"}});
  }
  Json alarm(int periods, int toAlarm, const std::string& missing) {
    return {{"Namespace", "App"},          {"MetricName", "Depth"},
            {"Dimensions", Json::array({{{"Name", "Queue"}, {"Value", "q"}}})},
            {"Statistic", "Maximum"},      {"Period", 60},
            {"EvaluationPeriods", periods}, {"DatapointsToAlarm", toAlarm},
            {"Threshold", 5.0},            {"ComparisonOperator", "GreaterThanThreshold"},
            {"TreatMissingData", missing}, {"StateValue", "OK"},
            {"StateReason", "before"}};
  }
  AlarmVerdict evaluate(const Json& alarm) { return evaluateAlarm(alarm, *store_, "1", "r", kNow); }

  static constexpr double kNow = 6000 + 30;  // half way through the period that starts at 6000
  std::filesystem::path dir_;
  std::unique_ptr<MetricStore> store_;
};

TEST_F(AlarmEvaluationTest, NoDataIsInsufficientUnlessTreatedOtherwise) {
  EXPECT_EQ(evaluate(alarm(2, 2, "missing")).state, "INSUFFICIENT_DATA");
  EXPECT_EQ(evaluate(alarm(2, 2, "breaching")).state, "ALARM");
  EXPECT_EQ(evaluate(alarm(2, 2, "notBreaching")).state, "OK");
  AlarmVerdict ignored = evaluate(alarm(2, 2, "ignore"));
  EXPECT_EQ(ignored.state, "OK");  // as it was
  EXPECT_EQ(ignored.reason, "before");
}

TEST_F(AlarmEvaluationTest, MOutOfNBreachingPeriodsAlarm) {
  put(5880 + 1, 9);  // two periods ago
  put(5940 + 1, 1);  // the last full period
  put(6000 + 1, 7);  // the period still filling
  AlarmVerdict two = evaluate(alarm(3, 2, "missing"));
  EXPECT_EQ(two.state, "ALARM");
  EXPECT_EQ(two.reason.rfind("Threshold Crossed: 2 out of the last 3 datapoints [9", 0), 0u) << two.reason;
  EXPECT_EQ(two.reasonData["recentDatapoints"], Json::array({9.0, 1.0, 7.0}));
  EXPECT_EQ(evaluate(alarm(3, 3, "missing")).state, "OK");
  EXPECT_EQ(evaluate(alarm(1, 1, "missing")).state, "ALARM");  // only the newest period
}

TEST_F(AlarmEvaluationTest, APeriodJustBegunWithoutDataIsNotMissing) {
  put(5880 + 1, 9);  // two periods ago
  put(5940 + 1, 8);  // the last full period; nothing yet in the one still filling
  AlarmVerdict verdict = evaluate(alarm(2, 2, "notBreaching"));
  EXPECT_EQ(verdict.state, "ALARM") << verdict.reason;
  EXPECT_EQ(verdict.reasonData["recentDatapoints"], Json::array({9.0, 8.0}));
  // Once it has data, the period still filling counts.
  put(6000 + 1, 1);
  verdict = evaluate(alarm(2, 2, "notBreaching"));
  EXPECT_EQ(verdict.state, "OK") << verdict.reason;
  EXPECT_EQ(verdict.reasonData["recentDatapoints"], Json::array({8.0, 1.0}));
}

TEST_F(AlarmEvaluationTest, StatisticsArePerPeriodAndExact) {
  put(5940 + 1, 1);
  put(5940 + 50, 4);
  store_->put("1", "r", {"App", "Depth", {{"Queue", "q"}}}, {{5940 + 55, 4, 20, 2, 8, "Count"}});
  auto buckets = store_->statistics("1", "r", {"App", "Depth", {{"Queue", "q"}}}, 5940, 6060, 60, "");
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].start, 5940);
  EXPECT_EQ(buckets[0].count, 6);
  EXPECT_EQ(buckets[0].sum, 25);
  EXPECT_EQ(buckets[0].minimum, 1);
  EXPECT_EQ(buckets[0].maximum, 8);
  // Another account, other dimensions or another unit see none of it.
  EXPECT_TRUE(store_->statistics("2", "r", {"App", "Depth", {{"Queue", "q"}}}, 5940, 6060, 60, "").empty());
  EXPECT_TRUE(store_->statistics("1", "r", {"App", "Depth", {}}, 5940, 6060, 60, "").empty());
  EXPECT_TRUE(store_->statistics("1", "r", {"App", "Depth", {{"Queue", "q"}}}, 5940, 6060, 60, "Bytes").empty());
}

TEST_F(AlarmEvaluationTest, PruningDropsOnlyExpiredDatapoints) {
  put(1000, 1);
  put(1000 + MetricStore::kRetentionSeconds + 10, 2);
  store_->prune(1000 + MetricStore::kRetentionSeconds + 20);
  auto buckets = store_->statistics("1", "r", {"App", "Depth", {{"Queue", "q"}}}, 0, 4e9, 86400 * 1000.0, "");
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].sum, 2);
}

TEST_F(AlarmEvaluationTest, ObservedDatapointsAreStoredAsPutOnesAndOutliveTheStore) {
  store_->putObserved("1", "r",
                      {{{"AWS/RDS", "CPUUtilization", {{"DBInstanceIdentifier", "db"}}}, {6010, 1, 4, 4, 4, "Percent"}},
                       {{"AWS/RDS", "DatabaseConnections", {{"DBInstanceIdentifier", "db"}}}, {6010, 1, 2, 2, 2, "Count"}}});
  // Read at once (another connection wrote them).
  ASSERT_EQ(store_->statistics("1", "r", {"AWS/RDS", "CPUUtilization", {{"DBInstanceIdentifier", "db"}}}, 6000, 6060,
                               60, "").size(),
            1u);
  put(6020, 7);  // a call's datapoint after them, synced as before
  store_ = std::make_unique<MetricStore>(dir_);
  auto cpu = store_->statistics("1", "r", {"AWS/RDS", "CPUUtilization", {{"DBInstanceIdentifier", "db"}}}, 6000,
                                6060, 60, "");
  ASSERT_EQ(cpu.size(), 1u);
  EXPECT_EQ(cpu[0].sum, 4);
  EXPECT_EQ(cpu[0].unit, "Percent");
  auto connections = store_->statistics(
      "1", "r", {"AWS/RDS", "DatabaseConnections", {{"DBInstanceIdentifier", "db"}}}, 6000, 6060, 60, "");
  ASSERT_EQ(connections.size(), 1u);
  EXPECT_EQ(connections[0].sum, 2);
  auto depth = store_->statistics("1", "r", {"App", "Depth", {{"Queue", "q"}}}, 6000, 6060, 60, "");
  ASSERT_EQ(depth.size(), 1u);
  EXPECT_EQ(depth[0].maximum, 7);
}

}  // namespace
}  // namespace kura

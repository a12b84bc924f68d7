#include "drill/timeline.h"

#include <gtest/gtest.h>

namespace kura::drill {
namespace {

// Attempts every 0.1 s from 0 to `until`, each 0.01 s long, failing in [failFrom, failTo).
std::vector<WriteAttempt> steady(double until, double failFrom, double failTo) {
  std::vector<WriteAttempt> attempts;
  for (int64_t id = 1; (id - 1) * 0.1 < until - 1e-9; ++id) {
    double at = static_cast<double>(id - 1) * 0.1;
    WriteAttempt attempt;
    attempt.id = id;
    attempt.startSeconds = at;
    attempt.latencySeconds = 0.01;
    attempt.acked = !(at >= failFrom - 1e-9 && at < failTo - 1e-9);
    if (!attempt.acked) attempt.error = "connection refused";
    attempts.push_back(attempt);
  }
  return attempts;
}

TEST(Timeline, RecoveryIsTheStartOfTheFirstSteadyRunAfterTheFault) {
  auto attempts = steady(6, 2.05, 3.45);  // the fault at 2.0; failures from 2.1 to 3.4
  Recovery recovery = measureRecovery(attempts, 2.0);
  ASSERT_TRUE(recovery.outageSeen);
  EXPECT_NEAR(*recovery.firstFailureAt, 2.1, 1e-9);
  ASSERT_TRUE(recovery.rtoSeconds);
  EXPECT_NEAR(*recovery.recoveredAt, 3.51, 1e-9);  // the write begun at 3.5, acknowledged at 3.51
  EXPECT_NEAR(*recovery.rtoSeconds, 1.51, 1e-9);
}

TEST(Timeline, ABriefSuccessInsideTheOutageDoesNotEndIt) {
  auto attempts = steady(8, 2.05, 5.05);
  attempts[30].acked = true;  // one write at 3.0 went through
  attempts[31].acked = true;
  Recovery recovery = measureRecovery(attempts, 2.0);
  ASSERT_TRUE(recovery.recoveredAt);
  EXPECT_NEAR(*recovery.recoveredAt, 5.11, 1e-9);
}

TEST(Timeline, NoFailureMeansNoOutageAndZeroRto) {
  Recovery recovery = measureRecovery(steady(5, 99, 99), 2.0);
  EXPECT_FALSE(recovery.outageSeen);
  ASSERT_TRUE(recovery.rtoSeconds);
  EXPECT_EQ(*recovery.rtoSeconds, 0);
}

TEST(Timeline, NeverRecoveredLeavesRtoUnset) {
  Recovery recovery = measureRecovery(steady(5, 2.05, 99), 2.0);
  EXPECT_TRUE(recovery.outageSeen);
  EXPECT_FALSE(recovery.rtoSeconds);
  EXPECT_FALSE(recovery.recoveredAt);
}

TEST(Timeline, AShortRunToTheEndCountsWhenItHasThreeWrites) {
  auto attempts = steady(3.0, 2.05, 2.65);  // 2.7, 2.8, 2.9 succeed
  Recovery recovery = measureRecovery(attempts, 2.0);
  ASSERT_TRUE(recovery.recoveredAt);
  EXPECT_NEAR(*recovery.recoveredAt, 2.71, 1e-9);
  attempts.pop_back();  // two are not enough
  EXPECT_FALSE(measureRecovery(attempts, 2.0).recoveredAt);
}

TEST(Timeline, LossCountsAcknowledgedWritesNotHeldAndTheirSpan) {
  auto attempts = steady(3, 99, 99);  // ids 1..30, all acknowledged
  attempts[29].acked = false;         // id 30 was never acknowledged: not lost if missing
  std::set<int64_t> held;
  for (int64_t id = 1; id <= 17; ++id) held.insert(id);  // 18..29 went
  Loss loss = measureLoss(attempts, held, 2.5);
  EXPECT_EQ(loss.attempted, 30);
  EXPECT_EQ(loss.acked, 29);
  EXPECT_EQ(loss.lost, 12);
  EXPECT_EQ(loss.lostIds.front(), 18);
  EXPECT_NEAR(loss.rpoSeconds, 2.5 - 1.71, 1e-9);           // id 18 was acknowledged at 1.71
  EXPECT_EQ(measureLoss(attempts, {}, 0.0).rpoSeconds, 0);  // lost before the fault: no negative span
}

TEST(Timeline, SlicesCountAttemptsWhereTheyBegan) {
  auto attempts = steady(2, 0.45, 0.75);  // 0.5, 0.6, 0.7 fail
  auto slices = sliceTimeline(attempts, 0.5);
  ASSERT_GE(slices.size(), 4u);
  EXPECT_EQ(slices[0].attempts, 5);
  EXPECT_EQ(slices[0].acked, 5);
  EXPECT_EQ(slices[1].attempts, 5);
  EXPECT_EQ(slices[1].acked, 2);
  EXPECT_DOUBLE_EQ(slices[1].successRate(), 0.4);
  EXPECT_NEAR(slices[1].meanLatency, 0.01, 1e-12);
  EXPECT_TRUE(sliceTimeline({}, 1.0).empty());
}

}  // namespace
}  // namespace kura::drill

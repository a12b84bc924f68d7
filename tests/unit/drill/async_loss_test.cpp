// The verdict of a Redis drill: a loss from asynchronous replication
// passes unless it exceeds --max-lost; any other failure stays a failure.
#include <gtest/gtest.h>

#include "drill/async_loss.h"

namespace kura::drill {
namespace {

DrillReport lostWrites(int64_t lost) {
  DrillReport report;
  report.recovery.rtoSeconds = 0.5;
  report.loss.lost = lost;
  report.verdictReason = std::to_string(lost) + " acknowledged writes were lost";
  return report;
}

TEST(AsynchronousLoss, PassesAnyLossWithoutALimitAndSaysSo) {
  DrillReport report = lostWrites(3);
  judgeAsynchronousLoss(report, -1);
  EXPECT_TRUE(report.passed);
  EXPECT_NE(report.verdictReason.find("3 acknowledged writes were lost (asynchronous replication"), std::string::npos);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("it does not fail the drill (no --max-lost given)"), std::string::npos);
}

TEST(AsynchronousLoss, FailsBeyondMaxLostAndPassesUpToIt) {
  DrillReport over = lostWrites(3);
  judgeAsynchronousLoss(over, 2);
  EXPECT_FALSE(over.passed);
  EXPECT_EQ(over.verdictReason, "3 acknowledged writes were lost, more than --max-lost 2");
  DrillReport within = lostWrites(2);
  judgeAsynchronousLoss(within, 2);
  EXPECT_TRUE(within.passed);
}

TEST(AsynchronousLoss, LeavesOtherFailuresAndPassesAlone) {
  DrillReport noRecovery = lostWrites(1);
  noRecovery.recovery.rtoSeconds.reset();
  noRecovery.verdictReason = "writes did not succeed steadily again within 30 s of the fault";
  judgeAsynchronousLoss(noRecovery, -1);
  EXPECT_FALSE(noRecovery.passed);
  EXPECT_EQ(noRecovery.verdictReason, "writes did not succeed steadily again within 30 s of the fault");
  DrillReport unread = lostWrites(5);
  unread.verdictReason = "the acknowledged writes could not be read back";
  judgeAsynchronousLoss(unread, -1);
  EXPECT_FALSE(unread.passed);
  DrillReport clean;
  clean.passed = true;
  clean.verdictReason = "no write failed across the fault; no acknowledged write was lost";
  judgeAsynchronousLoss(clean, 0);
  EXPECT_TRUE(clean.passed);
  EXPECT_EQ(clean.verdictReason, "no write failed across the fault; no acknowledged write was lost");
}

}  // namespace
}  // namespace kura::drill

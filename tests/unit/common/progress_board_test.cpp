#include "common/progress_board.h"

#include <gtest/gtest.h>

#include <atomic>

namespace kura {
namespace {

using std::chrono::milliseconds;

TEST(ProgressWatch, ReportsWhatItMeasuresBelow100AndNeverBack) {
  std::atomic<double> fraction{0.1};
  {
    ProgressWatch watch("arn:test:progress-1", [&]() -> std::optional<double> { return fraction.load(); },
                        milliseconds(5));
    for (int tries = 0; tries < 400 && ProgressBoard::instance().get("arn:test:progress-1") != 10; ++tries) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_EQ(ProgressBoard::instance().get("arn:test:progress-1"), 10);
    fraction = 0.05;  // a measure that goes back is not shown
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(ProgressBoard::instance().get("arn:test:progress-1"), 10);
    fraction = 1.5;  // done, but the record says 100, not the watch
    for (int tries = 0; tries < 400 && ProgressBoard::instance().get("arn:test:progress-1") != 99; ++tries) {
      std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_EQ(ProgressBoard::instance().get("arn:test:progress-1"), 99);
  }
  // While creating the view shows the report, after it the record.
  EXPECT_EQ(ProgressBoard::instance().percentOf("arn:test:progress-1", true, 0), 99);
  EXPECT_EQ(ProgressBoard::instance().percentOf("arn:test:progress-1", false, 100), 100);
  EXPECT_EQ(ProgressBoard::instance().percentOf("arn:test:never-reported", true, 0), 0);
}

TEST(ProgressWatch, AMeasureThatCannotTellLeavesTheLastReport) {
  {
    ProgressWatch watch("arn:test:progress-2", []() -> std::optional<double> { return std::nullopt; },
                        milliseconds(5));
    std::this_thread::sleep_for(milliseconds(30));
  }
  EXPECT_EQ(ProgressBoard::instance().get("arn:test:progress-2"), 0);
}

}  // namespace
}  // namespace kura

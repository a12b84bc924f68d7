#include "common/descriptor_shortage.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "../descriptor_exhaustion.h"
#include "common/log_throttle.h"

namespace kura {
namespace {

using Exhausted = test_support::DescriptorsExhausted;

TEST(DescriptorShortageTest, AProbeThatAnsweredIsUpAndOneThatDidNotIsDown) {
  uint64_t mark = descriptorShortages();
  EXPECT_EQ(judgeProbe(true, mark), ProbeVerdict::kUp);
  EXPECT_EQ(judgeProbe(false, mark), ProbeVerdict::kDown);
}

TEST(DescriptorShortageTest, AShortageNotedWhileAProbeRanMakesItUnknown) {
  uint64_t mark = descriptorShortages();
  noteDescriptorError(ENOENT);  // not a shortage
  EXPECT_EQ(judgeProbe(false, mark), ProbeVerdict::kDown);
  noteDescriptorError(EMFILE);
  EXPECT_EQ(judgeProbe(false, mark), ProbeVerdict::kUnknown);
  EXPECT_EQ(judgeProbe(true, mark), ProbeVerdict::kUp);  // an answer is an answer
  uint64_t later = descriptorShortages();
  noteDescriptorError(ENFILE);
  EXPECT_EQ(judgeProbe(false, later), ProbeVerdict::kUnknown);
  EXPECT_EQ(judgeProbe(false, descriptorShortages()), ProbeVerdict::kDown);
}

TEST(DescriptorShortageTest, AShortageFeltNowMakesAFailedProbeUnknownEvenIfNoProbeNotedIt) {
  EXPECT_FALSE(descriptorsShortNow());
  uint64_t mark;
  ProbeVerdict verdict;
  bool shortNow;
  {
    Exhausted exhausted;
    mark = descriptorShortages();
    shortNow = descriptorsShortNow();
    verdict = judgeProbe(false, mark);
  }
  EXPECT_TRUE(shortNow);
  EXPECT_EQ(verdict, ProbeVerdict::kUnknown);
  EXPECT_GT(descriptorShortages(), mark);
  EXPECT_FALSE(descriptorsShortNow());
}

TEST(LogThrottleTest, OneLinePerIntervalWithTheCountLeftOut) {
  LogThrottle throttle(std::chrono::seconds(10));
  auto start = std::chrono::steady_clock::now();
  uint64_t left = 99;
  EXPECT_TRUE(throttle.allow(left, start));
  EXPECT_EQ(left, 0u);
  for (int i = 1; i <= 1000; ++i) EXPECT_FALSE(throttle.allow(left, start + std::chrono::milliseconds(i)));
  EXPECT_TRUE(throttle.allow(left, start + std::chrono::seconds(10)));
  EXPECT_EQ(left, 1000u);
  EXPECT_FALSE(throttle.allow(left, start + std::chrono::seconds(11)));
}

}  // namespace
}  // namespace kura

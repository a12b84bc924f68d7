#include "common/descriptor_shortage.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/log_throttle.h"

namespace kura {
namespace {

// Takes every descriptor the process may open (its soft limit lowered to
// 64 first), and gives them back at the end.
class Exhausted {
 public:
  Exhausted() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = 64;
    ::setrlimit(RLIMIT_NOFILE, &low);
    while (true) {
      int fd = ::dup(STDERR_FILENO);
      if (fd < 0) break;
      taken_.push_back(fd);
    }
  }
  ~Exhausted() {
    for (int fd : taken_) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> taken_;
};

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

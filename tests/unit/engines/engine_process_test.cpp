#include "engines/engine_process.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

#include "common/descriptor_shortage.h"

namespace kura::engines {
namespace {

// The supervisors' probes that are tools (pg_ctl status, redis-cli PING)
// run through runProcess: one that cannot start for lack of descriptors in
// Kura must be judged unknown, never down (which would restart or fail over
// a healthy engine). The supervisors' branches on the verdict need a
// catalog and live engines; the integration suite covers them running.
TEST(EngineProcessTest, AToolThatFailsIsDownAndOneKuraCannotStartForLackOfDescriptorsIsUnknown) {
  uint64_t mark = descriptorShortages();
  auto failed = runProcess({"/bin/false"}, EngineUser{}, "", std::chrono::seconds(10));
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(judgeProbe(failed.ok(), mark), ProbeVerdict::kDown);

  rlimit saved{};
  ::getrlimit(RLIMIT_NOFILE, &saved);
  rlimit low = saved;
  low.rlim_cur = 64;
  ::setrlimit(RLIMIT_NOFILE, &low);
  std::vector<int> taken;
  for (int fd = ::dup(STDERR_FILENO); fd >= 0; fd = ::dup(STDERR_FILENO)) taken.push_back(fd);
  mark = descriptorShortages();
  auto starved = runProcess({"/bin/true"}, EngineUser{}, "", std::chrono::seconds(10));
  uint64_t noted = descriptorShortages() - mark;
  // Judged while still short (the supervisor's case), then given back.
  ProbeVerdict verdict = judgeProbe(starved.ok(), mark);
  for (int fd : taken) ::close(fd);
  ::setrlimit(RLIMIT_NOFILE, &saved);

  EXPECT_EQ(starved.exitCode, -1);
  EXPECT_GE(noted, 1u);  // runProcess itself noted it
  EXPECT_EQ(verdict, ProbeVerdict::kUnknown);
  EXPECT_TRUE(runProcess({"/bin/true"}, EngineUser{}, "", std::chrono::seconds(10)).ok());
}

}  // namespace
}  // namespace kura::engines

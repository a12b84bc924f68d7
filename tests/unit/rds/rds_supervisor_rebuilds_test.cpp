// A Multi-AZ standby is copied from its primary off the supervisor's
// thread: the passes go on meanwhile (a primary that hangs during a long
// copy is still restarted), the standby is recorded ready once copied, one
// built for an instance stopped meanwhile does not stay running, and a stop
// of the supervisor cuts the copy short.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "common/tool_cut.h"
#include "../within.h"
#include "services/rds/rds_kinds.h"
#include "supervisor_rig.h"

namespace kura::rds {
namespace {

using namespace std::chrono_literals;
using test_support::within;

constexpr int kPrimaryPort = 41001;
constexpr int kStandbyPort = 41002;

// An engine whose standby copy runs until the test lets it end (or a stop
// cuts it, as a tool is cut), and whose primary a test can make hang.
class SlowCopyEngine : public testing::QuietEngine {
 public:
  Result<bool> createStandby(const EngineLayout&, const EngineLayout&) override {
    ++copies;
    while (!release) {
      if (toolCutDue()) {
        cut = true;
        cutShort();
      }
      std::this_thread::sleep_for(5ms);
    }
    built = true;
    return true;
  }
  bool healthy(const EngineLayout& layout, std::chrono::milliseconds) override {
    return !(primaryHung && layout.port == kPrimaryPort);
  }
  bool synchronousStandbyStreaming(const EngineLayout&, std::chrono::seconds) override { return built; }
  Result<bool> start(const EngineLayout& layout) override {
    std::lock_guard lock(mutex);
    started.push_back(layout.port);
    return true;
  }
  Result<bool> stop(const EngineLayout& layout) override {
    std::lock_guard lock(mutex);
    stopped.push_back(layout.port);
    return true;
  }
  int startsOf(int port) {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count(started.begin(), started.end(), port));
  }
  int stopsOf(int port) {
    std::lock_guard lock(mutex);
    return static_cast<int>(std::count(stopped.begin(), stopped.end(), port));
  }

  std::atomic<bool> release{false}, built{false}, primaryHung{false}, cut{false};
  std::atomic<int> copies{0};
  std::mutex mutex;
  std::vector<int> started, stopped;  // guarded by mutex
};

struct RebuildRig : testing::SupervisorRigWith<SlowCopyEngine> {
  RebuildRig() : SupervisorRigWith(/*routed=*/true) {}
  // A Multi-AZ instance whose standby is not ready.
  Resource addMultiAz(const std::string& name) {
    Resource record = addInstance(name, kAvailable);
    update(record.arn, [](Resource& instance) {
      instance.state = {{"Nodes", {{"a", {{"Port", kPrimaryPort}}}, {"b", {{"Port", kStandbyPort}}}}},
                        {"Primary", "a"},
                        {"EventedPrimary", "a"},
                        {"StandbyReady", false},
                        {"Port", 0}};
    });
    return *catalog.getResourceByArn(record.arn);
  }
  bool standbyReady(const std::string& arn) {
    return catalog.getResourceByArn(arn)->state.value("StandbyReady", false);
  }
};


TEST(RdsSupervisorRebuilds, PassesGoOnWhileAStandbyIsCopiedAndItIsRecordedReadyAfter) {
  RebuildRig rig;
  Resource instance = rig.addMultiAz("multi");
  auto before = std::chrono::steady_clock::now();
  rig.supervisor.checkOnce();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);  // did not wait for the copy
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  rig.supervisor.checkOnce();
  EXPECT_EQ(rig.engine.copies, 1);  // one copy at a time
  EXPECT_FALSE(rig.standbyReady(instance.arn));

  // The primary hangs during the copy: the passes still see it, and with
  // no standby ready it is started again where it is.
  rig.engine.primaryHung = true;
  ASSERT_TRUE(within(10s, [&] {
    rig.supervisor.checkOnce();
    return rig.engine.startsOf(kPrimaryPort) >= 1;
  }));
  rig.engine.primaryHung = false;

  // Copied: ready (a copy the primary's hang ended is taken again).
  rig.engine.release = true;
  EXPECT_TRUE(within(20s, [&] {
    rig.supervisor.checkOnce();
    return rig.standbyReady(instance.arn);
  }));
  EXPECT_GE(rig.engine.startsOf(kStandbyPort), 1);
}

TEST(RdsSupervisorRebuilds, AStandbyCopiedForAnInstanceStoppedMeanwhileIsStopped) {
  RebuildRig rig;
  Resource instance = rig.addMultiAz("multi");
  rig.supervisor.checkOnce();
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  // StopDBInstance meanwhile: its controller stops both servers, perhaps
  // before the copy starts the standby.
  rig.update(instance.arn, [](Resource& record) {
    record.status = kStopping;
    record.goal = kStopped;
  });
  int stopsBefore = rig.engine.stopsOf(kStandbyPort);
  rig.engine.release = true;
  EXPECT_TRUE(within(10s, [&] { return rig.engine.stopsOf(kStandbyPort) > stopsBefore; }));
  EXPECT_FALSE(rig.standbyReady(instance.arn));
}

TEST(RdsSupervisorRebuilds, AStopOfTheSupervisorCutsTheCopyShort) {
  RebuildRig rig;
  rig.addMultiAz("multi");
  rig.supervisor.checkOnce();
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  auto before = std::chrono::steady_clock::now();
  rig.supervisor.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 10s);
  EXPECT_TRUE(rig.engine.cut);
}

}  // namespace
}  // namespace kura::rds

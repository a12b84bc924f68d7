// A Multi-AZ standby is copied from its primary off the supervisor's
// thread: the passes go on meanwhile (a primary that hangs during a long
// copy is still restarted), the standby is recorded ready once copied, one
// built for an instance stopped meanwhile does not stay running, and a stop
// of the supervisor cuts the copy short.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/tool_cut.h"
#include "kms/key_manager.h"
#include "kms/key_store.h"
#include "rds/db_instance_controller.h"
#include "reconcile/stop_signal.h"
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
  Result<bool> createStandby(const EngineLayout& primary, const EngineLayout& standby) override {
    ++copies;
    copiedFrom = primary.port;
    copiedTo = standby.port;
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
  bool standbyStreaming(const EngineLayout&, std::chrono::seconds) override { return built; }
  Result<bool> fence(const EngineLayout& layout) override {
    std::lock_guard lock(mutex);
    fenced.push_back(layout.port);
    return true;
  }
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
  std::atomic<int> copies{0}, copiedFrom{0}, copiedTo{0};
  std::mutex mutex;
  std::vector<int> started, stopped, fenced;  // guarded by mutex
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
  rig.supervisor.checkOnce();  // returns while the copy runs: it ends only once released
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  EXPECT_FALSE(rig.engine.built);  // the pass returned with the copy still under way
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

TEST(RdsSupervisorRebuilds, ACopyWorksFromTheRecordAsItIsWhenItStarts) {
  // Queued with a record from before a failover: node b is the primary
  // now, so the copy goes from b to a, and b is never fenced.
  RebuildRig rig;
  Resource stale = rig.addMultiAz("multi");
  rig.update(stale.arn, [](Resource& record) {
    record.state["Primary"] = "b";
    record.state["EventedPrimary"] = "b";
  });
  RdsPaths paths{rig.dir / "rds"};  // MultiAz keeps a reference
  MultiAz multiAz(rig.engine, *rig.secrets, paths, nullptr);
  rig.engine.release = true;
  auto ready = multiAz.ensureStandby(stale, /*watchPrimary=*/false,
                                     [&]() -> std::optional<Resource> { return *rig.catalog.getResourceByArn(stale.arn); });
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_EQ(rig.engine.copiedFrom, kStandbyPort);
  EXPECT_EQ(rig.engine.copiedTo, kPrimaryPort);
  {
    std::lock_guard lock(rig.engine.mutex);
    EXPECT_EQ(std::count(rig.engine.fenced.begin(), rig.engine.fenced.end(), kStandbyPort), 0);
  }
  EXPECT_EQ(stale.state.value("Primary", ""), "b");  // the record it worked from
  // No longer wanted when the copy starts (stopped meanwhile): nothing done.
  int copies = rig.engine.copies;
  Resource again = *rig.catalog.getResourceByArn(stale.arn);
  again.state["StandbyReady"] = false;
  auto refused = multiAz.ensureStandby(again, false, []() -> std::optional<Resource> { return std::nullopt; });
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(rig.engine.copies, copies);
}

TEST(RdsSupervisorRebuilds, AStopOfTheSupervisorCutsTheCopyShort) {
  RebuildRig rig;
  rig.addMultiAz("multi");
  rig.supervisor.checkOnce();
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  rig.supervisor.stop();  // the copy ends only when released or cut: it returns because it was cut
  EXPECT_TRUE(rig.engine.cut);
  EXPECT_FALSE(rig.engine.built);
}

// The instance's own controller beside the copies: a step that would act on
// the servers being copied waits for the copy; a deletion cuts it short.
struct ControllerRig : RebuildRig {
  RdsPaths paths{dir / "rds"};
  PortAllocator ports{catalog, 42000, 42100};
  kms::KeyStore keyStore{dir / "kms", randomBytes(32)};
  kms::KeyManager keys{keyStore, clock};
  StopSignal stopSignal;
  ClockPtr stepClock = clock;  // ReconcileContext keeps a reference: not to a temporary
  DbInstanceController controller{engine, *secrets, paths, ports, keys, nullptr, &supervisor.copies()};
  // One step of the controller on the record as stored, which it then stores.
  StepOutcome::Kind step(const std::string& arn) {
    Resource record = *catalog.getResourceByArn(arn);
    ReconcileContext ctx(catalog, stepClock, stopSignal, 0);
    StepOutcome outcome = controller.step(record, ctx);
    if (record.status == kDeleted) {
      EXPECT_TRUE(catalog.removeResource(record.id).ok());
    } else {
      EXPECT_TRUE(catalog.updateResource(record).ok());
    }
    return outcome.kind;
  }
};

TEST(RdsSupervisorRebuilds, AStepOfTheInstanceWaitsForItsCopyAndADeletionCutsIt) {
  ControllerRig rig;
  Resource instance = rig.addMultiAz("multi");
  rig.supervisor.checkOnce();
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  // RebootDBInstance: the step would restart the primary the copy works
  // from; it waits, and the copy goes on.
  rig.update(instance.arn, [](Resource& record) { record.status = kRebooting; });
  EXPECT_EQ(rig.step(instance.arn), StepOutcome::Kind::RetryAfter);
  EXPECT_EQ(rig.engine.stopsOf(kPrimaryPort), 0);
  EXPECT_FALSE(rig.engine.cut);
  EXPECT_TRUE(rig.supervisor.copies().busy(instance.arn));

  // DeleteDBInstance: the copy is cut short (never finished), then the
  // instance is deleted, its servers stopped.
  rig.update(instance.arn, [](Resource& record) {
    record.status = kDeleting;
    record.goal = kDeleted;
  });
  EXPECT_EQ(rig.step(instance.arn), StepOutcome::Kind::RetryAfter);  // cut, not waited for
  EXPECT_TRUE(within(10s, [&] { return rig.step(instance.arn) != StepOutcome::Kind::RetryAfter; }));
  EXPECT_TRUE(rig.engine.cut);
  EXPECT_FALSE(rig.engine.built);
  EXPECT_FALSE(rig.catalog.getResourceByArn(instance.arn).ok());
  EXPECT_GE(rig.engine.stopsOf(kPrimaryPort), 1);
  EXPECT_GE(rig.engine.stopsOf(kStandbyPort), 1);
}

TEST(RdsSupervisorRebuilds, AStopWaitsForTheCopyOfAnInstanceWithOneServerAndCutsAStandbys) {
  ControllerRig rig;
  // A copy of a read replica's or reader's only server (a job of the
  // copies, as replica_watch.cpp and cluster_watch.cpp submit them): cut
  // short, its files would not start again.
  Resource single = rig.addInstance("replica", kAvailable);
  std::atomic<bool> release{false}, cut{false}, finished{false};
  ASSERT_TRUE(rig.supervisor.copies().submit(single.arn, [&] {
    while (!release) {
      if (toolCutDue()) {
        cut = true;
        cutShort();
      }
      std::this_thread::sleep_for(5ms);
    }
    return finished = true;
  }));
  rig.update(single.arn, [](Resource& record) {
    record.status = kStopping;
    record.goal = kStopped;
  });
  EXPECT_EQ(rig.step(single.arn), StepOutcome::Kind::RetryAfter);
  EXPECT_EQ(rig.step(single.arn), StepOutcome::Kind::RetryAfter);
  EXPECT_FALSE(cut);
  release = true;
  EXPECT_TRUE(within(10s, [&] { return rig.step(single.arn) == StepOutcome::Kind::Done; }));
  EXPECT_TRUE(finished);
  EXPECT_EQ(rig.catalog.getResourceByArn(single.arn)->status, kStopped);

  // A Multi-AZ instance's standby copy is cut: its start builds the standby again.
  Resource multi = rig.addMultiAz("multi");
  rig.supervisor.checkOnce();
  ASSERT_TRUE(within(5s, [&] { return rig.engine.copies == 1; }));
  rig.update(multi.arn, [](Resource& record) {
    record.status = kStopping;
    record.goal = kStopped;
  });
  EXPECT_TRUE(within(10s, [&] { return rig.step(multi.arn) == StepOutcome::Kind::Done; }));
  EXPECT_TRUE(rig.engine.cut);
  EXPECT_FALSE(rig.engine.built);
  EXPECT_EQ(rig.catalog.getResourceByArn(multi.arn)->status, kStopped);
}

TEST(RdsSupervisorRebuilds, AStepWithoutACopyIsNotHeld) {
  ControllerRig rig;
  Resource instance = rig.addInstance("single", kAvailable);
  rig.update(instance.arn, [](Resource& record) { record.status = kRebooting; });
  EXPECT_EQ(rig.step(instance.arn), StepOutcome::Kind::Done);
  EXPECT_EQ(rig.catalog.getResourceByArn(instance.arn)->status, kAvailable);
}

}  // namespace
}  // namespace kura::rds

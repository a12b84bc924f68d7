#include "reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "catalog/arn.h"
#include "common/tool_cut.h"
#include "reconcile/sleeper_controller.h"
#include "reconcile_test_support.h"

namespace kura {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::eventually;
using testing::readLines;

constexpr const char* kAccount = "000000000000";
constexpr const char* kRegion = "ap-northeast-1";

Resource draft(const std::string& kind, const std::string& name, const std::string& status, const std::string& goal) {
  Resource resource;
  resource.accountId = kAccount;
  resource.region = kRegion;
  resource.service = "test";
  resource.kind = kind;
  resource.name = name;
  resource.arn = makeArn("test", kRegion, kAccount, kind + ":" + name);
  resource.status = status;
  resource.goal = goal;
  return resource;
}

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::freshTestDir("reconcile");
    catalog_ = std::make_unique<Catalog>(dir_ / "data");
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }

  Resource createSleeper(const std::string& name, int stepMillis) {
    auto resource = draft(SleeperController::kKind, name, "creating", "available");
    resource.spec = {{"dir", (dir_ / name).string()}, {"stepMillis", stepMillis}};
    auto created = catalog_->createResource(resource);
    EXPECT_TRUE(created.ok());
    return *created;
  }

  std::string statusOf(int64_t id) {
    auto resource = catalog_->getResourceById(id);
    return resource ? resource->status : "<gone>";
  }

  std::unique_ptr<Reconciler> sleeperReconciler(int workers = 2) {
    auto reconciler = std::make_unique<Reconciler>(*catalog_, realClock(), workers);
    reconciler->add(std::make_unique<SleeperController>());
    return reconciler;
  }

  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(ReconcilerTest, DrivesASleeperToAvailable) {
  auto sleeper = createSleeper("one", 5);
  auto reconciler = sleeperReconciler();
  reconciler->start();
  ASSERT_TRUE(reconciler->waitIdle(10s));

  auto done = catalog_->getResourceById(sleeper.id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, "available");
  EXPECT_EQ(done->state["completedSteps"], 4);
  for (const char* step : {"step-1", "step-2", "step-3", "available"}) {
    EXPECT_TRUE(fs::exists(dir_ / "one" / (std::string(step) + ".done"))) << step;
  }
  EXPECT_EQ(readLines(dir_ / "one" / "steps.log"), (std::vector<std::string>{"step-1", "step-2", "step-3", "available"}));

  auto journal = catalog_->listSteps(sleeper.id);
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_EQ(journal[0].step, "creating -> step-1");
  EXPECT_EQ(journal[3].step, "step-3 -> available");
  EXPECT_NE(journal[3].detail.find("done"), std::string::npos);

  EventQuery query;
  query.sourceType = SleeperController::kKind;
  query.sourceId = "one";
  auto events = catalog_->listEvents(kAccount, kRegion, query);
  ASSERT_EQ(events.items.size(), 1u);
  EXPECT_EQ(events.items[0].message, "Test sleeper available");
  EXPECT_EQ(events.items[0].sourceArn, sleeper.arn);
  EXPECT_TRUE(catalog_->listPending().empty());
}

TEST_F(ReconcilerTest, ANewReconcilerFinishesWhatAStoppedOneLeft) {
  auto sleeper = createSleeper("resumed", 500);
  {
    auto reconciler = sleeperReconciler();
    reconciler->start();
    ASSERT_TRUE(eventually([&] { return statusOf(sleeper.id) == "step-1"; }));
    // Destroyed mid-way: step-2 is sleeping and is cut short (unless a slow
    // machine let it finish first).
  }
  auto stoppedAt = statusOf(sleeper.id);
  EXPECT_TRUE(stoppedAt == "step-1" || stoppedAt == "step-2") << stoppedAt;

  // As after a restart: a fresh catalog connection and reconciler.
  catalog_ = std::make_unique<Catalog>(dir_ / "data");
  ASSERT_EQ(catalog_->listPending().size(), 1u);
  auto reconciler = sleeperReconciler();
  reconciler->start();
  ASSERT_TRUE(reconciler->waitIdle(10s));
  EXPECT_EQ(statusOf(sleeper.id), "available");
  // Every step ran exactly once across both lives.
  EXPECT_EQ(readLines(dir_ / "resumed" / "steps.log"),
            (std::vector<std::string>{"step-1", "step-2", "step-3", "available"}));
}

TEST_F(ReconcilerTest, AStepWhoseWorkIsDoneButUnrecordedMovesOn) {
  // As if the server died after writing step-1's marker, before the catalog
  // recorded step-1.
  auto sleeper = createSleeper("crashed", 1);
  fs::create_directories(dir_ / "crashed");
  std::ofstream(dir_ / "crashed" / "step-1.done") << "step-1\n";

  auto reconciler = sleeperReconciler();
  reconciler->start();
  ASSERT_TRUE(reconciler->waitIdle(10s));
  EXPECT_EQ(statusOf(sleeper.id), "available");
  EXPECT_EQ(readLines(dir_ / "crashed" / "steps.log"), (std::vector<std::string>{"step-2", "step-3", "available"}));
  auto journal = catalog_->listSteps(sleeper.id);
  ASSERT_FALSE(journal.empty());
  EXPECT_NE(journal[0].detail.find("already there"), std::string::npos);
}

TEST_F(ReconcilerTest, WakePicksUpNewGoals) {
  auto reconciler = sleeperReconciler();
  reconciler->setResyncInterval(1h);  // only wake() can find it
  reconciler->start();
  ASSERT_TRUE(reconciler->waitIdle(10s));
  auto sleeper = createSleeper("late", 1);
  reconciler->wake();
  EXPECT_TRUE(eventually([&] { return statusOf(sleeper.id) == "available"; }));

  // Deletion: Done with status "deleted" removes the record, keeps events.
  auto current = catalog_->getResourceById(sleeper.id);
  ASSERT_TRUE(current.ok());
  catalog_->addTags(current->arn, {{"env", "test"}});
  current->goal = "deleted";
  current->status = "deleting";
  ASSERT_TRUE(catalog_->updateResource(*current).ok());
  reconciler->wake();
  EXPECT_TRUE(eventually([&] { return statusOf(sleeper.id) == "<gone>"; }));
  EXPECT_TRUE(catalog_->listTags(current->arn).empty());
  EventQuery deletions;
  deletions.categories = {"deletion"};
  EXPECT_EQ(catalog_->listEvents(kAccount, kRegion, deletions).items.size(), 1u);
}

// Throws `throws` times, then reaches its goal.
class FlakyController final : public Controller {
 public:
  explicit FlakyController(int throws) : throws_(throws) {}
  std::string kind() const override { return "flaky"; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override {
    failuresSeen.push_back(ctx.failures());
    if (++calls <= throws_) {
      resource.status = "should-not-be-persisted";
      throw std::runtime_error("engine not ready");
    }
    resource.status = resource.goal;
    return StepOutcome::done();
  }
  std::atomic<int> calls{0};
  std::vector<int> failuresSeen;  // written by one worker at a time

 private:
  int throws_;
};

TEST_F(ReconcilerTest, AThrowingControllerIsRetriedWithBackoff) {
  auto created = catalog_->createResource(draft("flaky", "f", "creating", "available"));
  ASSERT_TRUE(created.ok());
  auto flaky = std::make_unique<FlakyController>(3);
  auto* controller = flaky.get();
  Reconciler reconciler(*catalog_, realClock(), 2);
  reconciler.add(std::move(flaky));
  reconciler.setRetryBackoff(1ms, 5ms);
  reconciler.start();
  ASSERT_TRUE(reconciler.waitIdle(10s));
  EXPECT_EQ(controller->calls.load(), 4);
  EXPECT_EQ(controller->failuresSeen, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(statusOf(created->id), "available");
  auto journal = catalog_->listSteps(created->id);
  ASSERT_EQ(journal.size(), 4u);
  EXPECT_NE(journal[0].detail.find("engine not ready"), std::string::npos);
  EXPECT_EQ(journal[3].step, "creating -> available");
}

class GiveUpController final : public Controller {
 public:
  std::string kind() const override { return "give-up"; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override {
    if (resource.goal == "deleted") {
      resource.status = "deleted";
      return StepOutcome::done();
    }
    if (resource.name == "explicit") resource.status = "incompatible-restore";
    ctx.emitEvent("Restore failed", {"failure"});
    return StepOutcome::failed();
  }
};

TEST_F(ReconcilerTest, AFailedResourceStopsUntilANewGoal) {
  auto explicitStatus = catalog_->createResource(draft("give-up", "explicit", "creating", "available"));
  auto defaultStatus = catalog_->createResource(draft("give-up", "default", "creating", "available"));
  ASSERT_TRUE(explicitStatus.ok() && defaultStatus.ok());
  Reconciler reconciler(*catalog_, realClock(), 1);
  reconciler.add(std::make_unique<GiveUpController>());
  reconciler.start();
  ASSERT_TRUE(reconciler.waitIdle(10s));
  auto failedOne = catalog_->getResourceById(explicitStatus->id);
  EXPECT_EQ(failedOne->status, "incompatible-restore");
  EXPECT_EQ(failedOne->goal, "incompatible-restore");
  EXPECT_EQ(statusOf(defaultStatus->id), "failed");
  EXPECT_TRUE(catalog_->listPending().empty());
  EXPECT_EQ(catalog_->listEvents(kAccount, kRegion, {}).items.size(), 2u);

  failedOne->goal = "deleted";
  ASSERT_TRUE(catalog_->updateResource(*failedOne).ok());
  ASSERT_TRUE(reconciler.waitIdle(10s));
  EXPECT_EQ(statusOf(explicitStatus->id), "<gone>");
}

// Acts as the API in the middle of its own step: records a new goal.
class RacedController final : public Controller {
 public:
  std::string kind() const override { return "raced"; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override {
    if (resource.goal == "deleted") {
      lastStateSeen = resource.state;
      resource.status = "deleted";
      return StepOutcome::done();
    }
    auto api = ctx.catalog().getResourceById(resource.id);
    api->goal = "deleted";
    api->status = "deleting";
    api->spec["reason"] = "user";
    if (!ctx.catalog().updateResource(*api)) throw std::logic_error("api update failed");
    resource.state["pid"] = 4242;
    resource.status = "available";
    return StepOutcome::done();
  }
  nlohmann::json lastStateSeen;
};

TEST_F(ReconcilerTest, AnApiChangeDuringAStepKeepsBothSides) {
  auto created = catalog_->createResource(draft("raced", "r", "creating", "available"));
  ASSERT_TRUE(created.ok());
  auto raced = std::make_unique<RacedController>();
  auto* controller = raced.get();
  Reconciler reconciler(*catalog_, realClock(), 2);
  reconciler.add(std::move(raced));
  reconciler.start();
  ASSERT_TRUE(reconciler.waitIdle(10s));
  // The API's status and goal won, the controller's state survived for the
  // delete step.
  EXPECT_EQ(controller->lastStateSeen["pid"], 4242);
  EXPECT_EQ(statusOf(created->id), "<gone>");
}

// Counts how many workers step the same resource at once.
class CountingController final : public Controller {
 public:
  std::string kind() const override { return "counting"; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override {
    {
      std::lock_guard lock(mutex_);
      int now = ++active_[resource.id];
      maxSameResource = std::max(maxSameResource, now);
      ++totalActive_;
      maxOverall = std::max(maxOverall, totalActive_);
    }
    ctx.sleepFor(1ms);
    int done = resource.state.value("steps", 0) + 1;
    resource.state["steps"] = done;
    if (done == 5) resource.status = resource.goal;
    {
      std::lock_guard lock(mutex_);
      --active_[resource.id];
      --totalActive_;
    }
    return done == 5 ? StepOutcome::done() : StepOutcome::progress();
  }
  int maxSameResource = 0;  // guarded by mutex_
  int maxOverall = 0;       // guarded by mutex_

 private:
  std::mutex mutex_;
  std::map<int64_t, int> active_;
  int totalActive_ = 0;
};

TEST_F(ReconcilerTest, OneResourceIsNeverSteppedByTwoWorkersAtOnce) {
  for (int index = 0; index < 12; ++index) {
    ASSERT_TRUE(catalog_->createResource(draft("counting", "c" + std::to_string(index), "creating", "available")).ok());
  }
  auto counting = std::make_unique<CountingController>();
  auto* controller = counting.get();
  Reconciler reconciler(*catalog_, realClock(), 4);
  reconciler.add(std::move(counting));
  reconciler.setResyncInterval(1ms);  // rescans all the time, racing the steps
  reconciler.start();
  for (int wake = 0; wake < 50; ++wake) reconciler.wake();
  ASSERT_TRUE(reconciler.waitIdle(20s));
  EXPECT_EQ(controller->maxSameResource, 1);
  EXPECT_GE(controller->maxOverall, 1);
  EXPECT_TRUE(catalog_->listPending().empty());
  auto page = catalog_->listResources(kAccount, kRegion, "counting", "", 100);
  for (const auto& resource : page.items) EXPECT_EQ(resource.state["steps"], 5) << resource.name;
}

TEST_F(ReconcilerTest, KindsWithoutAControllerAreLeftAlone) {
  auto orphan = catalog_->createResource(draft("db-instance", "nobody", "creating", "available"));
  ASSERT_TRUE(orphan.ok());
  auto reconciler = sleeperReconciler();
  reconciler->start();
  ASSERT_TRUE(reconciler->waitIdle(10s));
  EXPECT_EQ(statusOf(orphan->id), "creating");
}

TEST_F(ReconcilerTest, WaitIdleIsFalseBeforeStart) {
  createSleeper("idle", 1);
  auto reconciler = sleeperReconciler();
  EXPECT_FALSE(reconciler->waitIdle(50ms));
  reconciler->start();
  EXPECT_TRUE(reconciler->waitIdle(10s));
  reconciler->stop();
  reconciler->stop();  // idempotent
}

}  // namespace
}  // namespace kura

namespace kura {
namespace {

// A step running a tool that a stop cuts short (as engines::runProcess
// does): "big" waits for the stop, changes its record and is cut; at the
// next start it succeeds. "quick" ends well during the same stop, after
// big's cut, on the other worker: its outcome is kept.
class CutToolController final : public Controller {
 public:
  std::string kind() const override { return "cut-tool"; }
  StepOutcome step(Resource& resource, ReconcileContext& ctx) override {
    if (resource.name == "quick") {
      quickStarted = true;
      while (!bigCut) ctx.sleepFor(10ms);
      resource.status = "available";
      return StepOutcome::done();
    }
    if (++bigRuns > 1) {
      resource.status = "available";
      return StepOutcome::done();
    }
    bigStarted = true;
    while (!toolCutDue()) ctx.sleepFor(10ms);
    resource.state["Attempts"] = 1;
    ctx.emitEvent("Snapshot failed: the tool was killed", {"failure"});
    bigCut = true;
    cutShort();
  }
  std::atomic<bool> quickStarted{false}, bigStarted{false}, bigCut{false};
  std::atomic<int> bigRuns{0};
};

TEST_F(ReconcilerTest, AStepWhoseToolAStopCutIsNotRecordedAndRunsAgainAtTheNextStart) {
  auto big = catalog_->createResource(draft("cut-tool", "big", "creating", "available"));
  auto quick = catalog_->createResource(draft("cut-tool", "quick", "creating", "available"));
  ASSERT_TRUE(big.ok() && quick.ok());
  Reconciler reconciler(*catalog_, realClock(), 2);
  auto controller = std::make_unique<CutToolController>();
  CutToolController* raw = controller.get();
  reconciler.add(std::move(controller));
  reconciler.start();
  ASSERT_TRUE(eventually([&] { return raw->bigStarted.load() && raw->quickStarted.load(); }, 10s));
  reconciler.stop();
  EXPECT_TRUE(raw->bigCut.load());
  // As after a crash: the record as it was before the step, no event, no journal.
  auto after = catalog_->getResourceById(big->id);
  EXPECT_EQ(after->status, "creating");
  EXPECT_FALSE(after->state.contains("Attempts"));
  EXPECT_TRUE(catalog_->listEvents(kAccount, kRegion, {}).items.empty());
  EXPECT_TRUE(catalog_->listSteps(big->id).empty());
  // The step that was not cut is kept, though it ended during the stop.
  EXPECT_EQ(statusOf(quick->id), "available");
  // The next start takes the cut step again.
  reconciler.start();
  ASSERT_TRUE(reconciler.waitIdle(10s));
  EXPECT_EQ(raw->bigRuns.load(), 2);
  EXPECT_EQ(statusOf(big->id), "available");
  reconciler.stop();
}

}  // namespace
}  // namespace kura

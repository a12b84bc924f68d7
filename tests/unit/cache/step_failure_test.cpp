#include "cache/step_failure.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "catalog/catalog.h"
#include "reconcile/stop_signal.h"
#include "services/elasticache/elasticache_kinds.h"

namespace kura::cache {
namespace {

namespace fs = std::filesystem;

class StepFailure : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-step-failure-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    catalog_ = std::make_unique<Catalog>(dir_);
    group_.name = "orders-copy";
    group_.status = elasticache::kCreating;
  }
  void TearDown() override {
    catalog_.reset();
    fs::remove_all(dir_);
  }
  StepOutcome failOnce(const ApiError& error, const char* status) {
    ReconcileContext ctx(*catalog_, clock_, stop_, 0);
    StepOutcome outcome = failStep(group_, ctx, error, status, "Replication group");
    events_ = ctx.events().size();
    return outcome;
  }

  fs::path dir_;
  std::unique_ptr<Catalog> catalog_;
  ClockPtr clock_ = realClock();
  StopSignal stop_;
  Resource group_;
  size_t events_ = 0;
};

TEST_F(StepFailure, ARestoreTheSnapshotRefusesFailsAtOnce) {
  auto outcome = failOnce(ApiError::sender("InvalidKMSKeyFault", "disabled"), elasticache::kRestoreFailed);
  EXPECT_EQ(outcome.kind, StepOutcome::Kind::Failed);
  EXPECT_EQ(group_.status, elasticache::kRestoreFailed);
  EXPECT_EQ(events_, 1u);
}

TEST_F(StepFailure, ARestoreTheHostCutShortIsTriedAgainThenFails) {
  for (int attempt = 1; attempt < 5; ++attempt) {
    auto outcome = failOnce(ApiError::internal("the loading node did not start"), elasticache::kRestoreFailed);
    EXPECT_EQ(outcome.kind, StepOutcome::Kind::RetryAfter) << attempt;
    EXPECT_EQ(group_.status, elasticache::kCreating);
    EXPECT_EQ(events_, 0u);
  }
  auto outcome = failOnce(ApiError::internal("the loading node did not start"), elasticache::kRestoreFailed);
  EXPECT_EQ(outcome.kind, StepOutcome::Kind::Failed);
  EXPECT_EQ(group_.status, elasticache::kRestoreFailed);
  EXPECT_EQ(group_.state.value("LastError", ""), "the loading node did not start");
  EXPECT_EQ(events_, 1u);
}

TEST_F(StepFailure, ARestoresTriesAndAStartsAreCountedApart) {
  for (int attempt = 1; attempt < 5; ++attempt) {
    EXPECT_EQ(failOnce(ApiError::internal("x"), elasticache::kRestoreFailed).kind, StepOutcome::Kind::RetryAfter);
  }
  group_.state.erase("RestoreAttempts");  // restored at last
  EXPECT_EQ(failOnce(ApiError::internal("no start"), elasticache::kFailed).kind, StepOutcome::Kind::RetryAfter);
  EXPECT_EQ(group_.status, elasticache::kCreating);
}

TEST_F(StepFailure, AStartIsTriedAgainWhateverTheError) {
  for (int attempt = 1; attempt < 5; ++attempt) {
    EXPECT_EQ(failOnce(ApiError::sender("InvalidParameterValue", "x"), elasticache::kFailed).kind,
              StepOutcome::Kind::RetryAfter);
  }
  EXPECT_EQ(failOnce(ApiError::sender("InvalidParameterValue", "x"), elasticache::kFailed).kind,
            StepOutcome::Kind::Failed);
  EXPECT_EQ(group_.status, elasticache::kFailed);
}

}  // namespace
}  // namespace kura::cache

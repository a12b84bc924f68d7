// A stopped instance with nothing left to do is passed over by the RDS
// supervisor's passes without its record being parsed, until the record
// changes: with thousands of instances stopped, parsing every record twice
// a second was most of an idle Kura's CPU.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/crypto.h"
#include "quiet_engine.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using testing::QuietEngine;

TEST(RdsSupervisorStopped, ASettledStoppedInstanceIsPassedOverUntilItsRecordChanges) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kura-supervisor-test-" + toHex(randomBytes(6)));
  auto clock = std::make_shared<ManualClock>(SystemTime(std::chrono::hours(24 * 365 * 56)));
  {
    Catalog catalog(dir, clock);
    Reconciler reconciler(catalog, clock);  // not started: nothing runs but the pass
    auto secrets = SecretBox::openOrCreate(dir / "keys" / "catalog-secrets.key");
    ASSERT_TRUE(secrets.ok());
    QuietEngine engine;
    RdsSupervisor supervisor(catalog, reconciler, engine, **secrets, RdsPaths{dir / "rds"}, clock);
    supervisor.setMetricSink([](const Resource&, const std::string&, double, const std::string&) {});

    std::map<std::string, Resource> instances;
    for (const char* name : {"running", "stopped"}) {
      Resource draft;
      draft.accountId = "000000000000";
      draft.region = "ap-northeast-1";
      draft.service = "rds";
      draft.kind = kInstance;
      draft.name = name;
      draft.arn = "arn:aws:rds:ap-northeast-1:000000000000:db:" + std::string(name);
      draft.status = name == std::string("running") ? kAvailable : kStopped;
      draft.goal = draft.status;
      draft.spec = {{"Engine", "postgres"},
                    {"MasterUsername", "admin"},
                    {"MasterUserPasswordSealed", (*secrets)->seal("a-password")},
                    {"DbiResourceId", std::string("db-") + name},
                    {"BackupRetentionPeriod", 0}};
      draft.state = {{"EnginePort", 1}};
      auto created = catalog.createResource(draft);
      ASSERT_TRUE(created.ok()) << created.error().message;
      instances[name] = *created;
    }
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 2u);  // the first look at each
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 1u);  // the stopped one settled
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 1u);

    // Its record changed (a modification while stopped): looked at again once.
    Resource modified = *catalog.getResourceByArn(instances["stopped"].arn);
    modified.spec["AllocatedStorage"] = 30;
    ASSERT_TRUE(catalog.updateResource(modified).ok());
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 2u);
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 1u);

    // Started: watched on every pass again.
    Resource started = *catalog.getResourceByArn(instances["stopped"].arn);
    started.status = kAvailable;
    started.goal = kAvailable;
    ASSERT_TRUE(catalog.updateResource(started).ok());
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 2u);
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 2u);

    // Stopped again and then deleted: its entry goes with it.
    Resource stopped = *catalog.getResourceByArn(instances["stopped"].arn);
    stopped.status = kStopped;
    stopped.goal = kStopped;
    ASSERT_TRUE(catalog.updateResource(stopped).ok());
    supervisor.checkOnce();
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 1u);
    size_t withStopped = supervisor.trackedEntries();
    ASSERT_TRUE(catalog.removeResource(instances["stopped"].id).ok());
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.watchedLastPass(), 1u);
    EXPECT_LT(supervisor.trackedEntries(), withStopped);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kura::rds

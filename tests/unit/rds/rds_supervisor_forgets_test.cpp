// The RDS supervisor's per-resource state (when an instance's metrics were
// recorded, its snapshots pruned, its archive followed...) goes with the
// instance: a server whose instances come and go does not grow.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/crypto.h"
#include "quiet_engine.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds {
namespace {

using testing::QuietEngine;

TEST(RdsSupervisorForgets, AnInstancesEntriesGoWithIt) {
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

    std::vector<Resource> instances;
    for (const char* name : {"first", "second"}) {
      Resource draft;
      draft.accountId = "000000000000";
      draft.region = "ap-northeast-1";
      draft.service = "rds";
      draft.kind = kInstance;
      draft.name = name;
      draft.arn = "arn:aws:rds:ap-northeast-1:000000000000:db:" + std::string(name);
      draft.status = kAvailable;
      draft.goal = kAvailable;
      draft.spec = {{"Engine", "postgres"},
                    {"MasterUsername", "admin"},
                    {"MasterUserPasswordSealed", (*secrets)->seal("a-password")},
                    {"DbiResourceId", std::string("db-") + name},
                    {"BackupRetentionPeriod", 0}};
      draft.state = {{"EnginePort", 1}};
      auto created = catalog.createResource(draft);
      ASSERT_TRUE(created.ok()) << created.error().message;
      instances.push_back(*created);
    }
    supervisor.checkOnce();
    size_t both = supervisor.trackedEntries();
    EXPECT_GE(both, 4u);  // at least its metrics' and its pruning's times, for each

    Resource gone = *catalog.getResourceByArn(instances[0].arn);
    gone.status = kDeleted;
    gone.goal = kDeleted;
    auto stored = catalog.updateResource(gone);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.trackedEntries(), both / 2);
    ASSERT_TRUE(catalog.removeResource(instances[1].id).ok());
    supervisor.checkOnce();
    EXPECT_EQ(supervisor.trackedEntries(), 0u);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kura::rds

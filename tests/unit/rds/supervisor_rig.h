#pragma once
// An RDS supervisor over a catalog of its own in a temporary directory, with
// an engine that has nothing to say (QuietEngine, or a test's own) and no
// reconciler running: nothing runs but the passes a test asks for
// (checkOnce), and the jobs those passes start (rebuilds).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/crypto.h"
#include "common/secret_box.h"
#include "proxy/endpoint_proxy.h"
#include "quiet_engine.h"
#include "rds/rds_supervisor.h"
#include "services/rds/rds_kinds.h"

namespace kura::rds::testing {

// A directory removed with everything in it when it goes (declared first in
// the rig, it goes last, after the catalog that has files open in it).
struct TempDir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("kura-supervisor-test-" + toHex(randomBytes(6)));
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

template <typename Engine>
struct SupervisorRigWith {
  // `routed`: endpoints listen on loopback (a Multi-AZ primary is routed
  // before its standby is looked at).
  explicit SupervisorRigWith(bool routed = false)
      : proxies(routed ? std::make_unique<EndpointProxies>("127.0.0.1") : nullptr) {
    supervisor.setMetricSink([](const Resource&, const std::string&, double, const std::string&) {});
  }
  TempDir temp;
  std::filesystem::path dir = temp.path;
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(SystemTime(std::chrono::hours(24 * 365 * 56)));
  Catalog catalog{dir, clock};
  Reconciler reconciler{catalog, clock};
  std::shared_ptr<SecretBox> secrets = openSecrets(dir);
  Engine engine;
  std::unique_ptr<EndpointProxies> proxies;
  RdsSupervisor supervisor{catalog, reconciler, engine, *secrets, RdsPaths{dir / "rds"}, clock, nullptr,
                           proxies.get()};
  // A record of `kind` in the rig's account and region, in `status` (its
  // goal too), named `name`, its ARN's resource part `arnPart` + name.
  static Resource draft(const char* kind, const std::string& name, const std::string& arnPart,
                        const std::string& status) {
    Resource record;
    record.accountId = "000000000000";
    record.region = "ap-northeast-1";
    record.service = "rds";
    record.kind = kind;
    record.name = name;
    record.arn = "arn:aws:rds:ap-northeast-1:000000000000:" + arnPart + name;
    record.status = record.goal = status;
    return record;
  }
  // A PostgreSQL instance's record, in `status` (its goal too).
  Resource addInstance(const std::string& name, const std::string& status) {
    Resource record = draft(kInstance, name, "db:", status);
    record.spec = {{"Engine", "postgres"},
                   {"MasterUsername", "admin"},
                   {"MasterUserPasswordSealed", secrets->seal("a-password")},
                   {"DbiResourceId", "db-" + name},
                   {"BackupRetentionPeriod", 0}};
    record.state = {{"EnginePort", 1}};
    auto created = catalog.createResource(record);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? *created : record;
  }
  // Rereads the record at `arn`, lets `edit` change it, and stores it.
  template <typename Edit>
  void update(const std::string& arn, Edit edit) {
    Resource record = *catalog.getResourceByArn(arn);
    edit(record);
    auto stored = catalog.updateResource(record);
    ASSERT_TRUE(stored.ok()) << stored.error().message;
  }
  // The record at `arn` in `status`, its goal too.
  void setStatus(const std::string& arn, const std::string& status) {
    update(arn, [&](Resource& record) { record.status = record.goal = status; });
  }

 private:
  static std::shared_ptr<SecretBox> openSecrets(const std::filesystem::path& dir) {
    auto opened = SecretBox::openOrCreate(dir / "keys" / "catalog-secrets.key");
    if (!opened.ok()) throw std::runtime_error(opened.error().message);
    return *opened;
  }
};

using SupervisorRig = SupervisorRigWith<QuietEngine>;

}  // namespace kura::rds::testing

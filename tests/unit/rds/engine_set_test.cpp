// The engine set hands each call to the driver of the layout's engine, and
// a layout of an engine no driver runs fails or answers "no".
#include "rds/engine_set.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

// A driver that records which engine's layouts reach it.
class RecordingEngine final : public InstanceEngine {
 public:
  std::vector<std::string> calls;
  Result<bool> note(const EngineLayout& layout) {
    calls.push_back(layout.engine);
    return true;
  }
  Result<bool> create(const EngineLayout& l) override { return note(l); }
  Result<bool> start(const EngineLayout& l) override { return note(l); }
  Result<bool> stop(const EngineLayout& l) override { return note(l); }
  bool running(const EngineLayout& l) override { return note(l).ok(); }
  Result<bool> setMasterPassword(const EngineLayout& l) override { return note(l); }
  Result<bool> reload(const EngineLayout& l) override { return note(l); }
  Result<BackupResult> backup(const EngineLayout& l, const std::filesystem::path&) override {
    note(l);
    return BackupResult{};
  }
  Result<bool> restore(const std::filesystem::path&, const EngineLayout& l, std::optional<SystemTime>,
                       const std::filesystem::path&) override {
    return note(l);
  }
  std::optional<SystemTime> latestRestorableTime(const EngineLayout& l) override {
    note(l);
    return SystemTime{};
  }
  Result<bool> createStandby(const EngineLayout& p, const EngineLayout&) override { return note(p); }
  Result<bool> follow(const EngineLayout& s, const EngineLayout&) override { return note(s); }
  std::optional<ReplicaStatus> replicaStatus(const EngineLayout& s) override {
    note(s);
    return ReplicaStatus{};
  }
  Result<bool> promote(const EngineLayout& l) override { return note(l); }
  Result<bool> fence(const EngineLayout& l) override { return note(l); }
  bool healthy(const EngineLayout& l, std::chrono::milliseconds) override { return note(l).ok(); }
  bool synchronousStandbyStreaming(const EngineLayout& p, std::chrono::seconds) override { return note(p).ok(); }
  bool standbyStreaming(const EngineLayout& p, std::chrono::seconds) override { return note(p).ok(); }
  std::optional<uint64_t> walPosition(const EngineLayout& l) override {
    note(l);
    return 1;
  }
  std::optional<int64_t> connections(const EngineLayout& l) override {
    note(l);
    return 1;
  }
  Result<bool> destroy(const EngineLayout& l) override { return note(l); }
  Result<bool> share(const EngineLayout& l, const std::filesystem::path&) override { return note(l); }
};

EngineLayout layoutFor(const std::string& engine) {
  EngineLayout layout;
  layout.engine = engine;
  return layout;
}

TEST(EngineSet, EachCallGoesToTheDriverOfTheLayoutsEngine) {
  RecordingEngine postgres, mariadb;
  EngineSet set;
  set.add("postgres", postgres);
  set.add("aurora-postgresql", postgres);
  set.add("mysql", mariadb);
  set.add("mariadb", mariadb);
  EXPECT_TRUE(set.create(layoutFor("mysql")));
  EXPECT_TRUE(set.start(layoutFor("postgres")));
  EXPECT_TRUE(set.running(layoutFor("mariadb")));
  EXPECT_TRUE(set.backup(layoutFor("aurora-postgresql"), "/nowhere"));
  EXPECT_TRUE(set.connections(layoutFor("mysql")));
  EXPECT_EQ(postgres.calls, (std::vector<std::string>{"postgres", "aurora-postgresql"}));
  EXPECT_EQ(mariadb.calls, (std::vector<std::string>{"mysql", "mariadb", "mysql"}));
}

TEST(EngineSet, AnEngineWithoutADriverFailsOrAnswersNo) {
  RecordingEngine postgres;
  EngineSet set;
  set.add("postgres", postgres);
  auto created = set.create(layoutFor("mysql"));
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("mysql"), std::string::npos);
  EXPECT_FALSE(set.running(layoutFor("mysql")));
  EXPECT_FALSE(set.healthy(layoutFor("mysql"), std::chrono::milliseconds(10)));
  EXPECT_FALSE(set.latestRestorableTime(layoutFor("mysql")));
  EXPECT_FALSE(set.connections(layoutFor("")));
  EXPECT_TRUE(postgres.calls.empty());
  EXPECT_EQ(set.find("mysql"), nullptr);
}

}  // namespace
}  // namespace kura::rds

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "rds/log_shipper.h"
#include "services/rds/engine_log_files.h"

namespace kura::rds {
namespace {

TEST(MySqlLogEntries, AuditRecordsAreOneEventEach) {
  auto entries = splitMySqlLogEntries(
      "audit",
      "20261203 12:55:43,vm,admin,127.0.0.1,9,0,CONNECT,,,0\n"
      "20261203 12:55:44,vm,admin,127.0.0.1,9,8914,QUERY,,'SELECT 1',0",
      7);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].timestampMs - entries[0].timestampMs, 1000);
  EXPECT_NE(entries[1].message.find("QUERY"), std::string::npos);
}

TEST(MySqlLogEntries, GeneralLogQueriesKeepTheirLines) {
  auto entries = splitMySqlLogEntries(
      "general",
      "261203 12:55:42\t     6 Connect\tadmin@127.0.0.1 on  using TCP/IP\n"
      "\t\t     6 Query\tSELECT a,\n"
      "b FROM t\n"
      "261203  9:05:01\t     6 Quit\t",
      7);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1].message, "\t\t     6 Query\tSELECT a,\nb FROM t");
  EXPECT_EQ(entries[1].timestampMs, entries[0].timestampMs);  // within the same second: no time of its own
  EXPECT_NE(entries[2].timestampMs, entries[0].timestampMs);  // " 9:05:01": an hour padded with a space
}

TEST(MySqlLogEntries, SlowQueryEntriesStartAtTheirTime) {
  auto entries = splitMySqlLogEntries("slowquery",
                                      "# Time: 261203 12:55:46\n"
                                      "# User@Host: admin[admin] @  [127.0.0.1]\n"
                                      "# Query_time: 0.300776  Lock_time: 0.000000\n"
                                      "SELECT SLEEP(0.3);\n"
                                      "# User@Host: admin[admin] @  [127.0.0.1]\n"
                                      "# Query_time: 0.4\n"
                                      "SELECT SLEEP(0.4);",
                                      7);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_NE(entries[0].message.find("SELECT SLEEP(0.3);"), std::string::npos);
  EXPECT_EQ(entries[1].message.rfind("# User@Host", 0), 0u);
  EXPECT_EQ(entries[1].timestampMs, entries[0].timestampMs);
}

TEST(MySqlLogEntries, ErrorLogContinuationLines) {
  auto entries = splitMySqlLogEntries("error",
                                      "2026-12-03 12:55:48 0 [Note] InnoDB: Shutdown\n"
                                      "a line without a time\n"
                                      "2026-12-03 12:55:49 0 [Note] /usr/sbin/mariadbd: Shutdown complete",
                                      7);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].message, "2026-12-03 12:55:48 0 [Note] InnoDB: Shutdown\na line without a time");
  EXPECT_EQ(entries[1].timestampMs - entries[0].timestampMs, 1000);
  auto orphan = splitMySqlLogEntries("error", "no time at all", 99);
  ASSERT_EQ(orphan.size(), 1u);
  EXPECT_EQ(orphan[0].timestampMs, 99);
}

TEST(EngineLogFiles, NamedAsRdsNamesThem) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("kura-log-files-" + std::to_string(::getpid()));
  fs::create_directories(dir / "log");
  for (const char* name : {"mysql-error.log", "mysql-general.log", "mysql-slowquery.log", "server_audit.log",
                           "server_audit.log.1", "server_audit.log.x", "other.log"}) {
    std::ofstream(dir / "log" / name) << "x\n";
  }
  std::vector<std::string> names, types;
  for (const auto& file : engineLogFiles("mariadb", dir)) {
    names.push_back(file.name);
    types.push_back(file.type);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"audit/server_audit.log", "audit/server_audit.log.1",
                                             "error/mysql-error.log", "general/mysql-general.log",
                                             "slowquery/mysql-slowquery.log"}));
  EXPECT_EQ(types, (std::vector<std::string>{"audit", "audit", "error", "general", "slowquery"}));
  auto postgres = engineLogFiles("postgres", dir);
  EXPECT_EQ(postgres.size(), 7u);
  EXPECT_EQ(postgres.front().type, "postgresql");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kura::rds

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

struct ShipperFixture {
  fs::path dir = fs::temp_directory_path() / ("kura-shipper-" + std::to_string(::getpid()));
  Resource instance;
  std::vector<std::pair<std::string, std::string>> shipped;  // group, message
  LogShipper shipper{[this](const Resource&, const std::string& group, const std::string&,
                            const std::vector<ShippedEntry>& entries) {
    for (const auto& entry : entries) shipped.emplace_back(group, entry.message);
    return true;
  }};

  ShipperFixture() {
    fs::remove_all(dir);
    fs::create_directories(dir / "log");
    instance.name = "db";
    instance.spec = {{"Engine", "mariadb"}, {"EnabledCloudwatchLogsExports", {"audit"}}};
  }
  ~ShipperFixture() { fs::remove_all(dir); }
  void append(const std::string& name, const std::string& text) {
    std::ofstream(dir / "log" / name, std::ios::app) << text;
  }
  std::vector<std::string> messages(const std::string& group) {
    std::vector<std::string> out;
    for (const auto& [g, m] : shipped) {
      if (g == group) out.push_back(m);
    }
    shipped.clear();
    return out;
  }
};

TEST(LogShipper, FollowsTheAuditLogAcrossItsRotation) {
  ShipperFixture f;
  const std::string audit = "/aws/rds/instance/db/audit";
  f.append("server_audit.log", "20261203 12:00:00,h,u,l,1,1,QUERY,,'one',0\n");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_EQ(f.messages(audit), (std::vector<std::string>{"20261203 12:00:00,h,u,l,1,1,QUERY,,'one',0"}));
  // Written to, then rotated (renamed to .1) and a new file begun, between two passes.
  f.append("server_audit.log", "20261203 12:00:01,h,u,l,1,2,QUERY,,'two',0\n");
  fs::rename(f.dir / "log" / "server_audit.log", f.dir / "log" / "server_audit.log.1");
  f.append("server_audit.log", "20261203 12:00:02,h,u,l,1,3,QUERY,,'three',0\n");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  auto second = f.messages(audit);
  std::sort(second.begin(), second.end());
  EXPECT_EQ(second, (std::vector<std::string>{"20261203 12:00:01,h,u,l,1,2,QUERY,,'two',0",
                                              "20261203 12:00:02,h,u,l,1,3,QUERY,,'three',0"}));
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_TRUE(f.messages(audit).empty());  // nothing twice
}

TEST(LogShipper, ATypeNotExportedIsPassedOver) {
  ShipperFixture f;
  const std::string error = "/aws/rds/instance/db/error";
  f.append("mysql-error.log", "2026-12-03 12:00:00 0 [Note] before\n");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_TRUE(f.messages(error).empty());
  f.instance.spec["EnabledCloudwatchLogsExports"] = {"audit", "error"};
  f.append("mysql-error.log", "2026-12-03 12:00:01 0 [Note] after\n");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_EQ(f.messages(error), (std::vector<std::string>{"2026-12-03 12:00:01 0 [Note] after"}));
  // A half-written line waits for its end.
  f.append("mysql-error.log", "2026-12-03 12:00:02 0 [Note] hal");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_TRUE(f.messages(error).empty());
  f.append("mysql-error.log", "f\n");
  f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  EXPECT_EQ(f.messages(error), (std::vector<std::string>{"2026-12-03 12:00:02 0 [Note] half"}));
}

TEST(LogShipper, AMalformedStateFileIsReadAsNoState) {
  ShipperFixture f;
  const std::string audit = "/aws/rds/instance/db/audit";
  std::ofstream(f.dir / "log-shipping.json")
      << R"({"audit/server_audit.log": {"inode": "x", "offset": [1]}, "audit/server_audit.log.99999999999": {}})";
  f.append("server_audit.log", "20261203 12:00:00,h,u,l,1,1,QUERY,,'one',0\n");
  EXPECT_NO_THROW(f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr)));
  EXPECT_EQ(f.messages(audit), (std::vector<std::string>{"20261203 12:00:00,h,u,l,1,1,QUERY,,'one',0"}));
}

TEST(LogShipper, ALineLongerThanAPassDoesNotStallTheFile) {
  ShipperFixture f;
  const std::string general = "/aws/rds/instance/db/general";
  f.instance.spec["EnabledCloudwatchLogsExports"] = {"general"};
  f.append("mysql-general.log", "261203 12:00:00\t     6 Query\tSELECT '" + std::string(3 << 20, 'x') + "'\n");
  f.append("mysql-general.log", "261203 12:00:01\t     6 Quit\t\n");
  for (int pass = 0; pass < 5; ++pass) f.shipper.ship(f.instance, f.dir, logTargetOf(f.instance, nullptr));
  auto shipped = f.messages(general);
  ASSERT_FALSE(shipped.empty());
  EXPECT_EQ(shipped.back(), "261203 12:00:01\t     6 Quit\t");
}

}  // namespace
}  // namespace kura::rds

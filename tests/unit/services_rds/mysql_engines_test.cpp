// The MySQL and MariaDB versions RDS users send: recorded as sent when the
// installed MariaDB serves them, refused otherwise.
#include "services/rds/mysql_engines.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

TEST(MySqlEngines, MySqlEightZeroVersionsAreRecordedAsSent) {
  auto asked = mySqlVersionOf("mysql", "8.0.36", "10.11.19");
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->version, "8.0.36");
  EXPECT_EQ(asked->major, "8.0");
  EXPECT_TRUE(mySqlVersionOf("mysql", "8.0", "10.11.19"));
  EXPECT_EQ(mySqlVersionOf("mysql", "", "10.11.19")->major, "8.0");  // the default
  EXPECT_FALSE(mySqlVersionOf("mysql", "5.7.44", "10.11.19"));
  EXPECT_FALSE(mySqlVersionOf("mysql", "8.0.36; DROP", "10.11.19"));
}

TEST(MySqlEngines, MariaDbRunsTheInstalledSeries) {
  EXPECT_EQ(mySqlVersionOf("mariadb", "", "10.11.19")->version, "10.11.19");
  auto asked = mySqlVersionOf("mariadb", "11.4.3", "10.11.19");
  ASSERT_TRUE(asked);
  EXPECT_EQ(asked->version, "11.4.3");
  EXPECT_EQ(asked->major, "10.11");
  EXPECT_FALSE(mySqlVersionOf("mariadb", "5.5", "10.11.19"));
  EXPECT_FALSE(mySqlVersionOf("mariadb", "10.11.19", ""));  // none installed
  EXPECT_FALSE(mySqlVersionOf("postgres", "15", "10.11.19"));
}

TEST(MySqlEngines, FamiliesAreNamedAsRdsNamesThem) {
  EXPECT_EQ(mySqlFamily("mysql", "10.11.19"), "mysql8.0");
  EXPECT_EQ(mySqlFamily("mariadb", "10.11.19"), "mariadb10.11");
  EXPECT_TRUE(servedByMariaDb("mysql"));
  EXPECT_TRUE(servedByMariaDb("mariadb"));
  EXPECT_EQ(mySqlFamily("aurora-mysql", "10.11.19"), "aurora-mysql8.0");
  EXPECT_TRUE(servedByMariaDb("aurora-mysql"));
  EXPECT_FALSE(servedByMariaDb("aurora-postgresql"));
}

TEST(MySqlEngines, AuroraMySqlThreeIsServedTwoIsNot) {
  auto runbook = mySqlVersionOf("aurora-mysql", "8.0.mysql_aurora.3.04.1", "10.11.19");
  ASSERT_TRUE(runbook);
  EXPECT_EQ(runbook->version, "8.0.mysql_aurora.3.04.1");
  EXPECT_EQ(runbook->major, "8.0");
  EXPECT_TRUE(mySqlVersionOf("aurora-mysql", "", "10.11.19"));
  EXPECT_FALSE(mySqlVersionOf("aurora-mysql", "5.7.mysql_aurora.2.11.2", "10.11.19"));
  EXPECT_FALSE(mySqlVersionOf("aurora-mysql", "8.0", "10.11.19"));
  EXPECT_FALSE(mySqlVersionOf("aurora-mysql", "8.0.mysql_aurora.3.04.1", ""));
}

}  // namespace
}  // namespace kura::rds

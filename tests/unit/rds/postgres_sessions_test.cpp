#include "rds/postgres_sessions.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace kura::rds {
namespace {

TEST(PostgresSessionsTest, CountsClientsOverTcpOnly) {
  EXPECT_TRUE(isClientSessionTitle("postgres: app appdb 127.0.0.1(54321) idle", "", "rdsadmin"));
  EXPECT_TRUE(isClientSessionTitle("postgres: app appdb ::1(54321) SELECT", "", "rdsadmin"));
  EXPECT_TRUE(isClientSessionTitle("postgres: app appdb 127.0.0.1(54321) authentication", "", "rdsadmin"));
  // Kura's own sessions: over the Unix socket, or as its administrator.
  EXPECT_FALSE(isClientSessionTitle("postgres: app appdb [local] idle", "", "rdsadmin"));
  EXPECT_FALSE(isClientSessionTitle("postgres: rdsadmin postgres 127.0.0.1(4000) idle", "", "rdsadmin"));
  // A standby's or replica's walsender logs in as the administrator.
  EXPECT_FALSE(isClientSessionTitle("postgres: walsender rdsadmin 127.0.0.1(4000) streaming 0/3000148", "",
                                    "rdsadmin"));
  // The server's own processes and workers.
  for (const char* title : {"postgres: checkpointer", "postgres: background writer", "postgres: walwriter",
                            "postgres: autovacuum launcher", "postgres: archiver last was 00000001000000000003",
                            "postgres: logical replication launcher", "postgres: autovacuum worker appdb",
                            "postgres: parallel worker for PID 1234", "postgres: startup recovering 0000000100",
                            "postgres: walreceiver streaming 0/3000148", "postgres", "", "/usr/bin/postgres -D x"}) {
    EXPECT_FALSE(isClientSessionTitle(title, "", "rdsadmin")) << title;
  }
}

TEST(PostgresSessionsTest, ReadsPastTheClusterName) {
  EXPECT_TRUE(isClientSessionTitle("postgres: replica-1: app appdb 127.0.0.1(1) idle", "replica-1", "rdsadmin"));
  EXPECT_FALSE(isClientSessionTitle("postgres: replica-1: checkpointer", "replica-1", "rdsadmin"));
  EXPECT_FALSE(isClientSessionTitle("postgres: other: app appdb 127.0.0.1(1) idle", "replica-1", "rdsadmin"));
}

TEST(PostgresSessionsTest, ANonServerProcessHasNoSessionsAndAGoneOneNoAnswer) {
  // This test's own process: alive, with no children titled as backends.
  EXPECT_EQ(countClientSessions(::getpid(), "", "rdsadmin"), 0);
  EXPECT_EQ(countClientSessions(0, "", "rdsadmin"), std::nullopt);
  EXPECT_EQ(countClientSessions(1 << 30, "", "rdsadmin"), std::nullopt);
}

}  // namespace
}  // namespace kura::rds

#include <gtest/gtest.h>

#include "rds/log_shipper.h"
#include "services/rds/engine_parameter.h"

namespace kura::rds {
namespace {

TEST(LogEntries, ContinuationLinesStayWithTheirEntry) {
  std::string text =
      "2026-11-25 13:12:54 UTC:127.0.0.1(5432):admin@postgres:[42]:LOG:  AUDIT: SESSION,1,1,DDL,CREATE TABLE\n"
      "\tSTATEMENT:  CREATE TABLE t (id int)\n"
      "2026-11-25 13:12:55 UTC::@:[7]:LOG:  checkpoint starting: time";
  auto entries = splitLogEntries(text, 1);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].timestampMs, 1795612374000);
  EXPECT_NE(entries[0].message.find("\tSTATEMENT:  CREATE TABLE"), std::string::npos);
  EXPECT_EQ(entries[1].timestampMs, 1795612375000);
  // A piece that starts mid-entry keeps the fallback time.
  auto orphan = splitLogEntries("\tDETAIL:  something", 99);
  ASSERT_EQ(orphan.size(), 1u);
  EXPECT_EQ(orphan[0].timestampMs, 99);
}

TEST(EngineParameters, DescribeConfigLinesBecomeParameters) {
  auto parameters = parseDescribeConfig(
      "max_connections\tpostmaster\tConnections\tINTEGER\t100\t1\t262143\tSets the maximum connections.\t\n"
      "DateStyle\tuser\tLocale\tSTRING\tISO, MDY\t\t\tSets the display format.\tmore\n"
      "port\tpostmaster\tConnections\tINTEGER\t5432\t1\t65535\tSets the TCP port.\t\n"
      "broken line\n");
  ASSERT_EQ(parameters.size(), 3u);
  EXPECT_EQ(parameters[0].name, "datestyle");
  EXPECT_FALSE(parameters[0].isStatic());
  EXPECT_TRUE(parameters[0].isModifiable());
  EXPECT_EQ(parameters[1].name, "max_connections");
  EXPECT_TRUE(parameters[1].isStatic());
  EXPECT_EQ(parameters[1].dataType(), "integer");
  EXPECT_EQ(parameters[2].name, "port");
  EXPECT_FALSE(parameters[2].isModifiable());  // Kura owns it
}

}  // namespace
}  // namespace kura::rds

#include "drill/report_formats.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "drill/drill_records.h"

namespace kura::drill {
namespace {

DrillReport sample() {
  DrillReport report;
  report.drill = "instance-failure";
  report.resourceType = "db-instance";
  report.resource = "db<script>";
  report.faultAt = 2.0;
  report.fault = "kill of db primary";
  for (int at = 0; at < 50; ++at) {
    WriteAttempt attempt{at + 1, at * 0.1, 0.02, at < 20 || at > 30, ""};
    report.attempts.push_back(attempt);
  }
  report.recovery = measureRecovery(report.attempts, report.faultAt);
  report.loss = measureLoss(report.attempts, {}, report.faultAt);
  report.events.push_back({"2026-12-03T00:00:00Z", "db-instance x", "evil\x1b[2J|message"});
  return report;
}

TEST(DrillReports, HtmlEscapesTheEndpointsTextAndMarksFaultAndRecovery) {
  std::string html = formatHtml(sample());
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("db&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("fault 2.00 s"), std::string::npos);
  EXPECT_NE(html.find("recovered 3.12 s"), std::string::npos);
}

TEST(DrillReports, MarkdownAndTableKeepControlCharactersAndPipesOut) {
  std::string markdown = formatMarkdown(sample());
  EXPECT_EQ(markdown.find('\x1b'), std::string::npos);
  EXPECT_NE(markdown.find("evil?[2J\\|message"), std::string::npos);
  EXPECT_NE(markdown.find("| RTO | 1.12 s |"), std::string::npos);
  EXPECT_EQ(formatDrillTable(sample()).find('\x1b'), std::string::npos);
}

TEST(DrillReports, JsonAndLogSummaryCarryTheFigures) {
  auto json = nlohmann::json::parse(formatDrillJson(sample()));
  EXPECT_NEAR(json["rtoSeconds"].get<double>(), 1.12, 1e-9);
  EXPECT_EQ(json["acked"], 39);
  EXPECT_EQ(json["timeline"].size(), 6u);
  auto summary = nlohmann::json::parse(drillLogMessage(sample()));
  EXPECT_EQ(summary["verdict"], "failed");
  EXPECT_EQ(summary["lostWrites"], 39);
  EXPECT_EQ(drillLogStream("instance-failure", "db-instance", "a"), "instance-failure/db-instance/a");
}

}  // namespace
}  // namespace kura::drill

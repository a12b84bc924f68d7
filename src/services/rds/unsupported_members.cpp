#include "services/rds/unsupported_members.h"

#include <array>

namespace kura::rds {
namespace {

struct Unsupported {
  std::string_view member;
  std::string_view why;
  std::optional<std::string_view> harmless = std::nullopt;  // a value that asks for what Kura does anyway
  std::string_view operation = {};                          // empty: every operation that has the member
};

constexpr std::string_view kOptionGroups = "Kura has no option groups; a default one (default:...) is all it takes.";
constexpr std::string_view kMonitoring = "Kura has no Enhanced Monitoring; its CloudWatch metrics come without it.";
constexpr std::string_view kInsights = "Kura has no Performance Insights.";
constexpr std::string_view kDomain = "Kura joins no directory domain (Kerberos).";
constexpr std::string_view kOtherEngines = "It is Oracle's or SQL Server's, which Kura does not run.";
constexpr std::string_view kCustom = "Kura runs no RDS Custom or Outposts instances.";
constexpr std::string_view kLogsLater =
    "Kura sets a new instance's log exports from its source; change them with modify-db-instance "
    "--cloudwatch-logs-export-configuration once it is available.";

constexpr std::array<Unsupported, 33> kUnsupported = {{
    {"OptionGroupName", kOptionGroups},
    {"MonitoringInterval", kMonitoring, "0"},
    {"MonitoringRoleArn", kMonitoring},
    {"EnablePerformanceInsights", kInsights, "false"},
    {"PerformanceInsightsKMSKeyId", kInsights},
    {"PerformanceInsightsRetentionPeriod", kInsights},
    {"Domain", kDomain},
    {"DomainIAMRoleName", kDomain},
    {"ProcessorFeatures", "Kura sets no processor features."},
    {"UseDefaultProcessorFeatures", "Kura sets no processor features.", "true"},
    {"NetworkType", "Kura's endpoints are IPv4.", "IPV4"},
    {"DBSecurityGroups", "DB security groups are EC2-Classic's; give VpcSecurityGroupIds."},
    {"CharacterSetName", kOtherEngines},
    {"NcharCharacterSetName", kOtherEngines},
    {"Timezone", kOtherEngines},
    {"TdeCredentialArn", kOtherEngines},
    {"TdeCredentialPassword", kOtherEngines},
    {"EnableCustomerOwnedIp", kCustom, "false"},
    {"CustomIamInstanceProfile", kCustom},
    {"BackupTarget", kCustom, "region"},
    {"AutomationMode", kCustom},
    {"ResumeFullAutomationModeMinutes", kCustom},
    {"ReplicaMode", "Mounted replicas are Oracle's, which Kura does not run."},
    {"AwsBackupRecoveryPointArn", "Kura keeps no AWS Backup recovery points."},
    {"EnableHttpEndpoint", "Kura has no Data API (the HTTP endpoint).", "false"},
    {"BacktrackWindow", "Kura has no Backtrack; restore to a point in time instead.", "0"},
    {"ScalingConfiguration", "Aurora Serverless v1 is not run by Kura; give ServerlessV2ScalingConfiguration."},
    {"EngineMode", "Kura runs provisioned clusters only.", "provisioned"},
    {"EnableGlobalWriteForwarding", "Kura has no global databases.", "false"},
    {"DBClusterInstanceClass", "Multi-AZ DB clusters are not run by Kura; Aurora clusters are."},
    {"DBInstanceParameterGroupName", "Give each instance its parameter group with modify-db-instance.", {},
     "ModifyDBCluster"},
    {"DBPortNumber", "Kura does not move a running instance to another port.", {}, "ModifyDBInstance"},
    {"Port", "Kura does not move a running cluster to another port.", {}, "ModifyDBCluster"},
}};

// Members whose effect differs by operation, beside the table.
std::optional<ApiError> refuseForOperation(std::string_view operation, const Json& in) {
  bool makesInstanceFromAnother = operation == "RestoreDBInstanceFromDBSnapshot" ||
                                  operation == "RestoreDBInstanceToPointInTime" ||
                                  operation == "CreateDBInstanceReadReplica";
  if (makesInstanceFromAnother && !in.value("EnableCloudwatchLogsExports", Json::array()).empty()) {
    return ApiError::sender("InvalidParameterValue", "The parameter EnableCloudwatchLogsExports is not supported by "
                                                     "Kura here: " + std::string(kLogsLater) + " Nothing was done.");
  }
  return std::nullopt;
}

bool harmless(const Json& value, const Unsupported& rule) {
  if (value.is_array() && value.empty()) return true;
  // The default option group is what every instance has.
  if (rule.member == "OptionGroupName") {
    return value.is_string() && value.get<std::string>().rfind("default:", 0) == 0;
  }
  if (!rule.harmless) return false;
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  return text == *rule.harmless;
}

}  // namespace

std::optional<ApiError> refuseUnsupportedMembers(std::string_view operation, const Json& in) {
  for (const Unsupported& rule : kUnsupported) {
    if (!rule.operation.empty() && rule.operation != operation) continue;
    auto found = in.find(std::string(rule.member));
    if (found == in.end() || harmless(*found, rule)) continue;
    return ApiError::sender("InvalidParameterValue", "The parameter " + std::string(rule.member) +
                                                         " is not supported by Kura: " + std::string(rule.why) +
                                                         " Nothing was done.");
  }
  return refuseForOperation(operation, in);
}

}  // namespace kura::rds

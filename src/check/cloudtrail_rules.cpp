// cloudtrail-logging (runbook 2.3, 3.3) and cloudtrail-log-validation (5):
// every API call recorded, and the record's integrity verifiable.
#include "check/json_fields.h"
#include "check/rule_groups.h"

namespace kura::check {

void checkCloudTrail(CheckContext& context) {
  std::string account = "cloudtrail:" + context.region();
  const auto& answer = context.read("cloudtrail", "DescribeTrails");
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("cloudtrail-logging", account, "DescribeTrails", *error);
    context.unreadable("cloudtrail-log-validation", account, "DescribeTrails", *error);
    return;
  }
  const auto& trails = listOf(*client::outputOf(answer), "trailList");
  std::string cloudtrail = context.aws("cloudtrail");
  if (trails.empty()) {
    std::string fix = cloudtrail +
                      " create-trail --name audit --s3-bucket-name <bucket> --is-multi-region-trail "
                      "--enable-log-file-validation && " +
                      cloudtrail + " start-logging --name audit";
    context.failed("cloudtrail-logging", account, "no trail", fix);
    context.failed("cloudtrail-log-validation", account, "no trail", fix);
    return;
  }
  for (const auto& trail : trails) {
    std::string arn = textOf(trail, "TrailARN");
    std::string name = textOf(trail, "Name");
    if (arn.empty()) arn = name;
    const auto& status = context.read("cloudtrail", "GetTrailStatus", {{"Name", arn}});
    if (const auto* error = client::errorOf(status)) {
      context.unreadable("cloudtrail-logging", arn, "GetTrailStatus", *error);
    } else if (flagOf(*client::outputOf(status), "IsLogging")) {
      context.passed("cloudtrail-logging", arn, "logging");
    } else {
      context.failed("cloudtrail-logging", arn, "the trail exists but is not logging",
                     cloudtrail + " start-logging --name " + arn);
    }
    if (flagOf(trail, "LogFileValidationEnabled")) {
      context.passed("cloudtrail-log-validation", arn, "log file validation on");
    } else {
      context.failed("cloudtrail-log-validation", arn, "log file validation off",
                     cloudtrail + " update-trail --name " + arn + " --enable-log-file-validation");
    }
  }
}

}  // namespace kura::check

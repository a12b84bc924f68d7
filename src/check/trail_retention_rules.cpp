// cloudtrail-retention (runbook 5: audit logs kept long): every event data
// store that is enabled keeps its events 365 days or more. A trail that
// delivers to S3 alone keeps them as the bucket's lifecycle says, which is
// not read: with no event data store the rule is not checkable.
#include "check/json_fields.h"
#include "check/rule_groups.h"

namespace kura::check {

namespace {
constexpr long long kYearDays = 365;
}

void checkTrailRetention(CheckContext& context) {
  std::string account = "cloudtrail:" + context.region();
  const auto& answer = context.read("cloudtrail", "ListEventDataStores");
  if (const auto* error = client::errorOf(answer)) {
    context.unreadable("cloudtrail-retention", account, "ListEventDataStores", *error);
    return;
  }
  bool any = false;
  for (const auto& store : listOf(*client::outputOf(answer), "EventDataStores")) {
    std::string status = textOf(store, "Status");
    if (!status.empty() && status != "ENABLED") continue;
    any = true;
    std::string arn = textOf(store, "EventDataStoreArn");
    if (arn.empty()) arn = textOf(store, "Name");
    auto days = numberOf(store, "RetentionPeriod");
    if (!days) {
      context.notCheckable("cloudtrail-retention", arn, "the event data store reports no retention period");
    } else if (*days >= kYearDays) {
      context.passed("cloudtrail-retention", arn, "events kept " + std::to_string(*days) + " days");
    } else {
      context.failed("cloudtrail-retention", arn, "events kept " + std::to_string(*days) + " days, under a year",
                     context.aws("cloudtrail") + " update-event-data-store --event-data-store " + arn +
                         " --retention-period 365");
    }
  }
  if (!any) {
    context.notCheckable("cloudtrail-retention", account,
                         "no event data store; a trail's S3 lifecycle (where it delivers alone) is not read");
  }
}

}  // namespace kura::check

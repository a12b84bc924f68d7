#pragma once
#include "services/core/service_module.h"
#include "trail/account_trail_activity.h"

namespace kura {

// AWS CloudTrail's event history: LookupEvents over Kura's own trail of
// every API call (see src/trail/), and that trail described
// (trail_description.h); `logging` false when the server runs with --trail
// off; `retentionDays` its --trail-retention-days (0: kept forever);
// `activity` each account's own delivery times, for GetTrailStatus.
ServiceModulePtr makeCloudTrailService(const ServiceEnv& env, bool logging = true, int retentionDays = 0,
                                       const AccountTrailActivity* activity = nullptr);

}  // namespace kura

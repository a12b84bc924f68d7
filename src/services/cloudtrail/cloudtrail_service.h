#pragma once
#include "services/core/service_module.h"

namespace kura {

// AWS CloudTrail's event history: LookupEvents over Kura's own trail of
// every API call (see src/trail/).
ServiceModulePtr makeCloudTrailService(const ServiceEnv& env);

}  // namespace kura

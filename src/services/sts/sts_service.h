#pragma once
#include "services/core/service_module.h"

namespace kura {

// AWS Security Token Service: GetCallerIdentity, answered from the
// credential that signed the request.
ServiceModulePtr makeStsService(const ServiceEnv& env);

}  // namespace kura

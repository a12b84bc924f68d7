#pragma once
#include "common/secret_box.h"
#include "services/core/service_module.h"

namespace kura {

// AWS Security Token Service: GetCallerIdentity, answered from the
// credential that signed the request; AssumeRole and GetSessionToken,
// which issue temporary credentials (services/sts/sts_sessions.h).
ServiceModulePtr makeStsService(const ServiceEnv& env, const SecretBox& secrets);

}  // namespace kura

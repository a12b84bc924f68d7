#pragma once
#include "catalog/catalog.h"
#include "common/secret_box.h"
#include "services/core/service_module.h"

namespace kura {

// AWS Identity and Access Management, the first slice: users, access keys,
// managed and inline policies (services/iam/iam_api.h). The request path
// accepts the users' keys and evaluates their policies (src/iam/).
ServiceModulePtr makeIamService(Catalog& catalog, const SecretBox& secrets);

}  // namespace kura

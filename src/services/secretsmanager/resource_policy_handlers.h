#pragma once
// Secrets Manager's resource policies: PutResourcePolicy (BlockPublicPolicy),
// GetResourcePolicy, DeleteResourcePolicy, ValidateResourcePolicy. Who the
// policy lets in is decided in services/secretsmanager/secret_access.h.
#include <functional>

#include "services/core/handler_table.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

// Reads or changes one secret under the service's lock: `write` for a
// secret that must not be scheduled for deletion.
using SecretChange = std::function<Result<Json>(secrets::SecretRecord&)>;
using WithSecret =
    std::function<Result<Json>(const RequestContext&, const std::string& id, bool write, const SecretChange& change)>;

void addResourcePolicyHandlers(HandlerTable& handlers, secrets::SecretStore& store, WithSecret withSecret);

}  // namespace kura

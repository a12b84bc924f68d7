#pragma once
// KMS operations on who may use a key: key policies (GetKeyPolicy,
// PutKeyPolicy, ListKeyPolicies) and grants (CreateGrant, ListGrants,
// ListRetirableGrants, RetireGrant, RevokeGrant).
#include "kms/key_access.h"
#include "services/core/handler_table.h"

namespace kura {

void addKeyPolicyHandlers(HandlerTable& handlers, kms::KeyManager& keys, kms::KeyAccess& access);
void addGrantHandlers(HandlerTable& handlers, kms::KeyManager& keys, kms::KeyAccess& access);

// A request's GrantTokens must name grants that exist (Kura's grants are
// usable as soon as they are made): InvalidGrantTokenException.
Result<bool> checkGrantTokens(kms::KeyManager& keys, const Json& input);

// The caller as key policies and grants name it: an IAM principal's ARN, or
// the account root's.
auth::Caller callerOf(const RequestContext& context);

}  // namespace kura

#pragma once
// The resources of IAM users' calls that only a service's own records know
// (docs/iam.md): a KMS alias's key, and a secret's full ARN, whose random
// suffix the name does not carry.
#include "iam/request_authorizer.h"
#include "kms/key_manager.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

void addResourceResolvers(iam::RequestAuthorizer& authorizer, kms::KeyManager& keys, secrets::SecretStore& secrets);

}  // namespace kura

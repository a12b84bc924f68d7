#pragma once
#include "kms/key_manager.h"
#include "services/core/service_module.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

// AWS Secrets Manager (json 1.1): secrets with versions and staging labels,
// every value envelope-encrypted under the secret's KMS key.
ServiceModulePtr makeSecretsManagerService(secrets::SecretStore& store, kms::KeyManager& keys, ClockPtr clock);

}  // namespace kura

#pragma once
#include "kms/key_manager.h"
#include "services/core/managed_secrets.h"
#include "services/core/service_module.h"
#include "services/secretsmanager/secret_store.h"

namespace kura {

// AWS Secrets Manager (json 1.1): secrets with versions and staging labels,
// every value envelope-encrypted under the secret's KMS key; and the
// secrets other services own (ManagedSecrets), rotated on their schedule
// by a pass every few seconds between start() and stop() (owned_rotation.h).
class SecretsManagerModule : public ServiceModule, public ManagedSecrets {};

std::unique_ptr<SecretsManagerModule> makeSecretsManagerService(secrets::SecretStore& store, kms::KeyManager& keys,
                                                                ClockPtr clock);

}  // namespace kura

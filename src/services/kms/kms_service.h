#pragma once
#include "kms/key_access.h"
#include "kms/key_manager.h"
#include "services/core/service_module.h"

namespace kura {

// AWS Key Management Service (json 1.1) over the KeyManager: symmetric keys,
// aliases, states, rotation, tags, encryption with data keys, key policies
// and grants (kms/key_access.h decides who may use a key).
ServiceModulePtr makeKmsService(kms::KeyManager& keys);

}  // namespace kura

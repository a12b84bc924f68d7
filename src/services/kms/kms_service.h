#pragma once
#include "kms/key_manager.h"
#include "services/core/service_module.h"

namespace kura {

// AWS Key Management Service (json 1.1) over the KeyManager: symmetric keys,
// aliases, states, rotation, tags, and encryption with data keys.
ServiceModulePtr makeKmsService(kms::KeyManager& keys);

}  // namespace kura

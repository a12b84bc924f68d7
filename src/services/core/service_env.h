#pragma once
#include <filesystem>
#include <functional>

#include "common/clock.h"

namespace kura {

class Catalog;
class Reconciler;
namespace kms {
class KeyManager;
}

// What the server hands every service when it registers its handlers.
struct ServiceEnv {
  std::filesystem::path dataDir;  // the server's --data-dir
  ClockPtr clock;
  Catalog* catalog = nullptr;        // durable control-plane state
  Reconciler* reconciler = nullptr;  // drives resources to their goal
  kms::KeyManager* keys = nullptr;   // KMS, for services that encrypt under a customer's key
  // Writes the trail's buffered records (CloudTrail reads them back).
  std::function<void()> flushTrail;
};

}  // namespace kura

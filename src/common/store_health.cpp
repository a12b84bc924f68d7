#include "common/store_health.h"

#include <algorithm>
#include <cctype>

namespace kura {

StoreHealth& StoreHealth::global() {
  static StoreHealth health;
  return health;
}

void StoreHealth::failing(const std::string& store, std::string reason) {
  std::lock_guard lock(mutex_);
  failing_[store] = std::move(reason);
}

void StoreHealth::recovered(const std::string& store) {
  std::lock_guard lock(mutex_);
  failing_.erase(store);
}

void StoreHealth::setProbe(const std::string& store, std::function<bool()> probe) {
  std::lock_guard lock(mutex_);
  probes_[store] = std::move(probe);
}

void StoreHealth::removeProbe(const std::string& store) {
  std::unique_lock lock(mutex_);
  probes_.erase(store);
  // A probe looked up before the erase may still be running.
  probesEnded_.wait(lock, [&] { return running_.find(store) == running_.end(); });
}

std::vector<std::pair<std::string, std::string>> StoreHealth::problems() {
  std::vector<std::pair<std::string, std::function<bool()>>> toProbe;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [store, reason] : failing_) {
      auto probe = probes_.find(store);
      if (probe == probes_.end()) continue;
      toProbe.emplace_back(store, probe->second);
      ++running_[store];
    }
  }
  // Probes take their store's own locks: never under ours.
  for (const auto& [store, probe] : toProbe) {
    bool healed = false;
    try {
      healed = probe();
    } catch (...) {
      // Counted out all the same below; a probe that throws heals nothing.
    }
    std::lock_guard lock(mutex_);
    if (healed) failing_.erase(store);
    if (--running_[store] == 0) running_.erase(store);
    probesEnded_.notify_all();
  }
  std::lock_guard lock(mutex_);
  return {failing_.begin(), failing_.end()};
}

std::string describeStorageFailure(const std::string& message) {
  std::string lower = message;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* sign : {"no space", "disk is full", "enospc", "nospace"}) {
    if (lower.find(sign) != std::string::npos) return "no space left on device";
  }
  return message;
}

}  // namespace kura

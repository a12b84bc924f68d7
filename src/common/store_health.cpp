#include "common/store_health.h"

#include <algorithm>
#include <optional>
#include <cctype>
#include <system_error>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

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

void StoreHealth::runProbe(const std::string& store, const std::function<bool()>& probe) {
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

// Starts the store's probe on a thread of its own unless one is under way;
// under mutex_. The flight to wait for, or none (one was under way, or no
// thread could be started: then `inline_` has the probe, to be run by the
// caller without the lock).
std::optional<std::shared_future<void>> StoreHealth::startProbeLocked(
    const std::string& store, std::vector<std::pair<std::string, std::function<bool()>>>& inline_) {
  auto probe = probes_.find(store);
  if (probe == probes_.end()) return std::nullopt;
  std::shared_future<void>& flight = probing_[store];
  if (flight.valid() && flight.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
  probeBegan_[store] = {std::chrono::steady_clock::now(), false};
  // Probes take their store's own locks: never under ours.
  ++running_[store];
  try {
    flight = std::async(std::launch::async, [this, store = store, run = probe->second] { runProbe(store, run); })
                 .share();
  } catch (const std::system_error&) {
    flight = {};
    inline_.emplace_back(store, probe->second);
    return std::nullopt;
  }
  return flight;
}

void StoreHealth::kick(const std::string& store) {
  std::vector<std::pair<std::string, std::function<bool()>>> inline_;
  {
    std::lock_guard lock(mutex_);
    if (failing_.find(store) == failing_.end()) return;
    startProbeLocked(store, inline_);
  }
  for (const auto& [name, probe] : inline_) runProbe(name, probe);
}

std::vector<std::pair<std::string, std::string>> StoreHealth::problems() {
  std::vector<std::shared_future<void>> awaited;  // the probes this check started
  std::vector<std::pair<std::string, std::function<bool()>>> inline_;  // when no thread could be started
  {
    std::lock_guard lock(mutex_);
    for (const auto& [store, reason] : failing_) {
      if (auto flight = startProbeLocked(store, inline_)) awaited.push_back(*flight);
    }
  }
  for (const auto& [store, probe] : inline_) runProbe(store, probe);
  auto until = std::chrono::steady_clock::now() + probeWait_;
  for (const auto& flight : awaited) flight.wait_until(until);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out(failing_.begin(), failing_.end());
  auto now = std::chrono::steady_clock::now();
  for (const auto& [store, reason] : failing_) {
    auto flight = probing_.find(store);
    auto began = probeBegan_.find(store);
    if (flight == probing_.end() || began == probeBegan_.end() || !flight->second.valid() ||
        flight->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready ||
        now - began->second.first < stuckAfter_) {
      continue;
    }
    // A reason of its own, beside the store's (which says what failed).
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - began->second.first).count();
    out.emplace_back(store, fmt::format("recovery stuck: {} (for {} s): restart Kura; acknowledged writes are kept",
                                        store, seconds));
    if (!began->second.second) {
      began->second.second = true;
      spdlog::error("msg=\"a store's recovery has not ended: restart Kura to write again (acknowledged writes are "
                    "kept)\" store={} seconds={}",
                    store, seconds);
    }
  }
  return out;
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

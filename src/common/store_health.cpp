#include "common/store_health.h"

#include <algorithm>
#include <cctype>
#include <optional>
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
  ++failures_[store];
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

void StoreHealth::runProbe(const std::string& store, const std::function<bool()>& probe, uint64_t failures) {
  bool healed = false;
  try {
    healed = probe();
  } catch (...) {
    // Counted out all the same below; a probe that throws heals nothing.
  }
  std::lock_guard lock(mutex_);
  // Not a failure that came while the probe ran (the store stopped again
  // after its recovery): that one is for the next probe.
  if (healed && failures_[store] == failures) failing_.erase(store);
  if (--running_[store] == 0) running_.erase(store);
  probesEnded_.notify_all();
}

// Starts the store's probe on a thread of its own unless one is under way
// (or no thread can be started: then it is left for a later call); under
// mutex_. The flight to wait for, or none.
std::optional<std::shared_future<void>> StoreHealth::startProbeLocked(const std::string& store) {
  auto probe = probes_.find(store);
  if (probe == probes_.end()) return std::nullopt;
  std::shared_future<void>& flight = probing_[store];
  if (flight.valid() && flight.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
  // Probes take their store's own locks: never under ours.
  ++running_[store];
  try {
    flight = std::async(std::launch::async, [this, store = store, run = probe->second, failures = failures_[store]] {
               runProbe(store, run, failures);
             }).share();
  } catch (const std::system_error&) {
    flight = {};
    if (--running_[store] == 0) running_.erase(store);
    return std::nullopt;
  }
  probeBegan_[store] = {std::chrono::steady_clock::now(), false};
  return flight;
}

// The probe under way for `store`, when it has run past stuckAfter_: its
// reason, logged the first time; under mutex_.
std::optional<std::string> StoreHealth::stuckLocked(const std::string& store) {
  auto flight = probing_.find(store);
  auto began = probeBegan_.find(store);
  auto now = std::chrono::steady_clock::now();
  if (flight == probing_.end() || began == probeBegan_.end() || !flight->second.valid() ||
      flight->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready ||
      now - began->second.first < stuckAfter_) {
    return std::nullopt;
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - began->second.first).count();
  if (!began->second.second) {
    began->second.second = true;
    spdlog::error("msg=\"a store's recovery has not ended: restart Kura to write again (acknowledged writes are "
                  "kept)\" store={} seconds={}",
                  store, seconds);
  }
  return fmt::format("recovery stuck: {} (for {} s): restart Kura; acknowledged writes are kept", store, seconds);
}

void StoreHealth::kick(const std::string& store) {
  // The store knows it is stopped: its probe runs whether or not it is
  // marked failing here (a failure may have come as a recovery ended).
  std::lock_guard lock(mutex_);
  auto began = probeBegan_.find(store);
  if (began == probeBegan_.end() || std::chrono::steady_clock::now() - began->second.first >= kickInterval_) {
    startProbeLocked(store);
  }
  stuckLocked(store);  // logged even when nobody asks for health
}

std::vector<std::pair<std::string, std::string>> StoreHealth::problems() {
  std::vector<std::shared_future<void>> awaited;  // the probes this check started
  {
    std::lock_guard lock(mutex_);
    for (const auto& [store, reason] : failing_) {
      if (auto flight = startProbeLocked(store)) awaited.push_back(*flight);
    }
  }
  auto until = std::chrono::steady_clock::now() + probeWait_;
  for (const auto& flight : awaited) flight.wait_until(until);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out(failing_.begin(), failing_.end());
  for (const auto& [store, reason] : failing_) {
    // A reason of its own, beside the store's (which says what failed).
    if (auto stuck = stuckLocked(store)) out.emplace_back(store, std::move(*stuck));
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

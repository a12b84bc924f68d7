#pragma once
// A condition that a periodic pass meets again and again (a node refusing
// a setting every second) is logged once per change of state: when it is
// first met, when it changes (another error), and when it ends, never at
// every pass. Keyed by the resource it concerns; thread-safe.
#include <map>
#include <mutex>
#include <string>

namespace kura {

class StateChangeLog {
 public:
  // `key` is in `state` (an error message, say): true when that is news
  // (the first time, or a state other than the last one logged).
  bool entered(const std::string& key, const std::string& state) {
    std::lock_guard lock(mutex_);
    auto [at, first] = states_.try_emplace(key, state);
    if (first) return true;
    if (at->second == state) return false;
    at->second = state;
    return true;
  }
  // `key`'s condition ended: true when it had been logged (its end is news).
  bool ended(const std::string& key) {
    std::lock_guard lock(mutex_);
    return states_.erase(key) > 0;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::string> states_;  // only keys in a condition: bounded by them
};

}  // namespace kura

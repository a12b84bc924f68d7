#pragma once
// One lock per cache cluster or replication group, taken by whoever acts on
// its Redis nodes (a controller step, a supervisor pass), so that a node the
// supervisor restarts is never one a deletion is stopping.
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kura::cache {

class NodeLocks {
 public:
  std::unique_lock<std::mutex> lock(const std::string& arn) {
    std::mutex* entry = nullptr;
    {
      std::lock_guard guard(mutex_);
      auto& slot = locks_[arn];
      if (!slot) slot = std::make_unique<std::mutex>();
      entry = slot.get();
    }
    return std::unique_lock<std::mutex>(*entry);
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;  // guarded by mutex_; never erased
};

}  // namespace kura::cache

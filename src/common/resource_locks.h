#pragma once
// One lock per resource (by ARN), taken by whoever acts on its engine
// processes from more than one thread: a controller step and a supervisor
// pass (ElastiCache nodes), or two builders of one Multi-AZ standby.
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace kura {

class ResourceLocks {
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

}  // namespace kura

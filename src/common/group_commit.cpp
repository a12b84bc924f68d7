#include "common/group_commit.h"

#include <exception>

namespace kura {

namespace {
constexpr size_t kFailuresKept = 1024;
}  // namespace

std::string GroupCommit::syncCovering() {
  std::unique_lock lock(mutex_);
  uint64_t ticket = ++issued_;
  for (;;) {
    if (completedThrough_ >= ticket) {
      for (const Failure& failure : failures_) {
        if (ticket > failure.after && ticket <= failure.through) return failure.error;
      }
      return {};
    }
    if (!syncing_) break;
    // A sync is running: it may have started before this caller's data
    // was handed over, so it proves nothing for it. Wait for its end.
    done_.wait(lock);
  }
  // This caller runs the next sync, for itself and every ticket issued so
  // far (their data was handed over before they took their tickets).
  syncing_ = true;
  uint64_t through = issued_;
  lock.unlock();
  std::string error;
  try {
    error = sync_();
  } catch (const std::exception& failure) {
    error = failure.what();
    if (error.empty()) error = "sync failed";
  }
  lock.lock();
  syncing_ = false;
  ++syncs_;
  if (!error.empty()) {
    failures_.push_back({completedThrough_, through, error});
    if (failures_.size() > kFailuresKept) failures_.pop_front();
  }
  completedThrough_ = through;
  lock.unlock();
  done_.notify_all();
  return error;
}

}  // namespace kura

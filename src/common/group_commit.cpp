#include "common/group_commit.h"

#include <exception>

namespace kura {

namespace {
constexpr size_t kFailuresKept = 1024;
}  // namespace

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  pending_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string GroupCommit::outcomeLocked(uint64_t ticket) const {
  for (const Failure& failure : failures_) {
    if (ticket > failure.after && ticket <= failure.through) return failure.error;
  }
  return {};
}

std::string GroupCommit::syncCovering() {
  std::unique_lock lock(mutex_);
  uint64_t ticket = ++issued_;
  for (;;) {
    if (completedThrough_ >= ticket) return outcomeLocked(ticket);
    if (!syncing_) break;
    // A sync is running: it may have started before this caller's data
    // was handed over, so it proves nothing for it. Wait for its end.
    done_.wait(lock);
  }
  // This caller runs the next sync, for itself and every ticket issued so
  // far (their data was handed over before they took their tickets).
  return runSyncLocked(lock);
}

std::string GroupCommit::runSyncLocked(std::unique_lock<std::mutex>& lock) {
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
  done_.notify_all();
  pending_.notify_one();  // tickets issued during this sync want the next
  return error;
}

uint64_t GroupCommit::start() {
  std::unique_lock lock(mutex_);
  uint64_t ticket = ++issued_;
  if (!thread_.joinable()) thread_ = std::thread([this] { syncInBackground(); });
  // Woken only when idle: a running sync wakes it as it ends.
  if (!syncing_) pending_.notify_one();
  return ticket;
}

std::string GroupCommit::wait(uint64_t ticket) {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [&] { return completedThrough_ >= ticket; });
  return outcomeLocked(ticket);
}

void GroupCommit::syncInBackground() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Tickets not covered yet, and no sync running (one that a
    // syncCovering() caller runs wakes this as it ends).
    pending_.wait(lock, [&] { return stopping_ || (!syncing_ && issued_ > completedThrough_); });
    if (!syncing_ && issued_ > completedThrough_) {
      runSyncLocked(lock);
      continue;
    }
    if (stopping_) return;
  }
}

}  // namespace kura

#include "common/group_commit.h"

#include <exception>

#include "common/hand_over_batch.h"

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
  if (!callbacks_.empty() && callbacks_.front().first <= through) runCallbacksLocked(lock, through);
  return error;
}

void GroupCommit::runCallbacksLocked(std::unique_lock<std::mutex>& lock, uint64_t through) {
  // Tickets are taken in order but called back in the order they asked:
  // every callback the sync covered is taken, not only a leading run.
  std::vector<std::pair<uint64_t, Done>> due;
  std::swap(due, due_);  // reuses the last sync's buffer
  std::erase_if(callbacks_, [&](auto& callback) {
    if (callback.first > through) return false;
    due.push_back(std::move(callback));
    return true;
  });
  std::vector<std::string> outcomes;
  outcomes.reserve(failures_.empty() ? 0 : due.size());
  if (!failures_.empty()) {
    for (auto& callback : due) outcomes.push_back(outcomeLocked(callback.first));
  }
  // Called without the lock: a callback may start or wait for the next sync.
  lock.unlock();
  static const std::string kNoError;
  {
    // What the callbacks hand to event loops (answers) goes to each loop
    // at once, once they have all run.
    HandOverBatch handOver;
    for (size_t i = 0; i < due.size(); ++i) {
      try {
        due[i].second(outcomes.empty() ? kNoError : outcomes[i]);
      } catch (...) {
        // A callback does not throw (it answers a call); the others still run.
      }
    }
  }
  due.clear();
  lock.lock();
  if (due_.capacity() < due.capacity()) std::swap(due, due_);
}

void GroupCommit::whenCovered(uint64_t ticket, Done done) {
  std::unique_lock lock(mutex_);
  if (completedThrough_ >= ticket) {
    std::string error = outcomeLocked(ticket);
    lock.unlock();
    done(error);
    return;
  }
  callbacks_.emplace_back(ticket, std::move(done));
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
      // The threads handing data over (a loop with more requests ready)
      // get the core first, once: the sync then covers theirs too. Costs
      // nothing when no thread waits for a core.
      lock.unlock();
      std::this_thread::yield();
      lock.lock();
      if (syncing_) continue;
      runSyncLocked(lock);
      continue;
    }
    if (stopping_) return;
  }
}

}  // namespace kura

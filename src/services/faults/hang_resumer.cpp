#include "services/faults/hang_resumer.h"

#include <signal.h>

#include <algorithm>

namespace kura::faults {

HangResumer::HangResumer() : thread_([this] { run(); }) {}

HangResumer::~HangResumer() { shutdown(); }

bool HangResumer::stopFor(std::vector<EngineProcess> processes, std::chrono::seconds duration) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || pending_.size() >= kMaxPending) return false;
    signalEach(processes, SIGSTOP);
    pending_.push_back({std::chrono::steady_clock::now() + duration, std::move(processes)});
  }
  wake_.notify_all();
  return true;
}

void HangResumer::shutdown() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HangResumer::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    auto due = std::stable_partition(pending_.begin(), pending_.end(),
                                     [&](const Pending& hang) { return !stopping_ && hang.due > now; });
    for (auto it = due; it != pending_.end(); ++it) signalEach(it->processes, SIGCONT);
    pending_.erase(due, pending_.end());
    if (stopping_) return;
    if (pending_.empty()) {
      wake_.wait(lock);
    } else {
      auto next = std::min_element(pending_.begin(), pending_.end(),
                                   [](const Pending& a, const Pending& b) { return a.due < b.due; })->due;
      wake_.wait_until(lock, next);
    }
  }
}

}  // namespace kura::faults

#include "services/faults/hang_resumer.h"

#include <signal.h>

#include <algorithm>
#include <fstream>

namespace kura::faults {

HangResumer::HangResumer(std::filesystem::path stateFile) : stateFile_(std::move(stateFile)) {
  if (!stateFile_.empty()) {
    std::ifstream in(stateFile_);
    std::vector<EngineProcess> left;
    EngineProcess process;
    while (left.size() < 65536 && in >> process.pid >> process.startTicks) left.push_back(process);
    signalEach(left, SIGCONT);  // only those still the processes stopped
    std::error_code ec;
    std::filesystem::remove(stateFile_, ec);
  }
  thread_ = std::thread([this] { run(); });
}

void HangResumer::saveLocked() const {
  if (stateFile_.empty()) return;
  std::error_code ec;
  if (pending_.empty()) {
    std::filesystem::remove(stateFile_, ec);
    return;
  }
  std::filesystem::create_directories(stateFile_.parent_path(), ec);
  // Written whole and renamed into place: a crash leaves the old list or the new.
  std::filesystem::path temporary = stateFile_;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& hang : pending_) {
      for (const auto& process : hang.processes) out << process.pid << ' ' << process.startTicks << '\n';
    }
  }
  std::filesystem::rename(temporary, stateFile_, ec);
}

HangResumer::~HangResumer() { shutdown(); }

bool HangResumer::stopFor(const std::string& owner, std::vector<EngineProcess> processes,
                          std::chrono::seconds duration) {
  {
    std::lock_guard lock(mutex_);
    size_t owned =
        std::count_if(pending_.begin(), pending_.end(), [&](const Pending& hang) { return hang.owner == owner; });
    if (stopping_ || pending_.size() >= kMaxPending || owned >= kMaxPendingPerOwner) return false;
    pending_.push_back({owner, std::chrono::steady_clock::now() + duration, processes});
    saveLocked();  // before they stop: a crash from here on still resumes them
    signalEach(processes, SIGSTOP);
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
    if (due != pending_.end()) {
      for (auto it = due; it != pending_.end(); ++it) signalEach(it->processes, SIGCONT);
      pending_.erase(due, pending_.end());
      saveLocked();
    }
    if (stopping_) return;
    if (pending_.empty()) {
      wake_.wait(lock);
    } else {
      auto next = std::min_element(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
                    return a.due < b.due;
                  })->due;
      wake_.wait_until(lock, next);
    }
  }
}

}  // namespace kura::faults

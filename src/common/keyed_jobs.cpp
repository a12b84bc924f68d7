#include "common/keyed_jobs.h"

#include <pthread.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/tool_cut.h"

namespace kura {

KeyedJobs::KeyedJobs(std::string name, size_t workers, std::chrono::milliseconds firstBackoff,
                     std::chrono::milliseconds maxBackoff)
    : name_(std::move(name)),
      workerCount_(std::max<size_t>(1, workers)),
      firstBackoff_(firstBackoff),
      maxBackoff_(std::max(firstBackoff, maxBackoff)) {}

KeyedJobs::~KeyedJobs() { stop(); }

bool KeyedJobs::submit(const std::string& key, Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || busy_.contains(key)) return false;
    if (auto held = heldOff_.find(key);
        held != heldOff_.end() && std::chrono::steady_clock::now() < held->second.until) {
      return false;
    }
    busy_.insert(key);
    queue_.emplace_back(key, std::move(job));
    // Started with the first job: a Kura that never rebuilds anything runs no idle threads for it.
    if (workers_.empty()) {
      for (size_t i = 0; i < workerCount_; ++i) workers_.emplace_back([this] { work(); });
    }
  }
  wake_.notify_one();
  return true;
}

bool KeyedJobs::busy(const std::string& key) const {
  std::lock_guard lock(mutex_);
  return busy_.contains(key);
}

std::chrono::milliseconds KeyedJobs::backoffOf(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto held = heldOff_.find(key);
  return held == heldOff_.end() ? std::chrono::milliseconds(0) : held->second.last;
}

bool KeyedJobs::cancel(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (auto running = running_.find(key); running != running_.end()) {
    running->second->store(true);
    return false;
  }
  auto queued = std::find_if(queue_.begin(), queue_.end(), [&](const auto& entry) { return entry.first == key; });
  if (queued != queue_.end()) queue_.erase(queued);
  busy_.erase(key);
  heldOff_.erase(key);  // the resource is being deleted or stopped: its next job, if any, starts afresh
  return true;
}

void KeyedJobs::cut() {
  std::lock_guard lock(mutex_);
  cut_ = true;
  for (auto& [key, flag] : running_) flag->store(true);
}

void KeyedJobs::stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cut_ = true;
    for (auto& [key, flag] : running_) flag->store(true);
    for (const auto& [key, job] : queue_) busy_.erase(key);
    queue_.clear();
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (std::thread& worker : workers) worker.join();
}

void KeyedJobs::noteEnd(const std::string& key, bool succeeded) {
  busy_.erase(key);
  running_.erase(key);
  if (succeeded) {
    heldOff_.erase(key);
    return;
  }
  HeldOff& held = heldOff_[key];
  held.last = held.last.count() == 0 ? firstBackoff_ : std::min(maxBackoff_, held.last * 2);
  held.until = std::chrono::steady_clock::now() + held.last;
}

void KeyedJobs::work() {
  // Named for top -H and /proc/PID/task (15 characters at most).
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [key, job] = std::move(queue_.front());
    queue_.pop_front();
    // This job's own cut: raised by cancel(key), cut() and stop().
    std::atomic<bool> cutThis{cut_};
    running_[key] = &cutThis;
    lock.unlock();
    bool succeeded = false;
    {
      ToolCutScope cuttable(cutThis);
      try {
        succeeded = job();
      } catch (const ToolCut&) {
        succeeded = true;  // cut for a stop or for whoever acts on the resource now: no backoff
        spdlog::info("msg=\"{}: a job was cut short; it is taken again when still needed\" key={}", name_, key);
      } catch (const std::exception& error) {
        spdlog::error("msg=\"{}: a job failed\" key={} error=\"{}\"", name_, key, error.what());
      }
    }
    lock.lock();
    noteEnd(key, succeeded);
  }
}

}  // namespace kura

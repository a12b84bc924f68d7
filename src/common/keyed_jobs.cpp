#include "common/keyed_jobs.h"

#include <pthread.h>

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/tool_cut.h"

namespace kura {

KeyedJobs::KeyedJobs(std::string name, size_t workers) : name_(std::move(name)), workerCount_(std::max<size_t>(1, workers)) {}

KeyedJobs::~KeyedJobs() { stop(); }

bool KeyedJobs::submit(const std::string& key, std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || busy_.contains(key)) return false;
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

void KeyedJobs::stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cut_ = true;
    for (const auto& [key, job] : queue_) busy_.erase(key);
    queue_.clear();
    workers.swap(workers_);
  }
  wake_.notify_all();
  for (std::thread& worker : workers) worker.join();
}

void KeyedJobs::work() {
  // Named for top -H and /proc/PID/task (15 characters at most).
  pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
  ToolCutScope cuttable(cut_);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [key, job] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      job();
    } catch (const ToolCut&) {
      spdlog::info("msg=\"{}: a job was cut short by the stop; the next start takes it again\" key={}", name_, key);
    } catch (const std::exception& error) {
      spdlog::error("msg=\"{}: a job failed\" key={} error=\"{}\"", name_, key, error.what());
    }
    lock.lock();
    busy_.erase(key);
  }
}

}  // namespace kura

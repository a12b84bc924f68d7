#include "common/periodic_task.h"

#include <pthread.h>

#include <spdlog/spdlog.h>

namespace kura {

PeriodicTask::PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> pass)
    : name_(std::move(name)), interval_(interval), pass_(std::move(pass)) {}

PeriodicTask::~PeriodicTask() { stop(); }

void PeriodicTask::start() {
  thread_ = std::thread([this] {
    // Named for top -H and /proc/PID/task (15 characters at most).
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        pass_();
      } catch (const std::exception& error) {
        spdlog::error("msg=\"{} pass failed\" error=\"{}\"", name_, error.what());
      }
      lock.lock();
      auto wait = nextWait_.count() > 0 ? nextWait_ : interval_;
      nextWait_ = std::chrono::milliseconds(0);
      wake_.wait_for(lock, wait, [this] { return stopping_; });
    }
  });
}

bool PeriodicTask::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return true;
}

}  // namespace kura

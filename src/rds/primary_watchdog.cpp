#include "rds/primary_watchdog.h"

#include <spdlog/spdlog.h>

namespace kura::rds {

PrimaryWatchdog::PrimaryWatchdog(InstanceEngine& engine, EngineLayout primary)
    : engine_(engine), primary_(std::move(primary)), thread_([this] { watch(); }) {}

PrimaryWatchdog::~PrimaryWatchdog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PrimaryWatchdog::watch() {
  int unanswered = 0;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; })) return;
    }
    unanswered = engine_.healthy(primary_, std::chrono::seconds(1)) ? 0 : unanswered + 1;
    if (unanswered < 2) continue;
    spdlog::warn("msg=\"the primary stopped answering while a standby was copied from it: fencing it\" port={}",
                 primary_.port);
    if (engine_.fence(primary_)) fenced_ = true;
    return;
  }
}

}  // namespace kura::rds

#include "common/progress_board.h"

#include <algorithm>
#include <cmath>

namespace kura {
namespace {

// An entry not reported for this long belongs to a step long over.
constexpr auto kForgetAfter = std::chrono::minutes(10);

}  // namespace

ProgressBoard& ProgressBoard::instance() {
  static ProgressBoard board;
  return board;
}

void ProgressBoard::set(const std::string& arn, int percent) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [now](const auto& entry) { return now - entry.second.at > kForgetAfter; });
  entries_[arn] = {percent, now};
}

std::optional<int> ProgressBoard::get(const std::string& arn) const {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(arn);
  if (found == entries_.end()) return std::nullopt;
  return found->second.percent;
}

int ProgressBoard::percentOf(const std::string& arn, bool creating, int recorded) const {
  if (!creating) return recorded;
  return std::max(recorded, get(arn).value_or(recorded));
}

ProgressWatch::ProgressWatch(std::string arn, std::function<std::optional<double>()> measure,
                             std::chrono::milliseconds every)
    : arn_(std::move(arn)), measure_(std::move(measure)), every_(every) {
  ProgressBoard::instance().set(arn_, 0);
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, every_, [this] { return stopping_; })) {
      lock.unlock();
      report();
      lock.lock();
    }
  });
}

ProgressWatch::~ProgressWatch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void ProgressWatch::report() {
  std::optional<double> fraction;
  try {
    fraction = measure_();
  } catch (const std::exception&) {
    return;  // a measure that failed this time: the last report stands
  }
  if (!fraction || !std::isfinite(*fraction)) return;
  int percent = std::clamp(static_cast<int>(std::floor(*fraction * 100)), 0, 99);
  if (percent <= reported_) return;
  reported_ = percent;
  ProgressBoard::instance().set(arn_, percent);
}

}  // namespace kura

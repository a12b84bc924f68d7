#pragma once
// At most one log line per interval for a repeating failure, with the count
// of those left out: a condition that fails thousands of times a second
// (an acceptor out of descriptors) must not flood the log. One thread per
// throttle (the caller's); not thread-safe.
#include <chrono>
#include <cstdint>

namespace kura {

class LogThrottle {
 public:
  explicit LogThrottle(std::chrono::steady_clock::duration interval) : interval_(interval) {}

  // True when this occurrence should be logged; `suppressed` is then the
  // number left out since the last line logged.
  bool allow(uint64_t& suppressed, std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) {
    if (logged_ && now - last_ < interval_) {
      ++suppressed_;
      return false;
    }
    logged_ = true;
    last_ = now;
    suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_{};
  bool logged_ = false;
  uint64_t suppressed_ = 0;
};

}  // namespace kura

#pragma once
// The clock is injected wherever time decides an outcome (signature expiry,
// retention, reconcile deadlines), so tests move it instead of sleeping.
#include <chrono>
#include <memory>

namespace kura {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
};
using ClockPtr = std::shared_ptr<const Clock>;

class RealClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
};

// A clock that tests set by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : now_(start) {}
  SystemTime now() const override { return now_; }
  void set(SystemTime t) { now_ = t; }
  void advance(std::chrono::seconds s) { now_ += s; }

 private:
  SystemTime now_;
};

ClockPtr realClock();

}  // namespace kura

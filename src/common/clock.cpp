#include "common/clock.h"

namespace kura {

ClockPtr realClock() {
  static const ClockPtr clock = std::make_shared<RealClock>();
  return clock;
}

}  // namespace kura

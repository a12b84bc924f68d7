#pragma once
// Helpers shared by the catalog's implementation files; not for callers.
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace kura::catalog_internal {

inline int64_t toMillis(SystemTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

inline SystemTime fromMillis(int64_t millis) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::milliseconds(millis)));
}

}  // namespace kura::catalog_internal

#include "main/descriptor_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace kura {
namespace {

// Linux's own ceiling (fs.nr_open) is 1048576 by default; asking for more
// than it fails, and no server needs more.
constexpr rlim_t kCeiling = 1048576;

}  // namespace

DescriptorLimit raiseDescriptorLimit() {
  DescriptorLimit result;
  rlimit limits{};
  if (::getrlimit(RLIMIT_NOFILE, &limits) != 0) return result;
  result.before = result.limit = limits.rlim_cur;
  rlim_t wanted = std::min(limits.rlim_max, kCeiling);
  if (wanted > limits.rlim_cur) {
    rlimit raised = limits;
    raised.rlim_cur = wanted;
    // Where fs.nr_open is below the hard limit the call fails: keep what was.
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) result.limit = wanted;
  }
  return result;
}

size_t defaultMaxConnections(uint64_t limit, size_t reserve) {
  uint64_t headroom = std::max<uint64_t>(128, limit / 4) + reserve;
  return limit > headroom + 16 ? static_cast<size_t>(limit - headroom) : 16;
}

}  // namespace kura

#include "common/descriptor_shortage.h"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "common/log_throttle.h"

namespace kura {
namespace {

std::atomic<uint64_t> shortages{0};

}  // namespace

bool isDescriptorShortage(int error) { return error == EMFILE || error == ENFILE; }

void noteDescriptorError(int error) {
  if (isDescriptorShortage(error)) shortages.fetch_add(1, std::memory_order_relaxed);
}

uint64_t descriptorShortages() { return shortages.load(std::memory_order_relaxed); }

bool descriptorsShortNow() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  int error = errno;
  noteDescriptorError(error);
  return isDescriptorShortage(error);
}

ProbeVerdict judgeProbe(bool answered, uint64_t mark) {
  if (answered) return ProbeVerdict::kUp;
  // Now first: it also notes a shortage that no probe reported.
  if (descriptorsShortNow() || descriptorShortages() != mark) return ProbeVerdict::kUnknown;
  return ProbeVerdict::kDown;
}

void logProbeUnknown(const std::string& what) {
  static std::mutex mutex;
  static LogThrottle throttle(std::chrono::seconds(10));
  uint64_t unlogged = 0;
  {
    std::lock_guard lock(mutex);
    if (!throttle.allow(unlogged)) return;
  }
  spdlog::warn("msg=\"engine probe failed for lack of file descriptors in Kura: state unknown, nothing done\" "
               "engine=\"{}\" not_logged={}",
               what, unlogged);
}

}  // namespace kura

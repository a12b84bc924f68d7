#include "common/trail_carrier.h"

#include <mutex>
#include <utility>

namespace kura {
namespace {
std::mutex sinkMutex;
CarriedRecordSink sink;  // guarded by sinkMutex
}  // namespace

void setCarriedRecordSink(CarriedRecordSink given) {
  std::lock_guard lock(sinkMutex);
  sink = std::move(given);
}

CarriedRecordSink carriedRecordSink() {
  std::lock_guard lock(sinkMutex);
  return sink;
}

}  // namespace kura

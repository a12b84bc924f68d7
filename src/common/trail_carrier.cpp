#include "common/trail_carrier.h"

#include <mutex>
#include <utility>

namespace kura {
namespace {
std::mutex sinkMutex;
CarriedRecordSink sink;  // guarded by sinkMutex
}  // namespace

std::string_view trailEventId(std::string_view event) {
  static constexpr std::string_view kId = "\"eventID\":\"";
  size_t at = event.rfind(kId);
  if (at == std::string_view::npos) return {};
  size_t begin = at + kId.size();
  size_t end = event.find('"', begin);
  if (end == std::string_view::npos) return {};
  return event.substr(begin, end - begin);
}

void setCarriedRecordSink(CarriedRecordSink given) {
  std::lock_guard lock(sinkMutex);
  sink = std::move(given);
}

CarriedRecordSink carriedRecordSink() {
  std::lock_guard lock(sinkMutex);
  return sink;
}

}  // namespace kura

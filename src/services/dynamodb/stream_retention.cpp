#include "services/dynamodb/stream_retention.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "common/time_format.h"

namespace kura::ddb {

size_t trimStreams(TableStore& store, SystemTime now) {
  double cutoff = toEpochSeconds(now - kStreamRetention);
  std::vector<std::pair<std::string, Json>> streams;
  store.listMeta("s|", [&](const std::string& key, Json stream) { streams.emplace_back(key, std::move(stream)); });
  size_t dropped = 0;
  for (const auto& [key, stream] : streams) {
    std::string id = stream.value("Id", "");
    if (id.empty()) continue;
    if (stream.value("StreamStatus", "") == "DISABLED" && stream.value("DisabledAt", cutoff) < cutoff) {
      if (auto gone = store.dropStream(key, id); !gone) {
        spdlog::warn("msg=\"a stream past its 24 hours could not be deleted\" error=\"{}\"", gone.error().message);
      } else {
        ++dropped;
      }
      continue;
    }
    if (auto trimmed = store.trimStream(id, cutoff); !trimmed) {
      spdlog::warn("msg=\"a stream's old records could not be trimmed\" error=\"{}\"", trimmed.error().message);
    }
  }
  return dropped;
}

}  // namespace kura::ddb

#include "services/dynamodb/stream_retention.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "common/time_format.h"
#include "ddb/stream_format.h"

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

namespace {

// s|<account>|<region>|<table>|<label>
std::optional<TableRef> tableOfStreamKey(const std::string& key) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t bar = key.find('|'); bar != std::string::npos; bar = key.find('|', start)) {
    parts.push_back(key.substr(start, bar - start));
    start = bar + 1;
  }
  parts.push_back(key.substr(start));
  if (parts.size() != 5) return std::nullopt;
  return TableRef{parts[1], parts[2], parts[3]};
}

}  // namespace

size_t rollShards(TableStore& store, SystemTime now, const StreamSettings& settings) {
  double nowSeconds = toEpochSeconds(now);
  double openedBefore = toEpochSeconds(now - settings.shardLifetime);
  int64_t nowMillis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::vector<std::pair<std::string, Json>> due;
  store.listMeta("s|", [&](const std::string& key, Json stream) {
    if (stream.value("StreamStatus", "") != "ENABLED" || stream["Shards"].empty()) return;
    const Json& open = stream["Shards"].back();
    bool old = open.value("Opened", stream.value("CreationRequestDateTime", nowSeconds)) < openedBefore;
    bool full = false;
    if (!old && settings.shardRecords > 0) {
      uint64_t start = open.value("Start", uint64_t{1});
      uint64_t last = store.lastStreamSequence(stream.value("Id", ""));
      full = last >= start && last - start + 1 >= settings.shardRecords;
    }
    if (old || full) due.emplace_back(key, std::move(stream));
  });
  size_t rolled = 0;
  for (const auto& [key, stream] : due) {
    auto table = tableOfStreamKey(key);
    if (!table) continue;
    std::string id = stream["Id"];
    bool done = false;
    // Through the table's update: under its write lock (the shard closes at
    // its last record) and DynamoDB's description lock (no UpdateTable
    // disables the stream meanwhile).
    auto stillOurs = [&](Json& description) -> std::optional<ApiError> {
      if (!description.contains("_stream") || description["_stream"].value("Id", "") != id ||
          !description["_stream"].value("Enabled", false)) {
        return ApiError::sender("ResourceInUseException", "the stream changed");
      }
      return std::nullopt;
    };
    AlsoWrite roll = [&](const Json&) {
      std::vector<std::pair<std::string, std::string>> out;
      auto meta = store.getMeta(key);
      if (!meta || (*meta)["Shards"].empty()) return out;
      uint64_t trimmedBelow = store.streamTrimmedBelow(id);
      Json kept = Json::array();
      for (const Json& shard : (*meta)["Shards"]) {
        bool gone = shard.value("Closed", false) && shard.value("End", uint64_t{0}) < trimmedBelow;
        if (!gone) kept.push_back(shard);
      }
      Json& open = kept.back();
      uint64_t last = store.lastStreamSequence(id);
      if (open.value("Closed", false) || last < open.value("Start", uint64_t{1})) {
        return out;  // closed already, or no record yet
      }
      open["End"] = last;
      open["Closed"] = true;
      std::string parent = open["ShardId"];
      kept.push_back({{"ShardId", streams::shardId(nowMillis, last + 1)},
                      {"Start", last + 1},
                      {"Opened", nowSeconds},
                      {"Parent", parent}});
      (*meta)["Shards"] = kept;
      out.emplace_back(key, meta->dump());
      done = true;
      return out;
    };
    auto updated = store.updateTable(*table, stillOurs, roll);
    if (updated && done) ++rolled;
  }
  return rolled;
}

}  // namespace kura::ddb

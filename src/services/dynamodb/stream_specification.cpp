#include "services/dynamodb/stream_specification.h"

#include <chrono>

#include "common/crypto.h"
#include "common/time_format.h"
#include "ddb/stream_format.h"

namespace kura::ddb {
namespace {

ApiError invalid(const std::string& message) { return ApiError::sender("ValidationException", message); }

bool streamEnabled(const Json& table) { return table.contains("_stream") && table["_stream"].value("Enabled", false); }

// DynamoDB's stream labels: the time the stream was asked for, to the
// millisecond, without a zone ("2026-12-03T23:45:01.123").
std::string labelAt(SystemTime now) {
  std::string text = formatIso8601(now);
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text;
}

}  // namespace

std::string streamArn(const std::string& region, const std::string& account, const std::string& table,
                      const std::string& label) {
  return "arn:aws:dynamodb:" + region + ":" + account + ":table/" + table + "/stream/" + label;
}

std::optional<ApiError> StreamChange::apply(const RequestContext& c, const Json& in, Json& table, SystemTime now) {
  auto spec = in.find("StreamSpecification");
  if (spec == in.end() || !spec->is_object()) return std::nullopt;
  bool enable = spec->value("StreamEnabled", false);
  std::string name = table["TableName"];
  bool creating = !table.contains("_id");
  if (!enable) {
    if (creating) {
      if (spec->contains("StreamViewType")) {
        return invalid("One or more parameter values were invalid: StreamViewType cannot be specified when "
                       "StreamEnabled is false");
      }
      return std::nullopt;
    }
    if (!streamEnabled(table)) return invalid("Table has no stream to disable: TableName: " + name);
    closeWith(table, now);
    table["_stream"]["Enabled"] = false;
    table["StreamSpecification"] = {{"StreamEnabled", false}};
    return std::nullopt;
  }
  if (streamEnabled(table)) return invalid("Table already has an enabled stream: TableName: " + name);
  if (!spec->contains("StreamViewType")) {
    return invalid("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is "
                   "true");
  }
  std::string view = (*spec)["StreamViewType"];
  std::string label = labelAt(now);
  std::string arn = streamArn(c.region, c.accountId, name, label);
  std::string id = toHex(randomBytes(8));
  openedKey_ = TableStore::streamMetaKey({c.accountId, c.region, name}, label);
  int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  opened_ = {{"StreamArn", arn},
             {"StreamLabel", label},
             {"StreamViewType", view},
             {"StreamStatus", "ENABLED"},
             {"TableName", name},
             {"KeySchema", table["KeySchema"]},
             {"CreationRequestDateTime", toEpochSeconds(now)},
             {"Id", id},
             {"Shards", Json::array({{{"ShardId", streams::shardId(millis, 1)},
                                      {"Start", 1},
                                      {"Opened", toEpochSeconds(now)}}})}};
  table["_stream"] = {{"Enabled", true}, {"Id", id}, {"ViewType", view}, {"Region", c.region}, {"MetaKey", openedKey_}};
  table["StreamSpecification"] = {{"StreamEnabled", true}, {"StreamViewType", view}};
  table["LatestStreamLabel"] = label;
  table["LatestStreamArn"] = arn;
  return std::nullopt;
}

void StreamChange::closeWith(const Json& table, SystemTime now) {
  if (!streamEnabled(table)) return;
  closedKey_ = table["_stream"].value("MetaKey", "");
  closedId_ = table["_stream"].value("Id", "");
  closedAt_ = toEpochSeconds(now);
}

AlsoWrite StreamChange::writes(TableStore& store) const {
  // Read when the store writes, after apply() ran under its lock.
  return [this, &store](const Json&) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!closedKey_.empty()) {
      // Under the table's write lock: no record comes after the last one.
      if (auto meta = store.getMeta(closedKey_)) {
        (*meta)["StreamStatus"] = "DISABLED";
        (*meta)["DisabledAt"] = closedAt_;
        Json& shard = (*meta)["Shards"].back();
        shard["End"] = store.lastStreamSequence(closedId_);
        shard["Closed"] = true;
        out.emplace_back(closedKey_, meta->dump());
      }
    }
    if (!openedKey_.empty()) out.emplace_back(openedKey_, opened_.dump());
    return out;
  };
}

}  // namespace kura::ddb

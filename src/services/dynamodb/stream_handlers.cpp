// DynamoDB Streams (dynamodbstreams): ListStreams, DescribeStream,
// GetShardIterator and GetRecords on the streams the store keeps
// (stream_specification.h says what a stream's description holds).
#include <chrono>
#include <limits>

#include "common/json_text.h"
#include "common/time_format.h"
#include "ddb/stream_format.h"
#include "services/dynamodb/dynamodb_api.h"
#include "services/dynamodb/stream_specification.h"

namespace kura::ddb {
namespace {

constexpr size_t kMaxRecordsPerCall = 1000;
// GetRecords answers up to 1 MB of records, as DynamoDB's (at least one).
constexpr size_t kMaxBytesPerCall = 1 << 20;
constexpr uint64_t kOpenEnd = std::numeric_limits<uint64_t>::max();

ApiError streamNotFound(const std::string& arn) {
  return ApiError::sender("ResourceNotFoundException", "Requested resource not found: Stream: " + arn + " not found");
}

// DynamoDB's bound on a page of streams or shards, refused past it.
constexpr size_t kMaxPage = 100;

std::optional<ApiError> checkPageLimit(const Json& in) {
  if (in.value("Limit", size_t{0}) <= kMaxPage) return std::nullopt;
  return ApiError::sender("ValidationException", "1 validation error detected: Value '" +
                                                     std::to_string(in["Limit"].get<int64_t>()) +
                                                     "' at 'limit' failed to satisfy constraint: Member must have "
                                                     "value less than or equal to 100");
}

int64_t millisOf(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

const Json* findShard(const Json& stream, const std::string& shardId) {
  for (const Json& shard : stream["Shards"]) {
    if (shard["ShardId"] == shardId) return &shard;
  }
  return nullptr;
}

// The last sequence number a shard may hold: its end once closed.
uint64_t shardEnd(const Json& shard) {
  return shard.value("Closed", false) ? shard.value("End", uint64_t{0}) : kOpenEnd;
}

Json shardView(const Json& shard) {
  uint64_t start = shard["Start"];
  Json range = {{"StartingSequenceNumber", streams::formatSequence(start)}};
  if (shard.value("Closed", false)) {
    range["EndingSequenceNumber"] = streams::formatSequence(std::max(start, shard.value("End", uint64_t{0})));
  }
  Json out = {{"ShardId", shard["ShardId"]}, {"SequenceNumberRange", range}};
  if (shard.contains("Parent")) out["ParentShardId"] = shard["Parent"];
  return out;
}

// What DescribeStream says of a stream: ENABLING or DISABLING for a
// moment after UpdateTable (or CreateTable, DeleteTable) changed it, as
// DynamoDB's, then ENABLED or DISABLED.
std::string statusAt(const Json& stream, double nowSeconds, std::chrono::milliseconds delay) {
  std::string status = stream.value("StreamStatus", "ENABLED");
  double since = status == "DISABLED" ? stream.value("DisabledAt", 0.0) : stream.value("CreationRequestDateTime", 0.0);
  if (nowSeconds - since >= std::chrono::duration<double>(delay).count()) return status;
  return status == "DISABLED" ? "DISABLING" : "ENABLING";
}

}  // namespace

Result<Json> DynamoDbApi::findStream(const RequestContext& c, const std::string& arn) {
  // arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>, of the
  // caller's account and region only.
  std::string prefix = "arn:aws:dynamodb:" + c.region + ":" + c.accountId + ":table/";
  if (!arn.starts_with(prefix)) return streamNotFound(arn);
  std::string rest = arn.substr(prefix.size());
  size_t split = rest.find("/stream/");
  if (split == std::string::npos) return streamNotFound(arn);
  std::string table = rest.substr(0, split), label = rest.substr(split + 8);
  if (table.empty() || label.empty() || table.find('|') != std::string::npos ||
      label.find('|') != std::string::npos) {
    return streamNotFound(arn);
  }
  auto stream = store_.getMeta(TableStore::streamMetaKey({c.accountId, c.region, table}, label));
  if (!stream) return streamNotFound(arn);
  return *stream;
}

Result<Json> DynamoDbApi::listStreams(const RequestContext& c, const Json& in) {
  if (auto error = checkPageLimit(in)) return *error;
  std::string prefix = TableStore::streamMetaPrefix(c.accountId, c.region);
  if (in.contains("TableName")) prefix += in["TableName"].get<std::string>() + "|";
  size_t limit = in.value("Limit", 100);
  std::string after = in.value("ExclusiveStartStreamArn", "");
  bool started = after.empty();
  Json streams = Json::array();
  bool more = false;
  store_.listMeta(prefix, [&](const std::string&, Json stream) {
    if (more) return;
    if (!started) {
      started = stream["StreamArn"] == after;
      return;
    }
    if (streams.size() == limit) {
      more = true;
      return;
    }
    streams.push_back(
        {{"StreamArn", stream["StreamArn"]}, {"TableName", stream["TableName"]}, {"StreamLabel", stream["StreamLabel"]}});
  });
  Json out = {{"Streams", streams}};
  if (more) out["LastEvaluatedStreamArn"] = streams.back()["StreamArn"];
  return out;
}

Result<Json> DynamoDbApi::describeStream(const RequestContext& c, const Json& in) {
  if (auto error = checkPageLimit(in)) return *error;
  auto stream = findStream(c, in["StreamArn"]);
  if (!stream) return stream.error();
  size_t limit = in.value("Limit", 100);
  std::string after = in.value("ExclusiveStartShardId", "");
  bool started = after.empty();
  Json shards = Json::array();
  bool more = false;
  for (const Json& shard : (*stream)["Shards"]) {
    if (!started) {
      started = shard["ShardId"] == after;
      continue;
    }
    if (shards.size() == limit) {
      more = true;
      break;
    }
    shards.push_back(shardView(shard));
  }
  Json description = {{"StreamArn", (*stream)["StreamArn"]},
                      {"StreamLabel", (*stream)["StreamLabel"]},
                      {"StreamStatus", statusAt(*stream, toEpochSeconds(clock_->now()), streamSettings_.statusDelay)},
                      {"StreamViewType", (*stream)["StreamViewType"]},
                      {"CreationRequestDateTime", (*stream)["CreationRequestDateTime"]},
                      {"TableName", (*stream)["TableName"]},
                      {"KeySchema", (*stream)["KeySchema"]},
                      {"Shards", shards}};
  if (more) description["LastEvaluatedShardId"] = shards.back()["ShardId"];
  return Json{{"StreamDescription", description}};
}

Result<Json> DynamoDbApi::getShardIterator(const RequestContext& c, const Json& in) {
  std::string arn = in["StreamArn"], shardId = in["ShardId"], type = in["ShardIteratorType"];
  auto stream = findStream(c, arn);
  if (!stream) return stream.error();
  const Json* shard = findShard(*stream, shardId);
  if (shard == nullptr) {
    return ApiError::sender("ResourceNotFoundException",
                            "Requested resource not found: Shard: " + shardId + " in Stream: " + arn + " not found");
  }
  std::string id = (*stream)["Id"];
  uint64_t start = (*shard)["Start"], end = shardEnd(*shard);
  uint64_t trimmedBelow = store_.streamTrimmedBelow(id);
  uint64_t next = 0;
  if (type == "TRIM_HORIZON") {
    next = std::max(start, trimmedBelow);
  } else if (type == "LATEST") {
    next = std::max(start, (end == kOpenEnd ? store_.lastStreamSequence(id) : end) + 1);
  } else {
    if (!in.contains("SequenceNumber")) {
      return ApiError::sender("ValidationException",
                              "SequenceNumber must be provided for ShardIteratorType " + type);
    }
    std::string text = in["SequenceNumber"];
    auto sequence = streams::parseSequence(text);
    uint64_t last = end == kOpenEnd ? store_.lastStreamSequence(id) : end;
    if (!sequence || *sequence < start || *sequence > last) {
      return ApiError::sender("ValidationException", "Invalid SequenceNumber " + text + " for shard " + shardId);
    }
    if (*sequence < trimmedBelow) {
      return ApiError::sender("TrimmedDataAccessException",
                              "The sequence number " + text + " is beyond the trim horizon of shard " + shardId);
    }
    next = type == "AFTER_SEQUENCE_NUMBER" ? *sequence + 1 : *sequence;
  }
  streams::IteratorPosition position{arn, shardId, next, millisOf(clock_->now()) + streams::kIteratorLifetimeMillis};
  return Json{{"ShardIterator", streams::encodeIterator(position, store_.streamSecret())}};
}

Result<Json> DynamoDbApi::getRecords(const RequestContext& c, const Json& in) {
  // The request's own members first, as DynamoDB checks them.
  int64_t limit = in.value("Limit", static_cast<int64_t>(kMaxRecordsPerCall));
  if (limit < 1) {
    return ApiError::sender("ValidationException", "1 validation error detected: Value '" + std::to_string(limit) +
                                                       "' at 'limit' failed to satisfy constraint: Member must have "
                                                       "value greater than or equal to 1");
  }
  if (limit > static_cast<int64_t>(kMaxRecordsPerCall)) {
    return ApiError::sender("ValidationException", "1 validation error detected: Value '" + std::to_string(limit) +
                                                       "' at 'limit' failed to satisfy constraint: Member must have "
                                                       "value less than or equal to 1000");
  }
  auto position = streams::decodeIterator(in["ShardIterator"].get<std::string>(), store_.streamSecret());
  if (!position) return position.error();
  int64_t now = millisOf(clock_->now());
  if (now > position->expiresAtMillis) {
    return ApiError::sender("ExpiredIteratorException",
                            "Iterator expired. The iterator was created more than 15 minutes ago.");
  }
  auto stream = findStream(c, position->streamArn);
  if (!stream) return stream.error();
  const Json* shard = findShard(*stream, position->shardId);
  if (shard == nullptr) return streamNotFound(position->streamArn);
  std::string id = (*stream)["Id"];
  if (position->next < store_.streamTrimmedBelow(id)) {
    return ApiError::sender("TrimmedDataAccessException",
                            "The iterator points at records beyond the trim horizon of shard " + position->shardId);
  }
  uint64_t end = shardEnd(*shard);
  auto read = store_.streamRecords(id, position->next, end, static_cast<size_t>(limit), kMaxBytesPerCall);
  // The records as stored are the answer's text: none is parsed.
  std::string out = R"({"Records":[)";
  for (size_t i = 0; i < read.size(); ++i) {
    if (i > 0) out += ',';
    out += read[i].second;
  }
  out += ']';
  uint64_t next = read.empty() ? position->next : read.back().first + 1;
  // A closed shard read to its end has no next iterator: its reader goes on
  // to the shard after it.
  bool finished = end != kOpenEnd && (next > end || store_.streamRecords(id, next, end, 1).empty());
  if (!finished) {
    streams::IteratorPosition following{position->streamArn, position->shardId, next,
                                        now + streams::kIteratorLifetimeMillis};
    out += R"(,"NextShardIterator":)";
    appendJsonString(out, streams::encodeIterator(following, store_.streamSecret()));
  }
  out += '}';
  return rawJsonAnswer(std::move(out));
}

}  // namespace kura::ddb

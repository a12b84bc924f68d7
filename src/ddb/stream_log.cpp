// DynamoDB Streams in the store: the records of every enabled stream,
// written in the same atomic batch as the item change they describe (see
// table_store.h).
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/crypto.h"
#include "common/json_text.h"
#include "ddb/store_keys.h"
#include "ddb/stream_format.h"
#include "ddb/table_store.h"

namespace kura::ddb {
namespace {

constexpr const char* kSecretKey = "c|stream-iterator-secret";

std::string recordKey(const std::string& streamId, uint64_t sequence) {
  return keys::streamRecords(streamId) + streams::formatSequence(sequence);
}

// The sequence number at the end of a record's key.
uint64_t sequenceOfKey(const rocksdb::Slice& key) {
  std::string_view text(key.data(), key.size());
  return streams::parseSequence(text.substr(text.rfind('|') + 1)).value_or(0);
}

double nowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Where a stream's trimming stands: the sequence numbers below it are gone.
std::string trimmedKey(const std::string& streamId) { return "q|" + streamId; }

// The key attributes of a stored item key (encodeKey: each value
// length-prefixed, "<type>:<bytes>", binary values decoded); empty if the
// key is not one encodeKey makes.
std::optional<Json> keysOfItemKey(const std::string& key, const std::vector<std::string>& names) {
  Json keys = Json::object();
  size_t at = 0;
  for (const std::string& name : names) {
    if (at < key.size() && key[at] == '|') ++at;  // between hash and range
    if (at + 8 > key.size()) return std::nullopt;
    size_t length = 0;
    auto [end, error] = std::from_chars(key.data() + at, key.data() + at + 8, length, 16);
    if (error != std::errc() || end != key.data() + at + 8 || at + 8 + length > key.size()) return std::nullopt;
    std::string_view value(key.data() + at + 8, length);
    at += 8 + length;
    size_t colon = value.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    std::string type(value.substr(0, colon));
    std::string bytes(value.substr(colon + 1));
    if (type == "B") bytes = base64Encode(bytes);
    else if (type != "S" && type != "N") return std::nullopt;
    keys[name] = {{type, bytes}};
  }
  return keys;
}

bool sameItem(const Json& a, const Json& b) {
  if (a.size() != b.size()) return false;
  for (auto it = a.begin(); it != a.end(); ++it) {
    auto other = b.find(it.key());
    if (other == b.end() || !valuesEqual(it.value(), *other)) return false;
  }
  return true;
}

}  // namespace

std::string TableStore::streamMetaKey(const TableRef& ref, const std::string& label) {
  return streamMetaPrefix(ref.account, ref.region) + ref.name + "|" + label;
}

std::string TableStore::streamMetaPrefix(const std::string& account, const std::string& region) {
  return "s|" + account + "|" + region + "|";
}

void TableStore::loadStreamSecret() {
  // Event ids: a random prefix of this run, then a counter.
  std::string salt = randomBytes(8);
  for (char c : salt) eventIdSalt_ = (eventIdSalt_ << 8) | static_cast<unsigned char>(c);
  if (db_->Get(rocksdb::ReadOptions(), kSecretKey, &streamSecret_).ok() && streamSecret_.size() == 32) return;
  streamSecret_ = randomBytes(32);
  if (!put(kSecretKey, streamSecret_).ok()) {
    throw std::runtime_error("cannot store the DynamoDB Streams iterator key");
  }
}

uint64_t TableStore::lastStreamSequence(const std::string& streamId) {
  {
    std::shared_lock lock(indexesMutex_);
    for (const auto& [table, stream] : streams_) {
      if (stream->id == streamId) return stream->nextSequence - 1;
    }
  }
  std::string prefix = keys::streamRecords(streamId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(keys::endOf(prefix));
  if (it->Valid() && it->key().starts_with(prefix)) return sequenceOfKey(it->key());
  return 0;
}

void TableStore::rememberStream(const std::string& tableId, const Json& description) {
  // Under indexesMutex_ (rememberIndexes).
  auto stream = description.find("_stream");
  if (stream == description.end() || !stream->value("Enabled", false)) {
    streams_.erase(tableId);
    return;
  }
  std::string id = (*stream)["Id"];
  auto known = streams_.find(tableId);
  bool replicated = description.contains("_global");
  if (known != streams_.end() && known->second->id == id) {  // its sequence goes on
    known->second->replicated = replicated;
    return;
  }
  auto active = std::make_shared<ActiveStream>();
  active->id = id;
  active->tableId = tableId;
  active->replicated = replicated;
  active->viewType = (*stream)["ViewType"];
  active->region = stream->value("Region", "");
  for (const Json& element : description["KeySchema"]) active->keyAttributes.push_back(element["AttributeName"]);
  // The next sequence number follows whatever the stream handed out: its
  // last record, or (every record trimmed) where its description says it
  // stands.
  uint64_t last = 0;
  std::string prefix = keys::streamRecords(id);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(keys::endOf(prefix));
  if (it->Valid() && it->key().starts_with(prefix)) last = sequenceOfKey(it->key());
  std::string meta;
  if (db_->Get(rocksdb::ReadOptions(), stream->value("MetaKey", ""), &meta).ok()) {
    Json parsed = Json::parse(meta);
    for (const Json& shard : parsed.value("Shards", Json::array())) {
      uint64_t start = shard.value("Start", uint64_t{1});
      if (start > 0) last = std::max(last, start - 1);
    }
  }
  last = std::max(last, streamTrimmedBelow(id) - 1);
  active->nextSequence = last + 1;
  streams_[tableId] = std::move(active);
}

std::shared_ptr<TableStore::ActiveStream> TableStore::activeStream(const std::string& tableId) {
  std::shared_lock lock(indexesMutex_);
  auto it = streams_.find(tableId);
  return it == streams_.end() ? nullptr : it->second;
}

void TableStore::addStreamWrite(rocksdb::WriteBatch& batch, const std::string& tableId, const Json* before,
                                const Json* after, WriteCause cause, const std::string* beforeText,
                                const std::string* afterText) {
  if (before == nullptr && after == nullptr) return;  // nothing was there, nothing is
  auto stream = activeStream(tableId);
  if (!stream) return;
  // A write that leaves the item as it was makes no record, as DynamoDB's.
  if (before != nullptr && after != nullptr) {
    bool same = beforeText != nullptr && afterText != nullptr ? *beforeText == *afterText || sameItem(*before, *after)
                                                                : sameItem(*before, *after);
    if (same) return;
  }
  const Json& item = after != nullptr ? *after : *before;
  Json keys = Json::object();
  for (const std::string& name : stream->keyAttributes) {
    if (auto it = item.find(name); it != item.end()) keys[name] = *it;
  }
  const std::string& view = stream->viewType;
  bool withNew = after != nullptr && (view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  bool withOld = before != nullptr && (view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES");
  std::string newText = withNew && afterText == nullptr ? after->dump() : std::string();
  std::string oldText = withOld && beforeText == nullptr ? before->dump() : std::string();
  std::string itemKey;
  if (stream->replicated && !stream->keyAttributes.empty()) {
    const Json& hash = keys[stream->keyAttributes[0]];
    itemKey = encodeKey(hash, stream->keyAttributes.size() > 1 ? &keys[stream->keyAttributes[1]] : nullptr);
  }
  addStreamRecord(batch, *stream, before == nullptr ? "INSERT" : after == nullptr ? "REMOVE" : "MODIFY", keys.dump(),
                  withOld ? (beforeText != nullptr ? beforeText : &oldText) : nullptr,
                  withNew ? (afterText != nullptr ? afterText : &newText) : nullptr, cause,
                  itemKey.empty() ? nullptr : &itemKey);
}

void TableStore::addStreamRecord(rocksdb::WriteBatch& batch, ActiveStream& stream, std::string_view eventName,
                                 const std::string& keysText, const std::string* oldImage,
                                 const std::string* newImage, WriteCause cause, const std::string* itemKey) {
  // The record is written as text: its images are the items' own texts,
  // dumped once for the item and its record. SizeBytes: the keys and
  // images as the record holds them.
  uint64_t sequence = stream.nextSequence++;
  size_t size = keysText.size() + (newImage ? newImage->size() : 0) + (oldImage ? oldImage->size() : 0);
  std::string record;
  record.reserve(256 + size);
  record += R"({"eventID":")";
  record += fmt::format("{:016x}{:016x}", eventIdSalt_, eventIdCounter_.fetch_add(1, std::memory_order_relaxed));
  record += R"(","eventName":")";
  record += eventName;
  record += R"(","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":)";
  appendJsonString(record, stream.region);
  record += fmt::format(R"(,"dynamodb":{{"ApproximateCreationDateTime":{},"Keys":)", std::floor(nowSeconds()));
  record += keysText;
  if (newImage) record.append(R"(,"NewImage":)").append(*newImage);
  if (oldImage) record.append(R"(,"OldImage":)").append(*oldImage);
  record += fmt::format(R"(,"SequenceNumber":"{}","SizeBytes":{},"StreamViewType":)", streams::formatSequence(sequence),
                        std::max<size_t>(size, 1));
  appendJsonString(record, stream.viewType);
  record += '}';
  if (cause == WriteCause::TimeToLive) {
    record += R"(,"userIdentity":{"PrincipalId":"dynamodb.amazonaws.com","Type":"Service"})";
  }
  record += '}';
  batch.Put(recordKey(stream.id, sequence), record);
  if (itemKey != nullptr) addReplicaStamp(batch, stream, sequence, *itemKey);
}

bool TableStore::addStreamRewrite(rocksdb::WriteBatch& batch, const std::string& tableId, const std::string& key,
                                  const std::string& beforeText, const std::string& afterText) {
  auto stream = activeStream(tableId);
  if (!stream) return true;
  if (beforeText == afterText) return true;  // unchanged: no record
  auto keys = keysOfItemKey(key, stream->keyAttributes);
  if (!keys) return false;
  const std::string& view = stream->viewType;
  bool withNew = view == "NEW_IMAGE" || view == "NEW_AND_OLD_IMAGES";
  bool withOld = view == "OLD_IMAGE" || view == "NEW_AND_OLD_IMAGES";
  addStreamRecord(batch, *stream, "MODIFY", keys->dump(), withOld ? &beforeText : nullptr,
                  withNew ? &afterText : nullptr, WriteCause::Request, stream->replicated ? &key : nullptr);
  return true;
}

std::vector<std::pair<uint64_t, std::string>> TableStore::streamRecords(const std::string& streamId, uint64_t from,
                                                                       uint64_t through, size_t limit,
                                                                       size_t maxBytes) {
  std::vector<std::pair<uint64_t, std::string>> out;
  size_t bytes = 0;
  if (from > through) return out;
  std::string prefix = keys::streamRecords(streamId);
  std::string end = recordKey(streamId, through);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(recordKey(streamId, from)); it->Valid() && out.size() < limit && it->key().starts_with(prefix) &&
                                            it->key().compare(end) <= 0;
       it->Next()) {
    if (!out.empty() && bytes + it->value().size() > maxBytes) break;
    bytes += it->value().size();
    out.emplace_back(sequenceOfKey(it->key()), it->value().ToString());
  }
  return out;
}

uint64_t TableStore::streamTrimmedBelow(const std::string& streamId) {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), trimmedKey(streamId), &value).ok()) return 1;
  try {
    return std::max<uint64_t>(std::stoull(value), 1);
  } catch (const std::exception&) {
    return 1;
  }
}

Result<uint64_t> TableStore::trimStream(const std::string& streamId, double cutoffSeconds) {
  std::string prefix = keys::streamRecords(streamId);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::string firstKept;
  uint64_t dropped = 0, lastDropped = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    Json record = Json::parse(it->value().ToString(), nullptr, false);
    double created = record.is_object() ? record["dynamodb"].value("ApproximateCreationDateTime", 0.0) : 0.0;
    if (created >= cutoffSeconds) {
      firstKept = it->key().ToString();
      break;
    }
    ++dropped;
    lastDropped = sequenceOfKey(it->key());
  }
  it.reset();
  uint64_t next = firstKept.empty() ? lastStreamSequence(streamId) + 1 : sequenceOfKey(firstKept);
  if (dropped == 0) return next;
  rocksdb::WriteBatch batch;
  batch.Put(trimmedKey(streamId), std::to_string(lastDropped + 1));
  // Up to the last record seen: one written meanwhile stays.
  batch.DeleteRange(prefix, recordKey(streamId, lastDropped + 1));
  batch.DeleteRange(keys::recordStamps(streamId),
                    keys::recordStamps(streamId) + streams::formatSequence(lastDropped + 1));
  if (auto status = write(batch); !status.ok()) return keys::storageError(status);
  return next;
}

Result<bool> TableStore::dropStream(const std::string& metaKey, const std::string& streamId) {
  std::string prefix = keys::streamRecords(streamId);
  rocksdb::WriteBatch batch;
  batch.DeleteRange(prefix, keys::endOf(prefix));
  batch.DeleteRange(keys::recordStamps(streamId), keys::endOf(keys::recordStamps(streamId)));
  batch.Delete(trimmedKey(streamId));
  batch.Delete(metaKey);
  if (auto status = write(batch); !status.ok()) return keys::storageError(status);
  return true;
}

}  // namespace kura::ddb

#pragma once
// The names DynamoDB Streams gives its things, as its clients see them:
// sequence numbers (21 decimal digits, increasing within a stream), shard
// ids ("shardId-<20 digits>-<8 hex>") and shard iterators.
//
// A shard iterator is "<stream ARN>|1|<base64>", as DynamoDB writes its
// own (the ARN first: IAM evaluates GetRecords on it). The base64 part
// holds the shard, the next sequence number to read, the iterator's
// expiry (15 minutes after it was handed out, as DynamoDB's), and an
// HMAC-SHA256 over all of it under the store's secret: a client can
// neither move an iterator nor extend its life.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/api_error.h"

namespace kura::ddb::streams {

inline constexpr int64_t kIteratorLifetimeMillis = 15 * 60 * 1000;

std::string formatSequence(uint64_t sequence);
// A sequence number as a client sends it: digits only, 21 to 40 of them,
// and within what Kura hands out (64 bits).
std::optional<uint64_t> parseSequence(std::string_view text);

// A shard's id, from the time it opened and its first sequence number.
std::string shardId(int64_t openedMillis, uint64_t firstSequence);

struct IteratorPosition {
  std::string streamArn;
  std::string shardId;
  uint64_t next = 0;  // the first sequence number the iterator reads
  int64_t expiresAtMillis = 0;
};

std::string encodeIterator(const IteratorPosition& position, std::string_view secret);
// ValidationException for anything Kura did not hand out under `secret`.
Result<IteratorPosition> decodeIterator(std::string_view text, std::string_view secret);

}  // namespace kura::ddb::streams

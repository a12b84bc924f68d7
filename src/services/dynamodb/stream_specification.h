#pragma once
// A table's stream as CreateTable, UpdateTable and DeleteTable change it
// (StreamSpecification): what the table's description says of it
// (StreamSpecification, LatestStreamArn, LatestStreamLabel, and the
// store's "_stream"), and the stream's own description, kept beside the
// table's and written in the same atomic batch:
//   {StreamArn, StreamLabel, StreamViewType, StreamStatus, TableName,
//    KeySchema, CreationRequestDateTime, Id, DisabledAt,
//    Shards: [{ShardId, Start, End, Closed, Opened, Parent}]}
// A disabled stream (or that of a deleted table) is closed at its last
// record and stays readable for 24 hours, as DynamoDB's.
#include <optional>
#include <string>

#include "common/api_error.h"
#include "common/clock.h"
#include "ddb/table_store.h"
#include "services/core/request_context.h"

namespace kura::ddb {

class StreamChange {
 public:
  // Applies the request's StreamSpecification, if any, to `table` (the
  // description about to be written): DynamoDB's ValidationExceptions for
  // a stream enabled twice, a stream disabled that is not there, or one
  // enabled without its StreamViewType.
  std::optional<ApiError> apply(const RequestContext& c, const Json& in, Json& table, SystemTime now);
  // The table is deleted: its stream, if enabled, is closed.
  void closeWith(const Json& table, SystemTime now);
  // What the store writes with the table, as apply() or closeWith() left
  // it when the store calls it (nothing when the stream is left as it
  // was). The change must outlive the store's call.
  AlsoWrite writes(TableStore& store) const;
  // Whether a request or a table has a stream to change.
  static bool asked(const Json& in) { return in.contains("StreamSpecification"); }
  static bool enabled(const Json& table) {
    return table.contains("_stream") && table["_stream"].value("Enabled", false);
  }

 private:
  std::string openedKey_;
  Json opened_;
  std::string closedKey_, closedId_;
  double closedAt_ = 0;
};

// The stream's ARN: arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>.
std::string streamArn(const std::string& region, const std::string& account, const std::string& table,
                      const std::string& label);

}  // namespace kura::ddb

#pragma once
// CloudWatch Logs' storage: log groups, their streams and events, per
// account and region, in SQLite (<data-dir>/logs/logs.db). Also the way
// other services ship logs (RDS exports PostgreSQL's log here).
//
// A group associated with a KMS key keeps a data key of its own, stored only
// wrapped under that key (encryption context aws:logs:arn = the group's
// ARN); every event ingested while the key is associated is sealed under it
// (AES-256-GCM). Reading or writing unwraps it through KMS, so a disabled or
// deleted key makes the group's sealed events unreadable, and nothing else.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "kms/key_manager.h"
#include "sql/sqlite_db.h"

namespace kura {

struct LogGroupInfo {
  std::string name;
  int64_t creationTime = 0;  // epoch milliseconds, as CloudWatch Logs writes times
  std::optional<int64_t> retentionInDays;
  std::string kmsKeyId;
  int64_t storedBytes = 0;
};

struct LogStreamInfo {
  std::string name;
  int64_t creationTime = 0;
  std::optional<int64_t> firstEventTimestamp, lastEventTimestamp, lastIngestionTime;
  int64_t storedBytes = 0;
};

struct LogEvent {
  int64_t id = 0;
  std::string stream;
  int64_t timestamp = 0;
  int64_t ingestionTime = 0;
  std::string message;
};

struct LogEventQuery {
  std::vector<std::string> streams;  // empty: every stream of the group
  std::string streamPrefix;
  std::optional<int64_t> startTime, endTime;
  // Pagination cursors: (timestamp, id) of the last event of the page before.
  std::optional<std::pair<int64_t, int64_t>> after, before;
  bool newestFirst = false;
  size_t limit = 10000;
};

class LogStore {
 public:
  // `keys`: KMS, for groups with a key (none: such groups cannot be made).
  explicit LogStore(const std::filesystem::path& dataDir, kms::KeyManager* keys = nullptr);

  // `kmsKeyArn`: a usable key's ARN, or empty.
  Result<bool> createGroup(const std::string& account, const std::string& region, const std::string& group,
                           const std::string& kmsKeyArn, int64_t now);
  // Associates a key (events from now on are sealed under it; the group's
  // data key is wrapped anew under it, so older ones stay readable), or
  // with an empty ARN disassociates it (events from now on are stored in
  // clear; sealed ones still need the key).
  Result<bool> setKmsKey(const std::string& account, const std::string& region, const std::string& group,
                         const std::string& kmsKeyArn);
  Result<bool> deleteGroup(const std::string& account, const std::string& region, const std::string& group);
  std::vector<LogGroupInfo> listGroups(const std::string& account, const std::string& region,
                                       const std::string& prefix, const std::string& after, size_t limit);
  Result<LogGroupInfo> group(const std::string& account, const std::string& region, const std::string& group);
  Result<bool> setRetention(const std::string& account, const std::string& region, const std::string& group,
                            std::optional<int64_t> days);

  Result<bool> createStream(const std::string& account, const std::string& region, const std::string& group,
                            const std::string& stream, int64_t now);
  Result<bool> deleteStream(const std::string& account, const std::string& region, const std::string& group,
                            const std::string& stream);
  Result<std::vector<LogStreamInfo>> listStreams(const std::string& account, const std::string& region,
                                                 const std::string& group, const std::string& prefix,
                                                 bool byLastEvent, bool descending, const std::string& after,
                                                 size_t limit);

  // Appends events to a stream (which must exist unless createMissing).
  Result<bool> append(const std::string& account, const std::string& region, const std::string& group,
                      const std::string& stream, const std::vector<LogEvent>& events, int64_t now,
                      bool createMissing = false);
  Result<std::vector<LogEvent>> events(const std::string& account, const std::string& region,
                                       const std::string& group, const LogEventQuery& query, int64_t now);

 private:
  Result<int64_t> groupId(const std::string& account, const std::string& region, const std::string& group);
  Result<int64_t> streamId(int64_t groupId, const std::string& stream);
  // The group's data key wrapped under `kmsKeyArn`: a new one, or `wrapped`
  // unwrapped and wrapped anew.
  Result<std::string> wrapDataKey(const std::string& account, const std::string& region, const std::string& group,
                                  const std::string& kmsKeyArn, const std::string& wrapped);
  // The group's data key, unwrapped through KMS.
  Result<std::string> dataKey(const std::string& account, const std::string& region, const std::string& group,
                              const std::string& wrapped);

  kms::KeyManager* keys_;

  std::mutex mutex_;
  SqliteDb db_;  // guarded by mutex_
};

}  // namespace kura

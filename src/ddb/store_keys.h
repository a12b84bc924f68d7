#pragma once
// How the DynamoDB store lays out its RocksDB keys (one keyspace):
//   m|<account>|<region>|<table name>   table description
//   i|<table id>|<item key>             item
//   x|<table id>|<index>|<entry key>    secondary index entry
//   p|<table id>|<micros>|<sequence>    change log (point-in-time recovery)
//   s|<account>|<region>|<table name>|<label>   stream description
//   t|<account>|<region>|<token>        a transaction's ClientRequestToken
//   r|<stream id>|<sequence>            stream record
//   q|<stream id>                       where the stream's trimming stands
//   c|stream-iterator-secret            the key shard iterators are signed with
//   c|next-table-id                     counter
//   g|<table id>|<item key>             a global table item's last stamp
//   gs|<stream id>|<sequence>           a global table stream record's stamp
//   gc|<table id>|<region>              replication cursor (global tables)
//   gt|<account>|<region>|<table>       a replica of a global table
// Shared by the store's files; not an interface of its own.
#include <string>

#include <rocksdb/status.h>

#include "common/api_error.h"
#include "ddb/table_store.h"

namespace kura::ddb::keys {

inline std::string meta(const TableRef& ref) { return "m|" + ref.account + "|" + ref.region + "|" + ref.name; }
inline std::string items(const std::string& tableId) { return "i|" + tableId + "|"; }
inline std::string index(const std::string& tableId, const std::string& index) {
  return "x|" + tableId + "|" + index + "|";
}
inline std::string allIndexes(const std::string& tableId) { return "x|" + tableId + "|"; }
inline std::string changeLog(const std::string& tableId) { return "p|" + tableId + "|"; }
inline std::string streamRecords(const std::string& streamId) { return "r|" + streamId + "|"; }
inline std::string itemStamps(const std::string& tableId) { return "g|" + tableId + "|"; }
inline std::string recordStamps(const std::string& streamId) { return "gs|" + streamId + "|"; }
// The first key after every key that starts with `prefix` (which ends in '|').
inline std::string endOf(const std::string& prefix) { return prefix.substr(0, prefix.size() - 1) + "}"; }

inline ApiError storageError(const rocksdb::Status& status) {
  if (status.IsNoSpace()) {
    return ApiError::internal("The server's disk is full: the write may not have been made. Retry once space is freed.");
  }
  return ApiError::internal("storage failure: " + status.ToString());
}

}  // namespace kura::ddb::keys

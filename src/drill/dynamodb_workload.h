#pragma once
// The DynamoDB workload of accidental-delete: items of its own in the
// drilled table, keyed by the table's own key schema ("<prefix>-<n>" for
// a string key, a number of its own range for a number key, the same bytes
// for a binary one; a sort key holds the same value), each PutItem
// conditional on the key being new so that no item of the table is ever
// overwritten. It reads back with BatchGetItem (strongly consistent) and
// deletes with DeleteItem: only the keys it wrote.
#include <string>
#include <variant>

#include "client/aws_client.h"
#include "drill/workload.h"

namespace kura::drill {

struct TableKeys {
  std::string hashName, hashType;  // "S", "N" or "B"
  std::string rangeName, rangeType;  // empty without a sort key
};

// The table's keys from DescribeTable's answer.
std::variant<TableKeys, std::string> tableKeysOf(const nlohmann::json& table);

class DynamoDbWorkload final : public Workload {
 public:
  // `prefix`: freshWorkloadName(); `numberBase`: where a number key's range starts.
  DynamoDbWorkload(client::AwsClient& client, std::string table, TableKeys keys, std::string prefix,
                   int64_t numberBase);

  std::string describe() const override;
  std::optional<std::string> prepare() override { return std::nullopt; }
  std::optional<std::string> write(int64_t id, std::chrono::milliseconds timeout) override;
  std::optional<std::set<int64_t>> readBack(std::string& error) override;
  std::optional<std::string> eraseAll() override;
  void cleanup() override { eraseAll(); }

  // The same items, read from another table (the restored copy).
  std::unique_ptr<DynamoDbWorkload> readerOf(const std::string& table) const;

 private:
  nlohmann::json keyOf(int64_t id) const;
  std::optional<int64_t> idOf(const nlohmann::json& item) const;

  client::AwsClient& client_;
  std::string table_;
  TableKeys keys_;
  std::string prefix_;
  int64_t numberBase_;
  std::set<int64_t> written_;  // every id a PutItem was sent for (but those refused: the key was taken)
};

}  // namespace kura::drill

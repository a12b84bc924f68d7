#include "drill/dynamodb_workload.h"

#include <fmt/format.h>

#include <vector>

namespace kura::drill {
namespace {

using Json = nlohmann::json;

// Base64 of a short ASCII text, as the JSON protocol carries binary values.
std::string base64(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t at = 0;
  for (; at + 2 < text.size(); at += 3) {
    unsigned n = (static_cast<unsigned char>(text[at]) << 16) | (static_cast<unsigned char>(text[at + 1]) << 8) |
                 static_cast<unsigned char>(text[at + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(n >> shift) & 63];
  }
  if (at < text.size()) {
    unsigned n = static_cast<unsigned char>(text[at]) << 16;
    if (at + 1 < text.size()) n |= static_cast<unsigned char>(text[at + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += at + 1 < text.size() ? alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::variant<TableKeys, std::string> tableKeysOf(const Json& table) {
  TableKeys keys;
  std::map<std::string, std::string> types;
  for (const auto& definition : table.value("AttributeDefinitions", Json::array())) {
    types[definition.value("AttributeName", "")] = definition.value("AttributeType", "");
  }
  for (const auto& element : table.value("KeySchema", Json::array())) {
    std::string name = element.value("AttributeName", "");
    (element.value("KeyType", "") == "HASH" ? keys.hashName : keys.rangeName) = name;
  }
  if (keys.hashName.empty()) return std::string("the table has no partition key in its description");
  keys.hashType = types[keys.hashName];
  if (!keys.rangeName.empty()) keys.rangeType = types[keys.rangeName];
  return keys;
}

DynamoDbWorkload::DynamoDbWorkload(client::AwsClient& client, std::string table, TableKeys keys, std::string prefix,
                                   int64_t numberBase)
    : client_(client),
      table_(std::move(table)),
      keys_(std::move(keys)),
      prefix_(std::move(prefix)),
      numberBase_(numberBase) {}

std::string DynamoDbWorkload::describe() const {
  return fmt::format("DynamoDB table {}, items of its own keyed {}-<n>, one conditional PutItem per write", table_,
                     prefix_);
}

Json DynamoDbWorkload::keyOf(int64_t id) const {
  auto value = [&](const std::string& type) -> Json {
    std::string text = fmt::format("{}-{}", prefix_, id);
    if (type == "N") return {{"N", std::to_string(numberBase_ + id)}};
    if (type == "B") return {{"B", base64(text)}};
    return {{"S", text}};
  };
  Json key = {{keys_.hashName, value(keys_.hashType)}};
  if (!keys_.rangeName.empty()) key[keys_.rangeName] = value(keys_.rangeType);
  return key;
}

std::optional<int64_t> DynamoDbWorkload::idOf(const Json& item) const {
  // The id is in an attribute of its own, so that no key type need be decoded.
  if (!item.contains("kura_drill_id") || !item["kura_drill_id"].contains("N")) return std::nullopt;
  try {
    return std::stoll(item["kura_drill_id"]["N"].get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> DynamoDbWorkload::write(int64_t id, std::chrono::milliseconds) {
  written_.insert(id);
  Json item = keyOf(id);
  item["kura_drill_id"] = {{"N", std::to_string(id)}};
  auto answer = client_.call("dynamodb", "PutItem",
                             {{"TableName", table_},
                              {"Item", item},
                              {"ConditionExpression", "attribute_not_exists(#k)"},
                              {"ExpressionAttributeNames", {{"#k", keys_.hashName}}}});
  if (const auto* error = client::errorOf(answer)) {
    // An item of the table had the key: not the drill's, never deleted.
    if (error->code == "ConditionalCheckFailedException") written_.erase(id);
    return error->describe();
  }
  return std::nullopt;
}

std::optional<std::set<int64_t>> DynamoDbWorkload::readBack(std::string& error) {
  std::set<int64_t> held;
  std::vector<int64_t> ids(written_.begin(), written_.end());
  for (size_t from = 0; from < ids.size(); from += 100) {
    Json keys = Json::array();
    for (size_t at = from; at < std::min(ids.size(), from + 100); ++at) keys.push_back(keyOf(ids[at]));
    Json request = {{table_, {{"Keys", keys}, {"ConsistentRead", true}}}};
    for (int round = 0; round < 20 && !request.empty(); ++round) {
      auto answer = client_.call("dynamodb", "BatchGetItem", {{"RequestItems", request}});
      if (const auto* failed = client::errorOf(answer)) {
        error = "BatchGetItem: " + failed->describe();
        return std::nullopt;
      }
      const Json& output = *client::outputOf(answer);
      for (const auto& item : output["Responses"].value(table_, Json::array())) {
        if (auto id = idOf(item)) held.insert(*id);
      }
      request = output.value("UnprocessedKeys", Json::object());
    }
    if (!request.empty()) {
      error = "BatchGetItem left keys unprocessed after 20 rounds";
      return std::nullopt;
    }
  }
  return held;
}

std::optional<std::string> DynamoDbWorkload::eraseAll() {
  for (int64_t id : written_) {
    // Only the drill's own item (or none): never one of the table's.
    auto answer = client_.call("dynamodb", "DeleteItem",
                               {{"TableName", table_},
                                {"Key", keyOf(id)},
                                {"ConditionExpression", "attribute_not_exists(#k) OR kura_drill_id = :id"},
                                {"ExpressionAttributeNames", {{"#k", keys_.hashName}}},
                                {"ExpressionAttributeValues", {{":id", {{"N", std::to_string(id)}}}}}});
    const auto* error = client::errorOf(answer);
    if (error != nullptr && error->code != "ConditionalCheckFailedException") {
      return "DeleteItem: " + error->describe();
    }
  }
  return std::nullopt;
}

std::unique_ptr<DynamoDbWorkload> DynamoDbWorkload::readerOf(const std::string& table) const {
  auto reader = std::make_unique<DynamoDbWorkload>(client_, table, keys_, prefix_, numberBase_);
  reader->written_ = written_;
  return reader;
}

}  // namespace kura::drill

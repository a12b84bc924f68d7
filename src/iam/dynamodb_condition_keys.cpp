#include "iam/dynamodb_condition_keys.h"

#include <algorithm>
#include <set>

#include "ddb/expression.h"
#include "iam/service_condition_keys.h"

namespace kura::iam {
namespace {

using Json = nlohmann::json;

const Json kNone = Json::object();
const Json kNoList = Json::array();

const Json& memberOr(const Json& request, const char* name, const Json& otherwise) {
  auto it = request.find(name);
  return it == request.end() ? otherwise : *it;
}


// An attribute value as a policy compares it: a string's or a number's
// text, a binary's base64.
std::string valueText(const Json& value) {
  if (!value.is_object() || value.size() != 1) return "";
  const Json& inner = value.begin().value();
  return inner.is_string() ? inner.get<std::string>() : inner.dump();
}

std::string hashKeyOf(const Json& schema) {
  if (!schema.is_array()) return "";
  for (const auto& element : schema) {
    if (element.is_object() && element.value("KeyType", "") == "HASH") return element.value("AttributeName", "");
  }
  return "";
}

// The partition key's name of a table, or of one of its global indexes.
std::string partitionKeyOf(const Json& table, const std::string& index) {
  if (!index.empty()) {
    for (const char* kind : {"GlobalSecondaryIndexes"}) {
      auto indexes = table.find(kind);
      if (indexes == table.end() || !indexes->is_array()) continue;
      for (const auto& entry : *indexes) {
        if (entry.is_object() && entry.value("IndexName", "") == index) {
          auto schema = entry.find("KeySchema");
          return schema == entry.end() ? std::string() : hashKeyOf(*schema);
        }
      }
    }
  }
  auto schema = table.find("KeySchema");
  return schema == table.end() ? std::string() : hashKeyOf(*schema);
}

std::vector<std::string> keyNames(const Json& table) {
  std::vector<std::string> out;
  auto schema = table.find("KeySchema");
  if (schema == table.end() || !schema->is_array()) return out;
  for (const auto& element : *schema) {
    if (element.is_object()) out.push_back(element.value("AttributeName", ""));
  }
  return out;
}

struct Collected {
  std::vector<std::string> leading;
  std::set<std::string> attributes;
};

ddb::ExpressionContext contextOf(const Json& request) {
  ddb::ExpressionContext context;
  auto names = request.find("ExpressionAttributeNames");
  if (names != request.end()) context.names = &*names;
  auto values = request.find("ExpressionAttributeValues");
  if (values != request.end()) context.values = &*values;
  return context;
}

void addLeading(const Json& key, const std::string& partitionKey, Collected& out) {
  if (!key.is_object() || partitionKey.empty()) return;
  auto value = key.find(partitionKey);
  if (value != key.end()) out.leading.push_back(valueText(*value));
}

// The names a read asks for: ProjectionExpression's top-level names or
// AttributesToGet.
void addProjection(const Json& request, Collected& out) {
  if (auto text = request.find("ProjectionExpression"); text != request.end() && text->is_string()) {
    if (auto paths = ddb::parseProjection(text->get<std::string>(), contextOf(request))) {
      for (const auto& path : *paths) {
        if (!path.empty() && !path.front().name.empty()) out.attributes.insert(path.front().name);
      }
    }
  }
  if (auto list = request.find("AttributesToGet"); list != request.end() && list->is_array()) {
    for (const auto& name : *list) {
      if (name.is_string()) out.attributes.insert(name.get<std::string>());
    }
  }
}

void addItemNames(const Json& item, Collected& out) {
  if (!item.is_object()) return;
  for (auto it = item.begin(); it != item.end(); ++it) out.attributes.insert(it.key());
}

void addUpdateNames(const Json& request, Collected& out) {
  if (auto text = request.find("UpdateExpression"); text != request.end() && text->is_string()) {
    if (auto actions = ddb::parseUpdate(text->get<std::string>(), contextOf(request))) {
      for (const auto& action : *actions) {
        if (!action.path.empty() && !action.path.front().name.empty()) out.attributes.insert(action.path.front().name);
      }
    }
  }
  if (auto updates = request.find("AttributeUpdates"); updates != request.end()) addItemNames(*updates, out);
}

// The partition key value a key condition fixes (pk = :v), if any.
void addKeyCondition(const Json& request, const std::string& partitionKey, Collected& out) {
  if (partitionKey.empty()) return;
  if (auto text = request.find("KeyConditionExpression"); text != request.end() && text->is_string()) {
    auto condition = ddb::parseCondition(text->get<std::string>(), contextOf(request));
    if (!condition) return;
    std::vector<const ddb::Condition*> stack{condition->get()};
    while (!stack.empty()) {
      const ddb::Condition* node = stack.back();
      stack.pop_back();
      if (node == nullptr) continue;
      if (node->kind == ddb::Condition::Kind::And) {
        stack.push_back(node->left.get());
        stack.push_back(node->right.get());
      } else if (node->kind == ddb::Condition::Kind::Compare && node->op == "=" && node->operands.size() == 2) {
        const auto& a = *node->operands[0];
        const auto& b = *node->operands[1];
        const ddb::Operand* path = a.kind == ddb::Operand::Kind::Path ? &a : &b;
        const ddb::Operand* value = a.kind == ddb::Operand::Kind::Value ? &a : &b;
        if (path->kind == ddb::Operand::Kind::Path && value->kind == ddb::Operand::Kind::Value &&
            path->path.size() == 1 && path->path.front().name == partitionKey) {
          out.leading.push_back(valueText(value->value));
        }
      }
    }
  }
  if (auto legacy = request.find("KeyConditions"); legacy != request.end() && legacy->is_object()) {
    auto condition = legacy->find(partitionKey);
    if (condition != legacy->end() && condition->is_object() && condition->value("ComparisonOperator", "") == "EQ") {
      const Json& values = memberOr(*condition, "AttributeValueList", kNoList);
      if (values.is_array() && values.size() == 1) out.leading.push_back(valueText(values[0]));
    }
  }
}

std::string tableNameOf(const Json& request) {
  auto name = request.find("TableName");
  return name != request.end() && name->is_string() ? name->get<std::string>() : std::string();
}

// aws:ResourceTag/<key> of each table the call acts on (a table's tags are
// in its description), per table.
void addTableTags(const TableLookup& table, auth::RequestFacts& facts) {
  for (const auto& arn : facts.resources) {
    size_t at = arn.find(":table/");
    if (!arn.starts_with("arn:") || at == std::string::npos || facts.resourceKeys.contains(arn)) continue;
    std::string name = arn.substr(at + 7);
    name = name.substr(0, name.find('/'));
    auth::ConditionKeys keys;
    if (auto description = table(name); description && description->is_object()) {
      for (const auto& tag : memberOr(*description, "_tags", kNoList)) {
        if (!tag.is_object()) continue;
        std::string key = "aws:resourcetag/" + tag.value("Key", "");
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
        keys.insert_or_assign(std::move(key), tag.value("Value", ""));
      }
    }
    facts.resourceKeys.emplace(arn, std::move(keys));
  }
}

}  // namespace

void addDynamoDbKeys(const std::string& operation, const nlohmann::json& input, const std::vector<std::string>& wanted,
                     const TableLookup& table, auth::RequestFacts& facts) {
  if (!input.is_object()) return;
  if (wantsPrefix(wanted, "aws:resourcetag/")) addTableTags(table, facts);
  if (!wantsPrefix(wanted, "dynamodb:")) return;

  bool wantsLeading = wantsPrefix(wanted, "dynamodb:leadingkeys");
  bool wantsAttributes = wantsPrefix(wanted, "dynamodb:attributes");
  Collected out;
  auto schemaOf = [&](const std::string& name) -> std::shared_ptr<const Json> {
    if (!wantsLeading && !wantsAttributes) return nullptr;
    auto found = table(name);
    return found && found->is_object() ? found : nullptr;
  };
  // One item's call on one table: its key, and what it reads or writes.
  auto itemCall = [&](const Json& request, const std::string& kind) {
    if (!request.is_object()) return;
    auto description = schemaOf(tableNameOf(request));
    std::string partitionKey = description ? partitionKeyOf(*description, "") : std::string();
    if (kind == "Put") {
      addLeading(memberOr(request, "Item", kNone), partitionKey, out);
      addItemNames(memberOr(request, "Item", kNone), out);
      return;
    }
    addLeading(memberOr(request, "Key", kNone), partitionKey, out);
    if (kind == "Get") {
      addProjection(request, out);
      return;
    }
    // Update, Delete, ConditionCheck: the key's names are written (or checked).
    if (description) {
      for (auto& name : keyNames(*description)) out.attributes.insert(std::move(name));
    }
    if (kind == "Update") addUpdateNames(request, out);
  };
  if (operation == "GetItem") {
    itemCall(input, "Get");
  } else if (operation == "PutItem") {
    itemCall(input, "Put");
  } else if (operation == "UpdateItem") {
    itemCall(input, "Update");
  } else if (operation == "DeleteItem") {
    itemCall(input, "Delete");
  } else if (operation == "Query" || operation == "Scan") {
    if (operation == "Query") {
      auto description = schemaOf(tableNameOf(input));
      std::string index = input.value("IndexName", "");
      if (description) addKeyCondition(input, partitionKeyOf(*description, index), out);
    }
    addProjection(input, out);
    std::string select = input.value("Select", "");
    if (select.empty()) {
      bool projected = input.contains("ProjectionExpression") || input.contains("AttributesToGet");
      select = projected ? "SPECIFIC_ATTRIBUTES" : input.contains("IndexName") ? "ALL_PROJECTED_ATTRIBUTES"
                                                                               : "ALL_ATTRIBUTES";
    }
    facts.keys.insert_or_assign("dynamodb:select", select);
  } else if (operation == "BatchGetItem") {
    for (const auto& [name, request] : memberOr(input, "RequestItems", kNone).items()) {
      if (!request.is_object()) continue;
      auto description = schemaOf(name);
      std::string partitionKey = description ? partitionKeyOf(*description, "") : std::string();
      for (const auto& key : memberOr(request, "Keys", kNoList)) addLeading(key, partitionKey, out);
      addProjection(request, out);
    }
  } else if (operation == "BatchWriteItem") {
    for (const auto& [name, requests] : memberOr(input, "RequestItems", kNone).items()) {
      if (!requests.is_array()) continue;
      auto description = schemaOf(name);
      std::string partitionKey = description ? partitionKeyOf(*description, "") : std::string();
      for (const auto& request : requests) {
        if (!request.is_object()) continue;
        if (auto put = request.find("PutRequest"); put != request.end() && put->is_object()) {
          addLeading(memberOr(*put, "Item", kNone), partitionKey, out);
          addItemNames(memberOr(*put, "Item", kNone), out);
        }
        if (auto del = request.find("DeleteRequest"); del != request.end() && del->is_object()) {
          addLeading(memberOr(*del, "Key", kNone), partitionKey, out);
          addItemNames(memberOr(*del, "Key", kNone), out);
        }
      }
    }
  } else if (operation == "TransactWriteItems" || operation == "TransactGetItems") {
    for (const auto& entry : memberOr(input, "TransactItems", kNoList)) {
      if (!entry.is_object()) continue;
      for (const char* kind : {"Get", "Put", "Update", "Delete", "ConditionCheck"}) {
        if (auto request = entry.find(kind); request != entry.end()) itemCall(*request, kind);
      }
    }
  }
  if (operation == "PutItem" || operation == "UpdateItem" || operation == "DeleteItem") {
    facts.keys.insert_or_assign("dynamodb:returnvalues", input.value("ReturnValues", "NONE"));
  }
  static constexpr std::string_view kMeasured[] = {"GetItem",      "PutItem",        "UpdateItem",       "DeleteItem",
                                                   "Query",        "Scan",           "BatchGetItem",     "BatchWriteItem",
                                                   "TransactGetItems", "TransactWriteItems"};
  if (std::find(std::begin(kMeasured), std::end(kMeasured), operation) != std::end(kMeasured)) {
    auto asked = input.find("ReturnConsumedCapacity");
    facts.keys.insert_or_assign("dynamodb:returnconsumedcapacity",
                                asked != input.end() && asked->is_string() ? asked->get<std::string>() : "NONE");
  }
  if (!out.leading.empty()) facts.multiKeys.insert_or_assign("dynamodb:leadingkeys", std::move(out.leading));
  // A read that names no attribute reads them all: the key is absent, as
  // in DynamoDB (dynamodb:Select tells such a read apart).
  if (!out.attributes.empty()) {
    facts.multiKeys.insert_or_assign("dynamodb:attributes",
                                     std::vector<std::string>(out.attributes.begin(), out.attributes.end()));
  }
}

}  // namespace kura::iam

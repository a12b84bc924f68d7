#include "services/dynamodb/key_paths.h"

#include <algorithm>
#include <iterator>

namespace kura::ddb {
namespace {

void operandPaths(const Operand& operand, std::vector<Path>& out) {
  if (!operand.path.empty()) out.push_back(operand.path);
  for (const auto& inner : {operand.left, operand.right}) {
    if (inner) operandPaths(*inner, out);
  }
}

void collect(const Condition& condition, std::vector<Path>& out) {
  for (const auto& operand : condition.operands) operandPaths(*operand, out);
  for (const auto& inner : {condition.left, condition.right}) {
    if (inner) collect(*inner, out);
  }
}

ApiError notScalar(const std::string& what, const std::string& name) {
  return ApiError::sender("ValidationException",
                          "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                          "allowed: " + what + ": " + name);
}

}  // namespace

// The values of an ExclusiveStartKey, as DynamoDB checks them before the
// key itself (whose schema needs the table); most of its messages then
// begin "The provided starting key is invalid: ", the numbers' and sets' not.
std::optional<ApiError> checkStartKeyValues(const Json& in) {
  auto startKey = in.find("ExclusiveStartKey");
  if (startKey == in.end() || !startKey->is_object()) return std::nullopt;
  for (auto it = startKey->begin(); it != startKey->end(); ++it) {
    Json value = it.value();
    auto error = validateValue(value, "ExclusiveStartKey");
    if (!error) continue;
    static const char* kBare[] = {"contains duplicates", "number set", "numeric value", "significant digits",
                                  "number with magnitude"};
    bool bare = std::any_of(std::begin(kBare), std::end(kBare),
                            [&](const char* words) { return error->message.find(words) != std::string::npos; });
    if (!bare) error->message = "The provided starting key is invalid: " + error->message;
    return error;
  }
  return std::nullopt;
}

std::vector<Path> conditionPaths(const Condition& condition) {
  std::vector<Path> out;
  collect(condition, out);
  return out;
}

std::optional<ApiError> checkKeyPaths(const Json& table, const std::vector<Path>& paths) {
  for (const Path& path : paths) {
    if (path.size() < 2) continue;
    for (const auto& element : table["KeySchema"]) {
      if (element["AttributeName"] == path[0].name) return notScalar("Key", path[0].name);
    }
  }
  for (const Path& path : paths) {
    if (path.size() < 2) continue;
    for (const char* kind : {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"}) {
      for (const auto& index : table.value(kind, Json::array())) {
        for (const auto& element : index["KeySchema"]) {
          if (element["AttributeName"] == path[0].name) return notScalar("IndexKey", path[0].name);
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<ApiError> checkFilterKeys(const std::vector<Path>& paths, const std::string& hashName,
                                        const std::string& rangeName, const std::string& filterName) {
  for (const std::string& name : {hashName, rangeName}) {
    if (name.empty()) continue;
    for (const Path& path : paths) {
      if (path[0].name == name) {
        return ApiError::sender("ValidationException",
                                filterName + " can only contain non-primary key attributes: Primary key attribute: " +
                                    name);
      }
    }
  }
  return std::nullopt;
}

}  // namespace kura::ddb

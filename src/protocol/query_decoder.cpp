#include "protocol/query_decoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "common/time_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;

// A form key has at most this many parts ("A.member.1" has 3). The deepest
// key a query service's model allows has 33 (11 shapes deep, a map entry
// taking 3 parts: entry.N.value); the tree below is freed recursively, and a
// key of a million parts overflowed the stack doing so. decodeNode follows
// the model's shapes, none of them recursive in a query service.
constexpr size_t kMaxNameParts = 64;

// Form keys split at '.' into a tree: "A.member.1" -> A -> member -> 1.
struct FieldNode {
  std::optional<std::string> value;
  std::map<std::string, FieldNode, std::less<>> children;
};

ApiError invalidValue(const std::string& path, const std::string& why) {
  return ApiError::sender("InvalidParameterValue", "Invalid value for parameter " + path + ": " + why);
}

// The EC2 dialect names members by queryName, else by locationName with an
// upper-case first letter, and flattens every list ("Filter.1.Value.1").
struct Dialect {
  bool ec2 = false;
};

std::string requestName(const MemberRef& member, Dialect dialect) {
  if (!dialect.ec2) return member.wireName();
  if (!member.queryName.empty()) return member.queryName;
  if (member.locationName.empty()) return member.name;
  std::string name = member.locationName;
  if (name[0] >= 'a' && name[0] <= 'z') name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

Result<Json> decodeNode(const Shape& shape, const FieldNode& node, const std::string& path, Dialect dialect);

// Indexed children ("1", "2", ...) in numeric order; anything else is an error.
Result<std::vector<const FieldNode*>> indexed(const FieldNode& node, const std::string& path) {
  std::map<long, const FieldNode*> ordered;
  for (const auto& [key, child] : node.children) {
    long index = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
    if (ec != std::errc() || end != key.data() + key.size() || index < 1) {
      return invalidValue(path, "list index " + key + " is not a positive number");
    }
    ordered[index] = &child;
  }
  std::vector<const FieldNode*> out;
  for (auto& [index, child] : ordered) out.push_back(child);
  return out;
}

Result<Json> decodeList(const Shape& shape, const FieldNode& node, const std::string& path, Dialect dialect) {
  Json out = Json::array();
  const FieldNode* items = &node;
  if (!shape.flattened && !dialect.ec2) {
    auto it = node.children.find(shape.member.wireName());
    if (it == node.children.end()) {
      // "Name=" with no members is how an empty list is sent.
      if (node.children.empty()) return out;
      return invalidValue(path, "expected members named " + shape.member.wireName());
    }
    items = &it->second;
  }
  auto entries = indexed(*items, path);
  if (!entries) return entries.error();
  for (const FieldNode* entry : *entries) {
    auto value = decodeNode(*shape.member.shape, *entry, path + "." + shape.member.wireName(), dialect);
    if (!value) return value;
    out.push_back(std::move(*value));
  }
  return out;
}

Result<Json> decodeMap(const Shape& shape, const FieldNode& node, const std::string& path, Dialect dialect) {
  Json out = Json::object();
  const FieldNode* entriesNode = &node;
  if (!shape.flattened) {
    auto it = node.children.find("entry");
    if (it == node.children.end()) return out;
    entriesNode = &it->second;
  }
  auto entries = indexed(*entriesNode, path);
  if (!entries) return entries.error();
  for (const FieldNode* entry : *entries) {
    auto key = entry->children.find(shape.key.wireName());
    auto value = entry->children.find(shape.value.wireName());
    if (key == entry->children.end() || !key->second.value) return invalidValue(path, "map entry without a key");
    if (value == entry->children.end()) return invalidValue(path, "map entry without a value");
    auto decoded = decodeNode(*shape.value.shape, value->second, path, dialect);
    if (!decoded) return decoded;
    out[*key->second.value] = std::move(*decoded);
  }
  return out;
}

Result<Json> decodeScalar(const Shape& shape, const std::string& text, const std::string& path) {
  switch (shape.type) {
    case ShapeType::String:
    case ShapeType::Blob:
      return Json(text);
    case ShapeType::Integer:
    case ShapeType::Long: {
      long long number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec != std::errc() || end != text.data() + text.size()) return invalidValue(path, "not an integer");
      if (shape.type == ShapeType::Integer && (number < INT32_MIN || number > INT32_MAX)) {
        return invalidValue(path, "out of range for an integer");
      }
      return Json(number);
    }
    case ShapeType::Double:
    case ShapeType::Float: {
      double number = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(number)) {
        return invalidValue(path, "not a number");
      }
      return Json(number);
    }
    case ShapeType::Boolean:
      if (text == "true") return Json(true);
      if (text == "false") return Json(false);
      return invalidValue(path, "expected true or false");
    case ShapeType::Timestamp:
      if (!parseTimestamp(text)) return invalidValue(path, "not a valid timestamp");
      return Json(text);
    default:
      return invalidValue(path, "unexpected scalar");
  }
}

Result<Json> decodeStructure(const Shape& shape, const FieldNode& node, const std::string& path, Dialect dialect) {
  Json out = Json::object();
  size_t taken = 0;
  for (const MemberRef& member : shape.members) {
    const std::string name = requestName(member, dialect);
    auto it = node.children.find(name);
    if (it == node.children.end() && !dialect.ec2 && member.shape->type == ShapeType::List && member.shape->flattened &&
        !member.shape->member.locationName.empty()) {
      it = node.children.find(member.shape->member.locationName);
    }
    if (it == node.children.end()) continue;
    ++taken;
    std::string memberPath = path.empty() ? name : path + "." + name;
    auto value = decodeNode(*member.shape, it->second, memberPath, dialect);
    if (!value) return value;
    out[member.name] = std::move(*value);
  }
  if (taken < node.children.size()) {
    // A parameter the operation's model does not have (one AWS added since
    // the model Kura serves, or a misspelling) is refused, never dropped:
    // the call would answer success and not do what it asked.
    for (const auto& child : node.children) {
      const std::string& name = child.first;  // not a structured binding: clang 14 cannot capture one
      bool known = std::any_of(shape.members.begin(), shape.members.end(), [&](const MemberRef& member) {
        return requestName(member, dialect) == name ||
               (!dialect.ec2 && member.shape->type == ShapeType::List && member.shape->flattened &&
                member.shape->member.locationName == name);
      });
      if (known) continue;
      std::string unknown = path.empty() ? name : path + "." + name;
      return ApiError::sender("InvalidParameterValue", "The parameter " + unknown.substr(0, 128) +
                                                           " is not one Kura knows for this operation: "
                                                           "nothing was done.");
    }
  }
  return out;
}

Result<Json> decodeNode(const Shape& shape, const FieldNode& node, const std::string& path, Dialect dialect) {
  switch (shape.type) {
    case ShapeType::Structure:
      return decodeStructure(shape, node, path, dialect);
    case ShapeType::List:
      return decodeList(shape, node, path, dialect);
    case ShapeType::Map:
      return decodeMap(shape, node, path, dialect);
    default:
      if (!node.value) return invalidValue(path, "expected a single value");
      return decodeScalar(shape, *node.value, path);
  }
}

Result<Json> decodeForm(const Shape* input, const FormFields& fields, Dialect dialect) {
  if (input == nullptr) return Json::object();
  FieldNode root;
  for (const auto& [name, value] : fields) {
    if (name == "Action" || name == "Version") continue;
    if (static_cast<size_t>(std::count(name.begin(), name.end(), '.')) >= kMaxNameParts) {
      return ApiError::sender("InvalidParameterValue",
                              "The parameter name " + name.substr(0, 64) + "... has more than " +
                                  std::to_string(kMaxNameParts) + " parts.");
    }
    FieldNode* node = &root;
    size_t start = 0;
    while (true) {
      size_t dot = name.find('.', start);
      std::string_view part = std::string_view(name).substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      auto it = node->children.find(part);
      if (it == node->children.end()) it = node->children.emplace(std::string(part), FieldNode{}).first;
      node = &it->second;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    node->value = value;
  }
  return decodeStructure(*input, root, "", dialect);
}

}  // namespace

Result<Json> decodeQueryInput(const Shape* input, const FormFields& fields) { return decodeForm(input, fields, {}); }

Result<Json> decodeEc2Input(const Shape* input, const FormFields& fields) {
  return decodeForm(input, fields, Dialect{true});
}

}  // namespace kura

#include <algorithm>

#include "common/crypto.h"
#include "ddb/decimal.h"
#include "ddb/expression.h"

namespace kura::ddb {
namespace {

ApiError invalidOperand(const std::string& message) {
  return ApiError::sender("ValidationException", "Invalid UpdateExpression: " + message);
}

// A type as DynamoDB spells it out in ADD's and DELETE's messages.
std::string spelledType(const std::string& type) {
  static const std::map<std::string, std::string> kNames = {
      {"S", "STRING"}, {"N", "NUMBER"}, {"B", "BINARY"}, {"BOOL", "BOOLEAN"}, {"NULL", "NULL"}, {"M", "MAP"},
      {"L", "LIST"},   {"SS", "STRING SET"}, {"NS", "NUMBER SET"}, {"BS", "BINARY SET"}};
  auto it = kNames.find(type);
  return it == kNames.end() ? type : it->second;
}

// Without the "Invalid UpdateExpression: " the other operand errors have.
ApiError missingAttribute() {
  return ApiError::sender("ValidationException", "The provided expression refers to an attribute that does not exist in the item");
}

ApiError incorrectDataType() {
  return ApiError::sender("ValidationException", "An operand in the update expression has an incorrect data type");
}

// The value of an operand for an item; empty (nullopt) if a path is absent.
Result<std::optional<Json>> valueOf(const Operand& operand, const Json& item) {
  switch (operand.kind) {
    case Operand::Kind::Value:
      return std::optional<Json>(operand.value);
    case Operand::Kind::Path: {
      const Json* found = resolvePath(item, operand.path);
      return found ? std::optional<Json>(*found) : std::nullopt;
    }
    case Operand::Kind::Size: {
      std::optional<Json> literal;
      if (operand.left) {
        auto inner = valueOf(*operand.left, item);
        if (!inner) return inner;
        literal = std::move(*inner);
      }
      const Json* found = operand.left ? (literal ? &*literal : nullptr) : resolvePath(item, operand.path);
      if (!found) return std::optional<Json>();
      std::string type = typeOf(*found);
      size_t size = 0;
      const Json& inner = found->begin().value();
      if (type == "S") size = inner.get<std::string>().size();
      else if (type == "B") size = binaryLength(inner.get<std::string>());
      else if (type == "M" || type == "L" || type == "SS" || type == "NS" || type == "BS") size = inner.size();
      else return std::optional<Json>();
      return std::optional<Json>(Json{{"N", std::to_string(size)}});
    }
    case Operand::Kind::IfNotExists: {
      const Json* found = resolvePath(item, operand.path);
      if (found) return std::optional<Json>(*found);
      return valueOf(*operand.right, item);
    }
    case Operand::Kind::ListAppend: {
      auto a = valueOf(*operand.left, item);
      if (!a) return a;
      auto b = valueOf(*operand.right, item);
      if (!b) return b;
      if (!*a || !*b) {
        return missingAttribute();
      }
      for (const auto& side : {*a, *b}) {
        if (typeOf(*side) != "L") {
          return invalidOperand("Incorrect operand type for operator or function; operator or function: list_append, "
                                "operand type: " + typeOf(*side));
        }
      }
      Json joined = (**a)["L"];
      for (const auto& entry : (**b)["L"]) joined.push_back(entry);
      return std::optional<Json>(Json{{"L", joined}});
    }
    case Operand::Kind::Plus:
    case Operand::Kind::Minus: {
      auto a = valueOf(*operand.left, item);
      if (!a) return a;
      auto b = valueOf(*operand.right, item);
      if (!b) return b;
      if (!*a || !*b) {
        return missingAttribute();
      }
      for (const auto& side : {*a, *b}) {
        if (typeOf(*side) != "N") {
          return invalidOperand(std::string("Incorrect operand type for operator or function; operator or function: ") +
                                (operand.kind == Operand::Kind::Plus ? "+" : "-") + ", operand type: " + typeOf(*side));
        }
      }
      auto result = operand.kind == Operand::Kind::Plus ? addNumbers((**a)["N"], (**b)["N"])
                                                        : subtractNumbers((**a)["N"], (**b)["N"]);
      if (!result) return ApiError::sender("ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range");
      return std::optional<Json>(Json{{"N", *result}});
    }
  }
  return std::optional<Json>();
}

// The text of an S, the decoded bytes of a B.
std::string contentOf(const Json& value) {
  const std::string& text = value.begin().value().get<std::string>();
  if (value.begin().key() != "B") return text;
  std::string bytes;
  base64Decode(text, bytes);
  return bytes;
}

bool setContains(const Json& set, const std::string& type, const Json& member) {
  std::string memberType = typeOf(member);
  // A set is never a member of a set (an NS operand is refused where it is parsed).
  if (memberType.size() != 1 || type.size() != 2 || memberType[0] != type[0]) return false;
  const std::string& wanted = member.begin().value().get<std::string>();
  for (const auto& entry : set) {
    if (type == "NS" ? compareNumbers(entry, wanted) == 0 : entry == wanted) return true;
  }
  return false;
}

}  // namespace

const Json* resolvePath(const Json& item, const Path& path) {
  const Json* current = nullptr;
  for (size_t i = 0; i < path.size(); ++i) {
    const PathElement& element = path[i];
    if (i == 0) {
      auto it = item.find(element.name);
      if (it == item.end() || element.index >= 0) return nullptr;
      current = &*it;
      continue;
    }
    if (element.index >= 0) {
      if (typeOf(*current) != "L") return nullptr;
      const Json& list = (*current)["L"];
      if (static_cast<size_t>(element.index) >= list.size()) return nullptr;
      current = &list[static_cast<size_t>(element.index)];
    } else {
      if (typeOf(*current) != "M") return nullptr;
      const Json& map = (*current)["M"];
      auto it = map.find(element.name);
      if (it == map.end()) return nullptr;
      current = &*it;
    }
  }
  return current;
}

Result<bool> evaluate(const Condition& condition, const Json& item) {
  using Kind = Condition::Kind;
  switch (condition.kind) {
    case Kind::And: {
      auto left = evaluate(*condition.left, item);
      if (!left || !*left) return left;
      return evaluate(*condition.right, item);
    }
    case Kind::Or: {
      auto left = evaluate(*condition.left, item);
      if (!left || *left) return left;
      return evaluate(*condition.right, item);
    }
    case Kind::Not: {
      auto inner = evaluate(*condition.left, item);
      if (!inner) return inner;
      return !*inner;
    }
    case Kind::Exists:
    case Kind::NotExists: {
      bool present = resolvePath(item, condition.operands[0]->path) != nullptr;
      return condition.kind == Kind::Exists ? present : !present;
    }
    default:
      break;
  }
  std::vector<std::optional<Json>> values;
  for (const auto& operand : condition.operands) {
    auto value = valueOf(*operand, item);
    if (!value) return value.error();
    values.push_back(std::move(*value));
  }
  switch (condition.kind) {
    case Kind::Compare: {
      if (!values[0] || !values[1]) return condition.op == "<>" && (values[0].has_value() != values[1].has_value());
      if (condition.op == "=") return valuesEqual(*values[0], *values[1]);
      if (condition.op == "<>") return !valuesEqual(*values[0], *values[1]);
      auto order = compareValues(*values[0], *values[1]);
      if (!order) return false;
      if (condition.op == "<") return *order < 0;
      if (condition.op == "<=") return *order <= 0;
      if (condition.op == ">") return *order > 0;
      return *order >= 0;
    }
    case Kind::Between: {
      if (!values[0] || !values[1] || !values[2]) return false;
      auto low = compareValues(*values[0], *values[1]);
      auto high = compareValues(*values[0], *values[2]);
      return low && high && *low >= 0 && *high <= 0;
    }
    case Kind::In:
      if (!values[0]) return false;
      return std::any_of(values.begin() + 1, values.end(),
                         [&](const std::optional<Json>& v) { return v && valuesEqual(*values[0], *v); });
    case Kind::Type:
      if (!values[0] || !values[1] || typeOf(*values[1]) != "S") return false;
      return typeOf(*values[0]) == (*values[1])["S"].get<std::string>();
    case Kind::BeginsWith: {
      if (!values[0] || !values[1]) return false;
      std::string type = typeOf(*values[0]);
      if ((type != "S" && type != "B") || typeOf(*values[1]) != type) return false;
      std::string text = contentOf(*values[0]), prefix = contentOf(*values[1]);
      return text.rfind(prefix, 0) == 0;
    }
    case Kind::Contains: {
      if (!values[0] || !values[1]) return false;
      std::string type = typeOf(*values[0]);
      // A string holds a substring, a binary a run of bytes.
      if ((type == "S" || type == "B") && typeOf(*values[1]) == type) {
        return contentOf(*values[0]).find(contentOf(*values[1])) != std::string::npos;
      }
      if (type == "SS" || type == "NS" || type == "BS") return setContains((*values[0])[type], type, *values[1]);
      if (type == "L") {
        return std::any_of((*values[0])["L"].begin(), (*values[0])["L"].end(),
                           [&](const Json& entry) { return valuesEqual(entry, *values[1]); });
      }
      return false;
    }
    default:
      return false;
  }
}

Json project(const Json& item, const std::vector<Path>& paths) {
  Json out = Json::object();
  for (const Path& path : paths) {
    const Json* value = resolvePath(item, path);
    if (value == nullptr) continue;
    if (path.size() == 1) {
      out[path[0].name] = *value;
      continue;
    }
    // Nested: rebuild the containers along the path (list elements are
    // gathered in order of mention, as DynamoDB does).
    Json* target = &out;
    const Json* source = &item;
    for (size_t i = 0; i < path.size(); ++i) {
      const PathElement& element = path[i];
      bool last = i + 1 == path.size();
      if (i == 0) {
        source = &(*source)[element.name];
        if (last) {
          (*target)[element.name] = *source;
        } else {
          std::string type = typeOf(*source);
          if (!target->contains(element.name)) (*target)[element.name] = Json{{type, type == "M" ? Json::object() : Json::array()}};
          target = &(*target)[element.name];
        }
        continue;
      }
      std::string type = typeOf(*target);
      if (element.index >= 0) {
        source = &(*source)["L"][static_cast<size_t>(element.index)];
        Json& list = (*target)["L"];
        if (last) {
          list.push_back(*source);
        } else {
          std::string childType = typeOf(*source);
          list.push_back(Json{{childType, childType == "M" ? Json::object() : Json::array()}});
          target = &list.back();
        }
      } else {
        source = &(*source)["M"][element.name];
        Json& map = (*target)["M"];
        if (last) {
          map[element.name] = *source;
        } else {
          std::string childType = typeOf(*source);
          if (!map.contains(element.name)) map[element.name] = Json{{childType, childType == "M" ? Json::object() : Json::array()}};
          target = &map[element.name];
        }
      }
      (void)type;
    }
  }
  return out;
}

namespace {

// The container holding the last element of `path`, created as maps along
// the way where SET needs them; null when the path cannot be reached.
Json* parentOf(Json& item, const Path& path) {
  if (path.size() == 1) return &item;
  Path parent(path.begin(), path.end() - 1);
  return const_cast<Json*>(resolvePath(item, parent));
}

std::optional<ApiError> setAt(Json& item, const Path& path, Json value) {
  Json* parent = parentOf(item, path);
  if (parent == nullptr) {
    return ApiError::sender("ValidationException", "The document path provided in the update expression is invalid for update");
  }
  const PathElement& last = path.back();
  if (path.size() == 1) {
    item[last.name] = std::move(value);
    return std::nullopt;
  }
  std::string type = typeOf(*parent);
  if (last.index >= 0) {
    if (type != "L") return ApiError::sender("ValidationException", "The document path provided in the update expression is invalid for update");
    Json& list = (*parent)["L"];
    if (static_cast<size_t>(last.index) >= list.size()) list.push_back(std::move(value));
    else list[static_cast<size_t>(last.index)] = std::move(value);
  } else {
    if (type != "M") return ApiError::sender("ValidationException", "The document path provided in the update expression is invalid for update");
    (*parent)["M"][last.name] = std::move(value);
  }
  return std::nullopt;
}

// A missing attribute or list element is no error; a path through
// something absent or of another type is, as in DynamoDB.
std::optional<ApiError> removeAt(Json& item, const Path& path) {
  Json* parent = parentOf(item, path);
  auto invalidPath = [] {
    return ApiError::sender("ValidationException", "The document path provided in the update expression is invalid for update");
  };
  if (parent == nullptr) return invalidPath();
  const PathElement& last = path.back();
  if (path.size() == 1) {
    item.erase(last.name);
  } else if (last.index >= 0 && typeOf(*parent) == "L") {
    Json& list = (*parent)["L"];
    if (static_cast<size_t>(last.index) < list.size()) list.erase(static_cast<size_t>(last.index));
  } else if (last.index < 0 && typeOf(*parent) == "M") {
    (*parent)["M"].erase(last.name);
  } else {
    return invalidPath();
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> applyUpdate(Json& item, const std::vector<UpdateAction>& actions) {
  // Values are all computed from the item as it was, then applied (SET a = b, b = a swaps).
  std::vector<std::pair<const UpdateAction*, std::optional<Json>>> computed;
  for (const auto& action : actions) {
    if (action.kind == UpdateAction::Kind::Remove) {
      computed.emplace_back(&action, std::nullopt);
      continue;
    }
    auto value = valueOf(*action.value, item);
    if (!value) return value.error();
    computed.emplace_back(&action, std::move(*value));
  }
  // Removals of list elements go from the highest index down.
  std::stable_sort(computed.begin(), computed.end(), [](const auto& a, const auto& b) {
    bool ar = a.first->kind == UpdateAction::Kind::Remove, br = b.first->kind == UpdateAction::Kind::Remove;
    if (ar != br) return !ar;
    if (ar && br) return a.first->path.back().index > b.first->path.back().index;
    return false;
  });
  for (auto& [action, value] : computed) {
    const Json* current = resolvePath(item, action->path);
    switch (action->kind) {
      case UpdateAction::Kind::Set:
        if (!value) return missingAttribute();
        if (auto error = setAt(item, action->path, *value)) return error;
        // A value at a nested path nests deeper than it did in the request.
        if (action->path.size() > 1 && nestsTooDeep(item[action->path.front().name])) return nestingTooDeep();
        break;
      case UpdateAction::Kind::Remove:
        if (auto error = removeAt(item, action->path)) return error;
        break;
      case UpdateAction::Kind::Add: {
        std::string type = typeOf(*value);
        if (current == nullptr) {
          if (auto error = setAt(item, action->path, *value)) return error;
        } else if (type == "N" && typeOf(*current) == "N") {
          auto sum = addNumbers((*current)["N"], (*value)["N"]);
          if (!sum) return ApiError::sender("ValidationException", "Number overflow. Attempting to store a number with magnitude larger than supported range");
          if (auto error = setAt(item, action->path, Json{{"N", *sum}})) return error;
        } else if ((type == "SS" || type == "NS" || type == "BS") && typeOf(*current) == type) {
          Json merged = *current;
          for (const auto& member : (*value)[type]) {
            if (!setContains(merged[type], type, Json{{type.substr(0, 1), member}})) merged[type].push_back(member);
          }
          if (auto error = setAt(item, action->path, merged)) return error;
        } else if (type != "N" && type != "SS" && type != "NS" && type != "BS") {
          return invalidOperand("Incorrect operand type for operator or function; operator: ADD, operand type: " +
                                spelledType(type));
        } else {
          return incorrectDataType();
        }
        break;
      }
      case UpdateAction::Kind::Delete: {
        std::string type = typeOf(*value);
        if (type != "SS" && type != "NS" && type != "BS") {
          return invalidOperand("Incorrect operand type for operator or function; operator: DELETE, operand type: " +
                                spelledType(type));
        }
        if (current == nullptr) break;
        if (typeOf(*current) != type) return incorrectDataType();
        Json kept = Json::array();
        for (const auto& member : (*current)[type]) {
          if (!setContains((*value)[type], type, Json{{type.substr(0, 1), member}})) kept.push_back(member);
        }
        if (kept.empty()) {
          if (auto error = removeAt(item, action->path)) return error;
        } else if (auto error = setAt(item, action->path, Json{{type, kept}})) return error;
        break;
      }
    }
  }
  return std::nullopt;
}

bool onlyRemoves(const std::vector<UpdateAction>& actions) {
  return !actions.empty() && std::all_of(actions.begin(), actions.end(), [](const UpdateAction& action) {
    return action.kind == UpdateAction::Kind::Remove || action.kind == UpdateAction::Kind::Delete;
  });
}

bool isAttributeNamed(const OperandPtr& operand, const std::string& name) {
  return operand->kind == Operand::Kind::Path && operand->path.size() == 1 && operand->path[0].name == name;
}

}  // namespace kura::ddb

#include "protocol/input_validator.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "protocol/model_pattern.h"

namespace kura {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxReported = 10;

std::string lowerFirst(const std::string& name) {
  std::string out = name;
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

size_t codePoints(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xc0) != 0x80; }));
}

// The bytes a base64 text decodes to (both protocols send blobs as base64).
size_t base64Length(const std::string& text) {
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && padding < 2 && text[i - 1] == '='; --i) ++padding;
  size_t rest = text.size() % 4;
  size_t bytes = text.size() / 4 * 3 + (rest > 1 ? rest - 1 : 0);
  return bytes > padding ? bytes - padding : 0;
}

// The value a message quotes: whole, as AWS quotes it (a 255-character
// name included), up to a bound that keeps a message of ten violations
// small; cut at a character's start, never inside one.
constexpr size_t kMaxQuoted = 1024;

std::string shortValue(const Json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (text.size() <= kMaxQuoted) return text;
  size_t cut = kMaxQuoted - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

// Where a value sits, as AWS names it in a message ("key.k.member",
// "items.2.member"): the walk keeps the chain of its parents and writes the
// name out only for a violation (most requests have none).
struct Path {
  enum class Kind { Root, Member, Element, MapValue };
  const Path* parent = nullptr;
  Kind kind = Kind::Root;
  std::string_view name;  // a member's name as the model has it, or a map's key
  size_t index = 0;       // an element's, from 1

  std::string text() const {
    if (kind == Kind::Root) return "";
    std::string out = parent->text();
    switch (kind) {
      case Kind::Member:
        if (!out.empty()) out += '.';
        out += lowerFirst(std::string(name));
        break;
      case Kind::Element:
        out += fmt::format(".{}.member", index);
        break;
      case Kind::MapValue:
        out += '.';
        out += name;
        out += ".member";
        break;
      case Kind::Root:
        break;
    }
    return out;
  }
};

// The walk recurses once per level of the value, which is bounded before it
// gets here: JSON bodies by kMaxJsonDepth (protocol/json_nesting.h), query
// forms by the decoder's limit on a name's parts (and no query service's
// model is recursive).
class Walker {
 public:
  std::vector<Violation> violations;

  void walk(const Shape& shape, const Json& value, const Path& path) {
    if (violations.size() >= kMaxReported) return;
    switch (shape.type) {
      case ShapeType::Structure:
        return structure(shape, value, path);
      case ShapeType::List:
        if (!value.is_array()) return add(shape, path, value, "Member must be a list");
        size(shape, value.size(), value, path);
        for (size_t i = 0; i < value.size(); ++i) {
          walk(*shape.member.shape, value[i], Path{&path, Path::Kind::Element, {}, i + 1});
        }
        return;
      case ShapeType::Map:
        if (!value.is_object()) return add(shape, path, value, "Member must be a map");
        size(shape, value.size(), value, path);
        mapKeys(shape, value, path);
        // A map's value is named as AWS names it: "<map>.<key>.member".
        for (auto it = value.begin(); it != value.end(); ++it) {
          walk(*shape.value.shape, it.value(), Path{&path, Path::Kind::MapValue, it.key()});
        }
        return;
      case ShapeType::String:
        if (!value.is_string()) return add(shape, path, value, "Member must be a string");
        if (!shape.enumValues.empty() &&
            std::find(shape.enumValues.begin(), shape.enumValues.end(), value.get_ref<const std::string&>()) ==
                shape.enumValues.end()) {
          std::string set;
          for (const auto& e : shape.enumValues) set += (set.empty() ? "" : ", ") + e;
          return add(shape, path, value, "Member must satisfy enum value set: [" + set + "]");
        }
        // A value breaking both its pattern and its length gets both, as AWS answers.
        if (shape.pattern && shape.pattern->matches(value.get_ref<const std::string&>()) == false) {
          add(shape, path, value, "Member must satisfy regular expression pattern: " + shape.pattern->source());
        }
        // Counted only where a length is bounded (an item's strings are not).
        if (shape.min || shape.max) size(shape, codePoints(value.get_ref<const std::string&>()), value, path);
        return;
      case ShapeType::Blob:
        if (!value.is_string()) return add(shape, path, value, "Member must be a blob");
        size(shape, base64Length(value.get_ref<const std::string&>()), value, path);  // KMS's 4096-byte plaintexts
        return;
      case ShapeType::Boolean:
        if (!value.is_boolean()) return add(shape, path, value, "Member must be a boolean");
        return;
      case ShapeType::Integer:
      case ShapeType::Long:
        if (!value.is_number_integer()) return add(shape, path, value, "Member must be an integer");
        range(shape, value.get<double>(), value, path);
        return;
      case ShapeType::Double:
      case ShapeType::Float:
        if (!value.is_number()) return add(shape, path, value, "Member must be a number");
        range(shape, value.get<double>(), value, path);
        return;
      case ShapeType::Timestamp:
        if (!value.is_number() && !value.is_string()) return add(shape, path, value, "Member must be a timestamp");
        return;
    }
  }

 private:
  void structure(const Shape& shape, const Json& value, const Path& path) {
    if (!value.is_object()) return add(shape, path, value, "Member must be a structure");
    for (const MemberRef& member : shape.members) {
      Path memberPath{&path, Path::Kind::Member, member.name};
      auto it = value.find(member.name);
      if (it == value.end() || it->is_null()) {
        if (shape.required.count(member.name) != 0) {
          violations.push_back({memberPath.text(), "null", "Member must not be null", true});
        }
        continue;
      }
      walk(*member.shape, *it, memberPath);
    }
  }

  // The keys of a map, against their shape's length and pattern: one
  // violation for the map naming every constraint of its keys, as AWS's
  // ("Map keys must satisfy constraint: [...]").
  void mapKeys(const Shape& shape, const Json& value, const Path& path) {
    const Shape* key = shape.key.shape;
    if (key == nullptr || key->type != ShapeType::String || (!key->min && !key->max && !key->pattern)) return;
    bool broken = false;
    for (auto it = value.begin(); it != value.end() && !broken; ++it) {
      size_t length = codePoints(it.key());
      broken = (key->min && static_cast<double>(length) < *key->min) ||
               (key->max && static_cast<double>(length) > *key->max) ||
               (key->pattern && key->pattern->matches(it.key()) == false);
    }
    if (!broken) return;
    std::vector<std::string> constraints;
    if (key->max) constraints.push_back(fmt::format("Member must have length less than or equal to {}", *key->max));
    if (key->min) constraints.push_back(fmt::format("Member must have length greater than or equal to {}", *key->min));
    if (key->pattern) constraints.push_back("Member must satisfy regular expression pattern: " + key->pattern->source());
    add(shape, path, value, fmt::format("Map keys must satisfy constraint: [{}]", fmt::join(constraints, ", ")));
  }

  void size(const Shape& shape, size_t length, const Json& value, const Path& path) {
    if (shape.min && static_cast<double>(length) < *shape.min) {
      add(shape, path, value, fmt::format("Member must have length greater than or equal to {}", *shape.min));
    } else if (shape.max && static_cast<double>(length) > *shape.max) {
      add(shape, path, value, fmt::format("Member must have length less than or equal to {}", *shape.max));
    }
  }

  void range(const Shape& shape, double number, const Json& value, const Path& path) {
    if (shape.min && number < *shape.min) {
      add(shape, path, value, fmt::format("Member must have value greater than or equal to {}", *shape.min));
    } else if (shape.max && number > *shape.max) {
      add(shape, path, value, fmt::format("Member must have value less than or equal to {}", *shape.max));
    }
  }

  // A secret (SecretString, Plaintext, ...) is never quoted back: the
  // message reaches the client, the log and the trail.
  void add(const Shape& shape, const Path& path, const Json& value, std::string constraint) {
    violations.push_back({path.text(), shape.sensitive ? "" : shortValue(value), std::move(constraint), false,
                          shape.sensitive});
  }
};

std::string upperFirst(std::string name) {
  if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

}  // namespace

namespace {

std::optional<bool> booleanOfText(std::string text) {
  for (char& c : text) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return std::nullopt;
}

// Recurses once per level of the value, bounded as the Walker's.
void coerce(const Shape& shape, Json& value) {
  switch (shape.type) {
    case ShapeType::Boolean:
      if (value.is_string()) {
        if (auto flag = booleanOfText(value.get<std::string>())) value = *flag;
      }
      return;
    case ShapeType::Structure:
      if (!value.is_object()) return;
      for (const MemberRef& member : shape.members) {
        auto it = value.find(member.name);
        if (it != value.end()) coerce(*member.shape, *it);
      }
      return;
    case ShapeType::List:
      if (!value.is_array()) return;
      for (Json& element : value) coerce(*shape.member.shape, element);
      return;
    case ShapeType::Map:
      if (!value.is_object()) return;
      for (auto it = value.begin(); it != value.end(); ++it) coerce(*shape.value.shape, it.value());
      return;
    default:
      return;
  }
}

}  // namespace

void coerceStringBooleans(const Shape* input, Json& value) {
  if (input != nullptr) coerce(*input, value);
}

std::vector<Violation> validateInput(const Shape* input, const Json& value) {
  if (input == nullptr) return {};
  Walker walker;
  walker.walk(*input, value, Path{});
  return walker.violations;
}

ApiError validationError(const std::vector<Violation>& violations, Protocol protocol) {
  if (protocol != Protocol::Json) {
    const Violation& first = violations.front();
    if (first.missing) {
      return ApiError::sender("MissingParameter", "The request must contain the parameter " + upperFirst(first.path));
    }
    if (first.hidden) {
      return ApiError::sender("InvalidParameterValue",
                              fmt::format("Value for parameter {} is invalid. {}", upperFirst(first.path), first.constraint));
    }
    return ApiError::sender("InvalidParameterValue", fmt::format("Value '{}' for parameter {} is invalid. {}",
                                                                 first.value, upperFirst(first.path), first.constraint));
  }
  std::string message = fmt::format("{} validation error{} detected: ", violations.size(),
                                    violations.size() == 1 ? "" : "s");
  for (size_t i = 0; i < violations.size(); ++i) {
    const Violation& v = violations[i];
    if (i > 0) message += "; ";
    if (v.hidden) {  // AWS's own form for a sensitive member
      message += fmt::format("Value at '{}' failed to satisfy constraint: {}", v.path, v.constraint);
      continue;
    }
    std::string shown = v.missing ? "null" : "'" + v.value + "'";
    message += fmt::format("Value {} at '{}' failed to satisfy constraint: {}", shown, v.path, v.constraint);
  }
  return ApiError::sender("ValidationException", message);
}

}  // namespace kura

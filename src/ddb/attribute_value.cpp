#include "ddb/attribute_value.h"

#include <algorithm>
#include <set>

#include "common/crypto.h"
#include "ddb/decimal.h"

namespace kura::ddb {

std::string typeOf(const Json& value) {
  if (!value.is_object() || value.size() != 1) return "";
  const std::string& type = value.begin().key();
  static const std::set<std::string> kTypes = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"};
  return kTypes.count(type) ? type : "";
}

ApiError nestingTooDeep() {
  return ApiError::sender("ValidationException", "Nesting Levels have exceeded supported limits");
}

namespace {

// `containers`: the Ms and Ls around this value.
std::optional<ApiError> validateNested(Json& value, const std::string& where, int containers) {
  auto invalid = [&](const std::string& why) {
    return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + why + " in " + where);
  };
  std::string type = typeOf(value);
  if (type.empty()) return ApiError::sender("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  Json& inner = value.begin().value();
  if (type == "S" || type == "B") {
    if (!inner.is_string()) return invalid("an " + type + " value must be a string");
    std::string raw;
    if (type == "B" && !base64Decode(inner.get<std::string>(), raw)) return invalid("a B value must be base64");
  } else if (type == "N") {
    if (!inner.is_string()) return invalid("an N value must be a string");
    auto number = canonicalNumber(inner.get<std::string>());
    if (!number) return invalid("the number " + inner.get<std::string>() + " is not valid");
    inner = *number;
  } else if (type == "BOOL") {
    if (!inner.is_boolean()) return invalid("a BOOL value must be true or false");
  } else if (type == "NULL") {
    if (!inner.is_boolean() || !inner.get<bool>()) return invalid("a NULL value must be true");
  } else if (type == "M") {
    if (!inner.is_object()) return invalid("an M value must be a map");
    if (containers >= kMaxAttributeNesting) return nestingTooDeep();
    for (auto it = inner.begin(); it != inner.end(); ++it) {
      if (auto error = validateNested(it.value(), where, containers + 1)) return error;
    }
  } else if (type == "L") {
    if (!inner.is_array()) return invalid("an L value must be a list");
    if (containers >= kMaxAttributeNesting) return nestingTooDeep();
    for (auto& entry : inner) {
      if (auto error = validateNested(entry, where, containers + 1)) return error;
    }
  } else {
    if (!inner.is_array()) return invalid("a set must be a list");
    if (inner.empty()) return invalid("An string set  may not be empty");
    std::set<std::string> seen;
    for (auto& entry : inner) {
      if (!entry.is_string()) return invalid("set members must be strings");
      if (type == "NS") {
        auto number = canonicalNumber(entry.get<std::string>());
        if (!number) return invalid("the number " + entry.get<std::string>() + " is not valid");
        entry = *number;
      }
      if (!seen.insert(entry.get<std::string>()).second) return invalid("Input collection contains duplicates");
    }
  }
  return std::nullopt;
}

bool nestsDeeper(const Json& value, int containers) {
  if (!value.is_object() || value.size() != 1) return false;
  auto it = value.begin();
  if ((it.key() != "M" && it.key() != "L") || !(it->is_object() || it->is_array())) return false;
  if (containers >= kMaxAttributeNesting) return true;
  for (const auto& child : *it) {
    if (nestsDeeper(child, containers + 1)) return true;
  }
  return false;
}

}  // namespace

std::optional<ApiError> validateValue(Json& value, const std::string& where) { return validateNested(value, where, 0); }

bool nestsTooDeep(const Json& value) { return nestsDeeper(value, 0); }

bool valuesEqual(const Json& a, const Json& b) {
  std::string type = typeOf(a);
  if (type != typeOf(b)) return false;
  const Json& x = a.begin().value();
  const Json& y = b.begin().value();
  if (type == "N") return compareNumbers(x, y) == 0;
  if (type == "SS" || type == "NS" || type == "BS") {
    auto xs = x.get<std::vector<std::string>>(), ys = y.get<std::vector<std::string>>();
    std::sort(xs.begin(), xs.end());
    std::sort(ys.begin(), ys.end());
    if (type != "NS") return xs == ys;
    if (xs.size() != ys.size()) return false;
    for (const auto& v : xs) {
      if (std::none_of(ys.begin(), ys.end(), [&](const std::string& w) { return compareNumbers(v, w) == 0; })) return false;
    }
    return true;
  }
  if (type == "M") {
    if (x.size() != y.size()) return false;
    for (auto it = x.begin(); it != x.end(); ++it) {
      if (!y.contains(it.key()) || !valuesEqual(it.value(), y[it.key()])) return false;
    }
    return true;
  }
  if (type == "L") {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!valuesEqual(x[i], y[i])) return false;
    }
    return true;
  }
  return x == y;
}

std::optional<int> compareValues(const Json& a, const Json& b) {
  std::string type = typeOf(a);
  if (type != typeOf(b)) return std::nullopt;
  if (type == "N") return compareNumbers(a["N"], b["N"]);
  if (type == "S") {
    int c = a["S"].get<std::string>().compare(b["S"].get<std::string>());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (type == "B") {
    std::string x, y;
    base64Decode(a["B"].get<std::string>(), x);
    base64Decode(b["B"].get<std::string>(), y);
    // Bytes compare unsigned.
    int c = std::lexicographical_compare(x.begin(), x.end(), y.begin(), y.end(), [](char p, char q) {
      return static_cast<unsigned char>(p) < static_cast<unsigned char>(q);
    }) ? -1 : (x == y ? 0 : 1);
    return c;
  }
  return std::nullopt;
}

namespace {

size_t valueSize(const Json& value) {
  std::string type = typeOf(value);
  const Json& inner = value.begin().value();
  if (type == "S") return inner.get<std::string>().size();
  if (type == "N") return (inner.get<std::string>().size() + 1) / 2 + 1;
  if (type == "B") return inner.get<std::string>().size() * 3 / 4;
  if (type == "BOOL" || type == "NULL") return 1;
  size_t size = 3;
  if (type == "M") {
    for (auto it = inner.begin(); it != inner.end(); ++it) size += it.key().size() + valueSize(it.value()) + 1;
  } else if (type == "L") {
    for (const auto& entry : inner) size += valueSize(entry) + 1;
  } else {
    for (const auto& entry : inner) size += entry.get<std::string>().size();
  }
  return size;
}

}  // namespace

size_t itemSize(const Json& item) {
  size_t size = 0;
  for (auto it = item.begin(); it != item.end(); ++it) size += it.key().size() + valueSize(it.value());
  return size;
}

std::string keyBytes(const Json& value) {
  std::string type = typeOf(value);
  std::string raw = value.begin().value().get<std::string>();
  if (type == "B") {
    std::string decoded;
    base64Decode(raw, decoded);
    raw = decoded;
  }
  return type + ":" + raw;
}

}  // namespace kura::ddb

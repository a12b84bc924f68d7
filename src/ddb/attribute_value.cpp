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

ApiError invalidParameter(const std::string& why) {
  return ApiError::sender("ValidationException", "One or more parameter values were invalid: " + why);
}

// DynamoDB's words for a number it refuses.
ApiError numberRefused(const std::string& text, NumberProblem problem) {
  switch (problem) {
    case NumberProblem::Overflow:
      return ApiError::sender("ValidationException",
                              "Number overflow. Attempting to store a number with magnitude larger than supported range");
    case NumberProblem::Underflow:
      return ApiError::sender("ValidationException",
                              "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    case NumberProblem::TooManyDigits:
      return ApiError::sender("ValidationException", "Attempting to store more than 38 significant digits in a Number");
    case NumberProblem::NotANumber:
      break;
  }
  if (text.empty()) return ApiError::sender("ValidationException", "The parameter cannot be converted to a numeric value");
  return ApiError::sender("ValidationException", "The parameter cannot be converted to a numeric value: " + text);
}

std::optional<ApiError> checkNumber(Json& number) {
  NumberProblem problem = NumberProblem::NotANumber;
  auto canonical = canonicalNumber(number.get<std::string>(), &problem);
  if (!canonical) return numberRefused(number.get<std::string>(), problem);
  number = *canonical;
  return std::nullopt;
}

// "[a, b]", as DynamoDB lists a set in its messages.
std::string listed(const Json& members) {
  std::string out = "[";
  for (const auto& member : members) out += (out.size() > 1 ? ", " : "") + member.get<std::string>();
  return out + "]";
}

// `containers`: the Ms and Ls around this value. The messages are
// DynamoDB's; a member of the wrong JSON type, which DynamoDB refuses
// while deserializing, names `where`.
std::optional<ApiError> validateNested(Json& value, const std::string& where, int containers) {
  auto invalid = [&](const std::string& why) { return invalidParameter(why + " in " + where); };
  if (value.is_object() && value.size() > 1) {
    // DynamoDB checks each of the types given before refusing them together.
    for (auto it = value.begin(); it != value.end(); ++it) {
      Json single = {{it.key(), it.value()}};
      if (!typeOf(single).empty()) {
        if (auto error = validateNested(single, where, containers)) return error;
      }
    }
    return ApiError::sender("ValidationException",
                            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
                            "supported datatypes");
  }
  std::string type = typeOf(value);
  if (type.empty()) return ApiError::sender("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  Json& inner = value.begin().value();
  if (type == "S" || type == "B") {
    if (!inner.is_string()) return invalid("an " + type + " value must be a string");
    std::string raw;
    if (type == "B" && !base64Decode(inner.get<std::string>(), raw)) return invalid("a B value must be base64");
  } else if (type == "N") {
    if (!inner.is_string()) return invalid("an N value must be a string");
    if (auto error = checkNumber(inner)) return error;
  } else if (type == "BOOL") {
    if (!inner.is_boolean()) return invalid("a BOOL value must be true or false");
  } else if (type == "NULL") {
    if (!inner.is_boolean()) return invalid("a NULL value must be true");
    if (!inner.get<bool>()) return invalidParameter("Null attribute value types must have the value of true");
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
    if (inner.empty()) {
      if (type == "SS") return invalidParameter("An string set  may not be empty");
      if (type == "NS") return invalidParameter("An number set  may not be empty");
      return invalidParameter("Binary sets should not be empty");
    }
    std::set<std::string> seen;
    for (auto& entry : inner) {
      if (!entry.is_string()) return invalid("set members must be strings");
      std::string raw;
      if (type == "BS" && !base64Decode(entry.get<std::string>(), raw)) return invalid("a BS member must be base64");
      if (type == "NS") {
        if (auto error = checkNumber(entry)) return error;
      }
      if (!seen.insert(type == "BS" ? raw : entry.get<std::string>()).second) {
        if (type == "NS") return ApiError::sender("ValidationException", "Input collection contains duplicates");
        if (type == "SS") return invalidParameter("Input collection " + listed(inner) + " contains duplicates.");
        return invalidParameter("Input collection " + listed(inner) + "of type BS contains duplicates.");
      }
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

size_t binaryLength(const std::string& base64) {
  size_t padding = 0;
  while (padding < 2 && padding < base64.size() && base64[base64.size() - 1 - padding] == '=') ++padding;
  return (base64.size() - padding) * 3 / 4;
}

namespace {

size_t valueSize(const Json& value) {
  std::string type = typeOf(value);
  const Json& inner = value.begin().value();
  if (type == "S") return inner.get<std::string>().size();
  if (type == "N") return (inner.get<std::string>().size() + 1) / 2 + 1;
  if (type == "B") return binaryLength(inner.get<std::string>());
  if (type == "BOOL" || type == "NULL") return 1;
  size_t size = 3;
  if (type == "M") {
    for (auto it = inner.begin(); it != inner.end(); ++it) size += it.key().size() + valueSize(it.value()) + 1;
  } else if (type == "L") {
    for (const auto& entry : inner) size += valueSize(entry) + 1;
  } else {
    for (const auto& entry : inner) {
      const std::string& member = entry.get<std::string>();
      size += type == "BS" ? binaryLength(member) : type == "NS" ? (member.size() + 1) / 2 + 1 : member.size();
    }
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

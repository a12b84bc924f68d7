#include "protocol/wire_values.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "common/crypto.h"
#include "common/time_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;

ApiError serialization(const std::string& path, const std::string& why) {
  return ApiError::sender("SerializationException", "The value of " + (path.empty() ? "the input" : path) + " " + why);
}

// Recurses along the value, whose depth the decoders bound (kMaxJsonDepth).
Result<Json> toNative(const Shape& shape, Json value, WireProtocol wire, Protocol native, const std::string& path) {
  switch (shape.type) {
    case ShapeType::Structure: {
      if (!value.is_object()) return value;  // the validator words the type error
      Json out = Json::object();
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (it->is_null()) continue;
        const MemberRef* member = shape.findMember(it.key());
        if (member == nullptr) {
          if (wire != WireProtocol::Cbor) out[it.key()] = std::move(it.value());
          continue;
        }
        auto converted = toNative(*member->shape, std::move(it.value()), wire, native,
                                  path.empty() ? member->name : path + "." + member->name);
        if (!converted) return converted;
        out[it.key()] = std::move(*converted);
      }
      return out;
    }
    case ShapeType::List:
      if (!value.is_array()) return value;
      for (Json& item : value) {
        auto converted = toNative(*shape.member.shape, std::move(item), wire, native, path + ".member");
        if (!converted) return converted;
        item = std::move(*converted);
      }
      return value;
    case ShapeType::Map:
      if (!value.is_object()) return value;
      for (auto it = value.begin(); it != value.end(); ++it) {
        auto converted = toNative(*shape.value.shape, std::move(it.value()), wire, native, path + "." + it.key());
        if (!converted) return converted;
        it.value() = std::move(*converted);
      }
      return value;
    case ShapeType::Blob:
      if (value.is_binary()) {
        const auto& bytes = value.get_binary();
        return Json(base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
      }
      if (wire == WireProtocol::Cbor) return serialization(path, "must be a byte string (a blob).");
      return value;
    case ShapeType::Timestamp:
      if (value.is_number() && native != Protocol::Json) {
        double seconds = value.get<double>();
        if (!std::isfinite(seconds) || std::fabs(seconds) > 1.0e13) return serialization(path, "is not a timestamp.");
        auto millis = static_cast<long long>(std::llround(seconds * 1000));
        return Json(formatIso8601(SystemTime(std::chrono::milliseconds(millis))));
      }
      return value;
    default:
      if (value.is_binary()) return serialization(path, "is a byte string where the model has no blob.");
      return value;
  }
}

std::optional<double> numberOf(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  double number = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return number;
}

Json toJson(const Shape& shape, const Json& value) {
  switch (shape.type) {
    case ShapeType::Structure: {
      Json out = Json::object();
      if (!value.is_object()) return out;
      for (const MemberRef& member : shape.members) {
        auto it = value.find(member.name);
        if (it == value.end() || it->is_null()) continue;
        out[member.name] = toJson(*member.shape, *it);
      }
      return out;
    }
    case ShapeType::List: {
      Json out = Json::array();
      if (value.is_array()) {
        for (const Json& item : value) out.push_back(toJson(*shape.member.shape, item));
      }
      return out;
    }
    case ShapeType::Map: {
      Json out = Json::object();
      if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = toJson(*shape.value.shape, it.value());
      }
      return out;
    }
    case ShapeType::Timestamp:
      if (value.is_string()) {
        if (auto parsed = parseTimestamp(value.get<std::string>())) return Json(toEpochSeconds(*parsed));
      }
      return value;
    case ShapeType::Integer:
    case ShapeType::Long:
      if (value.is_string()) {
        if (auto number = numberOf(value)) return Json(std::llround(*number));
      }
      return value;
    case ShapeType::Double:
    case ShapeType::Float:
      if (value.is_string()) {
        if (auto number = numberOf(value)) return Json(*number);
      }
      return value;
    case ShapeType::Boolean:
      if (value.is_string()) return Json(value == "true");
      return value;
    default:
      return value;
  }
}

}  // namespace

Result<Json> wireToNative(const Shape* input, Json value, WireProtocol wire, Protocol native) {
  if (input == nullptr) return Json::object();
  return toNative(*input, std::move(value), wire, native, "");
}

Json nativeToJson(const Shape* output, const Json& value) {
  if (output == nullptr) return Json::object();
  return toJson(*output, value);
}

}  // namespace kura

#include "protocol/cbor_codec.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "common/crypto.h"
#include "common/time_format.h"
#include "protocol/cbor_nesting.h"

namespace kura {
namespace {

using Json = nlohmann::json;

void head(std::string& out, int major, uint64_t argument) {
  auto type = static_cast<unsigned char>(major << 5);
  if (argument < 24) {
    out += static_cast<char>(type | argument);
    return;
  }
  int bytes = argument <= 0xff ? 1 : argument <= 0xffff ? 2 : argument <= 0xffffffffULL ? 4 : 8;
  out += static_cast<char>(type | (bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((argument >> (8 * i)) & 0xff);
}

void text(std::string& out, std::string_view value) {
  head(out, 3, value.size());
  out += value;
}

void integer(std::string& out, long long value) {
  if (value >= 0) {
    head(out, 0, static_cast<uint64_t>(value));
  } else {
    head(out, 1, static_cast<uint64_t>(-(value + 1)));
  }
}

void floating(std::string& out, double value) {
  out += static_cast<char>(0xfb);
  auto bits = std::bit_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xff);
}

std::optional<double> numberOf(const Json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (!value.is_string()) return std::nullopt;
  const auto& s = value.get_ref<const std::string&>();
  if (s == "NaN") return std::nan("");
  if (s == "Infinity") return HUGE_VAL;
  if (s == "-Infinity") return -HUGE_VAL;
  double number = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), number);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return number;
}

// The encoder recurses along the value, whose depth the shapes bound: a
// handler's output, never a client's nesting beyond kMaxJsonDepth.
void encodeValue(std::string& out, const Shape& shape, const Json& value);

void encodeStructure(std::string& out, const Shape& shape, const Json& value) {
  size_t count = 0;
  if (value.is_object()) {
    for (const MemberRef& member : shape.members) {
      auto it = value.find(member.name);
      if (it != value.end() && !it->is_null()) ++count;
    }
  }
  head(out, 5, count);
  if (count == 0) return;
  for (const MemberRef& member : shape.members) {
    auto it = value.find(member.name);
    if (it == value.end() || it->is_null()) continue;
    text(out, member.name);
    encodeValue(out, *member.shape, *it);
  }
}

void encodeValue(std::string& out, const Shape& shape, const Json& value) {
  switch (shape.type) {
    case ShapeType::Structure:
      encodeStructure(out, shape, value);
      return;
    case ShapeType::List:
      if (!value.is_array()) {
        head(out, 4, 0);
        return;
      }
      head(out, 4, value.size());
      for (const Json& item : value) encodeValue(out, *shape.member.shape, item);
      return;
    case ShapeType::Map:
      if (!value.is_object()) {
        head(out, 5, 0);
        return;
      }
      head(out, 5, value.size());
      for (auto it = value.begin(); it != value.end(); ++it) {
        text(out, it.key());
        encodeValue(out, *shape.value.shape, it.value());
      }
      return;
    case ShapeType::Boolean:
      out += static_cast<char>(value == true || value == "true" ? 0xf5 : 0xf4);
      return;
    case ShapeType::Integer:
    case ShapeType::Long:
      if (value.is_number_integer()) {
        integer(out, value.get<long long>());
      } else {
        integer(out, std::llround(numberOf(value).value_or(0)));
      }
      return;
    case ShapeType::Double:
    case ShapeType::Float:
      floating(out, numberOf(value).value_or(0));
      return;
    case ShapeType::Timestamp: {
      double seconds = 0;
      if (value.is_number()) {
        seconds = value.get<double>();
      } else if (value.is_string()) {
        if (auto parsed = parseTimestamp(value.get<std::string>())) seconds = toEpochSeconds(*parsed);
      }
      head(out, 6, 1);
      if (seconds == std::floor(seconds) && std::fabs(seconds) < 9.0e15) {
        integer(out, static_cast<long long>(seconds));
      } else {
        floating(out, seconds);
      }
      return;
    }
    case ShapeType::Blob: {
      std::string bytes;
      if (value.is_binary()) {
        const auto& binary = value.get_binary();
        bytes.assign(binary.begin(), binary.end());
      } else if (value.is_string() && !base64Decode(value.get<std::string>(), bytes)) {
        bytes = value.get<std::string>();
      }
      head(out, 2, bytes.size());
      out += bytes;
      return;
    }
    case ShapeType::String:
      if (value.is_string()) {
        text(out, value.get_ref<const std::string&>());
      } else {
        text(out, value.dump(-1, ' ', false, Json::error_handler_t::replace));
      }
      return;
  }
}

// Any value, shapeless (an error's further members): as the library writes it.
void encodeLoose(std::string& out, const Json& value) {
  std::vector<uint8_t> bytes = Json::to_cbor(value);
  out.append(bytes.begin(), bytes.end());
}

}  // namespace

std::string cborOperationName(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  constexpr std::string_view kService = "/service/";
  constexpr std::string_view kOperation = "/operation/";
  size_t service = path.find(kService);
  size_t operation = path.rfind(kOperation);
  if (service == std::string_view::npos || operation == std::string_view::npos ||
      operation <= service + kService.size()) {
    return {};
  }
  std::string_view name = path.substr(operation + kOperation.size());
  if (name.empty() || name.find('/') != std::string_view::npos) return {};
  return std::string(name);
}

Result<Json> decodeCborInput(std::string_view body) {
  if (body.empty()) return Json::object();
  std::optional<std::string> untagged = cborWithoutTags(body);
  if (!untagged) {
    return ApiError::sender("SerializationException",
                            fmt::format("The request body is not well-formed CBOR, or nests deeper than {} levels.",
                                        kMaxJsonDepth));
  }
  Json value = Json::from_cbor(*untagged, /*strict=*/true, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return ApiError::sender("SerializationException", "The request body is not valid CBOR (or not valid UTF-8).");
  }
  if (!value.is_object()) {
    return ApiError::sender("SerializationException", "Start of structure or map found where not expected.");
  }
  // The library takes CBOR's text as it comes; JSON's parser refuses
  // invalid UTF-8, and so is CBOR's text held to it (the strict dump throws).
  try {
    (void)value.dump();
  } catch (const Json::type_error&) {
    return ApiError::sender("SerializationException", "The request body is not valid CBOR (or not valid UTF-8).");
  }
  return value;
}

std::string encodeCborOutput(const Shape* shape, const Json& value) {
  std::string out;
  if (shape == nullptr) {
    head(out, 5, 0);
    return out;
  }
  encodeValue(out, *shape, value);
  return out;
}

std::string encodeCborError(const ServiceModel* model, const ApiError& error) {
  Json body = Json::object();
  if (!error.detailsJson.empty()) {
    Json details = Json::parse(error.detailsJson, nullptr, false);
    if (details.is_object()) body = std::move(details);
  }
  const Shape* shape = model != nullptr ? model->findError(error.code) : nullptr;
  body["__type"] = shape != nullptr ? shape->name : error.code;
  body["message"] = error.message;
  std::string out;
  encodeLoose(out, body);
  return out;
}

}  // namespace kura

#include "protocol/query_encoder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "common/time_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;

void open(std::string& out, const std::string& name) {
  out += '<';
  out += name;
  out += '>';
}

void close(std::string& out, const std::string& name) {
  out += "</";
  out += name;
  out += '>';
}

std::string scalarText(const Shape& shape, const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (shape.type == ShapeType::Timestamp && value.is_number()) {
    auto millis = static_cast<long long>(std::llround(value.get<double>() * 1000));
    return formatIso8601(SystemTime(std::chrono::milliseconds(millis)));
  }
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  if (value.is_number()) return fmt::format("{}", value.get<double>());
  return value.dump();
}

// The encoders recurse along the output's shapes, and no query service's
// model is recursive: the depth is the model's, never the client's.
void encodeValue(std::string& out, const Shape& shape, const Json& value, const std::string& element);

// The structure's members present in `object`, by their index in the
// shape: both are in the order of their names, so one merge finds them (a
// find() per member of the model compared names a few times each: a
// DBInstance has about a hundred members, and a page a hundred instances).
void presentMembers(const Shape& shape, const Json::object_t& object, const Json** present) {
  auto key = object.begin();
  for (uint32_t index : shape.membersByName) {
    const std::string& name = shape.members[index].name;
    while (key != object.end() && key->first < name) ++key;
    if (key == object.end()) return;
    if (key->first == name) present[index] = &key->second;
  }
}

void encodeMembers(std::string& out, const Shape& shape, const Json& value) {
  if (!value.is_object()) return;
  const size_t count = shape.members.size();
  constexpr size_t kOnStack = 192;
  std::array<const Json*, kOnStack> onStack;  // NOLINT: the first `count` are set below
  std::vector<const Json*> onHeap;
  const Json** present = onStack.data();
  if (count > kOnStack) {
    onHeap.resize(count);
    present = onHeap.data();
  }
  std::fill_n(present, count, nullptr);
  presentMembers(shape, value.get_ref<const Json::object_t&>(), present);
  for (size_t index = 0; index < count; ++index) {
    const Json* it = present[index];
    if (it == nullptr || it->is_null()) continue;
    const MemberRef& member = shape.members[index];
    const Shape& memberShape = *member.shape;
    if (memberShape.type == ShapeType::List && (member.flattened || memberShape.flattened)) {
      // Flattened lists repeat the item element with no wrapper.
      std::string item = memberShape.member.locationName.empty() ? member.wireName() : memberShape.member.locationName;
      if (!member.locationName.empty()) item = member.locationName;
      for (const auto& entry : *it) encodeValue(out, *memberShape.member.shape, entry, item);
      continue;
    }
    encodeValue(out, memberShape, *it, member.wireName());
  }
}

void encodeValue(std::string& out, const Shape& shape, const Json& value, const std::string& element) {
  switch (shape.type) {
    case ShapeType::Structure:
      open(out, element);
      encodeMembers(out, shape, value);
      close(out, element);
      return;
    case ShapeType::List: {
      open(out, element);
      const std::string& item = shape.member.wireName();
      if (value.is_array()) {
        for (const auto& entry : value) encodeValue(out, *shape.member.shape, entry, item);
      }
      close(out, element);
      return;
    }
    case ShapeType::Map: {
      open(out, element);
      if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
          open(out, "entry");
          open(out, shape.key.wireName());
          appendXmlEscaped(out, it.key());
          close(out, shape.key.wireName());
          encodeValue(out, *shape.value.shape, it.value(), shape.value.wireName());
          close(out, "entry");
        }
      }
      close(out, element);
      return;
    }
    default:
      open(out, element);
      if (value.is_string()) {
        appendXmlEscaped(out, value.get_ref<const std::string&>());
      } else {
        appendXmlEscaped(out, scalarText(shape, value));
      }
      close(out, element);
  }
}

}  // namespace

void appendXmlEscaped(std::string& out, std::string_view text) {
  // Runs without a character to escape are appended whole.
  size_t from = 0;
  for (size_t at = 0; at < text.size(); ++at) {
    std::string_view entity;
    switch (text[at]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      case '\'': entity = "&apos;"; break;
      default: continue;
    }
    out.append(text, from, at - from);
    out.append(entity);
    from = at + 1;
  }
  out.append(text, from);
}

std::string encodeQueryResponse(const ServiceModel& model, const Operation& op, const Json& output,
                                const std::string& requestId) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += '\n';
  std::string root = op.name + "Response";
  out += fmt::format(R"(<{} xmlns="{}">)", root, model.xmlNamespace());
  if (op.output != nullptr) {
    std::string wrapper = op.resultWrapper.empty() ? op.name + "Result" : op.resultWrapper;
    open(out, wrapper);
    encodeMembers(out, *op.output, output);
    close(out, wrapper);
  }
  out += "<ResponseMetadata><RequestId>";
  appendXmlEscaped(out, requestId);
  out += "</RequestId></ResponseMetadata>";
  close(out, root);
  out += '\n';
  return out;
}

std::string encodeEc2Response(const ServiceModel& model, const Operation& op, const Json& output,
                              const std::string& requestId) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += '\n';
  std::string root = op.name + "Response";
  std::string xmlns = model.xmlNamespace();
  if (!xmlns.empty() && xmlns.back() != '/') xmlns += '/';  // as EC2 writes it
  out += fmt::format(R"(<{} xmlns="{}"><requestId>)", root, xmlns);
  appendXmlEscaped(out, requestId);
  out += "</requestId>";
  if (op.output != nullptr) encodeMembers(out, *op.output, output);
  close(out, root);
  out += '\n';
  return out;
}

std::string encodeEc2Error(const ApiError& error, const std::string& requestId) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += "\n<Response><Errors><Error><Code>";
  appendXmlEscaped(out, error.code);
  out += "</Code><Message>";
  appendXmlEscaped(out, error.message);
  out += "</Message></Error></Errors><RequestID>";
  appendXmlEscaped(out, requestId);
  out += "</RequestID></Response>\n";
  return out;
}

std::string encodeQueryError(const ApiError& error, const std::string& requestId) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  out += "\n<ErrorResponse><Error><Type>";
  out += error.senderFault ? "Sender" : "Receiver";
  out += "</Type><Code>";
  appendXmlEscaped(out, error.code);
  out += "</Code><Message>";
  appendXmlEscaped(out, error.message);
  out += "</Message></Error><RequestId>";
  appendXmlEscaped(out, requestId);
  out += "</RequestId></ErrorResponse>\n";
  return out;
}

}  // namespace kura

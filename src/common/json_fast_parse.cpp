#include "common/json_fast_parse.h"

#include <simdjson.h>

namespace kura {
namespace {

using Json = nlohmann::json;

// nlohmann's value for the same text: a member named twice keeps the last
// value; an integer without a sign is unsigned, one with a minus sign
// signed, one with a fraction or an exponent a double.
bool convert(simdjson::dom::element element, Json& out) {
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT: {
      out = Json::object();
      for (auto member : simdjson::dom::object(element)) {
        if (!convert(member.value, out[std::string(member.key)])) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      out = Json::array();
      for (simdjson::dom::element child : simdjson::dom::array(element)) {
        out.push_back(nullptr);
        if (!convert(child, out.back())) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::STRING:
      out = std::string(std::string_view(element));
      return true;
    case simdjson::dom::element_type::INT64: {
      int64_t value = int64_t(element);
      if (value >= 0) {
        out = static_cast<uint64_t>(value);
      } else {
        out = value;
      }
      return true;
    }
    case simdjson::dom::element_type::UINT64:
      out = uint64_t(element);
      return true;
    case simdjson::dom::element_type::DOUBLE:
      out = double(element);
      return true;
    case simdjson::dom::element_type::BOOL:
      out = bool(element);
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      out = nullptr;
      return true;
  }
  return false;
}

// "-0" as a number (not followed by a fraction, an exponent or a digit):
// a signed integer 0 to nlohmann, and to simdjson an int64 0, which the
// conversion above writes unsigned (as any integer without a sign). Left to
// nlohmann; so is a string that holds "-0" before a delimiter (rare, and
// harmless). A number is never followed by '"' in JSON (simdjson refuses
// such text, and nlohmann's parser judges it).
bool hasMinusZero(std::string_view text) {
  for (size_t at = text.find("-0"); at != std::string_view::npos; at = text.find("-0", at + 1)) {
    char next = at + 2 < text.size() ? text[at + 2] : ' ';
    if (next != '.' && next != 'e' && next != 'E' && (next < '0' || next > '9') && next != '"') return true;
  }
  return false;
}

}  // namespace

std::optional<Json> fastParseJson(std::string_view text) {
  if (text.size() > kFastParseMaxBytes || text.find("\\u") != std::string_view::npos || hasMinusZero(text)) {
    return std::nullopt;
  }
  // One parser a thread for the common bodies, its buffers kept (about
  // 300 KiB at 16 KiB: the pool has tens of threads); a larger body gets a
  // parser of its own, freed with it.
  constexpr size_t kKeptBytes = 16 * 1024;
  thread_local simdjson::dom::parser kept(kKeptBytes);
  std::optional<simdjson::dom::parser> once;
  simdjson::dom::parser* parser = &kept;
  if (text.size() > kKeptBytes) parser = &once.emplace(kFastParseMaxBytes);
  simdjson::dom::element root;
  if (parser->parse(text.data(), text.size(), /*realloc_if_needed=*/true).get(root) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  Json value;
  if (!convert(root, value)) return std::nullopt;
  return value;
}

Json parseStoredJson(std::string_view text) {
  if (auto fast = fastParseJson(text)) return std::move(*fast);
  return Json::parse(text);
}

}  // namespace kura

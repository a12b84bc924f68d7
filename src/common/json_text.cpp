#include "common/json_text.h"

#include <array>
#include <charconv>
#include <utility>

namespace kura {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The bytes a JSON string can hold as they are: printable ASCII but '"' and
// '\\' (one lookup per byte; this runs over every trail event).
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[static_cast<size_t>(c)] = c != '"' && c != '\\';
  return plain;
}();

bool continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence starting at text[i], or 0.
size_t sequenceLength(std::string_view text, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  unsigned char lead = at(0);
  size_t left = text.size() - i;
  if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && continuation(at(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3 || !continuation(at(1)) || !continuation(at(2))) return 0;
    if (lead == 0xE0 && at(1) < 0xA0) return 0;  // overlong
    if (lead == 0xED && at(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4 || !continuation(at(1)) || !continuation(at(2)) || !continuation(at(3))) return 0;
    if (lead == 0xF0 && at(1) < 0x90) return 0;   // overlong
    if (lead == 0xF4 && at(1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

// appendJsonString's body. `strict`: a byte that is not part of valid UTF-8
// stops it (false), where it would otherwise write U+FFFD.
bool appendString(std::string& out, std::string_view text, bool strict) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    // Runs of plain ASCII go in at once.
    size_t run = i;
    while (run < text.size()) {
      if (!kPlain[static_cast<unsigned char>(text[run])]) break;
      ++run;
    }
    if (run > i) {
      out.append(text.substr(i, run - i));
      i = run;
      if (i == text.size()) break;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      size_t length = sequenceLength(text, i);
      if (length == 0) {
        if (strict) return false;
        out.append(kReplacement);
        ++i;
      } else {
        out.append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return true;
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) { appendString(out, text, /*strict=*/false); }

void appendJson(std::string& out, const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out.push_back(',');
        first = false;
        // An invalid byte: dump() throws (type_error 316), as before.
        if (!appendString(out, it.key(), /*strict=*/true)) out.append(value.dump());
        out.push_back(':');
        appendJson(out, it.value());
      }
      out.push_back('}');
      return;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value) {
        if (!first) out.push_back(',');
        first = false;
        appendJson(out, element);
      }
      out.push_back(']');
      return;
    }
    case nlohmann::json::value_t::string:
      if (!appendString(out, value.get_ref<const std::string&>(), /*strict=*/true)) out.append(value.dump());
      return;
    case nlohmann::json::value_t::boolean:
      out.append(value.get<bool>() ? "true" : "false");
      return;
    case nlohmann::json::value_t::null:
      out.append("null");
      return;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: {
      char digits[24];
      auto end = value.is_number_unsigned()
                     ? std::to_chars(digits, digits + sizeof(digits), value.get<uint64_t>()).ptr
                     : std::to_chars(digits, digits + sizeof(digits), value.get<int64_t>()).ptr;
      out.append(digits, static_cast<size_t>(end - digits));
      return;
    }
    default:  // a float (its shortest form is nlohmann's own), a binary, a discarded value
      out.append(value.dump());
      return;
  }
}

namespace {
// A member name no AWS shape has (JSON member names of the models are
// identifiers): marks an answer as raw text.
constexpr const char* kRawJsonMember = "\x01rawJson";
}  // namespace

nlohmann::json rawJsonAnswer(std::string text) {
  // Moved in: a braced list would copy the text (an item of up to 400 KB).
  nlohmann::json answer = nlohmann::json::object();
  answer[kRawJsonMember] = std::move(text);
  return answer;
}

const std::string* rawJsonText(const nlohmann::json& answer) {
  if (!answer.is_object() || answer.size() != 1) return nullptr;
  auto it = answer.find(kRawJsonMember);
  return it != answer.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::string* rawJsonText(nlohmann::json& answer) {
  // The same lookup; the text is the caller's to move (the answer is theirs).
  return const_cast<std::string*>(rawJsonText(std::as_const(answer)));
}

}  // namespace kura

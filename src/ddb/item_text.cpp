#include "ddb/item_text.h"

#include <algorithm>

namespace kura::ddb {
namespace {

// One member of the item's top-level object: its name (between the quotes)
// and its whole member text, `"name":value`.
struct Member {
  std::string_view name, text;
};

// The end of the JSON string starting at `at` (an opening quote): the index
// after its closing quote, or npos.
size_t stringEnd(std::string_view text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') ++i;
    else if (text[i] == '"') return i + 1;
  }
  return std::string_view::npos;
}

// The end of the compact JSON value starting at `at`: the index of the
// comma or closing brace after it (strings skipped whole, brackets
// counted), or npos.
size_t valueEnd(std::string_view text, size_t at) {
  int depth = 0;
  for (size_t i = at; i < text.size();) {
    char c = text[i];
    if (c == '"') {
      i = stringEnd(text, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (depth == 0 && (c == ',' || c == '}')) return i;
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') --depth;
    ++i;
  }
  return std::string_view::npos;
}

std::optional<std::vector<Member>> membersOf(std::string_view item) {
  std::vector<Member> members;
  if (item.size() < 2 || item.front() != '{' || item.back() != '}') return std::nullopt;
  size_t at = 1;
  if (item[at] == '}') return at + 1 == item.size() ? std::optional(members) : std::nullopt;
  while (at < item.size()) {
    if (item[at] != '"') return std::nullopt;
    size_t nameEnd = stringEnd(item, at);
    if (nameEnd == std::string_view::npos || nameEnd >= item.size() || item[nameEnd] != ':') return std::nullopt;
    std::string_view name = item.substr(at + 1, nameEnd - at - 2);
    if (name.find('\\') != std::string_view::npos) return std::nullopt;
    size_t end = valueEnd(item, nameEnd + 1);
    if (end == std::string_view::npos || end == nameEnd + 1) return std::nullopt;
    members.push_back({name, item.substr(at, end - at)});
    if (item[end] == '}') return end + 1 == item.size() ? std::optional(members) : std::nullopt;
    at = end + 1;  // past the comma
  }
  return std::nullopt;
}

bool needsEscape(std::string_view name) {
  return std::any_of(name.begin(), name.end(),
                     [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
}

}  // namespace

std::optional<std::string> withAttributesSet(std::string_view item, std::vector<AttributeText> attributes) {
  auto members = membersOf(item);
  if (!members) return std::nullopt;
  for (const auto& attribute : attributes) {
    if (needsEscape(attribute.name)) return std::nullopt;
  }
  std::sort(attributes.begin(), attributes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  auto sameName = [](const auto& a, const auto& b) { return a.name == b.name; };
  if (std::adjacent_find(attributes.begin(), attributes.end(), sameName) != attributes.end()) return std::nullopt;
  std::string out;
  out.reserve(item.size() + 64);
  out += '{';
  auto add = [&](std::string_view member) {
    if (out.size() > 1) out += ',';
    out += member;
  };
  auto addAttribute = [&](const AttributeText& attribute) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += attribute.name;
    out += "\":";
    out += attribute.value;
  };
  // Both lists are in byte order (std::string's, as nlohmann's object map):
  // merge them, the new value winning.
  size_t next = 0;
  for (const Member& member : *members) {
    while (next < attributes.size() && attributes[next].name < member.name) addAttribute(attributes[next++]);
    if (next < attributes.size() && attributes[next].name == member.name) {
      addAttribute(attributes[next++]);
    } else {
      add(member.text);
    }
  }
  while (next < attributes.size()) addAttribute(attributes[next++]);
  out += '}';
  return out;
}

}  // namespace kura::ddb

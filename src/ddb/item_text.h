#pragma once
// Setting top-level attributes of a stored item in its JSON text, without
// parsing the item into a tree and writing it out again: the hot update of
// most applications (UpdateItem SET a = :v) rewrites only what it changes.
// The stored text is what nlohmann::json's dump() wrote (compact, members
// in byte order), and the result is exactly what dump() would write for
// the item with those attributes set.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kura::ddb {

struct AttributeText {
  std::string name;   // the attribute's name (not escaped)
  std::string value;  // its attribute value as JSON text, e.g. {"S":"x"}
};

// `item` with each of `attributes` set; nothing when the text is not a
// compact JSON object, a name in it is escaped or two attributes share a
// name (the caller then takes the general path).
std::optional<std::string> withAttributesSet(std::string_view item, std::vector<AttributeText> attributes);

}  // namespace kura::ddb

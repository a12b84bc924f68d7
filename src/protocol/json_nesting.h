#pragma once
// How deep a client may nest the JSON it sends. nlohmann::json parses any
// depth without recursion, but everything that then walks the tree (dump,
// copies, comparisons, the input validator, the trail's writer) recurses
// once per level: a body nested 50,000 deep overflowed the stack. Every
// JSON body is therefore refused above kMaxJsonDepth levels before it is
// parsed, and the walkers rely on that bound.
//
// 128 levels: DynamoDB's deepest request (an item nested the 32 levels
// DynamoDB allows, inside BatchWriteItem's RequestItems) takes 71 levels of
// JSON (two per attribute level: {"M":{...}}), and no other service's model
// nests deeper than 11 shapes.
#include <cstddef>
#include <string_view>

namespace kura {

inline constexpr size_t kMaxJsonDepth = 128;

// Whether no object or array in `text` opens deeper than `maxDepth` levels
// (brackets inside strings do not count). Says nothing of validity: the
// parser judges the rest.
bool jsonNestsWithin(std::string_view text, size_t maxDepth = kMaxJsonDepth);

}  // namespace kura

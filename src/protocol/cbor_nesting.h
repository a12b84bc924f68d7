#pragma once
// How deep a client may nest the CBOR it sends (Smithy RPC v2 CBOR). The
// library's CBOR reader recurses once per array, map and tag: a body of a
// million nested arrays (or tags) would overflow the stack. Every CBOR body
// is therefore scanned, without recursion, before it is decoded, and refused
// above kMaxJsonDepth levels, the bound the JSON protocols have
// (protocol/json_nesting.h), which the tree's walkers rely on.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/json_nesting.h"

namespace kura {

// Whether `bytes` is one well-formed CBOR data item, with nothing after it,
// whose arrays, maps and tags nest at most `maxDepth` levels. Says nothing of
// the item's meaning (duplicate keys, invalid UTF-8): the decoder judges those.
bool cborWellFormedWithin(std::string_view bytes, size_t maxDepth = kMaxJsonDepth);
// The same item with its tags' heads left out (each tag's content stays: a
// timestamp's tag 1 leaves its number), or nothing when it is not one such
// item. nlohmann's reader refuses tags 0 to 5, timestamps' among them.
std::optional<std::string> cborWithoutTags(std::string_view bytes, size_t maxDepth = kMaxJsonDepth);

}  // namespace kura

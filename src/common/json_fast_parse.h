#pragma once
// A request body (or a stored item) parsed by simdjson (Debian's
// libsimdjson-dev) into the nlohmann::json value the rest of Kura reads,
// the value nlohmann's own
// parser makes of the same text. nlohmann's lexer copies a string one
// character at a time, twice: on a PutItem of a 1 KB item, 90,000 of its
// 453,000 instructions (bench/README.md); simdjson scans the text with the
// CPU's vector instructions.
//
// Only where the two agree: any text simdjson refuses, any number it
// cannot hold (beyond 64 bits), any \u escape (where the two judge a lone
// surrogate differently) and any body over 64 KiB (a parser holds buffers
// several times the text's size) give no value, and the caller
// parses with nlohmann as before, with its answers and messages.
// fuzz/json_fast_parse_fuzz.cpp holds the two to the same value.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kura {

inline constexpr size_t kFastParseMaxBytes = 64 * 1024;

std::optional<nlohmann::json> fastParseJson(std::string_view text);

// Text Kura wrote itself (a stored item, a table's description): simdjson
// where it gives nlohmann's value, nlohmann's parser for the rest, which
// throws on text that is not JSON as Json::parse does. Every overwrite of
// an item parses the item it replaces: with nlohmann's parser alone, a
// quarter of a PutItem's instructions (bench/README.md).
nlohmann::json parseStoredJson(std::string_view text);

}  // namespace kura

#pragma once
// application/x-www-form-urlencoded, as the query protocol sends it.
// Hand-written: Boost.URL arrived in Boost 1.81, and Debian 12 ships 1.74.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kura {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Percent-decodes `text` ('+' is a space when plusIsSpace). Empty on a
// malformed escape or on bytes that are not valid UTF-8.
std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace = true);
// The most fields a form may have. A 16 MiB body of one-letter fields
// would otherwise be millions of strings and tree nodes (30 times its size
// in memory); no call of a query service's model needs near this many.
inline constexpr size_t kMaxFormFields = 100000;

// Whether `body` has at most kMaxFormFields fields (counted before parsing).
bool formFieldsWithin(std::string_view body);
// Splits and decodes a form body or query string; empty on malformed input
// or past kMaxFormFields.
std::optional<FormFields> parseForm(std::string_view body);
bool isValidUtf8(std::string_view text);

}  // namespace kura

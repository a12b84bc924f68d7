#pragma once
// Writing JSON text straight into a string, for hot paths that would
// otherwise build a value tree only to serialize it (the audit trail).
// nlohmann::json's own string escaper is not public API, hence this one.
#include <string>
#include <string_view>

namespace kura {

// Appends `text` as a JSON string literal (quotes included). Control
// characters are escaped; each byte that is not part of valid UTF-8 becomes
// U+FFFD (nlohmann::json's dump with error_handler_t::replace does the same
// per maximal invalid sequence), so the text always parses.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace kura

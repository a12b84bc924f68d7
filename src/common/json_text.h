#pragma once
// Writing JSON text straight into a string, for hot paths that would
// otherwise build a value tree only to serialize it (the audit trail).
// nlohmann::json's own string escaper is not public API, hence this one.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kura {

// Appends `text` as a JSON string literal (quotes included). Control
// characters are escaped; each byte that is not part of valid UTF-8 becomes
// U+FFFD (nlohmann::json's dump with error_handler_t::replace does the same
// per maximal invalid sequence), so the text always parses.
void appendJsonString(std::string& out, std::string_view text);

// Appends `value` as JSON text: the bytes value.dump() writes (compact,
// UTF-8 as it is), and where a string holds a byte that is not valid
// UTF-8, dump()'s type_error (316), as dump() throws it. Several times
// faster on items of long strings: nlohmann's serializer decodes each
// character, this copies runs of plain text.
void appendJson(std::string& out, const nlohmann::json& value);

// A handler's answer already written as JSON text, which the JSON protocols
// send as it is: DynamoDB's GetItem answers with a stored item this way,
// without parsing it into a tree only to write it back.
nlohmann::json rawJsonAnswer(std::string text);
// The text of such an answer; null for any other answer.
const std::string* rawJsonText(const nlohmann::json& answer);
// The same text, for the answer's last reader to move out.
std::string* rawJsonText(nlohmann::json& answer);

}  // namespace kura

#pragma once
// DynamoDB numbers: decimal strings of up to 38 significant digits, compared
// and added exactly. Written here because no Debian library offers
// DynamoDB's 38-digit decimal semantics (canonical form, exact arithmetic).
#include <optional>
#include <string>
#include <string_view>

namespace kura::ddb {

// Why DynamoDB refuses a number.
enum class NumberProblem { NotANumber, Overflow, Underflow, TooManyDigits };
// The canonical form ("1.50" -> "1.5", "-0" -> "0", "1e2" -> "100"), or
// empty if `text` is not a number DynamoDB accepts (and then why, in
// `problem` if given).
std::optional<std::string> canonicalNumber(std::string_view text, NumberProblem* problem = nullptr);
// -1, 0, 1; both canonical.
int compareNumbers(const std::string& a, const std::string& b);
// a + b and a - b, canonical; empty on overflow of 38 digits.
std::optional<std::string> addNumbers(const std::string& a, const std::string& b);
std::optional<std::string> subtractNumbers(const std::string& a, const std::string& b);

}  // namespace kura::ddb

#pragma once
// DynamoDB's reserved words (reserved_words.inc holds the list): an
// expression that names an attribute with one of them, in any case, is
// refused; an ExpressionAttributeNames alias names it instead.
#include <string_view>

namespace kura::ddb {

bool isReservedWord(std::string_view name);

}  // namespace kura::ddb

#pragma once
// What DynamoDB refuses of an item as a whole: its size, its attribute
// names, the types of its secondary index keys, and an update of the
// table's own key. Shared by the single-item writes, the batches and the
// transactions, so that no way of writing an item skips one.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "ddb/expression.h"

namespace kura::ddb {

inline constexpr size_t kMaxItemBytes = 400 * 1024;

// An item or key as sent (`where`: "Item", "Key"): a map of valid values
// (numbers canonicalized in place) under non-empty names, within 400 KB.
std::optional<ApiError> validateItem(Json& item, const char* where);
// "Cannot update attribute pk. This attribute is part of the key": an
// update action on a key attribute of the table, or on a path inside it.
std::optional<ApiError> keyUpdateError(const Json& table, const std::vector<UpdateAction>& actions);
// The declared type of a key attribute (of the table or an index); empty
// when the table declares none of that name.
std::string attributeType(const Json& table, const std::string& name);
// An item's secondary index keys, where it has them: of their declared
// types and not empty (an item without them is not indexed).
std::optional<ApiError> indexKeyError(const Json& table, const Json& item);
// An item an update made: within 400 KB, and its index keys as above.
std::optional<ApiError> updatedItemError(const Json& table, const Json& item);

}  // namespace kura::ddb

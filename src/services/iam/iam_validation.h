#pragma once
// What IAM checks of names, paths, policy documents and pages, with its
// error codes and wording: ValidationError, NoSuchEntity and the rest; and
// the list pages and views its handlers share.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/api_error.h"

namespace kura::iam {

ApiError validationError(std::string message);
ApiError noSuchEntity(std::string message);
ApiError entityAlreadyExists(std::string message);
ApiError deleteConflict(std::string message);
ApiError limitExceeded(std::string message);

// A user or policy name: letters, digits and +=,.@_- (member names the
// message with, "userName").
std::optional<ApiError> checkName(const std::string& value, const std::string& member);
// "/" or "/a/b/": begins and ends with a slash.
std::optional<ApiError> checkPath(const std::string& value);
// A policy document as IAM stores it: JSON, a valid policy, within `maxSize`
// characters (6144 for managed policies, 2048 for a user's inline ones).
std::optional<ApiError> checkPolicyDocument(const std::string& document, size_t maxSize);

// Random upper-case letters and digits after `prefix` (AIDA, AKIA, ANPA).
std::string newIamId(const std::string& prefix, size_t length);

// One page of a list: IsTruncated, and Marker when there is more.
struct IamPage {
  std::string afterName;  // from the request's Marker
  size_t limit = 100;     // MaxItems
};
Result<IamPage> pageOf(const nlohmann::json& in);
void finishPage(nlohmann::json& out, const ResourcePage& page);
// One page of a kind's records (ListUsers, ListGroups, ListRoles) in
// `member`: those under the request's PathPrefix, as `view` shows them.
Result<nlohmann::json> listByPath(Catalog& catalog, const std::string& accountId, const nlohmann::json& in,
                                  const std::string& kind, const std::string& member,
                                  const std::function<nlohmann::json(const Resource&)>& view);

// A user as IAM shows it: Path, UserName, UserId, Arn, CreateDate.
nlohmann::json userView(const Resource& user);

}  // namespace kura::iam

#include "services/iam/iam_validation.h"

#include <algorithm>

#include "auth/policy_document.h"
#include "catalog/pagination.h"
#include "common/crypto.h"
#include "common/time_format.h"
#include "iam/iam_records.h"

namespace kura::iam {

ApiError validationError(std::string message) { return ApiError::sender("ValidationError", std::move(message)); }
ApiError noSuchEntity(std::string message) { return ApiError::sender("NoSuchEntity", std::move(message), 404); }
ApiError entityAlreadyExists(std::string message) {
  return ApiError::sender("EntityAlreadyExists", std::move(message), 409);
}
ApiError deleteConflict(std::string message) { return ApiError::sender("DeleteConflict", std::move(message), 409); }
ApiError limitExceeded(std::string message) { return ApiError::sender("LimitExceeded", std::move(message), 409); }

std::optional<ApiError> checkName(const std::string& value, const std::string& member) {
  bool valid = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("+=,.@_-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (valid) return std::nullopt;
  return validationError("The specified value for " + member +
                         " is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-");
}

std::optional<ApiError> checkPath(const std::string& value) {
  bool valid = !value.empty() && value.front() == '/' && value.back() == '/' &&
               std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= '!' && c <= '~'; });
  if (valid) return std::nullopt;
  return validationError("The specified value for path is invalid. It must begin and end with / and contain only "
                         "alphanumeric characters and/or / characters.");
}

std::optional<ApiError> checkPolicyDocument(const std::string& document, size_t maxSize) {
  // IAM counts characters without white space against its quota.
  size_t size = static_cast<size_t>(
      std::count_if(document.begin(), document.end(), [](unsigned char c) { return !std::isspace(c); }));
  if (size > maxSize) return limitExceeded("Cannot exceed quota for PolicySize: " + std::to_string(maxSize));
  auto parsed = auth::parsePolicyDocument(document);
  if (!parsed) return parsed.error();
  return std::nullopt;
}

std::string newIamId(const std::string& prefix, size_t length) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string bytes = randomBytes(length);
  std::string out = prefix;
  for (unsigned char byte : bytes) out.push_back(kAlphabet[byte % kAlphabet.size()]);
  return out;
}

Result<IamPage> pageOf(const nlohmann::json& in) {
  IamPage page;
  if (in.contains("MaxItems")) {
    int64_t max = in["MaxItems"].get<int64_t>();
    if (max < 1 || max > 1000) return validationError("MaxItems must be between 1 and 1000.");
    page.limit = static_cast<size_t>(max);
  }
  if (in.contains("Marker")) {
    auto after = decodeAfterName(in["Marker"].get<std::string>(), "ValidationError");
    if (!after) return validationError("Invalid Marker.");
    page.afterName = *after;
  }
  return page;
}

void finishPage(nlohmann::json& out, const ResourcePage& page) {
  out["IsTruncated"] = page.truncated;
  if (page.truncated && !page.items.empty()) out["Marker"] = encodeAfterName(page.items.back().name);
}

Result<nlohmann::json> listByPath(Catalog& catalog, const std::string& accountId, const nlohmann::json& in,
                                  const std::string& kind, const std::string& member,
                                  const std::function<nlohmann::json(const Resource&)>& view) {
  auto page = pageOf(in);
  if (!page) return page.error();
  std::string prefix = in.value("PathPrefix", "/");
  ResourcePage records = catalog.listResources(accountId, kRegion, kind, page->afterName, page->limit);
  nlohmann::json out = {{member, nlohmann::json::array()}};
  for (const auto& record : records.items) {
    if (record.spec.value("Path", "/").rfind(prefix, 0) == 0) out[member].push_back(view(record));
  }
  finishPage(out, records);
  return out;
}

nlohmann::json userView(const Resource& user) {
  return nlohmann::json{{"Path", user.spec.value("Path", "/")},
                        {"UserName", user.spec.value("UserName", "")},
                        {"UserId", user.spec.value("UserId", "")},
                        {"Arn", user.arn},
                        {"CreateDate", toEpochSeconds(user.createdAt)}};
}

}  // namespace kura::iam

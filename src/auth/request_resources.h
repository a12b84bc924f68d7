#pragma once
// What an API call asks for, in IAM's terms: its action ("dynamodb:GetItem")
// and the ARNs of the resources it acts on, derived from the request's
// input by one table per service (request_resources.cpp). A call whose
// resource Kura does not derive names "*", which only a statement with
// Resource "*" (or a NotResource that leaves it) allows, as IAM treats
// actions without resource-level permissions.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kura::auth {

// The IAM service prefix of a signing name ("monitoring" -> "cloudwatch").
std::string actionPrefix(std::string_view signingName);

struct RequestTarget {
  std::string region;     // the request's
  std::string accountId;  // the caller's
  std::string callerArn;  // the caller's own ARN (IAM's GetUser without a name)
};

// The ARNs `operation` of `signingName` acts on, given its decoded input;
// {"*"} when the table knows none.
std::vector<std::string> requestResources(std::string_view signingName, std::string_view operation,
                                          const nlohmann::json& input, const RequestTarget& target);

}  // namespace kura::auth

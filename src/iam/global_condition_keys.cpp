#include "iam/global_condition_keys.h"

#include <algorithm>

#include "common/time_format.h"

namespace kura::iam {

void addGlobalKeys(const RequestContext& context, const std::vector<std::pair<std::string, std::string>>& principalTags,
                   auth::RequestFacts& facts) {
  std::string sourceIp = context.sourceIp;
  if (sourceIp.rfind("::ffff:", 0) == 0 && sourceIp.find('.') != std::string::npos) sourceIp = sourceIp.substr(7);
  facts.keys.emplace("aws:sourceip", sourceIp);
  facts.keys.emplace("aws:securetransport", context.secureTransport ? "true" : "false");
  facts.keys.emplace("aws:requestedregion", context.region);
  bool assumed = context.principalType == "AssumedRole";
  // A role's session has no user name; its aws:PrincipalArn is the role's.
  if (!assumed) facts.keys.emplace("aws:username", context.userName);
  facts.keys.emplace("aws:userid", context.userId);
  facts.keys.emplace("aws:principalarn", assumed ? context.roleArn : context.userArn);
  facts.keys.emplace("aws:principalaccount", context.accountId);
  facts.keys.emplace("aws:principaltype", assumed ? "AssumedRole" : "User");
  facts.keys.emplace("aws:currenttime", formatIso8601Seconds(context.receivedAt));
  facts.keys.emplace("aws:epochtime", std::to_string(static_cast<long long>(toEpochSeconds(context.receivedAt))));
  if (!context.userAgent.empty()) facts.keys.emplace("aws:useragent", context.userAgent);
  if (context.sessionIssuedAt != SystemTime{}) {
    facts.keys.emplace("aws:tokenissuetime", formatIso8601Seconds(context.sessionIssuedAt));
  }
  for (const auto& [key, value] : principalTags) {
    std::string name = "aws:principaltag/" + key;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    facts.keys.emplace(std::move(name), value);
  }
}

}  // namespace kura::iam

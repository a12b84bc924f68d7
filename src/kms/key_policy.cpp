#include "kms/key_policy.h"

#include <nlohmann/json.hpp>

namespace kura::kms {

using Json = nlohmann::json;

std::string defaultKeyPolicy(const std::string& account) {
  Json policy = {{"Version", "2012-10-17"},
                 {"Id", "key-default-1"},
                 {"Statement", Json::array({{{"Sid", "Enable IAM User Permissions"},
                                             {"Effect", "Allow"},
                                             {"Principal", {{"AWS", "arn:aws:iam::" + account + ":root"}}},
                                             {"Action", "kms:*"},
                                             {"Resource", "*"}}})}};
  return policy.dump(2);
}

std::string awsManagedKeyPolicy(const std::string& account, const std::string& region, const std::string& service) {
  Json use = {{"Sid", "Allow access through " + service + " for all principals in the account that are authorized to use it"},
              {"Effect", "Allow"},
              {"Principal", {{"AWS", "*"}}},
              {"Action", {"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant",
                          "kms:DescribeKey"}},
              {"Resource", "*"},
              {"Condition",
               {{"StringEquals",
                 {{"kms:CallerAccount", account}, {"kms:ViaService", service + "." + region + ".amazonaws.com"}}}}}};
  Json read = {{"Sid", "Allow direct access to key metadata to the account"},
               {"Effect", "Allow"},
               {"Principal", {{"AWS", "arn:aws:iam::" + account + ":root"}}},
               {"Action", {"kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"}},
               {"Resource", "*"}};
  Json policy = {{"Version", "2012-10-17"}, {"Id", "auto-" + service + "-1"}, {"Statement", Json::array({use, read})}};
  return policy.dump(2);
}

}  // namespace kura::kms

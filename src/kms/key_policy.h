#pragma once
// The key policies KMS writes itself: the default one of a key created
// without a policy (the account root may do everything, which delegates
// the key to IAM policies), and the one of an AWS managed key (its
// service, on behalf of any principal of the account, may use it).
#include <string>

namespace kura::kms {

// KMS's limit on a key policy, in characters.
constexpr size_t kMaxKeyPolicyChars = 32768;

std::string defaultKeyPolicy(const std::string& account);
// `service` is the alias's last part: alias/aws/rds is "rds".
std::string awsManagedKeyPolicy(const std::string& account, const std::string& region, const std::string& service);

}  // namespace kura::kms

#pragma once
// One KMS grant: a key's operations allowed to a grantee principal, perhaps
// only for some encryption contexts, until it is retired or revoked.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kura::kms {

struct GrantRecord {
  std::string grantId;     // 64 hex characters, as KMS's
  std::string grantToken;  // usable at once: Kura's grants are consistent when made
  std::string keyId;
  std::string account;
  std::string region;
  std::string name;
  std::string granteePrincipal;
  std::string retiringPrincipal;  // empty when none
  std::string issuingAccount;     // arn:aws:iam::<account>:root
  std::vector<std::string> operations;  // "Decrypt", "Encrypt", ...
  // Constraints: each pair of the one must be in the request's encryption
  // context (Subset), or the context must be it exactly (Equals).
  std::map<std::string, std::string> contextSubset;
  std::map<std::string, std::string> contextEquals;
  bool hasSubset = false;
  bool hasEquals = false;
  int64_t createdMs = 0;
};

}  // namespace kura::kms

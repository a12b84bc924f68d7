#pragma once
// Temporary credentials: an ASIA... key id, a 40-character secret and a
// session token, issued by AssumeRole and GetSessionToken and kept as a
// catalog record (iam/iam_records.h, kind sts-session) with the secret and
// the token sealed, so that they survive a restart until they expire. The
// request path finds them by key id (iam/iam_principals.h) and the SigV4
// verifier checks the token and the expiry.
#include <string>

#include <nlohmann/json.hpp>

#include "catalog/catalog.h"
#include "common/secret_box.h"

namespace kura::sts {

struct IssuedSession {
  nlohmann::json credentials;  // {AccessKeyId, SecretAccessKey, SessionToken, Expiration}
  std::string accessKeyId;
};

// Stores a session of `spec` (Type and what names its principal) lasting
// `seconds`; its answer's Credentials. Sessions expired for more than a day
// are removed, a few at each issue.
Result<IssuedSession> issueSession(Catalog& catalog, const SecretBox& secrets, const std::string& accountId,
                                   nlohmann::json spec, int seconds);

}  // namespace kura::sts

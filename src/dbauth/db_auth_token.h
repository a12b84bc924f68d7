#pragma once
// The check of an IAM database authentication token, as RDS makes it: what
// `aws rds generate-db-auth-token` prints is a SigV4 presigned GET,
// without its scheme, of
//   <host>:<port>/?Action=connect&DBUser=<user>&X-Amz-...
// for the service `rds-db` in the instance's region. It logs `user` in
// only when it names that user, the endpoint the client was given (host
// and port), is signed with a key Kura knows (the account root's, an IAM
// user's, a session's), is at most 15 minutes old (X-Amz-Expires at most
// 900), and its principal is allowed `rds-db:connect` on
//   arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/<user>
// (an Aurora cluster's: its DbClusterResourceId, cluster-...). The token
// is a secret: nothing here logs it or repeats it in a reason.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/clock.h"

namespace kura::dbauth {

// The database a login is for, as the catalog has it.
struct DbAuthTarget {
  std::string accountId, region;
  std::string resourceId;  // db-... or cluster-...: the ARN's
  // Where events about it go (DescribeEvents): db-instance and its name.
  std::string sourceType, sourceId, sourceArn;
  std::vector<std::string> endpoints;  // "address:port", lower case
  bool enabled = false;  // IAMDatabaseAuthenticationEnabled
};

struct DbAuthDecision {
  bool allowed = false;
  std::string reason;       // why not, for the log and events (never the token)
  std::string principal;    // the signer: an ARN, or "root"
  std::string accessKeyId;  // the signing key, when the token parsed
};

class DbAuthTokenVerifier {
 public:
  // The address of the database client a login is for (aws:SourceIp),
  // worked out only when asked; empty when it cannot be told.
  using ClientAddress = std::function<std::string()>;
  // Whether the signer of a token (an IAM user or a role's session, never
  // the root) may `rds-db:connect` on `resourceArn` in `region`, for the
  // client at `client`: empty when allowed, else why not.
  using Authorize = std::function<std::optional<std::string>(const auth::Identity& signer, const std::string& region,
                                                             const std::string& resourceArn,
                                                             const ClientAddress& client)>;
  // `credentials`: the same lookup the API's SigV4 uses (keys and sessions);
  // `authorize`: the same policy evaluation as the API's calls.
  DbAuthTokenVerifier(const auth::CredentialStore& credentials, Authorize authorize, ClockPtr clock);
  DbAuthDecision verify(std::string_view token, std::string_view dbUser, const DbAuthTarget& target,
                        const ClientAddress& client = {}) const;

 private:
  Authorize authorize_;
  auth::SigV4Verifier signatures_;
};

// The ARN a policy names to allow `user` on `target`.
std::string dbUserArn(const DbAuthTarget& target, std::string_view user);

}  // namespace kura::dbauth

#pragma once
// Secrets that another service owns (RDS's managed master passwords), as
// Secrets Manager offers them to that service: created and deleted with the
// resource, and rotated through the owner, which applies the new value to
// its engine before the secret changes.
#include <functional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "services/core/request_context.h"

namespace kura {

class ManagedSecrets {
 public:
  // Puts a password in place on the owner's resource, idempotently: true
  // once the resource uses it (and is available), false while it is being
  // applied (asked again, it answers again); an error stops the rotation.
  using Rotator = std::function<Result<bool>(const RequestContext&, const std::string& secretArn,
                                             const std::string& newPassword)>;
  virtual ~ManagedSecrets() = default;
  // A secret of `owner` ("rds") holding {"username", "password"}; its ARN.
  virtual Result<std::string> createOwnedSecret(const RequestContext& c, const std::string& owner,
                                                const std::string& name, const std::string& username,
                                                const std::string& password, const std::string& kmsKeyId) = 0;
  virtual void deleteOwnedSecret(const RequestContext& c, const std::string& arn) = 0;
  // The ARNs of `owner`'s secrets, in every account and region: at start
  // the owner deletes those none of its resources names (a crash between
  // the secret and the resource's record left them).
  virtual std::vector<std::string> ownedSecretArns(const std::string& owner) = 0;
  virtual void setRotator(const std::string& owner, Rotator rotator) = 0;
  // Rotates the owned secret `arn` now, as RotateSecret does (the owner's
  // rotator puts the new password in place first); the new version's id.
  virtual Result<std::string> rotateOwnedSecret(const RequestContext& c, const std::string& arn) = 0;
};

}  // namespace kura

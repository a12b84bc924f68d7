#pragma once
// Rotation of the secrets another service owns (RDS's managed master
// passwords), without Lambda, in the steps AWS's rotation takes:
//   1. a new password is sealed as a version labelled AWSPENDING (saved);
//   2. the owner puts it in place on its resource (the Rotator: RDS
//      changes the instance's master password; the controller applies it
//      to the engine);
//   3. once the resource uses it, AWSPENDING's version becomes AWSCURRENT,
//      the one before AWSPREVIOUS, and LastRotatedDate is set.
// Each step is durable before the next, and each is asked again until
// done: a rotation a crash (SIGKILL) cut short is resumed where it stood,
// by the next pass (rotateDue, every few seconds) or the next read of the
// secret, so AWSCURRENT ends up as the password the resource uses. Between
// the engine taking the new password and step 3 (a pass, or the next read
// once the instance is available) AWSCURRENT is briefly the old one, as
// with AWS's own rotation functions.
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "kms/key_manager.h"
#include "services/core/managed_secrets.h"
#include "services/secretsmanager/secret_store.h"

namespace kura::secrets {

class OwnedRotation {
 public:
  using Rotators = std::map<std::string, ManagedSecrets::Rotator>;
  OwnedRotation(SecretStore& store, kms::KeyManager& keys, ClockPtr clock, const Rotators& rotators)
      : store_(store), keys_(keys), clock_(std::move(clock)), rotators_(rotators) {}

  // RotateSecret on an owned secret (the caller holds the secrets' lock):
  // the schedule (RotationRules, else RDS's 7 days) is turned on and, unless
  // RotateImmediately is false, a rotation started.
  Result<nlohmann::json> rotate(const RequestContext& c, SecretRecord& secret, const nlohmann::json& in);
  // CancelRotateSecret on it: the schedule is turned off. A rotation under
  // way still completes (its password may already be the engine's).
  nlohmann::json cancel(SecretRecord& secret);
  // Moves a rotation under way on, if there is one (lock held).
  void advance(SecretRecord& secret);
  // One pass over every owned secret: rotations under way moved on, due
  // ones started; `lock` (the secrets' lock) is taken per secret.
  void rotateDue(std::mutex& lock);
  // The secrets whose refused rotation waits to be tried again (tests).
  size_t retriesWaiting() const { return retryAfterMs_.size(); }

 private:
  int64_t nowMs() const;
  Result<std::string> start(SecretRecord& secret, const std::string& versionId);
  void finish(SecretRecord& secret, const std::string& pendingId);

  SecretStore& store_;
  kms::KeyManager& keys_;
  ClockPtr clock_;
  const Rotators& rotators_;
  // A due rotation its owner refused is tried again a minute later, not at
  // every pass (a stopped instance), by ARN (guarded by the secrets' lock).
  std::map<std::string, int64_t> retryAfterMs_;
};

}  // namespace kura::secrets

#include "services/secretsmanager/owned_rotation.h"

#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "common/ids.h"
#include "common/per_resource.h"
#include "kms/envelope.h"
#include "protocol/json_nesting.h"
#include "services/secretsmanager/random_password.h"
#include "services/secretsmanager/rotation_schedule.h"

namespace kura::secrets {
namespace {

using Json = nlohmann::json;

constexpr const char* kCurrent = "AWSCURRENT";
constexpr const char* kPrevious = "AWSPREVIOUS";
constexpr const char* kPending = "AWSPENDING";
constexpr int64_t kRetryMs = 60 * 1000;

ApiError invalidRequest(const std::string& message) { return ApiError::sender("InvalidRequestException", message); }

kms::Place placeOf(const SecretRecord& secret) { return {secret.account, secret.region}; }

kms::EncryptionContext contextFor(const SecretRecord& secret, const std::string& versionId) {
  return {{"SecretARN", secret.arn}, {"SecretVersionId", versionId}};
}

RequestContext contextOf(const SecretRecord& secret) {
  RequestContext c;
  c.requestId = newUuid();
  c.accountId = secret.account;
  c.region = secret.region;
  c.service = "secretsmanager";
  c.operation = "RotateSecret";
  return c;
}

// A version's value, read as Kura wrote it: {"username", "password"}.
Result<Json> valueOf(kms::KeyManager& keys, const SecretRecord& secret, const SecretVersion& version) {
  auto plain = kms::openEnvelope(keys, placeOf(secret), version.sealed, contextFor(secret, version.versionId));
  if (!plain) return ApiError::sender("DecryptionFailure", plain.error().message);
  Json value = jsonNestsWithin(*plain) ? Json::parse(*plain, nullptr, false) : Json();
  if (!value.is_object() || !value["password"].is_string()) return invalidRequest("The secret's value is damaged.");
  return value;
}

void removeStage(SecretRecord& secret, const std::string& stage) {
  for (SecretVersion& v : secret.versions) std::erase(v.stages, stage);
}

}  // namespace

int64_t OwnedRotation::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now().time_since_epoch()).count();
}

Result<Json> OwnedRotation::rotate(const RequestContext&, SecretRecord& secret, const Json& in) {
  if (in.contains("RotationLambdaARN")) {
    return invalidRequest("The secret " + secret.arn + " is managed by " + secret.owningService +
                          ", which rotates it without a Lambda function: RotationLambdaARN can't be set.");
  }
  Json rules = secret.rotationRules.is_null() ? defaultOwnedRotationRules() : secret.rotationRules;
  if (in.contains("RotationRules")) {
    auto checked = checkRotationRules(in["RotationRules"]);
    if (!checked) return checked.error();
    rules = *checked;
  }
  advance(secret);
  if (secret.versionWithStage(kPending) != nullptr) {
    return invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  secret.rotationEnabled = true;
  secret.rotationRules = rules;
  Json out = {{"ARN", secret.arn}, {"Name", secret.name}};
  if (!in.value("RotateImmediately", true)) {
    store_.save(secret);
    return out;
  }
  std::string versionId = in.value("ClientRequestToken", "");
  if (versionId.empty()) versionId = newUuid();
  if (secret.version(versionId) != nullptr) {
    return ApiError::sender("ResourceExistsException",
                            "You can't modify an existing version, you can only create a new version.");
  }
  auto started = start(secret, versionId);
  if (!started) return started.error();
  out["VersionId"] = *started;
  return out;
}

Result<std::string> OwnedRotation::start(SecretRecord& secret, const std::string& versionId) {
  auto rotator = rotators_.find(secret.owningService);
  if (rotator == rotators_.end() || !rotator->second) {
    return invalidRequest("The service that owns this secret cannot rotate it now.");
  }
  SecretVersion* current = secret.versionWithStage(kCurrent);
  if (current == nullptr) return invalidRequest("The secret has no AWSCURRENT version to rotate.");
  auto value = valueOf(keys_, secret, *current);
  if (!value) return value.error();
  PasswordRules rules;
  rules.length = 32;
  rules.excludeCharacters = "/@\"' \\";  // what RDS refuses in a master password
  (*value)["password"] = *randomPassword(rules);
  std::string keyRef = secret.kmsKeyId.empty() ? "alias/aws/secretsmanager" : secret.kmsKeyId;
  auto sealed = kms::sealEnvelope(keys_, placeOf(secret), keyRef, value->dump(), contextFor(secret, versionId));
  if (!sealed) return ApiError::sender("EncryptionFailure", sealed.error().message);
  // Step 1: AWSPENDING, saved before the resource hears of it.
  removeStage(secret, kPending);
  secret.versions.push_back({versionId, {kPending}, std::move(*sealed), false, nowMs(), std::nullopt});
  secret.lastChangedMs = nowMs();
  store_.save(secret);
  // Step 2: the owner puts it in place; refused, the rotation is undone.
  auto applied = rotator->second(contextOf(secret), secret.arn, (*value)["password"].get<std::string>());
  if (!applied) {
    std::erase_if(secret.versions, [&](const SecretVersion& v) { return v.versionId == versionId; });
    store_.save(secret);
    return invalidRequest(applied.error().message);
  }
  if (*applied) finish(secret, versionId);
  return versionId;
}

void OwnedRotation::advance(SecretRecord& secret) {
  SecretVersion* pending = secret.versionWithStage(kPending);
  if (pending == nullptr || secret.owningService.empty()) return;
  auto rotator = rotators_.find(secret.owningService);
  if (rotator == rotators_.end() || !rotator->second) return;
  auto value = valueOf(keys_, secret, *pending);
  if (!value) {
    spdlog::error("msg=\"a pending rotation cannot be read\" secret={} error=\"{}\"", secret.arn,
                  value.error().message);
    return;
  }
  std::string pendingId = pending->versionId;
  auto applied = rotator->second(contextOf(secret), secret.arn, (*value)["password"].get<std::string>());
  if (!applied) {
    spdlog::warn("msg=\"a rotation waits for its resource\" secret={} error=\"{}\"", secret.arn,
                 applied.error().message);
    return;
  }
  if (*applied) finish(secret, pendingId);
}

// Step 3: the pending version becomes AWSCURRENT, the one before AWSPREVIOUS.
void OwnedRotation::finish(SecretRecord& secret, const std::string& pendingId) {
  SecretVersion* current = secret.versionWithStage(kCurrent);
  std::string previousId = current != nullptr ? current->versionId : "";
  removeStage(secret, kPending);
  removeStage(secret, kCurrent);
  if (!previousId.empty()) {
    removeStage(secret, kPrevious);
    secret.version(previousId)->stages.push_back(kPrevious);
  }
  secret.version(pendingId)->stages.push_back(kCurrent);
  secret.lastRotatedMs = secret.lastChangedMs = nowMs();
  store_.save(secret);
  spdlog::info("msg=\"secret rotated\" secret={} version={}", secret.arn, pendingId);
}

Json OwnedRotation::cancel(SecretRecord& secret) {
  secret.rotationEnabled = false;
  secret.lastChangedMs = nowMs();
  store_.save(secret);
  Json out = {{"ARN", secret.arn}, {"Name", secret.name}};
  if (const SecretVersion* pending = secret.versionWithStage(kPending)) out["VersionId"] = pending->versionId;
  return out;
}

void OwnedRotation::rotateDue(std::mutex& lock) {
  std::vector<std::string> owned = store_.ownedArns();
  {
    // A deleted secret's retry time goes with it.
    std::lock_guard held(lock);
    forgetAllBut(retryAfterMs_, std::set<std::string>(owned.begin(), owned.end()));
  }
  for (const std::string& arn : owned) {
    std::lock_guard held(lock);
    auto secret = store_.byArn(arn);
    if (!secret || secret->deletionDateMs) continue;
    if (secret->versionWithStage(kPending) != nullptr) {
      advance(*secret);
      continue;
    }
    auto due = nextRotationMs(*secret);
    if (!due || *due > nowMs()) continue;
    if (auto retry = retryAfterMs_.find(arn); retry != retryAfterMs_.end() && retry->second > nowMs()) continue;
    auto started = start(*secret, newUuid());
    if (!started) {
      retryAfterMs_[arn] = nowMs() + kRetryMs;
      spdlog::warn("msg=\"a scheduled rotation could not start; it is tried again in a minute\" secret={} error=\"{}\"",
                   arn, started.error().message);
    } else {
      retryAfterMs_.erase(arn);
    }
  }
}

}  // namespace kura::secrets

#include "services/secretsmanager/secrets_service.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/periodic_task.h"
#include "kms/envelope.h"
#include "protocol/json_nesting.h"
#include "services/secretsmanager/random_password.h"
#include "services/secretsmanager/owned_rotation.h"
#include "services/secretsmanager/resource_policy_handlers.h"
#include "services/secretsmanager/rotation_schedule.h"

namespace kura {
namespace {

using secrets::SecretRecord;
using secrets::SecretVersion;

constexpr const char* kCurrent = "AWSCURRENT";
constexpr const char* kPrevious = "AWSPREVIOUS";
constexpr const char* kDefaultKey = "alias/aws/secretsmanager";
constexpr int64_t kDayMs = 86400LL * 1000;
constexpr size_t kMaxDeprecatedVersions = 100;

ApiError notFound() {
  return ApiError::sender("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}
ApiError invalidParameter(const std::string& message) {
  return ApiError::sender("InvalidParameterException", message);
}
ApiError invalidRequest(const std::string& message) { return ApiError::sender("InvalidRequestException", message); }
ApiError markedForDeletion() {
  return invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
}

ApiError ownedError(const SecretRecord& secret) {
  return invalidRequest("You can't modify secret " + secret.arn + " because it is managed by " + secret.owningService +
                        ". Use " + secret.owningService + " to change it.");
}

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

kms::Place placeOf(const RequestContext& c) { return {c.accountId, c.region}; }

kms::EncryptionContext contextFor(const SecretRecord& secret, const std::string& versionId) {
  return {{"SecretARN", secret.arn}, {"SecretVersionId", versionId}};
}

// A secret value from the request: SecretString, or SecretBinary (base64).
struct Value {
  std::string bytes;
  bool binary = false;
};

Result<std::optional<Value>> valueOf(const Json& in) {
  bool text = in.contains("SecretString"), binary = in.contains("SecretBinary");
  if (text && binary) {
    return invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (text) return std::optional<Value>(Value{in["SecretString"].get<std::string>(), false});
  if (binary) {
    Value value{"", true};
    if (!base64Decode(in["SecretBinary"].get<std::string>(), value.bytes)) {
      return invalidParameter("SecretBinary is not valid base64.");
    }
    return std::optional<Value>(std::move(value));
  }
  return std::optional<Value>();
}

Json tagsJson(const SecretRecord& secret) {
  Json tags = Json::array();
  for (const auto& [key, value] : secret.tags) tags.push_back({{"Key", key}, {"Value", value}});
  return tags;
}

Json versionStages(const SecretRecord& secret) {
  Json out = Json::object();
  for (const SecretVersion& v : secret.versions) {
    if (!v.stages.empty()) out[v.versionId] = v.stages;
  }
  return out;
}

// What DescribeSecret and ListSecrets say of a secret.
Json describe(const SecretRecord& s, const char* stagesMember) {
  Json out = {{"ARN", s.arn}, {"Name", s.name}, {"LastChangedDate", seconds(s.lastChangedMs)},
              {"CreatedDate", seconds(s.createdMs)}, {stagesMember, versionStages(s)}};
  if (!s.description.empty()) out["Description"] = s.description;
  if (!s.kmsKeyId.empty()) out["KmsKeyId"] = s.kmsKeyId;
  if (s.rotationEnabled || !s.rotationLambdaArn.empty() || !s.rotationRules.is_null()) {
    out["RotationEnabled"] = s.rotationEnabled;
  }
  if (!s.rotationLambdaArn.empty()) out["RotationLambdaARN"] = s.rotationLambdaArn;
  if (!s.rotationRules.is_null()) out["RotationRules"] = s.rotationRules;
  if (s.lastRotatedMs) out["LastRotatedDate"] = seconds(*s.lastRotatedMs);
  if (auto next = secrets::nextRotationMs(s)) out["NextRotationDate"] = seconds(*next);
  if (s.lastAccessedMs) out["LastAccessedDate"] = seconds(*s.lastAccessedMs);
  if (s.deletedMs) out["DeletedDate"] = seconds(*s.deletedMs);
  if (!s.tags.empty()) out["Tags"] = tagsJson(s);
  if (!s.owningService.empty()) out["OwningService"] = s.owningService;
  return out;
}

// ListSecrets filters: prefix matches, "!" negates, as AWS has them.
bool matchesFilter(const SecretRecord& s, const std::string& key, const std::string& given) {
  bool negate = !given.empty() && given[0] == '!';
  std::string value = negate ? given.substr(1) : given;
  auto prefix = [&](const std::string& text) { return text.rfind(value, 0) == 0; };
  bool match = false;
  if (key == "name" || key == "all") match = match || prefix(s.name);
  if (key == "description" || key == "all") match = match || prefix(s.description);
  for (const auto& [tagKey, tagValue] : s.tags) {
    if (key == "tag-key" || key == "all") match = match || prefix(tagKey);
    if (key == "tag-value" || key == "all") match = match || prefix(tagValue);
  }
  if (key == "primary-region") match = prefix(s.region);
  return negate ? !match : match;
}

bool matchesFilters(const SecretRecord& s, const Json& filters) {
  for (const Json& filter : filters) {
    bool any = false;
    for (const Json& v : filter.value("Values", Json::array())) any = any || matchesFilter(s, filter["Key"], v);
    if (!any) return false;
  }
  return true;
}

// ListSecrets reads its index in runs of kListBatch when filtering, and
// looks at no more than kListScanBudget secrets for one page.
constexpr size_t kListBatch = 100;
constexpr size_t kListScanBudget = 1000;

// A ListSecrets NextToken: the position of the last secret a page looked
// at, "<created ms>:<ARN>" in base64.
std::string listToken(const secrets::SecretPosition& position) {
  return base64Encode(std::to_string(position.createdMs) + ":" + position.arn);
}

std::optional<secrets::SecretPosition> listTokenPosition(const std::string& token) {
  std::string text;
  if (!base64Decode(token, text)) return std::nullopt;
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string::npos || colon > 18 || colon + 1 == text.size()) return std::nullopt;
  secrets::SecretPosition position;
  for (size_t i = 0; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    position.createdMs = position.createdMs * 10 + (text[i] - '0');
  }
  position.arn = text.substr(colon + 1);
  return position;
}

size_t pageStart(const Json& in) {
  try {
    return in.contains("NextToken") ? std::stoul(in["NextToken"].get<std::string>()) : 0;
  } catch (const std::exception&) {
    return SIZE_MAX;
  }
}

class SecretsManagerService final : public SecretsManagerModule {
 public:
  SecretsManagerService(secrets::SecretStore& store, kms::KeyManager& keys, ClockPtr clock)
      : store_(store), keys_(keys), clock_(std::move(clock)) {
    handlers_.add("CreateSecret", [this](const RequestContext& c, const Json& in) { return createSecret(c, in); });
    handlers_.add("GetSecretValue", [this](const RequestContext& c, const Json& in) { return getSecretValue(c, in); });
    handlers_.add("PutSecretValue", [this](const RequestContext& c, const Json& in) { return putSecretValue(c, in); });
    handlers_.add("UpdateSecret", [this](const RequestContext& c, const Json& in) { return updateSecret(c, in); });
    handlers_.add("DescribeSecret", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::lock_guard lock(mutex_);
      auto secret = find(c, in["SecretId"]);
      if (!secret) return secret.error();
      return describe(*secret, "VersionIdsToStages");
    });
    handlers_.add("ListSecrets", [this](const RequestContext& c, const Json& in) { return listSecrets(c, in); });
    handlers_.add("DeleteSecret", [this](const RequestContext& c, const Json& in) { return deleteSecret(c, in); });
    handlers_.add("RestoreSecret", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::lock_guard lock(mutex_);
      auto secret = find(c, in["SecretId"]);
      if (!secret) return secret.error();
      secret->deletionDateMs.reset();
      secret->deletedMs.reset();
      store_.save(*secret);
      return Json{{"ARN", secret->arn}, {"Name", secret->name}};
    });
    handlers_.add("UpdateSecretVersionStage",
                  [this](const RequestContext& c, const Json& in) { return updateVersionStage(c, in); });
    handlers_.add("ListSecretVersionIds", [this](const RequestContext& c, const Json& in) { return listVersions(c, in); });
    handlers_.add("TagResource", [this](const RequestContext& c, const Json& in) { return tag(c, in); });
    handlers_.add("UntagResource", [this](const RequestContext& c, const Json& in) { return untag(c, in); });
    handlers_.add("GetRandomPassword", [](const RequestContext&, const Json& in) -> Result<Json> {
      secrets::PasswordRules rules;
      rules.length = static_cast<size_t>(in.value("PasswordLength", 32));
      rules.excludeCharacters = in.value("ExcludeCharacters", "");
      rules.excludeNumbers = in.value("ExcludeNumbers", false);
      rules.excludePunctuation = in.value("ExcludePunctuation", false);
      rules.excludeUppercase = in.value("ExcludeUppercase", false);
      rules.excludeLowercase = in.value("ExcludeLowercase", false);
      rules.includeSpace = in.value("IncludeSpace", false);
      rules.requireEachIncludedType = in.value("RequireEachIncludedType", true);
      auto password = secrets::randomPassword(rules);
      if (!password) return invalidParameter("The password rules leave no characters to choose from.");
      return Json{{"RandomPassword", *password}};
    });
    handlers_.add("RotateSecret", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::lock_guard lock(mutex_);
      auto secret = live(c, in["SecretId"]);
      if (!secret) return secret.error();
      if (!secret->owningService.empty()) return rotation_.rotate(c, *secret, in);
      if (in.contains("RotationRules")) {
        auto rules = secrets::checkRotationRules(in["RotationRules"]);
        if (!rules) return rules.error();
      }
      if (!in.contains("RotationLambdaARN") && secret->rotationLambdaArn.empty()) {
        return invalidRequest("No Lambda rotation function ARN is associated with this secret.");
      }
      // Kura runs no Lambda: AWS's answer when it cannot invoke the function.
      // Nothing of the rotation is saved.
      return ApiError::sender("AccessDeniedException",
                              "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function "
                              "policy grants access to the principal secretsmanager.amazonaws.com.");
    });
    handlers_.add("CancelRotateSecret", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::lock_guard lock(mutex_);
      auto secret = live(c, in["SecretId"]);
      if (!secret) return secret.error();
      return rotation_.cancel(*secret);
    });
    addResourcePolicyHandlers(handlers_, store_, [this](const RequestContext& c, const std::string& id, bool write,
                                                        const SecretChange& change) -> Result<Json> {
      std::lock_guard lock(mutex_);
      auto secret = write ? live(c, id) : find(c, id);
      if (!secret) return secret.error();
      return change(*secret);
    });
  }
  std::string signingName() const override { return "secretsmanager"; }

  Result<std::string> createOwnedSecret(const RequestContext& c, const std::string& owner, const std::string& name,
                                        const std::string& username, const std::string& password,
                                        const std::string& kmsKeyId) override {
    std::lock_guard lock(mutex_);
    SecretRecord secret;
    secret.arn = "arn:aws:secretsmanager:" + c.region + ":" + c.accountId + ":secret:" + name + "-" +
                 toHex(randomBytes(3));
    secret.account = c.accountId;
    secret.region = c.region;
    secret.name = name;
    secret.description = "Secret associated with primary " + owner + " resource";
    secret.kmsKeyId = kmsKeyId;
    secret.owningService = owner;
    // As RDS sets it: rotated every 7 days (owned_rotation.h).
    secret.rotationEnabled = true;
    secret.rotationRules = secrets::defaultOwnedRotationRules();
    secret.createdMs = secret.lastChangedMs = nowMs();
    Value value{Json{{"username", username}, {"password", password}}.dump(), false};
    auto version = addVersion(c, secret, Json::object(), value, {kCurrent});
    if (!version) return version.error();
    store_.save(secret);
    return secret.arn;
  }

  void deleteOwnedSecret(const RequestContext&, const std::string& arn) override {
    std::lock_guard lock(mutex_);
    store_.erase(arn);
  }

  std::vector<std::string> ownedSecretArns(const std::string& owner) override {
    std::lock_guard lock(mutex_);
    std::vector<std::string> arns;
    for (const std::string& arn : store_.ownedArns()) {
      auto secret = store_.byArn(arn);
      if (secret && secret->owningService == owner) arns.push_back(arn);
    }
    return arns;
  }

  void setRotator(const std::string& owner, Rotator rotator) override {
    std::lock_guard lock(mutex_);
    rotators_[owner] = std::move(rotator);
  }

  Result<std::string> rotateOwnedSecret(const RequestContext& c, const std::string& arn) override {
    std::lock_guard lock(mutex_);
    auto secret = live(c, arn);
    if (!secret) return secret.error();
    if (secret->owningService.empty()) return invalidRequest("The secret " + arn + " is not managed by a service.");
    auto rotated = rotation_.rotate(c, *secret, Json{{"RotateImmediately", true}});
    if (!rotated) return rotated.error();
    return rotated->value("VersionId", "");
  }
  const HandlerTable& handlers() const override { return handlers_; }
  void start() override { rotationPass_.start(); }
  void stop() override { rotationPass_.stop(); }

 private:
  int64_t nowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->now().time_since_epoch()).count();
  }

  // A secret by name, full ARN or partial ARN (without the random suffix).
  // Secrets past their recovery window are deleted here, for good.
  Result<SecretRecord> find(const RequestContext& c, const std::string& id) {
    std::optional<SecretRecord> secret;
    if (id.rfind("arn:", 0) == 0) {
      secret = store_.byArn(id);
      if (!secret) {
        for (const std::string& arn : store_.arnsStartingWith(id + "-")) {
          if (arn.size() == id.size() + 7) secret = store_.byArn(arn);
        }
      }
    } else {
      secret = store_.byName(c.accountId, c.region, id);
    }
    if (!secret || secret->account != c.accountId || secret->region != c.region) return notFound();
    if (secret->deletionDateMs && nowMs() >= *secret->deletionDateMs) {
      store_.erase(secret->arn);
      return notFound();
    }
    rotation_.advance(*secret);  // a rotation under way whose resource now uses its password ends here
    return std::move(*secret);
  }

  // A secret that is not scheduled for deletion.
  Result<SecretRecord> live(const RequestContext& c, const std::string& id) {
    auto secret = find(c, id);
    if (secret && secret->deletionDateMs) return markedForDeletion();
    return secret;
  }

  // Seals `value` as a new version (or finds the same version again, for an
  // idempotent retry) and moves `stages` onto it.
  Result<std::string> addVersion(const RequestContext& c, SecretRecord& secret, const Json& in, const Value& value,
                                 const std::vector<std::string>& stages) {
    std::string versionId = in.value("ClientRequestToken", "");
    if (versionId.empty()) versionId = newUuid();
    if (SecretVersion* existing = secret.version(versionId)) {
      auto old = kms::openEnvelope(keys_, placeOf(c), existing->sealed, contextFor(secret, versionId));
      if (old && *old == value.bytes && existing->binary == value.binary) return versionId;
      return ApiError::sender("ResourceExistsException",
                              "You can't modify an existing version, you can only create a new version.");
    }
    std::string keyRef = secret.kmsKeyId.empty() ? kDefaultKey : secret.kmsKeyId;
    auto sealed = kms::sealEnvelope(keys_, placeOf(c), keyRef, value.bytes, contextFor(secret, versionId));
    if (!sealed) return ApiError::sender("EncryptionFailure", sealed.error().message);
    secret.versions.push_back({versionId, {}, std::move(*sealed), value.binary, nowMs(), std::nullopt});
    for (const std::string& stage : stages) moveStage(secret, stage, versionId);
    pruneDeprecated(secret);
    secret.lastChangedMs = nowMs();
    return versionId;
  }

  static void moveStage(SecretRecord& secret, const std::string& stage, const std::string& toVersion) {
    std::string from;
    for (SecretVersion& v : secret.versions) {
      if (v.versionId != toVersion && v.has(stage)) {
        from = v.versionId;
        std::erase(v.stages, stage);
      }
    }
    if (SecretVersion* target = secret.version(toVersion); target && !target->has(stage)) {
      target->stages.push_back(stage);
    }
    // The version that was current becomes the previous one.
    if (stage == kCurrent && !from.empty()) moveStage(secret, kPrevious, from);
  }

  static void pruneDeprecated(SecretRecord& secret) {
    size_t deprecated = std::count_if(secret.versions.begin(), secret.versions.end(),
                                      [](const SecretVersion& v) { return v.stages.empty(); });
    for (auto it = secret.versions.begin(); it != secret.versions.end() && deprecated > kMaxDeprecatedVersions;) {
      if (it->stages.empty()) {
        it = secret.versions.erase(it);
        --deprecated;
      } else {
        ++it;
      }
    }
  }

  Result<Json> createSecret(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto value = valueOf(in);
    if (!value) return value.error();
    std::string name = in["Name"];
    if (auto existing = find(c, name)) {
      if (existing->deletionDateMs) {
        return invalidRequest("You can't create this secret because a secret with this name is already scheduled "
                              "for deletion.");
      }
      return ApiError::sender("ResourceExistsException",
                              "The operation failed because the secret " + name + " already exists.");
    }
    SecretRecord secret;
    std::string suffix = toHex(randomBytes(3));
    secret.arn = "arn:aws:secretsmanager:" + c.region + ":" + c.accountId + ":secret:" + name + "-" + suffix;
    secret.account = c.accountId;
    secret.region = c.region;
    secret.name = name;
    secret.description = in.value("Description", "");
    secret.kmsKeyId = in.value("KmsKeyId", "");
    secret.createdMs = secret.lastChangedMs = nowMs();
    if (in.contains("Tags")) {
      for (const Json& t : in["Tags"]) secret.tags.emplace_back(t.value("Key", ""), t.value("Value", ""));
    }
    Json out = {{"ARN", secret.arn}, {"Name", name}};
    if (*value) {
      auto version = addVersion(c, secret, in, **value, {kCurrent});
      if (!version) return version.error();
      out["VersionId"] = *version;
    } else if (!secret.kmsKeyId.empty()) {
      auto key = keys_.usableKey(placeOf(c), secret.kmsKeyId);
      if (!key) return ApiError::sender("EncryptionFailure", key.error().message);
    }
    store_.save(secret);
    return out;
  }

  Result<Json> getSecretValue(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    SecretVersion* version = nullptr;
    std::string stage = in.value("VersionStage", in.contains("VersionId") ? "" : kCurrent);
    if (in.contains("VersionId")) {
      version = secret->version(in["VersionId"]);
      if (version && !stage.empty() && !version->has(stage)) {
        return invalidParameter("You provided a VersionStage that is not associated to the provided VersionId.");
      }
    } else {
      version = secret->versionWithStage(stage);
    }
    if (version == nullptr) {
      return ApiError::sender("ResourceNotFoundException",
                              in.contains("VersionId")
                                  ? "Secrets Manager can't find the specified secret value for VersionId: " +
                                        in["VersionId"].get<std::string>()
                                  : "Secrets Manager can't find the specified secret value for staging label: " + stage);
    }
    auto plain = kms::openEnvelope(keys_, placeOf(c), version->sealed, contextFor(*secret, version->versionId));
    if (!plain) return ApiError::sender("DecryptionFailure", plain.error().message);
    Json out = {{"ARN", secret->arn}, {"Name", secret->name}, {"VersionId", version->versionId},
                {"VersionStages", version->stages}, {"CreatedDate", seconds(version->createdMs)}};
    if (version->binary) {
      out["SecretBinary"] = base64Encode(*plain);
    } else {
      out["SecretString"] = *plain;
    }
    // AWS keeps the access date to the day: one write a day per version.
    int64_t today = nowMs() / kDayMs * kDayMs;
    if (version->lastAccessedMs != today) {
      version->lastAccessedMs = today;
      secret->lastAccessedMs = today;
      store_.save(*secret);
    }
    return out;
  }

  Result<Json> putSecretValue(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto value = valueOf(in);
    if (!value) return value.error();
    if (!*value) return invalidParameter("You must provide either SecretString or SecretBinary.");
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    if (!secret->owningService.empty()) return ownedError(*secret);
    std::vector<std::string> stages = {kCurrent};
    if (in.contains("VersionStages")) stages = in["VersionStages"].get<std::vector<std::string>>();
    auto version = addVersion(c, *secret, in, **value, stages);
    if (!version) return version.error();
    store_.save(*secret);
    return Json{{"ARN", secret->arn}, {"Name", secret->name}, {"VersionId", *version},
                {"VersionStages", secret->version(*version)->stages}};
  }

  Result<Json> updateSecret(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto value = valueOf(in);
    if (!value) return value.error();
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    if (!secret->owningService.empty()) return ownedError(*secret);
    if (in.contains("Description")) secret->description = in["Description"];
    if (in.contains("KmsKeyId")) {
      auto key = keys_.usableKey(placeOf(c), in["KmsKeyId"]);
      if (!key) return ApiError::sender("EncryptionFailure", key.error().message);
      secret->kmsKeyId = in["KmsKeyId"];
    }
    Json out = {{"ARN", secret->arn}, {"Name", secret->name}};
    if (*value) {
      auto version = addVersion(c, *secret, in, **value, {kCurrent});
      if (!version) return version.error();
      out["VersionId"] = *version;
    }
    secret->lastChangedMs = nowMs();
    store_.save(*secret);
    return out;
  }

  // Pages walk ListSecrets' index from the position the token names (the
  // last secret the previous page looked at), so each costs the same however
  // many secrets the region holds, and secrets made or deleted between pages
  // neither repeat nor shift the others. A filtered page reads at most
  // kListScanBudget secrets and may come back short, with a NextToken, as
  // AWS's may.
  Result<Json> listSecrets(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    size_t limit = static_cast<size_t>(in.value("MaxResults", 100));
    std::optional<secrets::SecretPosition> position;
    if (in.contains("NextToken")) {
      position = listTokenPosition(in["NextToken"].get<std::string>());
      if (!position) return invalidParameter("The NextToken is not valid.");
    }
    bool descending = in.value("SortOrder", "asc") == "desc";
    Json filters = in.value("Filters", Json::array());
    bool filtered = !filters.empty();
    size_t batch = filtered ? kListBatch : limit + 1;
    std::vector<SecretRecord> page;
    size_t looked = 0;
    bool more = false;
    for (bool done = false; !done;) {
      std::vector<SecretRecord> run = store_.listedPage(c.accountId, c.region, descending, position, batch);
      for (SecretRecord& s : run) {
        if (page.size() == limit || looked == kListScanBudget) {
          more = true;
          done = true;
          break;
        }
        ++looked;
        position = secrets::SecretPosition{s.createdMs, s.arn};
        if (matchesFilters(s, filters)) page.push_back(std::move(s));
      }
      done = done || run.size() < batch;
    }
    store_.addVersionStages(page);
    Json out = {{"SecretList", Json::array()}};
    for (const SecretRecord& s : page) out["SecretList"].push_back(describe(s, "SecretVersionsToStages"));
    if (more && position) out["NextToken"] = listToken(*position);
    return out;
  }

  Result<Json> deleteSecret(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    bool force = in.value("ForceDeleteWithoutRecovery", false);
    if (force && in.contains("RecoveryWindowInDays")) {
      return invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    int64_t window = in.value("RecoveryWindowInDays", 30);
    if (window < 7 || window > 30) {
      return invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    auto secret = find(c, in["SecretId"]);
    if (!secret) return secret.error();
    if (!secret->owningService.empty()) return ownedError(*secret);
    if (secret->deletionDateMs && !force) return markedForDeletion();
    if (force) {
      store_.erase(secret->arn);
      return Json{{"ARN", secret->arn}, {"Name", secret->name}, {"DeletionDate", seconds(nowMs())}};
    }
    secret->deletedMs = nowMs();
    secret->deletionDateMs = nowMs() + window * kDayMs;
    store_.save(*secret);
    return Json{{"ARN", secret->arn}, {"Name", secret->name}, {"DeletionDate", seconds(*secret->deletionDateMs)}};
  }

  Result<Json> updateVersionStage(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    std::string stage = in["VersionStage"];
    std::string removeFrom = in.value("RemoveFromVersionId", "");
    std::string moveTo = in.value("MoveToVersionId", "");
    SecretVersion* holder = secret->versionWithStage(stage);
    if (!moveTo.empty() && secret->version(moveTo) == nullptr) return notFound();
    if (!removeFrom.empty() && (holder == nullptr || holder->versionId != removeFrom)) {
      return invalidParameter("The staging label " + stage + " is not attached to version " + removeFrom + ".");
    }
    if (holder != nullptr && removeFrom.empty() && holder->versionId != moveTo) {
      return invalidParameter("The parameter RemoveFromVersionId can't be empty. Staging label " + stage +
                              " is currently attached to version " + holder->versionId +
                              ", so you must explicitly reference that version in RemoveFromVersionId.");
    }
    if (moveTo.empty() && stage == kCurrent) {
      return invalidParameter("You can only move staging label AWSCURRENT to a different secret version. It can't be "
                              "completely removed.");
    }
    if (moveTo.empty()) {
      std::erase(holder->stages, stage);
    } else {
      moveStage(*secret, stage, moveTo);
    }
    secret->lastChangedMs = nowMs();
    store_.save(*secret);
    return Json{{"ARN", secret->arn}, {"Name", secret->name}};
  }

  Result<Json> listVersions(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto secret = find(c, in["SecretId"]);
    if (!secret) return secret.error();
    bool deprecated = in.value("IncludeDeprecated", false);
    std::vector<const SecretVersion*> shown;
    for (const SecretVersion& v : secret->versions) {
      if (deprecated || !v.stages.empty()) shown.push_back(&v);
    }
    size_t limit = static_cast<size_t>(in.value("MaxResults", 100));
    size_t start = pageStart(in);
    if (start == SIZE_MAX) return invalidParameter("The NextToken is not valid.");
    Json out = {{"ARN", secret->arn}, {"Name", secret->name}, {"Versions", Json::array()}};
    std::string keyArn = secret->kmsKeyId.empty() ? kDefaultKey : secret->kmsKeyId;
    for (size_t i = start; i < shown.size() && out["Versions"].size() < limit; ++i) {
      Json entry = {{"VersionId", shown[i]->versionId}, {"VersionStages", shown[i]->stages},
                    {"CreatedDate", seconds(shown[i]->createdMs)}, {"KmsKeyIds", Json::array({keyArn})}};
      if (shown[i]->lastAccessedMs) entry["LastAccessedDate"] = seconds(*shown[i]->lastAccessedMs);
      out["Versions"].push_back(entry);
    }
    if (start + limit < shown.size()) out["NextToken"] = std::to_string(start + limit);
    return out;
  }

  Result<Json> tag(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    for (const Json& t : in["Tags"]) {
      std::string key = t.value("Key", ""), value = t.value("Value", "");
      auto it = std::find_if(secret->tags.begin(), secret->tags.end(), [&](const auto& p) { return p.first == key; });
      if (it != secret->tags.end()) {
        it->second = value;
      } else {
        secret->tags.emplace_back(key, value);
      }
    }
    store_.save(*secret);
    return Json::object();
  }

  Result<Json> untag(const RequestContext& c, const Json& in) {
    std::lock_guard lock(mutex_);
    auto secret = live(c, in["SecretId"]);
    if (!secret) return secret.error();
    for (const Json& key : in["TagKeys"]) {
      std::erase_if(secret->tags, [&](const auto& p) { return p.first == key.get<std::string>(); });
    }
    store_.save(*secret);
    return Json::object();
  }

  secrets::SecretStore& store_;
  kms::KeyManager& keys_;
  ClockPtr clock_;
  std::mutex mutex_;  // one read-modify-write of a secret at a time
  std::map<std::string, Rotator> rotators_;
  secrets::OwnedRotation rotation_{store_, keys_, clock_, rotators_};
  PeriodicTask rotationPass_{"secret rotation", std::chrono::seconds(2), [this] { rotation_.rotateDue(mutex_); }};
  HandlerTable handlers_;
};

}  // namespace

std::unique_ptr<SecretsManagerModule> makeSecretsManagerService(secrets::SecretStore& store, kms::KeyManager& keys,
                                                                ClockPtr clock) {
  return std::make_unique<SecretsManagerService>(store, keys, std::move(clock));
}

}  // namespace kura

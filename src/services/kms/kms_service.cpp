#include "services/kms/kms_service.h"

#include <algorithm>

#include "common/crypto.h"
#include "services/kms/kms_access_handlers.h"

namespace kura {
namespace {

using kms::EncryptionContext;
using kms::KeyRecord;
using kms::KeyState;
using kms::Place;

constexpr const char* kAlgorithm = "SYMMETRIC_DEFAULT";

Place placeOf(const RequestContext& c) { return Place{c.accountId, c.region}; }

double seconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

ApiError validation(const std::string& message) { return ApiError::sender("ValidationException", message); }

Json keyMetadata(const KeyRecord& key) {
  Json out = {{"AWSAccountId", key.account},
              {"KeyId", key.keyId},
              {"Arn", key.arn()},
              {"CreationDate", seconds(key.createdMs)},
              {"Enabled", key.state == KeyState::Enabled},
              {"Description", key.description},
              {"KeyUsage", key.keyUsage},
              {"KeyState", kms::keyStateName(key.state)},
              {"Origin", "AWS_KMS"},
              {"KeyManager", key.awsManaged ? "AWS" : "CUSTOMER"},
              {"CustomerMasterKeySpec", key.keySpec},
              {"KeySpec", key.keySpec},
              {"EncryptionAlgorithms", Json::array({kAlgorithm})},
              {"MultiRegion", false}};
  if (key.deletionDateMs) out["DeletionDate"] = seconds(*key.deletionDateMs);
  if (key.pendingWindowDays) out["PendingDeletionWindowInDays"] = *key.pendingWindowDays;
  return out;
}

Result<std::string> blobMember(const Json& in, const char* name) {
  std::string raw;
  if (!base64Decode(in[name].get<std::string>(), raw)) return validation(std::string(name) + " is not valid base64.");
  return raw;
}

EncryptionContext contextOf(const Json& in, const char* name = "EncryptionContext") {
  EncryptionContext context;
  if (in.contains(name)) {
    for (const auto& [key, value] : in[name].items()) context[key] = value.get<std::string>();
  }
  return context;
}

Result<bool> checkAlgorithm(const Json& in, const char* name = "EncryptionAlgorithm") {
  if (in.contains(name) && in[name] != kAlgorithm) {
    return ApiError::sender("InvalidKeyUsageException",
                            "The encryption algorithm " + in[name].get<std::string>() +
                                " is not compatible with the type of the specified KMS key.");
  }
  return true;
}

// Data key length: NumberOfBytes or KeySpec, exactly one of them.
Result<size_t> dataKeyBytes(const Json& in) {
  bool bytes = in.contains("NumberOfBytes"), spec = in.contains("KeySpec");
  if (bytes == spec) return validation("Please specify either number of bytes or key spec.");
  if (bytes) return static_cast<size_t>(in["NumberOfBytes"].get<int64_t>());
  return in["KeySpec"] == "AES_128" ? size_t{16} : size_t{32};
}

// Pages of a sorted list: Marker is the index of the next entry.
template <typename T, typename F>
Result<Json> page(const std::vector<T>& items, const Json& in, const char* listName, F&& render) {
  size_t limit = static_cast<size_t>(in.value("Limit", 100));
  size_t start = 0;
  if (in.contains("Marker")) {
    try {
      start = std::stoul(in["Marker"].get<std::string>());
    } catch (const std::exception&) {
      return validation("Marker is not valid.");
    }
  }
  Json out = {{listName, Json::array()}, {"Truncated", false}};
  for (size_t i = start; i < items.size() && out[listName].size() < limit; ++i) out[listName].push_back(render(items[i]));
  if (start + limit < items.size()) {
    out["Truncated"] = true;
    out["NextMarker"] = std::to_string(start + limit);
  }
  return out;
}

class KmsService final : public ServiceModule {
 public:
  explicit KmsService(kms::KeyManager& keys) : keys_(keys), access_(keys) {
    handlers_.add("CreateKey", [this](const RequestContext& c, const Json& in) { return createKey(c, in); });
    handlers_.add("DescribeKey", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      return Json{{"KeyMetadata", keyMetadata(*key)}};
    });
    handlers_.add("ListKeys", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      // The marker is the last key id returned: a page reads only its own
      // keys (and one more), however many the account has.
      size_t limit = static_cast<size_t>(in.value("Limit", 100));
      auto keys = keys_.keys(placeOf(c), in.value("Marker", ""), limit + 1);
      Json out = {{"Keys", Json::array()}, {"Truncated", keys.size() > limit}};
      for (size_t i = 0; i < keys.size() && i < limit; ++i) {
        out["Keys"].push_back(Json{{"KeyId", keys[i].keyId}, {"KeyArn", keys[i].arn()}});
      }
      if (keys.size() > limit) out["NextMarker"] = keys[limit - 1].keyId;
      return out;
    });
    addStateHandlers();
    addAliasHandlers();
    addCryptoHandlers();
    addTagHandlers();
    addKeyPolicyHandlers(handlers_, keys_, access_);
    addGrantHandlers(handlers_, keys_, access_);
  }
  std::string signingName() const override { return "kms"; }
  const HandlerTable& handlers() const override { return handlers_; }

 private:
  Result<Json> createKey(const RequestContext& c, const Json& in) {
    kms::CreateKeyRequest request;
    request.description = in.value("Description", "");
    request.keyUsage = in.value("KeyUsage", "ENCRYPT_DECRYPT");
    request.keySpec = in.value("KeySpec", in.value("CustomerMasterKeySpec", "SYMMETRIC_DEFAULT"));
    if (in.value("Origin", "AWS_KMS") != "AWS_KMS" || in.contains("CustomKeyStoreId") || in.value("MultiRegion", false)) {
      return ApiError::sender("UnsupportedOperationException",
                              "Kura's KMS creates single-region keys with AWS_KMS origin only.");
    }
    if (in.contains("Tags")) {
      for (const Json& tag : in["Tags"]) request.tags[tag["TagKey"]] = tag["TagValue"];
    }
    if (in.contains("Policy")) {
      request.policy = in["Policy"].get<std::string>();
      auto policy = kms::KeyAccess::parse(request.policy);
      if (!policy) return policy.error();
      if (!in.value("BypassPolicyLockoutSafetyCheck", false)) {
        // An IAM principal's identity policies were weighed when the call
        // was authorized; here the policy must at least name the caller.
        std::string anyKey = "arn:aws:kms:" + c.region + ":" + c.accountId + ":key/*";
        auto kept = access_.checkLockout(*policy, callerOf(c), anyKey, {},
                                         [](const auth::RequestFacts&) { return auth::Decision::Allow; });
        if (!kept) return kept.error();
      }
    }
    auto key = keys_.createKey(placeOf(c), request);
    if (!key) return key.error();
    return Json{{"KeyMetadata", keyMetadata(*key)}};
  }

  void addStateHandlers() {
    handlers_.add("EnableKey", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.setEnabled(placeOf(c), in["KeyId"], true);
      if (!key) return key.error();
      return Json::object();
    });
    handlers_.add("DisableKey", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.setEnabled(placeOf(c), in["KeyId"], false);
      if (!key) return key.error();
      return Json::object();
    });
    handlers_.add("ScheduleKeyDeletion", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      int64_t window = in.value("PendingWindowInDays", 30);
      if (window < 7 || window > 30) {
        return validation("1 validation error detected: Value '" + std::to_string(window) +
                          "' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value "
                          "less than or equal to 30 and greater than or equal to 7");
      }
      auto key = keys_.scheduleDeletion(placeOf(c), in["KeyId"], window);
      if (!key) return key.error();
      return Json{{"KeyId", key->arn()},
                  {"DeletionDate", seconds(*key->deletionDateMs)},
                  {"KeyState", "PendingDeletion"},
                  {"PendingWindowInDays", *key->pendingWindowDays}};
    });
    handlers_.add("CancelKeyDeletion", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.cancelDeletion(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      return Json{{"KeyId", key->arn()}};
    });
    handlers_.add("EnableKeyRotation", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      std::optional<int64_t> period;
      if (in.contains("RotationPeriodInDays")) period = in["RotationPeriodInDays"].get<int64_t>();
      auto key = keys_.setRotation(placeOf(c), in["KeyId"], true, period);
      if (!key) return key.error();
      return Json::object();
    });
    handlers_.add("DisableKeyRotation", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.setRotation(placeOf(c), in["KeyId"], false, std::nullopt);
      if (!key) return key.error();
      return Json::object();
    });
    handlers_.add("GetKeyRotationStatus", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      if (key->state == KeyState::PendingDeletion) return kms::invalidState(key->arn() + " is pending deletion.");
      Json out = {{"KeyRotationEnabled", key->rotationEnabled}, {"KeyId", key->arn()}};
      if (key->rotationEnabled) {
        out["RotationPeriodInDays"] = key->rotationPeriodDays;
        if (key->nextRotationMs) out["NextRotationDate"] = seconds(*key->nextRotationMs);
      }
      // An on-demand rotation is done before its call is answered: none is
      // ever in progress, so OnDemandRotationStartDate is never shown.
      return out;
    });
    handlers_.add("RotateKeyOnDemand", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.rotateOnDemand(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      return Json{{"KeyId", key->keyId}};
    });
    handlers_.add("ListKeyRotations", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      if (key->state == KeyState::PendingDeletion) return kms::invalidState(key->arn() + " is pending deletion.");
      // A rotation is every generation after the first; ALL_KEY_MATERIAL
      // lists the first too.
      auto materials = keys_.rotations(*key);
      if (in.value("IncludeKeyMaterial", "ROTATIONS_ONLY") != "ALL_KEY_MATERIAL") {
        std::erase_if(materials, [](const kms::KeyMaterial& m) { return m.version == 1; });
      }
      return page(materials, in, "Rotations", [&](const kms::KeyMaterial& m) {
        Json entry = {{"KeyId", key->keyId},
                      // An id of the generation that names no secret: a hash of the key and version.
                      {"KeyMaterialId", sha256Hex(key->keyId + "/" + std::to_string(m.version))},
                      {"KeyMaterialState", m.version == key->currentVersion ? "CURRENT" : "NON_CURRENT"}};
        if (m.version > 1) {
          entry["RotationDate"] = seconds(m.createdMs);
          entry["RotationType"] = m.onDemand ? "ON_DEMAND" : "AUTOMATIC";
        }
        return entry;
      });
    });
    handlers_.add("UpdateKeyDescription", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.setDescription(placeOf(c), in["KeyId"], in["Description"]);
      if (!key) return key.error();
      return Json::object();
    });
  }

  void addAliasHandlers() {
    handlers_.add("CreateAlias", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto alias = keys_.createAlias(placeOf(c), in["AliasName"], in["TargetKeyId"]);
      if (!alias) return alias.error();
      return Json::object();
    });
    handlers_.add("UpdateAlias", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto alias = keys_.updateAlias(placeOf(c), in["AliasName"], in["TargetKeyId"]);
      if (!alias) return alias.error();
      return Json::object();
    });
    handlers_.add("DeleteAlias", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto deleted = keys_.deleteAlias(placeOf(c), in["AliasName"]);
      if (!deleted) return deleted.error();
      return Json::object();
    });
    handlers_.add("ListAliases", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      Place place = placeOf(c);
      auto aliases = keys_.aliases(place);
      if (in.contains("KeyId")) {
        auto key = keys_.resolve(place, in["KeyId"]);
        if (!key) return key.error();
        std::erase_if(aliases, [&](const kms::AliasRecord& a) { return a.keyId != key->keyId; });
      }
      return page(aliases, in, "Aliases", [&](const kms::AliasRecord& a) {
        return Json{{"AliasName", a.name},
                    {"AliasArn", "arn:aws:kms:" + place.region + ":" + place.account + ":" + a.name},
                    {"TargetKeyId", a.keyId},
                    {"CreationDate", seconds(a.createdMs)},
                    {"LastUpdatedDate", seconds(a.updatedMs)}};
      });
    });
  }

  // The operations that take GrantTokens check them first.
  void addWithGrantTokens(const std::string& operation, Handler handler) {
    handlers_.add(operation,
                  [this, handler = std::move(handler)](const RequestContext& c, const Json& in) -> Result<Json> {
                    if (auto tokens = checkGrantTokens(keys_, in); !tokens) return tokens.error();
                    return handler(c, in);
                  });
  }

  void addCryptoHandlers() {
    addWithGrantTokens("Encrypt", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto ok = checkAlgorithm(in); !ok) return ok.error();
      auto plaintext = blobMember(in, "Plaintext");
      if (!plaintext) return plaintext.error();
      auto sealed = keys_.encrypt(placeOf(c), in["KeyId"], *plaintext, contextOf(in));
      if (!sealed) return sealed.error();
      return Json{{"CiphertextBlob", base64Encode(sealed->blob)}, {"KeyId", sealed->keyArn},
                  {"EncryptionAlgorithm", kAlgorithm}};
    });
    addWithGrantTokens("Decrypt", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto ok = checkAlgorithm(in); !ok) return ok.error();
      auto blob = blobMember(in, "CiphertextBlob");
      if (!blob) return blob.error();
      auto plain = keys_.decrypt(placeOf(c), *blob, contextOf(in), in.value("KeyId", ""));
      if (!plain) return plain.error();
      return Json{{"Plaintext", base64Encode(plain->plaintext)}, {"KeyId", plain->keyArn},
                  {"EncryptionAlgorithm", kAlgorithm}};
    });
    addWithGrantTokens("ReEncrypt", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      if (auto ok = checkAlgorithm(in, "SourceEncryptionAlgorithm"); !ok) return ok.error();
      if (auto ok = checkAlgorithm(in, "DestinationEncryptionAlgorithm"); !ok) return ok.error();
      auto blob = blobMember(in, "CiphertextBlob");
      if (!blob) return blob.error();
      auto plain = keys_.decrypt(placeOf(c), *blob, contextOf(in, "SourceEncryptionContext"), in.value("SourceKeyId", ""));
      if (!plain) return plain.error();
      auto sealed = keys_.encrypt(placeOf(c), in["DestinationKeyId"], plain->plaintext,
                                  contextOf(in, "DestinationEncryptionContext"));
      if (!sealed) return sealed.error();
      return Json{{"CiphertextBlob", base64Encode(sealed->blob)}, {"SourceKeyId", plain->keyArn},
                  {"KeyId", sealed->keyArn}, {"SourceEncryptionAlgorithm", kAlgorithm},
                  {"DestinationEncryptionAlgorithm", kAlgorithm}};
    });
    addWithGrantTokens("GenerateDataKey", [this](const RequestContext& c, const Json& in) {
      return generateDataKey(c, in, true);
    });
    addWithGrantTokens("GenerateDataKeyWithoutPlaintext", [this](const RequestContext& c, const Json& in) {
      return generateDataKey(c, in, false);
    });
    handlers_.add("GenerateRandom", [](const RequestContext&, const Json& in) -> Result<Json> {
      if (in.contains("CustomKeyStoreId")) {
        return ApiError::sender("CustomKeyStoreNotFoundException", "Kura's KMS has no custom key stores.");
      }
      if (!in.contains("NumberOfBytes")) return validation("NumberOfBytes is required.");
      return Json{{"Plaintext", base64Encode(randomBytes(static_cast<size_t>(in["NumberOfBytes"].get<int64_t>())))}};
    });
  }

  Result<Json> generateDataKey(const RequestContext& c, const Json& in, bool withPlaintext) {
    auto bytes = dataKeyBytes(in);
    if (!bytes) return bytes.error();
    auto dataKey = keys_.generateDataKey(placeOf(c), in["KeyId"], *bytes, contextOf(in));
    if (!dataKey) return dataKey.error();
    Json out = {{"CiphertextBlob", base64Encode(dataKey->blob)}, {"KeyId", dataKey->keyArn}};
    if (withPlaintext) out["Plaintext"] = base64Encode(dataKey->plaintext);
    return out;
  }

  void addTagHandlers() {
    handlers_.add("TagResource", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      if (key->awsManaged) return ApiError::sender("UnsupportedOperationException", "AWS managed keys cannot be tagged.");
      std::map<std::string, std::string> tags;
      for (const Json& tag : in["Tags"]) tags[tag["TagKey"]] = tag["TagValue"];
      keys_.store().setTags(key->keyId, tags);
      return Json::object();
    });
    handlers_.add("UntagResource", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      keys_.store().removeTags(key->keyId, in["TagKeys"].get<std::vector<std::string>>());
      return Json::object();
    });
    handlers_.add("ListResourceTags", [this](const RequestContext& c, const Json& in) -> Result<Json> {
      auto key = keys_.resolve(placeOf(c), in["KeyId"]);
      if (!key) return key.error();
      auto tags = keys_.store().tags(key->keyId);
      std::vector<std::pair<std::string, std::string>> list(tags.begin(), tags.end());
      return page(list, in, "Tags", [](const auto& tag) { return Json{{"TagKey", tag.first}, {"TagValue", tag.second}}; });
    });
  }

  kms::KeyManager& keys_;
  kms::KeyAccess access_;
  HandlerTable handlers_;
};

}  // namespace

ServiceModulePtr makeKmsService(kms::KeyManager& keys) { return std::make_unique<KmsService>(keys); }

}  // namespace kura

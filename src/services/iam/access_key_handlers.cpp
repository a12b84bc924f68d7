// A user's access keys: at most two, each Active or Inactive. The secret is
// answered once, by CreateAccessKey, and stored sealed (common/secret_box.h):
// the request path opens it to verify the user's signatures.
#include <algorithm>

#include "common/crypto.h"
#include "common/time_format.h"
#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

constexpr size_t kKeysPerUser = 2;

Json keyMetadata(const Resource& key, const std::string& userName) {
  return Json{{"UserName", userName},
              {"AccessKeyId", key.name},
              {"Status", key.spec.value("Status", "Active")},
              {"CreateDate", toEpochSeconds(key.createdAt)}};
}

ApiError noSuchKey(const std::string& id) {
  return noSuchEntity("The Access Key with id " + id + " cannot be found.");
}

}  // namespace

Result<Json> IamApi::createAccessKey(const RequestContext& c, const Json& in) {
  std::string id = newIamId("AKIA", 16);
  std::string secret = base64Encode(randomBytes(30));  // 40 characters
  auto created = catalog_.transact([&]() -> Result<Json> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    Json keys = user->spec.value("AccessKeys", Json::array());
    if (keys.size() >= kKeysPerUser) {
      return limitExceeded("Cannot exceed quota for AccessKeysPerUser: " + std::to_string(kKeysPerUser));
    }
    Resource draft;
    draft.accountId = c.accountId;
    draft.region = kRegion;
    draft.service = kService;
    draft.kind = kAccessKey;
    draft.name = id;
    draft.arn = "arn:aws:iam::" + c.accountId + ":access-key/" + id;  // the catalog's key only: IAM has no such ARN
    draft.status = "active";
    draft.goal = "active";
    draft.spec = {{"UserName", user->name}, {"Status", "Active"}, {"SecretSealed", secrets_.seal(secret)}};
    auto key = catalog_.createResource(draft);
    if (!key) return key.error();
    keys.push_back(id);
    user->spec["AccessKeys"] = keys;
    if (auto updated = catalog_.updateResource(*user); !updated) return updated.error();
    Json view = keyMetadata(*key, user->spec.value("UserName", ""));
    view["SecretAccessKey"] = secret;
    return Json{{"AccessKey", view}};
  });
  return created;
}

Result<Json> IamApi::listAccessKeys(const RequestContext& c, const Json& in) {
  auto user = targetUser(c, in);
  if (!user) return user.error();
  Json out = {{"AccessKeyMetadata", Json::array()}, {"IsTruncated", false}};
  for (const auto& id : user->spec.value("AccessKeys", std::vector<std::string>())) {
    if (auto key = catalog_.getResource(c.accountId, kRegion, kAccessKey, id)) {
      out["AccessKeyMetadata"].push_back(keyMetadata(*key, user->spec.value("UserName", "")));
    }
  }
  return out;
}

Result<Json> IamApi::updateAccessKey(const RequestContext& c, const Json& in) {
  std::string id = in["AccessKeyId"];
  auto updated = catalog_.transact([&]() -> Result<bool> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    auto keys = user->spec.value("AccessKeys", std::vector<std::string>());
    auto key = catalog_.getResource(c.accountId, kRegion, kAccessKey, id);
    if (!key || std::find(keys.begin(), keys.end(), id) == keys.end()) return noSuchKey(id);
    key->spec["Status"] = in["Status"];
    if (auto stored = catalog_.updateResource(*key); !stored) return stored.error();
    return true;
  });
  if (!updated) return updated.error();
  return Json::object();
}

Result<Json> IamApi::deleteAccessKey(const RequestContext& c, const Json& in) {
  std::string id = in["AccessKeyId"];
  auto deleted = catalog_.transact([&]() -> Result<bool> {
    auto user = targetUser(c, in);
    if (!user) return user.error();
    auto keys = user->spec.value("AccessKeys", std::vector<std::string>());
    auto key = catalog_.getResource(c.accountId, kRegion, kAccessKey, id);
    if (!key || std::find(keys.begin(), keys.end(), id) == keys.end()) return noSuchKey(id);
    keys.erase(std::remove(keys.begin(), keys.end(), id), keys.end());
    user->spec["AccessKeys"] = keys;
    if (auto stored = catalog_.updateResource(*user); !stored) return stored.error();
    return catalog_.removeResource(key->id);
  });
  if (!deleted) return deleted.error();
  return Json::object();
}

}  // namespace kura::iam

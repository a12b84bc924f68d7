// Tags on users and roles (TagUser, UntagUser, ListUserTags, TagRole, ...):
// kept in the principal's record, where the request path reads them as
// aws:PrincipalTag/<key>. Fifty at most, keys unique without regard to
// case, as IAM has them.
#include <algorithm>

#include "iam/iam_records.h"
#include "services/iam/iam_api.h"
#include "services/iam/iam_validation.h"

namespace kura::iam {
namespace {

constexpr size_t kMaxTags = 50;

bool sameKey(const std::string& a, const std::string& b) { return recordName(a) == recordName(b); }

}  // namespace

Result<Json> IamApi::tagPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    Json tags = principal->spec.value("Tags", Json::array());
    for (const auto& tag : in["Tags"]) {
      std::string key = tag.value("Key", "");
      auto same = std::find_if(tags.begin(), tags.end(), [&](const Json& t) { return sameKey(t.value("Key", ""), key); });
      if (same != tags.end()) {
        (*same)["Value"] = tag.value("Value", "");
      } else {
        tags.push_back({{"Key", key}, {"Value", tag.value("Value", "")}});
      }
    }
    if (tags.size() > kMaxTags) {
      return limitExceeded("Cannot exceed quota for TagsPer" + std::string(kind.Noun) + ": " + std::to_string(kMaxTags));
    }
    principal->spec["Tags"] = tags;
    return catalog_.updateResource(*principal);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::untagPrincipal(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto stored = catalog_.transact([&]() -> Result<Resource> {
    auto principal = targetPrincipal(kind, c, in);
    if (!principal) return principal.error();
    Json kept = Json::array();
    for (const auto& tag : principal->spec.value("Tags", Json::array())) {
      bool removed = std::any_of(in["TagKeys"].begin(), in["TagKeys"].end(),
                                 [&](const Json& key) { return sameKey(key.get<std::string>(), tag.value("Key", "")); });
      if (!removed) kept.push_back(tag);
    }
    principal->spec["Tags"] = kept;
    return catalog_.updateResource(*principal);
  });
  if (!stored) return stored.error();
  return Json::object();
}

Result<Json> IamApi::listPrincipalTags(const PrincipalKind& kind, const RequestContext& c, const Json& in) {
  auto principal = targetPrincipal(kind, c, in);
  if (!principal) return principal.error();
  return Json{{"Tags", principal->spec.value("Tags", Json::array())}, {"IsTruncated", false}};
}

}  // namespace kura::iam

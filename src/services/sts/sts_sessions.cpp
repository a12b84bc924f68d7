#include "services/sts/sts_sessions.h"

#include "common/crypto.h"
#include "common/time_format.h"
#include "iam/iam_records.h"
#include "services/iam/iam_validation.h"

namespace kura::sts {
namespace {

// An expired session still answers ExpiredToken for a day, then goes.
constexpr double kKeptAfterExpiry = 86400;
constexpr size_t kPurgedPerIssue = 32;

void purgeExpired(Catalog& catalog, const std::string& accountId, double now) {
  // From a random point of the key space: every session is looked at in time.
  std::string from = iam::newIamId("ASIA", 2);
  ResourcePage page = catalog.listResources(accountId, iam::kRegion, iam::kSession, from, kPurgedPerIssue);
  for (const auto& session : page.items) {
    if (session.spec.value("Expiration", 0.0) + kKeptAfterExpiry < now) (void)catalog.removeResource(session.id);
  }
}

}  // namespace

Result<IssuedSession> issueSession(Catalog& catalog, const SecretBox& secrets, const std::string& accountId,
                                   nlohmann::json spec, int seconds) {
  SystemTime now = catalog.clock()->now();
  SystemTime expiration = now + std::chrono::seconds(seconds);
  std::string id = iam::newIamId("ASIA", 16);
  std::string secret = base64Encode(randomBytes(30));  // 40 characters
  std::string token = base64Encode(randomBytes(180));   // 240 characters, as opaque as AWS's
  spec["SecretSealed"] = secrets.seal(secret);
  spec["TokenSealed"] = secrets.seal(token);
  spec["Expiration"] = toEpochSeconds(expiration);
  Resource draft;
  draft.accountId = accountId;
  draft.region = iam::kRegion;
  draft.service = "sts";
  draft.kind = iam::kSession;
  draft.name = id;
  draft.arn = "arn:aws:sts::" + accountId + ":session/" + id;  // the catalog's key only: STS has no such ARN
  draft.status = "active";
  draft.goal = "active";
  draft.spec = std::move(spec);
  auto created = catalog.transact([&]() -> Result<Resource> {
    purgeExpired(catalog, accountId, toEpochSeconds(now));
    return catalog.createResource(draft);
  });
  if (!created) return created.error();
  IssuedSession issued;
  issued.accessKeyId = id;
  issued.credentials = {{"AccessKeyId", id},
                        {"SecretAccessKey", secret},
                        {"SessionToken", token},
                        {"Expiration", toEpochSeconds(expiration)}};
  return issued;
}

}  // namespace kura::sts

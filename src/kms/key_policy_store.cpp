// KeyStore's key policies and grants (kms.db's key_policies and grants),
// erased with their key by the foreign keys.
#include <nlohmann/json.hpp>

#include "kms/key_store.h"

namespace kura::kms {
namespace {

using Json = nlohmann::json;

Json grantJson(const GrantRecord& g) {
  return {{"name", g.name},
          {"grantee", g.granteePrincipal},
          {"issuing", g.issuingAccount},
          {"operations", g.operations},
          {"subset", g.contextSubset},
          {"equals", g.contextEquals},
          {"hasSubset", g.hasSubset},
          {"hasEquals", g.hasEquals},
          {"createdMs", g.createdMs}};
}

}  // namespace

std::string KeyStore::policy(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  auto select = db_.prepare("SELECT policy FROM key_policies WHERE key_id=?");
  select.bind(1, keyId);
  return select.step() ? select.text(0) : std::string();
}

void KeyStore::setPolicy(const std::string& keyId, const std::string& policy) {
  std::lock_guard lock(mutex_);
  db_.prepare("INSERT INTO key_policies(key_id, policy) VALUES(?,?) "
              "ON CONFLICT(key_id) DO UPDATE SET policy=excluded.policy")
      .bind(1, keyId)
      .bind(2, policy)
      .run();
  policyGeneration_.fetch_add(1, std::memory_order_acq_rel);
}

void KeyStore::insertGrant(const GrantRecord& grant) {
  std::lock_guard lock(mutex_);
  db_.prepare("INSERT INTO grants(grant_id, key_id, account, region, grant_token, grantee, retiring, body) "
              "VALUES(?,?,?,?,?,?,?,?)")
      .bind(1, grant.grantId)
      .bind(2, grant.keyId)
      .bind(3, grant.account)
      .bind(4, grant.region)
      .bind(5, grant.grantToken)
      .bind(6, grant.granteePrincipal)
      .bind(7, grant.retiringPrincipal)
      .bind(8, grantJson(grant).dump())
      .run();
}

std::vector<GrantRecord> KeyStore::selectGrants(const std::string& where, const std::vector<std::string>& args) {
  auto select = db_.prepare("SELECT grant_id, key_id, account, region, grant_token, retiring, body FROM grants WHERE " +
                            where + " ORDER BY key_id, grant_id");
  for (size_t i = 0; i < args.size(); ++i) select.bind(static_cast<int>(i + 1), args[i]);
  std::vector<GrantRecord> out;
  while (select.step()) {
    GrantRecord g;
      g.grantId = select.text(0);
    g.keyId = select.text(1);
    g.account = select.text(2);
    g.region = select.text(3);
    g.grantToken = select.text(4);
    g.retiringPrincipal = select.text(5);
    Json body = Json::parse(select.text(6));  // Kura wrote it
    g.name = body.value("name", "");
    g.granteePrincipal = body.value("grantee", "");
    g.issuingAccount = body.value("issuing", "");
    g.operations = body["operations"].get<std::vector<std::string>>();
    g.contextSubset = body["subset"].get<std::map<std::string, std::string>>();
    g.contextEquals = body["equals"].get<std::map<std::string, std::string>>();
    g.hasSubset = body.value("hasSubset", false);
    g.hasEquals = body.value("hasEquals", false);
    g.createdMs = body.value("createdMs", int64_t{0});
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<GrantRecord> KeyStore::grantsOfKey(const std::string& keyId) {
  std::lock_guard lock(mutex_);
  return selectGrants("key_id=?", {keyId});
}

std::vector<GrantRecord> KeyStore::grantsForGrantee(const std::string& keyId, const std::string& grantee) {
  std::lock_guard lock(mutex_);
  // A session's grants are its role's: role grantees are read too, and the
  // caller keeps those that name it (auth::principalNames).
  return selectGrants("key_id=? AND (grantee=? OR grantee LIKE 'arn:aws:iam::%:role/%')", {keyId, grantee});
}

std::vector<GrantRecord> KeyStore::grantsRetirableBy(const std::string& account, const std::string& region,
                                                     const std::string& principal) {
  std::lock_guard lock(mutex_);
  return selectGrants("account=? AND region=? AND retiring=?", {account, region, principal});
}

std::optional<GrantRecord> KeyStore::grantByToken(const std::string& token) {
  std::lock_guard lock(mutex_);
  auto grants = selectGrants("grant_token=?", {token});
  if (grants.empty()) return std::nullopt;
  return std::move(grants.front());
}

bool KeyStore::eraseGrant(const std::string& keyId, const std::string& grantId) {
  std::lock_guard lock(mutex_);
  db_.prepare("DELETE FROM grants WHERE key_id=? AND grant_id=?").bind(1, keyId).bind(2, grantId).run();
  return db_.changes() == 1;
}

}  // namespace kura::kms

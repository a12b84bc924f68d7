#include "iam/service_condition_keys.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "iam/iam_records.h"

namespace kura::iam {
namespace {

using Json = nlohmann::json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The tags a call sets: [{Key, Value}] (most services), [{TagKey,
// TagValue}] (KMS), or {key: value} (CloudWatch Logs' tags).
std::vector<std::pair<std::string, std::string>> requestTags(const Json& input) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* member : {"Tags", "tags"}) {
    auto it = input.find(member);
    if (it == input.end()) continue;
    if (it->is_object()) {
      for (auto tag = it->begin(); tag != it->end(); ++tag) {
        if (tag.value().is_string()) out.emplace_back(tag.key(), tag.value().get<std::string>());
      }
    } else if (it->is_array()) {
      for (const auto& tag : *it) {
        if (!tag.is_object()) continue;
        const char* keyName = tag.contains("TagKey") ? "TagKey" : "Key";
        const char* valueName = tag.contains("TagKey") ? "TagValue" : "Value";
        auto key = tag.find(keyName);
        if (key == tag.end() || !key->is_string()) continue;
        auto value = tag.find(valueName);
        out.emplace_back(key->get<std::string>(),
                         value != tag.end() && value->is_string() ? value->get<std::string>() : std::string());
      }
    }
  }
  return out;
}

// The keys an untagging call names (TagKeys: DynamoDB, RDS, KMS, Secrets
// Manager, ElastiCache).
std::vector<std::string> untaggedKeys(const Json& input) {
  std::vector<std::string> out;
  auto it = input.find("TagKeys");
  if (it == input.end() || !it->is_array()) return out;
  for (const auto& key : *it) {
    if (key.is_string()) out.push_back(key.get<std::string>());
  }
  return out;
}

// rds:db-tag/ for arn:aws:rds:<region>:<account>:db:<name>, ...
std::string rdsTagPrefix(const std::string& arn) {
  // arn:aws:rds:region:account:TYPE:name
  size_t at = 0;
  for (int colons = 0; colons < 5 && at != std::string::npos; ++colons) {
    at = arn.find(':', at);
    if (at != std::string::npos) ++at;
  }
  if (at == std::string::npos) return "";
  size_t end = arn.find(':', at);
  if (end == std::string::npos) return "";
  std::string type = arn.substr(at, end - at);
  static const char* const kTypes[] = {"db", "cluster", "snapshot", "cluster-snapshot", "subgrp", "pg",
                                       "cluster-pg", "og", "es", "ri", "secgrp"};
  for (const char* known : kTypes) {
    if (type == known) return "rds:" + type + "-tag/";
  }
  return "";
}

void addRdsKeys(const RequestContext& context, const Json& input, auth::RequestFacts& facts) {
  bool creates = context.operation == "CreateDBInstance" || context.operation == "CreateDBCluster";
  auto text = [&](const char* member) -> std::optional<std::string> {
    auto it = input.find(member);
    if (it == input.end()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    if (it->is_number()) return it->dump();
    return std::nullopt;
  };
  if (auto engine = text("Engine")) facts.keys.insert_or_assign("rds:databaseengine", lower(*engine));
  if (auto instanceClass = text("DBInstanceClass")) facts.keys.insert_or_assign("rds:databaseclass", *instanceClass);
  auto encrypted = text("StorageEncrypted");
  if (encrypted || creates) facts.keys.insert_or_assign("rds:storageencrypted", encrypted.value_or("false"));
  auto multiAz = text("MultiAZ");
  if (multiAz || creates) facts.keys.insert_or_assign("rds:multiaz", multiAz.value_or("false"));
  auto iops = text("Iops");
  if (iops || context.operation == "CreateDBInstance") facts.keys.insert_or_assign("rds:piops", iops.value_or("0"));
}

// iam:PermissionsBoundary: the boundary a call sets (CreateUser, CreateRole,
// Put{User,Role}PermissionsBoundary), or the one the user or role a call
// changes has (its policies, its boundary's removal): a delegated
// administrator may be allowed to manage only bounded principals.
// iam:PolicyARN: the managed policy an Attach or Detach call names.
void addIamKeys(const RequestContext& context, const Json& input, Catalog& catalog, auth::RequestFacts& facts) {
  const std::string& operation = context.operation;
  auto text = [&](const char* member) {
    auto it = input.find(member);
    return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  bool sets = operation == "CreateUser" || operation == "CreateRole" || operation == "PutUserPermissionsBoundary" ||
              operation == "PutRolePermissionsBoundary";
  if (sets) {
    if (std::string boundary = text("PermissionsBoundary"); !boundary.empty()) {
      facts.keys.insert_or_assign("iam:permissionsboundary", boundary);
    }
  } else {
    static const char* const kChanges[] = {"AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy",
                                           "DeleteUserPolicy", "AttachRolePolicy", "DetachRolePolicy",
                                           "PutRolePolicy", "DeleteRolePolicy", "DeleteUserPermissionsBoundary",
                                           "DeleteRolePermissionsBoundary"};
    bool changes = std::any_of(std::begin(kChanges), std::end(kChanges),
                               [&](const char* name) { return operation == name; });
    if (changes) {
      bool user = operation.find("User") != std::string::npos;
      std::string name = text(user ? "UserName" : "RoleName");
      auto principal = user ? findUser(catalog, context.accountId, name) : findRole(catalog, context.accountId, name);
      if (principal) {
        if (std::string boundary = permissionsBoundaryOf(*principal); !boundary.empty()) {
          facts.keys.insert_or_assign("iam:permissionsboundary", boundary);
        }
      }
    }
  }
  if (operation.starts_with("Attach") || operation.starts_with("Detach")) {
    if (std::string policy = text("PolicyArn"); !policy.empty()) facts.keys.insert_or_assign("iam:policyarn", policy);
  }
}

// ElastiCache's keys of the calls that make or change a cluster or a
// replication group, from the members they name; on the creating calls the
// flags default to false, as ElastiCache takes them.
void addElastiCacheKeys(const RequestContext& context, const Json& input, auth::RequestFacts& facts) {
  const std::string& operation = context.operation;
  bool creates = operation == "CreateCacheCluster" || operation == "CreateReplicationGroup";
  auto member = [&](const char* name) -> std::optional<std::string> {
    auto it = input.find(name);
    if (it == input.end()) return std::nullopt;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "true" : "false";
    if (it->is_number()) return it->dump();
    return std::nullopt;
  };
  static const std::pair<const char*, const char*> kText[] = {
      {"CacheNodeType", "elasticache:cachenodetype"},        {"EngineVersion", "elasticache:engineversion"},
      {"NumNodeGroups", "elasticache:numnodegroups"},        {"ReplicasPerNodeGroup", "elasticache:replicaspernodegroup"},
      {"SnapshotRetentionLimit", "elasticache:snapshotretentionlimit"}, {"KmsKeyId", "elasticache:kmskeyid"},
      {"CacheParameterGroupName", "elasticache:cacheparametergroupname"}};
  for (const auto& [name, key] : kText) {
    if (auto value = member(name)) facts.keys.insert_or_assign(key, *value);
  }
  if (auto engine = member("Engine")) {
    facts.keys.insert_or_assign("elasticache:enginetype", lower(*engine));
  } else if (operation == "CreateReplicationGroup") {
    facts.keys.insert_or_assign("elasticache:enginetype", "redis");
  }
  static const std::pair<const char*, const char*> kFlags[] = {
      {"AtRestEncryptionEnabled", "elasticache:atrestencryptionenabled"},
      {"TransitEncryptionEnabled", "elasticache:transitencryptionenabled"},
      {"MultiAZEnabled", "elasticache:multiazenabled"},
      {"AutomaticFailoverEnabled", "elasticache:automaticfailoverenabled"}};
  for (const auto& [name, key] : kFlags) {
    auto value = member(name);
    if (value || creates) facts.keys.insert_or_assign(key, value.value_or("false"));
  }
  auto token = input.find("AuthToken");
  if (token != input.end() || creates) {
    facts.keys.insert_or_assign("elasticache:authtokenenabled", token != input.end() ? "true" : "false");
  }
}

}  // namespace

bool wantsPrefix(const std::vector<std::string>& wanted, std::string_view prefix) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& key) { return key.starts_with(prefix); });
}

void addServiceKeys(const RequestContext& context, const nlohmann::json& input, const std::vector<std::string>& wanted,
                    Catalog& catalog, auth::RequestFacts& facts) {
  if (wanted.empty() || !input.is_object()) return;
  bool rds = context.service == "rds";
  if (wantsPrefix(wanted, "aws:requesttag/") || wantsPrefix(wanted, "aws:tagkeys") ||
      (rds && wantsPrefix(wanted, "rds:req-tag/"))) {
    std::vector<std::string> keys;
    for (auto& [key, value] : requestTags(input)) {
      facts.keys.insert_or_assign(lower("aws:requesttag/" + key), value);
      if (rds) facts.keys.insert_or_assign(lower("rds:req-tag/" + key), value);
      keys.push_back(key);
    }
    for (auto& key : untaggedKeys(input)) keys.push_back(std::move(key));
    if (!keys.empty()) facts.multiKeys.insert_or_assign("aws:tagkeys", std::move(keys));
  }
  if (rds && wantsPrefix(wanted, "rds:")) addRdsKeys(context, input, facts);
  if (context.service == "iam" && wantsPrefix(wanted, "iam:")) addIamKeys(context, input, catalog, facts);
  if (context.service == "elasticache" && wantsPrefix(wanted, "elasticache:")) {
    addElastiCacheKeys(context, input, facts);
  }
  // The tags of each resource the catalog holds (KMS keys', secrets' and
  // tables' are in their services' stores: their services fill these keys).
  bool resourceTags = wantsPrefix(wanted, "aws:resourcetag/") ||
                      (rds && (wantsPrefix(wanted, "rds:") && std::any_of(wanted.begin(), wanted.end(), [](const auto& k) {
                                 return k.find("-tag/") != std::string::npos && !k.starts_with("rds:req-tag/");
                               })));
  if (!resourceTags || context.service == "kms" || context.service == "secretsmanager" ||
      context.service == "dynamodb") {
    return;
  }
  for (const auto& arn : facts.resources) {
    if (!arn.starts_with("arn:") || facts.resourceKeys.contains(arn)) continue;
    auth::ConditionKeys keys;
    std::string rdsPrefix = rds ? rdsTagPrefix(arn) : std::string();
    for (const auto& tag : catalog.listTags(arn)) {
      keys.insert_or_assign(lower("aws:resourcetag/" + tag.key), tag.value);
      if (!rdsPrefix.empty()) keys.insert_or_assign(lower(rdsPrefix + tag.key), tag.value);
    }
    facts.resourceKeys.emplace(arn, std::move(keys));
  }
}

}  // namespace kura::iam

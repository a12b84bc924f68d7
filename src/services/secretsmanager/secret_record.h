#pragma once
// One secret of Secrets Manager: its metadata and every version, each
// version's value sealed under the secret's KMS key (kms/envelope.h).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kura::secrets {

struct SecretVersion {
  std::string versionId;
  std::vector<std::string> stages;  // AWSCURRENT, AWSPREVIOUS, AWSPENDING, custom labels
  std::string sealed;               // envelope bytes
  bool binary = false;              // SecretBinary rather than SecretString
  int64_t createdMs = 0;
  std::optional<int64_t> lastAccessedMs;

  bool has(const std::string& stage) const;
};

struct SecretRecord {
  std::string arn;
  std::string account;
  std::string region;
  std::string name;
  std::string description;
  std::string kmsKeyId;  // as the user named it; empty: alias/aws/secretsmanager
  int64_t createdMs = 0;
  int64_t lastChangedMs = 0;
  std::optional<int64_t> lastAccessedMs;
  std::optional<int64_t> deletionDateMs;  // set while scheduled for deletion
  std::optional<int64_t> deletedMs;       // when DeleteSecret was called
  bool rotationEnabled = false;
  std::string rotationLambdaArn;
  nlohmann::json rotationRules;  // null when none
  std::optional<int64_t> lastRotatedMs;
  std::string owningService;  // "rds" for secrets RDS manages
  std::vector<std::pair<std::string, std::string>> tags;
  std::string resourcePolicy;  // JSON; empty when none (secret_access.h)
  std::vector<SecretVersion> versions;

  SecretVersion* versionWithStage(const std::string& stage);
  SecretVersion* version(const std::string& versionId);
};

}  // namespace kura::secrets

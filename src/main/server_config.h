#pragma once
// The settings of `kura serve`, from (weakest first) defaults, a config file
// (--config, INI/TOML), environment variables (KURA_*) and flags.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kura {

struct ServerConfig {
  std::string host = "127.0.0.1";
  unsigned short port = 4566;
  std::filesystem::path dataDir = "kura-data";
  std::string accessKeyId;      // configured credentials; required off loopback
  std::string secretAccessKey;  // never logged
  std::filesystem::path credentialsFile;  // lines "ACCESS_KEY_ID SECRET [USER]"
  std::string accountId = "000000000000";
  std::string logLevel = "info";
  std::string logFormat = "text";  // "text" (logfmt lines) or "json" (an object a line)
  int threads = 0;
  // HTTP connections served at once (0: derived from the descriptor limit).
  int maxConnections = 0;
  int trailDigestSeconds = 60;
  // Days the audit trail is kept (0: forever); CloudTrail Lake's longest is
  // 2557 days (7 years), and the runbook asks for long retention.
  int trailRetentionDays = 2557;
  // The audit trail of every API call: "on" (the default) or "off" (for
  // measuring its cost; LookupEvents then sees no new call).
  std::string trail = "on";
  int enginePortFirst = 4510;  // engine endpoint ports, recorded in the catalog
  int enginePortLast = 4559;  // how often the trail is sealed by a signed digest
  // HTTPS for the API (main/api_tls.h): a certificate Kura's CA issues
  // for the bind address, `tlsNames` and the loopback names, or a
  // configured chain and key (PEM; the key file its owner's alone).
  bool tls = false;
  std::vector<std::string> tlsNames;
  std::filesystem::path tlsCertFile;
  std::filesystem::path tlsKeyFile;
  std::filesystem::path kmsRootKeyFile;  // seals KMS key material; default: generated in the data dir
  // Application Auto Scaling's pace: a minute of its alarms' periods and
  // cooldowns lasts 60 / scale seconds (1: AWS's; 60: a minute a second, for tests).
  double autoscalingTimeScale = 1;
  bool enableTestControllers = false;  // test-only resource kinds and endpoints
  // What the DynamoDB store's RocksDB may hold in memory (block cache, with
  // its memtables and index and filter blocks charged to it), in MiB.
  int dynamoDbCacheMb = 256;
  // DynamoDB Streams: a shard rolls over after this many seconds (AWS: about
  // 4 hours) or once it holds this many records (0: no bound); a stream says
  // ENABLING or DISABLING this long after it was changed.
  int64_t streamShardLifetimeSeconds = 4 * 3600;
  int64_t streamShardRecords = 0;
  double streamStatusDelaySeconds = 1;
  // RDS instances and Aurora clusters stopped this long start by themselves
  // (RDS's and Aurora's seven days); 0: they stay stopped.
  int64_t rdsStopLimitSeconds = 7 * 24 * 3600;
  // A pending system update applied in the window this long after it was
  // noticed (services/rds/system_update_schedule.h); 0: only when asked.
  int64_t rdsSystemUpdateAutoApplySeconds = 14 * 24 * 3600;
};

bool isLoopbackHost(const std::string& host);
// The highest PostgreSQL major installed (/usr/lib/postgresql/<N>), 0 if none.
int installedPostgresMajor();

}  // namespace kura

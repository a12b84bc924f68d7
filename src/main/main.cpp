// kura: a self-hosted database platform that speaks the AWS APIs.
#include <CLI/CLI.hpp>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include "ddb/rocksdb_options.h"
#include "main/check_command.h"
#include "main/drill_command.h"
#include "main/serve_command.h"
#include "main/serve_config_file.h"
#include "main/trail_command.h"

int main(int argc, char** argv) {
  // Everything Kura creates (stores, trail, keys, logs) is its own: 0700
  // directories and 0600 files. Engines inherit it and keep theirs private too.
  ::umask(077);
  CLI::App app{"Kura: RDS, Aurora, DynamoDB and ElastiCache APIs on real engines"};
  app.require_subcommand(1);

  kura::ServerConfig config;
  auto* serve = app.add_subcommand("serve", "Run the API server in the foreground (SIGTERM stops it)");
  serve->set_config("--config", "", "Read settings from an INI/TOML file");
  serve->add_option("--host", config.host, "Address to listen on")->envname("KURA_HOST")->capture_default_str();
  serve->add_option("--port", config.port, "Port to listen on (0: any free port)")
      ->envname("KURA_PORT")
      ->capture_default_str();
  serve->add_option("--data-dir", config.dataDir, "Where Kura keeps its state")
      ->envname("KURA_DATA_DIR")
      ->capture_default_str();
  serve->add_option("--access-key-id", config.accessKeyId, "Access key id clients sign with")
      ->envname("KURA_ACCESS_KEY_ID");
  serve->add_option("--secret-access-key", config.secretAccessKey, "Its secret (prefer the environment)")
      ->envname("KURA_SECRET_ACCESS_KEY");
  serve->add_option("--credentials-file", config.credentialsFile, "File of 'ACCESS_KEY_ID SECRET [USER]' lines")
      ->envname("KURA_CREDENTIALS_FILE");
  serve->add_option("--account-id", config.accountId, "AWS account id in ARNs")
      ->envname("KURA_ACCOUNT_ID")
      ->capture_default_str();
  serve->add_option("--log-level", config.logLevel, "trace, debug, info, warn, error")
      ->envname("KURA_LOG_LEVEL")
      ->capture_default_str();
  serve->add_option("--log-format", config.logFormat, "text (logfmt lines) or json (one object a line)")
      ->envname("KURA_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  serve->add_option("--threads", config.threads, "HTTP threads (0: one per core)")->envname("KURA_THREADS");
  serve->add_option("--max-connections", config.maxConnections,
                    "HTTP connections served at once; past it a new one gets 503 (0: from the descriptor limit)")
      ->envname("KURA_MAX_CONNECTIONS")
      ->check(CLI::Range(0, 10000000))
      ->capture_default_str();
  serve->add_option("--trail-digest-interval", config.trailDigestSeconds,
                    "Seconds between signed digests of the audit trail")
      ->envname("KURA_TRAIL_DIGEST_INTERVAL")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  serve->add_option("--autoscaling-time-scale", config.autoscalingTimeScale,
                    "Application Auto Scaling's pace: its alarms' periods and cooldowns are divided by it (1: AWS's; "
                    "60: a minute lasts a second, for tests)")
      ->envname("KURA_AUTOSCALING_TIME_SCALE")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  serve->add_option("--trail-retention-days", config.trailRetentionDays,
                    "Days the audit trail is kept before its oldest digests and files are deleted (0: forever)")
      ->envname("KURA_TRAIL_RETENTION_DAYS")
      ->check(CLI::Range(0, 36500))
      ->capture_default_str();
  serve->add_option("--trail", config.trail, "Record every API call in the audit trail: on or off")
      ->envname("KURA_TRAIL")
      ->check(CLI::IsMember({"on", "off"}))
      ->capture_default_str();
  serve->add_option("--engine-port-first", config.enginePortFirst, "First port of the engine endpoint range")
      ->envname("KURA_ENGINE_PORT_FIRST")
      ->capture_default_str();
  serve->add_option("--engine-port-last", config.enginePortLast, "Last port of the engine endpoint range")
      ->envname("KURA_ENGINE_PORT_LAST")
      ->capture_default_str();
  serve->add_flag("--tls", config.tls,
                  "Serve HTTPS with a certificate Kura's CA issues (its bundle: <data-dir>/keys/rds-ca.pem)")
      ->envname("KURA_TLS");
  serve->add_option("--tls-names", config.tlsNames,
                    "More DNS names or addresses for that certificate (beside the bind address and localhost)")
      ->envname("KURA_TLS_NAMES")
      ->delimiter(',');
  serve->add_option("--tls-cert-file", config.tlsCertFile,
                    "Serve HTTPS with this certificate chain (PEM; reloaded on SIGHUP or when it changes)")
      ->envname("KURA_TLS_CERT_FILE");
  serve->add_option("--tls-key-file", config.tlsKeyFile, "Its private key (PEM, mode 0600)")
      ->envname("KURA_TLS_KEY_FILE");
  serve->add_option("--kms-root-key-file", config.kmsRootKeyFile,
                    "Root key sealing KMS key material (32 bytes or their base64; KURA_KMS_ROOT_KEY overrides)")
      ->envname("KURA_KMS_ROOT_KEY_FILE");
  serve->add_option("--dynamodb-cache-mb", config.dynamoDbCacheMb,
                    "Memory for DynamoDB's store: RocksDB's cache, memtables and index blocks (MiB)")
      ->envname("KURA_DYNAMODB_CACHE_MB")
      ->check(CLI::Range(16, 1 << 20))
      ->capture_default_str();
  serve->add_option("--stream-shard-lifetime", config.streamShardLifetimeSeconds,
                    "Seconds after which a DynamoDB stream's shard is closed and a child opens (AWS: about 4 hours)")
      ->envname("KURA_STREAM_SHARD_LIFETIME")
      ->check(CLI::Range(int64_t{1}, int64_t{7 * 24 * 3600}))
      ->capture_default_str();
  serve->add_option("--stream-shard-records", config.streamShardRecords,
                    "Records after which a DynamoDB stream's shard is closed and a child opens (0: no bound)")
      ->envname("KURA_STREAM_SHARD_RECORDS")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40))
      ->capture_default_str();
  serve->add_option("--stream-status-delay", config.streamStatusDelaySeconds,
                    "Seconds a DynamoDB stream says ENABLING or DISABLING after it was changed")
      ->envname("KURA_STREAM_STATUS_DELAY")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  serve->add_option("--rds-stop-limit-seconds", config.rdsStopLimitSeconds,
                    "Seconds after which a stopped RDS instance or Aurora cluster starts by itself, as RDS and "
                    "Aurora start them after seven days (0: never)")
      ->envname("KURA_RDS_STOP_LIMIT_SECONDS")
      ->check(CLI::Range(int64_t{0}, int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  serve->add_option("--rds-system-update-auto-apply-seconds", config.rdsSystemUpdateAutoApplySeconds,
                    "Seconds after Kura notices that an RDS instance's server runs an older executable than the "
                    "one installed (a package upgrade) from which the instance is restarted on it in its next "
                    "maintenance window without an opt-in, as RDS applies required updates (0: only when asked)")
      ->envname("KURA_RDS_SYSTEM_UPDATE_AUTO_APPLY_SECONDS")
      ->check(CLI::Range(int64_t{0}, int64_t{10} * 365 * 24 * 3600))
      ->capture_default_str();
  serve->add_flag("--enable-test-controllers", config.enableTestControllers,
                  "Test-only resource kinds (for Kura's own crash tests)")
      ->envname("KURA_ENABLE_TEST_CONTROLLERS");

  kura::TrailVerifyArgs trailArgs;
  auto* trail = app.add_subcommand("trail", "The audit trail of every API call");
  trail->require_subcommand(1);
  auto* verify = trail->add_subcommand("verify", "Check the trail's hash chain and signed digests");
  verify->add_option("--data-dir", trailArgs.dataDir, "The server's data directory")
      ->envname("KURA_DATA_DIR")
      ->capture_default_str();
  verify->add_option("--public-key", trailArgs.publicKeyFile, "Pin the digest signing key (PEM)");
  verify->add_flag("--progress", trailArgs.progress,
                   "Show progress on stderr even when it is not a terminal (on a terminal it always is)");
  verify->add_flag("--require-sealed", trailArgs.requireSealed,
                   "The server is stopped: report any log file no digest covers, however new");

  kura::CheckArgs checkArgs;
  auto* check = app.add_subcommand("check", "Audit the runbook's checklist through the AWS APIs (docs/check.md)");
  check->add_option("--endpoint-url", checkArgs.endpointUrl, "Endpoint of every service (default: AWS's own)");
  check->add_option("--region", checkArgs.region, "Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)");
  check->add_option("--profile", checkArgs.profile, "Profile of ~/.aws/credentials and ~/.aws/config");
  check->add_option("--format", checkArgs.format, "Output: table, json, junit or sarif")
      ->check(CLI::IsMember({"table", "json", "junit", "sarif"}))
      ->capture_default_str();
  check->add_option("--fail-on", checkArgs.failOn, "Exit 1 when a rule this severe or worse fails")
      ->check(CLI::IsMember({"low", "medium", "high", "critical"}))
      ->capture_default_str();
  check->add_option("--suppressions", checkArgs.suppressionsFile,
                    "JSON file of accepted failures (rule, resource, reason, expires)");
  check->add_option("--output", checkArgs.outputFile, "Write the report to this file instead of standard output");
  check->add_option("--timeout", checkArgs.timeoutSeconds, "Seconds each HTTP step may take")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();

  kura::drill::DrillOptions drillOptions;
  auto* drill = app.add_subcommand("drill", "Rehearse an incident against a resource and measure RTO/RPO (docs/drill.md)");
  drill->add_option("name", drillOptions.drillName, "The drill: " + kura::drillList())->required();
  drill->add_option("--resource", drillOptions.resource, "DB instance or cluster, replication group or table")
      ->required();
  drill->add_option("--endpoint-url", drillOptions.endpointUrl, "Endpoint of every service (default: AWS's own)");
  drill->add_option("--region", drillOptions.region, "Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)");
  drill->add_option("--profile", drillOptions.profile, "Profile of ~/.aws/credentials and ~/.aws/config");
  drill->add_option("--format", drillOptions.format, "Standard output: table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  drill->add_option("--report-dir", drillOptions.reportDir, "Where the Markdown and HTML reports go")
      ->capture_default_str();
  drill->add_option("--duration", drillOptions.durationSeconds, "Seconds to wait for recovery after the fault")
      ->check(CLI::Range(5, 3600))
      ->capture_default_str();
  drill->add_option("--fault", drillOptions.fault,
                    "kill (SIGKILL) or hang (SIGSTOP, then SIGCONT) at the engine, or reboot through the public API")
      ->check(CLI::IsMember({"kill", "hang", "reboot"}))
      ->capture_default_str();
  drill->add_option("--hang-seconds", drillOptions.hangSeconds, "How long a hang lasts")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  drill->add_option("--db-user", drillOptions.dbUser, "Database user (default: the master user)");
  drill->add_option("--db-password", drillOptions.dbPassword,
                    "Its password (default: the managed master secret; prefer the environment)")
      ->envname("KURA_DB_PASSWORD");
  drill->add_option("--log-group", drillOptions.logGroup, "CloudWatch Logs group of the drills' records")
      ->capture_default_str();
  drill->add_option("--zone", drillOptions.zone, "az-failure: the zone that fails (default: the primary's)");
  drill->add_option("--max-lost", drillOptions.maxLost,
                    "Redis drills: fail when more acknowledged writes are lost (default: report the loss only; "
                    "Redis replicates asynchronously)")
      ->check(CLI::Range(0, 1000000000));
  drill->add_flag("--progress", drillOptions.progress,
                  "Show the drill's steps on stderr even when it is not a terminal (on a terminal it always does)");
  drill->add_option("--timeout", drillOptions.timeoutSeconds, "Seconds each HTTP step may take")
      ->check(CLI::Range(1, 600))
      ->capture_default_str();

  // Usage errors exit 2 for `kura check` (CLI11 would exit 106 and others).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return (check->parsed() || drill->parsed()) && code != 0 ? 2 : code;
  }
  if (serve->parsed()) {
    if (std::string problem = kura::applyServeConfigFile(*serve); !problem.empty()) {
      std::cerr << problem << "\n";
      return 2;
    }
    kura::ddb::setStoreMemoryBudget(static_cast<size_t>(config.dynamoDbCacheMb) << 20);
    return kura::runServe(config);
  }
  if (verify->parsed()) return kura::runTrailVerify(trailArgs);
  if (check->parsed()) return kura::runCheck(checkArgs);
  if (drill->parsed()) return kura::runDrill(drillOptions);
  return EXIT_FAILURE;
}

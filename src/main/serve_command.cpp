#include "main/serve_command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "api/api_gateway.h"
#include "http/http_server.h"
#include "main/api_tls.h"
#include "main/credentials_loader.h"
#include "main/health_report.h"
#include "main/json_log_sink.h"
#include "common/log_line_buffer.h"
#include "main/logfmt_log_sink.h"
#include "main/metrics_endpoint.h"
#include "main/data_dir_modes.h"
#include "main/descriptor_limit.h"
#include "main/request_log.h"
#include "main/resource_resolvers.h"
#include "cache/cache_cluster_controller.h"
#include "cache/cache_snapshot_controller.h"
#include "cache/cache_supervisor.h"
#include "cache/replication_group_controller.h"
#include "catalog/catalog.h"
#include "common/certificate_authority.h"
#include "common/crash_point.h"
#include "common/ids.h"
#include "common/periodic_task.h"
#include "common/store_health.h"
#include "common/secret_box.h"
#include "kms/key_manager.h"
#include "kms/root_key.h"
#include "main/test_endpoints.h"
#include "rds/db_cluster_controller.h"
#include "rds/db_instance_controller.h"
#include "rds/retained_backup_controller.h"
#include "services/rds/rds_kinds.h"
#include "rds/db_snapshot_controller.h"
#include "rds/postgres_engine.h"
#include "rds/engine_set.h"
#include "rds/engine_tls.h"
#include "rds/mariadb_engine.h"
#include "engines/memory_cgroup.h"
#include "services/rds/mysql_engines.h"
#include "proxy/endpoint_proxy.h"
#include "services/ec2/endpoint_admission.h"
#include "rds/log_shipper.h"
#include "rds/rds_supervisor.h"
#include "reconcile/reconciler.h"
#include "reconcile/sleeper_controller.h"
#include "services/dynamodb/dynamodb_service.h"
#include "services/ec2/ec2_service.h"
#include "services/faults/fault_service.h"
#include "services/iam/iam_service.h"
#include "iam/iam_principals.h"
#include "iam/request_authorizer.h"
#include "services/elasticache/elasticache_service.h"
#include "services/rds/rds_service.h"
#include "services/cloudtrail/cloudtrail_service.h"
#include "services/kms/kms_service.h"
#include "services/logs/logs_service.h"
#include "services/cloudwatch/cloudwatch_service.h"
#include "services/applicationautoscaling/application_autoscaling_service.h"
#include "services/dynamodb/consumption_meter.h"
#include "common/time_format.h"
#include "console/console_endpoint.h"
#include "dbauth/db_auth_policy.h"
#include "dbauth/db_auth_responder.h"
#include "services/secretsmanager/secrets_service.h"
#include "services/sts/sts_service.h"
#include "trail/account_trail_activity.h"
#include "trail/trail_event.h"
#include "trail/trail_writer.h"

namespace kura {
namespace {

void setUpLogging(const std::string& level, const std::string& format) {
  // Event lines are written as they are logged; request lines (one per
  // call) gather and leave with the next event line, a full buffer or
  // every second, so a SIGKILL loses at most a second of them (the trail
  // keeps every call: docs/operations.md).
  auto out = std::make_shared<LogLineBuffer>(STDERR_FILENO);
  std::shared_ptr<spdlog::logger> logger;
  if (format == "json") {
    logger = std::make_shared<spdlog::logger>("kura", std::make_shared<JsonLogSink>(out));
  } else {
    logger = std::make_shared<spdlog::logger>("kura", std::make_shared<LogfmtLogSink>(out));
    // logfmt-style lines: one event per line, fields as key=value.
    logger->set_pattern("time=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  spdlog::register_logger(logger);  // flushed by flush_every, with the request lines
  spdlog::set_default_logger(logger);
  // Request lines go straight into the same buffer, in the same format
  // (main/request_log.cpp).
  setRequestLog(out, format == "json", spdlog::level::from_str(level) <= spdlog::level::info);
  spdlog::flush_every(std::chrono::seconds(1));
}

// One server per data directory: a second one would corrupt the first's state.
int lockDataDir(const std::filesystem::path& dataDir) {
  int fd = ::open((dataDir / "kura.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) return -1;
  return fd;
}

// Logs why the server cannot start, a full disk plainly and with what to do
// about it; the exit code. SQLite reports some writes a full disk refused
// (its shared memory file's) as I/O errors: the disk is called full when
// the error says so, or when the data directory has less than 1 MiB free.
int cannotStart(const std::filesystem::path& dataDir, const std::string& step, const std::string& error) {
  struct statvfs disk {};
  bool nearlyFull = ::statvfs(dataDir.c_str(), &disk) == 0 &&
                    static_cast<uint64_t>(disk.f_bavail) * disk.f_frsize < (uint64_t{1} << 20);
  if (nearlyFull || describeStorageFailure(error) == "no space left on device") {
    spdlog::error("msg=\"cannot start: the disk of the data directory is full; free some space and start Kura "
                  "again\" step=\"{}\" error=\"{}\"",
                  step, error);
  } else {
    spdlog::error("msg=\"{}\" error=\"{}\"", step, error);
  }
  return EXIT_FAILURE;
}

int serve(const ServerConfig& givenConfig);

HttpResponse healthResponse(const std::filesystem::path& dataDir) {
  HttpResponse response;
  response.headers.emplace_back("Content-Type", "application/json");
  response.body = healthReport(dataDir);  // "degraded", with why, while a store cannot write
  return response;
}

}  // namespace

int runServe(const ServerConfig& config) {
  // A store that cannot be opened or written at start (a full disk above
  // all) throws from its constructor: the server exits saying why, it
  // never aborts.
  try {
    return serve(config);
  } catch (const std::exception& error) {
    return cannotStart(config.dataDir, "cannot start", error.what());
  }
}

namespace {

int serve(const ServerConfig& givenConfig) {
  // Engines resolve relative paths against their own directories: from here
  // on the data directory is absolute.
  ServerConfig config = givenConfig;
  config.dataDir = std::filesystem::absolute(config.dataDir).lexically_normal();
  // SIGTERM and SIGINT (stop) and SIGHUP (reload the API's certificate)
  // are taken by sigwait below; block them before any thread starts (the
  // loggers' flusher is the first: a signal it took unblocked ended the
  // process, a SIGHUP that came during the reload of the one before).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  setUpLogging(config.logLevel, config.logFormat);
  // Kura's crash tests kill the server at a named step (common/crash_point.h).
  if (const char* crashAt = std::getenv("KURA_CRASH_AT"); crashAt != nullptr && config.enableTestControllers) {
    armCrashPoints(crashAt);
  }

  std::error_code ec;
  std::filesystem::create_directories(config.dataDir, ec);
  if (ec) {
    spdlog::error("msg=\"cannot create data directory\" path={} error=\"{}\"", config.dataDir.string(), ec.message());
    return EXIT_FAILURE;
  }
  // Kura's alone (umask 077 from main()); an older Kura's looser modes are tightened.
  if (int tightened = tightenDataDir(config.dataDir); tightened > 0) {
    spdlog::info("msg=\"data directory tightened: group and other permissions removed\" entries={}", tightened);
  }
  int lockFd = lockDataDir(config.dataDir);
  if (lockFd < 0) {
    spdlog::error("msg=\"data directory is in use by another kura server\" path={}", config.dataDir.string());
    return EXIT_FAILURE;
  }

  auth::StaticCredentialStore credentials;
  auto loaded = loadCredentials(config, credentials);
  if (!loaded) {
    spdlog::error("msg=\"{}\"", loaded.error().message);
    return 2;
  }

  ClockPtr clock = realClock();
  std::unique_ptr<Catalog> catalog;
  try {
    catalog = std::make_unique<Catalog>(config.dataDir, clock);
  } catch (const std::exception& error) {
    return cannotStart(config.dataDir, "cannot open the catalog", error.what());
  }
  auto secrets = SecretBox::openOrCreate(config.dataDir / "keys" / "catalog-secrets.key");
  if (!secrets) {
    return cannotStart(config.dataDir, "cannot start", secrets.error().message);
  }
  // The CA of the RDS instances' server certificates (keys/rds-ca.key, .pem).
  auto certificateAuthority = CertificateAuthority::openOrCreate(config.dataDir / "keys");
  if (!certificateAuthority) {
    return cannotStart(config.dataDir, "cannot start", certificateAuthority.error().message);
  }
  // HTTPS for the API, when asked for: checked before anything starts.
  auto apiCertificate = openApiCertificate(config, **certificateAuthority);
  if (!apiCertificate) {
    spdlog::error("msg=\"{}\"", apiCertificate.error().message);
    return 2;
  }
  if (*apiCertificate) spdlog::info("msg=\"the API serves HTTPS\" {}", (*apiCertificate)->summary());
  warnIfPlainOffLoopback(config, *apiCertificate != nullptr);
  // Renewal of an issued certificate, and a configured one's files
  // reloaded once they change: a rotation needs no restart, nor a signal.
  PeriodicTask apiCertificateCheck("API certificate check", std::chrono::minutes(1), [&apiCertificate] {
    auto refreshed = (*apiCertificate)->refresh();
    if (!refreshed) {
      spdlog::error("msg=\"the API's certificate was not renewed or reloaded: the one before is still served\" "
                    "error=\"{}\"",
                    refreshed.error().message);
    } else if (*refreshed) {
      spdlog::info("msg=\"the API's certificate was renewed or reloaded\" {}", (*apiCertificate)->summary());
    }
  });
  const char* rootKeyValue = std::getenv("KURA_KMS_ROOT_KEY");
  auto rootKey = kms::loadRootKey({rootKeyValue != nullptr ? rootKeyValue : "", config.kmsRootKeyFile, config.dataDir});
  if (!rootKey) {
    return cannotStart(config.dataDir, "cannot start", rootKey.error().message);
  }
  kms::KeyStore keyStore(config.dataDir, std::move(*rootKey));
  kms::KeyManager keyManager(keyStore, clock);
  Reconciler reconciler(*catalog, clock);
  // Controllers create resources for one another (an instance's automated
  // snapshot): a rescan each second picks those up without a wake-up call.
  reconciler.setResyncInterval(std::chrono::milliseconds(1000));
  if (config.enableTestControllers) reconciler.add(std::make_unique<SleeperController>());
  PortAllocator ports(*catalog, config.enginePortFirst, config.enginePortLast);

  // CloudWatch Logs: its API, and where RDS ships engine logs.
  LogStore logStore(config.dataDir, &keyManager);
  // CloudWatch metrics: the users' own, and those Kura's services record.
  MetricStore metricStore(config.dataDir);
  AlarmStore alarmStore(config.dataDir);  // CloudWatch's, and Application Auto Scaling's alarms
  rds::LogShipper logShipper([&logStore](const Resource& instance, const std::string& group, const std::string& stream,
                                         const std::vector<rds::ShippedEntry>& entries) {
    int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    std::vector<LogEvent> events;
    events.reserve(entries.size());
    for (const auto& entry : entries) events.push_back({0, stream, entry.timestampMs, now, entry.message});
    return logStore.append(instance.accountId, instance.region, group, stream, events, now, /*createMissing=*/true).ok();
  });

  // The engines' endpoints: Kura owns each port, admits a connection only
  // through the resource's security groups, and forwards it to the engine
  // (a Multi-AZ instance's: its current primary).
  std::string endpointAddress = isLoopbackHost(config.host) || config.host == "0.0.0.0" ? "127.0.0.1" : config.host;
  EndpointProxies proxies(endpointAddress);
  ec2::EndpointAdmission admission(*catalog);
  proxies.setGuard([&admission](const std::string& endpoint, const PeerAddress& peer, unsigned short port) {
    return admission.admits(endpoint, ec2::IpAddress{peer.v6, peer.bytes}, port);
  });

  // RDS on the installed PostgreSQL, run as the unprivileged `postgres`
  // user when Kura runs as root.
  int postgresMajor = installedPostgresMajor();
  auto postgresUser = engines::engineUser("postgres");
  std::unique_ptr<rds::PostgresEngine> postgres;
  std::unique_ptr<rds::RdsSupervisor> rdsSupervisor;
  rds::RdsPaths rdsPaths{config.dataDir / "rds", certificateAuthority->get()};
  // IAM database authentication: the engines send token logins to Kura's
  // responder, whose port they are configured with (src/dbauth/).
  dbauth::DbAuthResponder dbAuth(*catalog);
  if (auto listening = dbAuth.listen()) {
    rdsPaths.dbAuthPort = *listening;
  } else {
    spdlog::error("msg=\"IAM database authentication is unavailable\" error=\"{}\"", listening.error().message);
  }
  // The engines of RDS instances, by their Engine: the controllers and the
  // supervisor call the set, which hands each call to the instance's driver.
  rds::EngineSet rdsEngines;
  if (postgresMajor > 0 && postgresUser) {
    postgres = std::make_unique<rds::PostgresEngine>(postgresMajor, *postgresUser, config.dataDir);
    rdsEngines.add("postgres", *postgres);
    rdsEngines.add(rds::kAuroraEngine, *postgres);
  } else {
    spdlog::warn("msg=\"no PostgreSQL server (or no postgres user to run it as): RDS cannot create PostgreSQL instances\"");
    postgresMajor = 0;
  }
  // MySQL and MariaDB instances on the installed MariaDB server, run as the
  // unprivileged `mysql` user when Kura runs as root.
  std::string mariaDbVersion = rds::MariaDbEngine::installedVersion();
  auto mysqlUser = engines::engineUser("mysql");
  std::unique_ptr<rds::MariaDbEngine> mariaDb;
  if (!mariaDbVersion.empty() && mysqlUser) {
    mariaDb = std::make_unique<rds::MariaDbEngine>(mariaDbVersion, *mysqlUser, config.dataDir);
    rdsEngines.add("mysql", *mariaDb);
    rdsEngines.add("mariadb", *mariaDb);
    rdsEngines.add(rds::kAuroraMySqlEngine, *mariaDb);
  } else {
    spdlog::warn("msg=\"no MariaDB server (or no mysql user to run it as): RDS cannot create MySQL or MariaDB instances\"");
    mariaDbVersion.clear();
  }
  if (!rdsEngines.empty()) {
    rdsSupervisor = std::make_unique<rds::RdsSupervisor>(*catalog, reconciler, rdsEngines, **secrets, rdsPaths, clock,
                                                         &logShipper, &proxies, &keyManager, &ports);
    reconciler.add(std::make_unique<rds::DbInstanceController>(rdsEngines, **secrets, rdsPaths, ports, keyManager,
                                                               &proxies, &rdsSupervisor->copies()));
    reconciler.add(std::make_unique<rds::DbSnapshotController>(rdsEngines, **secrets, rdsPaths, keyManager));
    reconciler.add(std::make_unique<rds::DbSnapshotController>(rdsEngines, **secrets, rdsPaths, keyManager,
                                                               rds::kClusterSnapshot));
    reconciler.add(std::make_unique<rds::DbClusterController>(rdsEngines, **secrets, rdsPaths, ports, &proxies));
    reconciler.add(std::make_unique<rds::RetainedBackupController>(rdsPaths));
    rdsSupervisor->setStopLimit(std::chrono::seconds(config.rdsStopLimitSeconds));
    rdsSupervisor->setSystemUpdateAutoApply(std::chrono::seconds(config.rdsSystemUpdateAutoApplySeconds));
    rdsSupervisor->setMetricSink([&metricStore, clock](const Resource& instance, const std::string& name,
                                                       double value, const std::string& unit) {
      double now = toEpochSeconds(clock->now());
      metricStore.putObserved(instance.accountId, instance.region,
                              {{{"AWS/RDS", name, {{"DBInstanceIdentifier", instance.name}}},
                                {now, 1, value, value, value, unit}}});
    });
  }

  // ElastiCache on the installed Redis, run as the unprivileged `redis`
  // user when Kura runs as root.
  std::string redisVersion = engines::RedisEngine::installedVersion();
  auto redisUser = engines::engineUser("redis");
  std::unique_ptr<engines::RedisEngine> redis;
  std::unique_ptr<cache::CacheSupervisor> cacheSupervisor;
  cache::CachePaths cachePaths{config.dataDir / "elasticache", certificateAuthority->get(), secrets->get()};
  cache::NodeLocks cacheLocks;
  // Memcached clusters too, as the `memcache` user, when memcached is installed.
  std::string memcachedVersion = engines::MemcachedEngine::installedVersion();
  auto memcachedUser = engines::engineUser("memcache");
  std::unique_ptr<engines::MemcachedEngine> memcached;
  if (!memcachedVersion.empty() && memcachedUser) {
    memcached = std::make_unique<engines::MemcachedEngine>(*memcachedUser, config.dataDir);
  } else {
    memcachedVersion.clear();
  }
  if (!redisVersion.empty() && redisUser) {
    redis = std::make_unique<engines::RedisEngine>(*redisUser, config.dataDir);
    reconciler.add(std::make_unique<cache::CacheClusterController>(*redis, memcached.get(), cachePaths, ports,
                                                                   keyManager, cacheLocks, &proxies));
    reconciler.add(std::make_unique<cache::CacheSnapshotController>(*redis, cachePaths, keyManager));
    reconciler.add(
        std::make_unique<cache::ReplicationGroupController>(*redis, cachePaths, ports, keyManager, &proxies, cacheLocks));
    cacheSupervisor = std::make_unique<cache::CacheSupervisor>(*catalog, reconciler, *redis, memcached.get(),
                                                               cachePaths, clock, &proxies, cacheLocks);
    cacheSupervisor->setMetricSink([&metricStore, clock](const Resource& owner,
                                                         std::vector<cache::CacheDatapoint> datapoints) {
      double now = toEpochSeconds(clock->now());
      std::vector<std::pair<MetricId, MetricSample>> points;
      points.reserve(datapoints.size());
      for (auto& point : datapoints) {
        points.push_back({{"AWS/ElastiCache", std::move(point.name), std::move(point.dimensions)},
                          {now, 1, point.value, point.value, point.value, std::move(point.unit)}});
      }
      metricStore.putObserved(owner.accountId, owner.region, std::move(points));
    });
  } else {
    spdlog::warn("msg=\"no Redis server (or no redis user to run it as): ElastiCache cannot create clusters\"");
    redisVersion.clear();
  }

  ServiceEnv env;
  env.dataDir = config.dataDir;
  env.clock = clock;
  env.catalog = catalog.get();
  env.reconciler = &reconciler;
  env.keys = &keyManager;

  // Each account's own trail delivery times (GetTrailStatus): before the
  // trail, whose sealer tells it of every digest.
  AccountTrailActivity trailActivity;
  TrailOptions trailOptions;
  trailOptions.dir = config.dataDir / "trail";
  trailOptions.digestInterval = std::chrono::seconds(config.trailDigestSeconds);
  trailOptions.retention = std::chrono::hours(24) * config.trailRetentionDays;
  auto trail = TrailWriter::open(trailOptions, clock);
  if (!trail) return cannotStart(config.dataDir, "cannot open the trail", trail.error().message);
  TrailWriter& trailWriter = **trail;
  trailWriter.setSealObserver(
      [&trailActivity](SystemTime takenAt, SystemTime sealedAt) { trailActivity.sealed(takenAt, sealedAt); });
  env.flushTrail = [&trailWriter] { trailWriter.flush(); };

  std::vector<ServiceModulePtr> modules;
  modules.push_back(makeStsService(env, **secrets));
  modules.push_back(makeCloudTrailService(env, config.trail != "off", config.trailRetentionDays, &trailActivity));
  modules.push_back(makeLogsService(env, logStore));
  modules.push_back(makeCloudWatchService(env, metricStore, &alarmStore));
  modules.push_back(makeKmsService(keyManager));
  secrets::SecretStore secretStore(config.dataDir);
  auto secretsManager = makeSecretsManagerService(secretStore, keyManager, clock);
  ManagedSecrets* managedSecrets = secretsManager.get();
  modules.push_back(std::move(secretsManager));
  rds::RdsConfig rdsConfig;
  rdsConfig.endpointAddress = endpointAddress;
  rdsConfig.certificateAuthority = certificateAuthority->get();
  rdsConfig.installedPostgresMajor = postgresMajor;
  rdsConfig.managedSecrets = managedSecrets;
  rdsConfig.keys = &keyManager;
  rdsConfig.stopLimit = std::chrono::seconds(config.rdsStopLimitSeconds);
  rdsConfig.systemUpdateAutoApply = std::chrono::seconds(config.rdsSystemUpdateAutoApplySeconds);
  if (postgres) {
    rdsConfig.engineParameters = postgres->describeParameters();
    rdsConfig.checkParameters = [&postgres](const std::map<std::string, std::string>& values) {
      return postgres->checkParameters(values);
    };
  }
  if (mariaDb) {
    rdsConfig.installedMariaDbVersion = mariaDbVersion;
    rdsConfig.mariaDbParameters = rds::MariaDbEngine::describeParameters();
    rdsConfig.checkMariaDbParameters = [&mariaDb](const std::map<std::string, std::string>& values) {
      return mariaDb->checkParameters(values);
    };
  }
  rdsConfig.engineDirOf = [rdsPaths](const Resource& instance) { return rdsPaths.engineDir(instance); };
  rdsConfig.serverCertificateValidTill = [rdsPaths](const Resource& instance) {
    return rds::serverCertificateValidTill(rdsPaths.engineDir(instance));
  };
  modules.push_back(makeRdsService(*catalog, reconciler, **secrets, ports, rdsConfig));
  const HandlerTable* rdsHandlers = &modules.back()->handlers();
  modules.push_back(
      makeElastiCacheService(*catalog, reconciler, ports,
                             {endpointAddress, redisVersion, memcachedVersion, &keyManager, secrets->get(),
                              certificateAuthority->get()}));
  const HandlerTable* elastiCacheHandlers = &modules.back()->handlers();
  modules.push_back(makeEc2Service(*catalog));
  modules.push_back(makeIamService(*catalog, **secrets));
  modules.push_back(makeFaultService(*catalog, rdsPaths, config.dataDir / "elasticache", clock));
  ddb::TableStore* tableStore = nullptr;
  // Application Auto Scaling's handlers, for DynamoDB's replica auto scaling calls, once made below.
  auto dynamoDbAutoScaling = std::make_shared<std::atomic<const HandlerTable*>>(nullptr);
  try {
    ddb::StreamSettings streams;
    streams.shardLifetime = std::chrono::seconds(config.streamShardLifetimeSeconds);
    streams.shardRecords = static_cast<uint64_t>(config.streamShardRecords);
    streams.statusDelay = std::chrono::milliseconds(static_cast<int64_t>(config.streamStatusDelaySeconds * 1000));
    modules.push_back(makeDynamoDbService(env, &tableStore, streams, dynamoDbAutoScaling));
  } catch (const std::exception& error) {
    return cannotStart(config.dataDir, "cannot open the DynamoDB store", error.what());
  }
  // DynamoDB's consumed capacity as CloudWatch metrics, and Application Auto
  // Scaling on them: alarms CloudWatch evaluates, UpdateTable as the
  // service-linked role, recorded in the trail (docs/autoscaling.md).
  ScalingTimes scalingTimes{config.autoscalingTimeScale};
  ddb::ConsumedCapacityPublisher dynamoDbMetrics(
      std::chrono::milliseconds(static_cast<int64_t>(std::clamp(scalingTimes.period() / 2, 0.25, 30.0) * 1000)),
      [&metricStore, clock](const ddb::ConsumedUnits& used) {
        MetricId metric{"AWS/DynamoDB", used.read ? "ConsumedReadCapacityUnits" : "ConsumedWriteCapacityUnits",
                        {{"TableName", used.table}}};
        if (!used.index.empty()) metric.dimensions.emplace_back("GlobalSecondaryIndexName", used.index);
        double now = toEpochSeconds(clock->now());
        metricStore.putObserved(used.account, used.region,
                                {{metric, {now, 1, used.units, used.units, used.units, "Count"}}});
      });
  dynamoDbMetrics.start();
  AutoScalingDeps scalingDeps{&modules.back()->handlers(), &alarmStore, &metricStore, scalingTimes,
                              [&trailWriter, &trailActivity, clock, trailOn = config.trail != "off"](
                                  const RequestContext& c, const nlohmann::json& input, const nlohmann::json* output,
                                  const ApiError* error) {
                                if (!trailOn) return;
                                std::string event;
                                appendTrailEventText(event, c, &input, output, error, newUuid());
                                trailWriter.appendText(event, error == nullptr);
                                trailActivity.delivered(c.accountId, clock->now());
                              },
                              rdsHandlers, elastiCacheHandlers};
  modules.push_back(makeApplicationAutoScalingService(env, std::move(scalingDeps)));
  dynamoDbAutoScaling->store(&modules.back()->handlers());

  // IAM users' access keys are accepted beside Kura's own credentials (the
  // account root); their calls are evaluated against their policies.
  iam::IamPrincipals iamPrincipals(*catalog, **secrets, config.accountId);
  iam::ChainedCredentialStore allCredentials(credentials, iamPrincipals);
  iam::RequestAuthorizer authorizer(iamPrincipals);
  dbAuth.setProxiedClients([&proxies](unsigned short port) { return proxies.clientAddress(port); });
  dbAuth.serve(allCredentials, dbauth::authorizeWith(authorizer),
               [&proxies](unsigned short port) { return proxies.clientAskedForTls(port); }, clock);
  // Stopped before the authorizer and credentials it asks go, on every way out.
  struct DbAuthStop {
    dbauth::DbAuthResponder& responder;
    ~DbAuthStop() { responder.stop(); }
  } dbAuthStop{dbAuth};
  addResourceResolvers(authorizer, keyManager, secretStore);
  addDynamoDbConditionKeys(authorizer, *tableStore);
  ApiGateway gateway(ModelRegistry::embedded(), allCredentials, clock);
  gateway.setSecureTransport(*apiCertificate != nullptr);
  gateway.setAuthorizer([&authorizer](const RequestContext& context, const nlohmann::json& input,
                                      std::string_view protocol) { return authorizer.authorize(context, input, protocol); });
  for (auto& module : modules) gateway.addService(*module);
  // /_kura/metrics: the calls' counters, the resources' and stores' gauges.
  MetricsEndpoint metricsEndpoint({catalog.get(), config.dataDir, clock, rdsEngines.empty() ? nullptr : &rdsEngines,
                                   &rdsPaths, secrets->get(), redis.get(), memcached.get(), &cachePaths, tableStore},
                                  modules, isLoopbackHost(config.host), credentials, clock);
  // /_kura/console/: the web console, whose calls are the API's own, made
  // as the signed-in principal (docs/console.md).
  console::ConsoleEndpoint consoleEndpoint(
      allCredentials,
      [&](const HttpRequest& request) { return metricsEndpoint.timed([&] { return gateway.handle(request); }); },
      clock, *apiCertificate != nullptr);
  bool trailOn = config.trail != "off";
  if (!trailOn) spdlog::warn("msg=\"the audit trail is off: API calls are not recorded\"");
  gateway.setObserver([&trailWriter, &trailActivity, clock, trailOn, &metricsEndpoint](const ApiCallRecord& record) {
    logRequest(record);
    metricsEndpoint.observe(record);
    if (!trailOn) return;
    try {
      // A call that changed something is written before it is answered.
      bool changed = record.error == nullptr && !isReadOnlyOperation(record.context->operation);
      thread_local std::string event;  // reused: no allocation per call
      event.clear();
      appendTrailEventText(event, *record.context, record.input, record.output, record.error, newUuid());
      trailWriter.appendText(event, changed);
      trailActivity.delivered(record.context->accountId, clock->now());
    } catch (const std::exception& error) {
      spdlog::error("msg=\"cannot record the call in the trail\" request_id={} error=\"{}\"",
                    record.context->requestId, error.what());
    }
  });

  HttpServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.threads = config.threads;
  if (*apiCertificate) options.tls = (*apiCertificate)->slot();
  // A call that may change something is answered only once its change and
  // its trail record are synced: it waits for the disk on the HTTP
  // server's pool, not on a loop that reads (GetItem, Describe*) share.
  options.waitsForDisk = [](const HttpRequest& request) {
    if (request.method != "POST") return false;  // health and the test endpoints
    // The console's calls (a sign-in, or any call in a JSON body whose text
    // could read like a query form's read) are made on the pool.
    if (request.path().starts_with("/_kura/console/")) return true;
    std::string_view target = request.header("X-Amz-Target");
    std::string_view operation;
    if (!target.empty()) {
      // DynamoDB's item writes wait for no thread: handled on the loop,
      // answered once synced, by the thread that ends the sync
      // (api/synced_answer.h).
      for (std::string_view write : {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}) {
        if (target.starts_with("DynamoDB_20120810.") && target.substr(18) == write) return false;
      }
      operation = target.substr(target.rfind('.') + 1);
    } else {
      // The query protocol: the form's Action (a signed form has it in
      // the body; read-only calls are what stays on the loop, so a miss
      // only costs a hop to the pool).
      std::string_view body = request.body;
      size_t at = body.starts_with("Action=") ? 0 : body.find("&Action=");
      if (at == std::string_view::npos) return true;
      body.remove_prefix(at + (at == 0 ? 7 : 8));
      operation = body.substr(0, body.find('&'));
    }
    return !isReadOnlyOperation(operation);
  };
  // Engines' servers run confined to their own files where the kernel has
  // Landlock (src/engines/confinement.h); say so when it has not.
  if (int abi = engines::landlockAbi(); abi < 1) {
    spdlog::warn("msg=\"engines run unconfined: this kernel offers no Landlock\"");
  } else {
    spdlog::info("msg=\"engines run confined\" landlock_abi={} signals_confined={}", abi, abi >= 6);
  }
  // RDS servers run each in a memory cgroup of its own, bounded to its
  // instance class's memory, where Kura may make them
  // (src/engines/memory_cgroup.h); say so when it may not.
  {
    auto readProc = [](const char* path) {
      UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
      return fd ? readAll(fd.get(), 1 << 20).value_or("") : std::string();
    };
    const std::string mountinfo = readProc("/proc/self/mountinfo"), self = readProc("/proc/self/cgroup");
    engines::CgroupPlace place = engines::locateMemoryCgroup(mountinfo, self);
    // Tasks: v1's pids hierarchy (with v2 the memory groups bound them too).
    engines::CgroupPlace tasks = engines::locateCgroup(mountinfo, self, "pids");
    engines::setMemoryCgroups(engines::MemoryCgroups::open(place, config.dataDir, tasks));
    const engines::MemoryCgroups& groups = engines::memoryCgroups();
    if (!groups.available()) {
      spdlog::warn("msg=\"RDS servers run without a memory bound\" reason=\"{}\"", groups.reason());
    } else {
      groups.sweep();
      spdlog::info("msg=\"RDS servers run in memory cgroups\" cgroup_version={} groups={} swap_bounded={} "
                   "task_groups={} most_tasks_a_server={}",
                   groups.version() == engines::CgroupVersion::v2 ? 2 : 1, groups.root().string(),
                   groups.swapBounded(), groups.tasksBounded() ? groups.taskRoot().string() : "none",
                   groups.tasksBounded() ? groups.taskCeiling() : 0);
      if (!groups.tasksBounded()) {
        spdlog::warn("msg=\"a server's number of processes is not bounded\" reason=\"{}\"", groups.taskReason());
      }
      if (!groups.swapBounded()) {
        spdlog::warn("msg=\"the kernel does not account swap: a server's swap is not bounded with its memory\"");
      }
    }
  }
  DescriptorLimit descriptors = raiseDescriptorLimit();
  options.maxConnections = config.maxConnections > 0
                               ? static_cast<size_t>(config.maxConnections)
                               : defaultMaxConnections(descriptors.limit, options.reserveConnections);
  spdlog::info("msg=\"descriptor limit\" soft_limit_at_start={} soft_limit={} max_connections={} reserve={}",
               descriptors.before, descriptors.limit, options.maxConnections, options.reserveConnections);
  if (options.maxConnections + options.reserveConnections + 64 > descriptors.limit) {
    spdlog::warn("msg=\"--max-connections leaves Kura too few descriptors for its stores and engines\" "
                 "max_connections={} soft_limit={}",
                 options.maxConnections, descriptors.limit);
  }
  bool testEndpoints = config.enableTestControllers;
  std::atomic<bool> ready{false};  // health answers 200 only once everything runs
  HttpHandler handle = [&](const HttpRequest& request) {
    if (request.path() == "/_kura/health") {
      if (ready) return healthResponse(config.dataDir);
      HttpResponse starting;
      starting.status = 503;
      starting.body = R"({"status":"starting","service":"kura"})";
      return starting;
    }
    if (request.path() == "/_kura/rds/ca-bundle.pem" && request.method == "GET") {
      // Public, as RDS's trust store is: what clients verify instances with.
      HttpResponse bundle;
      bundle.headers.emplace_back("Content-Type", "application/x-pem-file");
      bundle.body = (*certificateAuthority)->bundlePem();
      return bundle;
    }
    if (testEndpoints) {
      if (auto response = handleTestEndpoint(request, *catalog, reconciler)) return *response;
    }
    if (auto metrics = metricsEndpoint.serve(request)) return *metrics;
    if (auto console = consoleEndpoint.serve(request)) return *console;
    return metricsEndpoint.timed([&] { return gateway.handle(request); });
  };
  // Past the connection limit: health is still answered, API calls get 503.
  HttpServer server(options, handle, [&](const HttpRequest& request) {
    return request.path() == "/_kura/health" ? handle(request) : gateway.unavailable(request);
  });
  try {
    // Listen first: a port in use fails the start before anything runs.
    server.start();
    proxies.start();
    for (auto& module : modules) module->start();
    trailWriter.startSealing();
    reconciler.start();
    if (rdsSupervisor) rdsSupervisor->start();
    if (cacheSupervisor) cacheSupervisor->start();
    if (*apiCertificate) apiCertificateCheck.start();
    metricsEndpoint.start();
    ready = true;
  } catch (const std::exception& error) {
    // The reconciler's steps use what is destroyed on the way out before it
    // (the RDS supervisor's copies, ports, proxies): it stops first.
    reconciler.stop();
    return cannotStart(config.dataDir, "cannot start", error.what());
  }
  spdlog::info("msg=\"kura is serving\" address={}:{} scheme={} data_dir={}", config.host, server.port(),
               *apiCertificate ? "https" : "http", config.dataDir.string());

  int received = 0;
  while (sigwait(&signals, &received) == 0 && received == SIGHUP) {
    if (!*apiCertificate) {
      spdlog::info("msg=\"SIGHUP: nothing to reload (the API serves plain HTTP)\"");
      continue;
    }
    // Read again even when the files look unchanged (a rotation within
    // the same second, on a file system with coarse timestamps).
    auto reloaded = (*apiCertificate)->refresh(/*force=*/true);
    if (reloaded) {
      spdlog::info("msg=\"SIGHUP: the API's certificate was reloaded\" {}", (*apiCertificate)->summary());
    } else {
      spdlog::error("msg=\"SIGHUP: the API's certificate was not reloaded: the one before is still served\" "
                    "error=\"{}\"",
                    reloaded.error().message);
    }
  }
  spdlog::info("msg=\"shutting down\" signal={}", received);
  apiCertificateCheck.stop();
  server.stop();
  metricsEndpoint.stop();
  if (rdsSupervisor) rdsSupervisor->cutRebuilds();  // before a step waits for one of them
  reconciler.stop();
  if (rdsSupervisor) rdsSupervisor->stop();  // stops the engines
  if (cacheSupervisor) cacheSupervisor->stop();
  engines::memoryCgroups().close();  // the groups of the servers stopped, and their directory
  proxies.stop();
  dbAuth.stop();
  for (auto& module : modules) module->stop();
  trailWriter.stop();
  ::close(lockFd);
  spdlog::info("msg=\"stopped\"");
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace kura

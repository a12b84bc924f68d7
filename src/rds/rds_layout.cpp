#include "rds/rds_layout.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engines/memory_cgroup.h"
#include "services/rds/cluster_records.h"
#include "services/rds/rds_kinds.h"
#include "services/rds/serverless_capacity.h"

namespace kura::rds {

std::filesystem::path RdsPaths::instanceDir(const Resource& instance) const {
  return root / "instances" / instance.spec.value("DbiResourceId", std::to_string(instance.id));
}

std::filesystem::path RdsPaths::walArchive(const std::string& dbiResourceId) const {
  return root / "wal" / dbiResourceId;
}

std::filesystem::path RdsPaths::snapshotDir(const Resource& snapshot) const {
  // The id keeps a snapshot deleted and re-created under the same name apart.
  const char* dir = snapshot.kind == "db-cluster-snapshot" ? "cluster-snapshots" : "snapshots";
  return root / dir / (snapshot.name + "-" + std::to_string(snapshot.id));
}

std::filesystem::path RdsPaths::clusterVolume(const Resource& cluster) const {
  return root / "cluster-volumes" / cluster.spec.value("DbClusterResourceId", std::to_string(cluster.id));
}

std::string walArchiveId(const Resource& instance) {
  // Members of an Aurora cluster share the cluster's archive, across failovers.
  return instance.spec.value("WalArchiveId", instance.spec.value("DbiResourceId", std::to_string(instance.id)));
}

bool isMultiAz(const Resource& instance) { return instance.state.contains("Nodes"); }

bool isBehindProxy(const Resource& instance) { return isMultiAz(instance) || instance.state.contains("EnginePort"); }

std::string primaryNode(const Resource& instance) { return instance.state.value("Primary", "a"); }

std::string standbyNode(const Resource& instance) { return primaryNode(instance) == "a" ? "b" : "a"; }

std::filesystem::path RdsPaths::nodeDir(const Resource& instance, const std::string& node) const {
  return instanceDir(instance) / ("node-" + node);
}

std::filesystem::path RdsPaths::engineDir(const Resource& instance) const {
  return isMultiAz(instance) ? nodeDir(instance, primaryNode(instance)) : instanceDir(instance);
}

Result<EngineLayout> nodeLayoutOf(const Resource& instance, const std::string& node, const RdsPaths& paths,
                                  const SecretBox& secrets) {
  auto layout = layoutOf(instance, paths, secrets);
  if (!layout) return layout;
  layout->dir = paths.nodeDir(instance, node);
  layout->port = instance.state["Nodes"][node].value("Port", 0);
  layout->synchronousStandby = node == primaryNode(instance) && instance.state.value("StandbyReady", false);
  return layout;
}

Result<EngineLayout> layoutOf(const Resource& instance, const RdsPaths& paths, const SecretBox& secrets) {
  EngineLayout layout;
  layout.engine = instance.spec.value("Engine", "postgres");
  layout.dir = paths.engineDir(instance);
  layout.walArchive = paths.walArchive(walArchiveId(instance));
  if (instance.spec.value("StorageEncrypted", false)) layout.walOutbox = paths.instanceDir(instance) / "wal-outbox";
  layout.port = isMultiAz(instance) ? instance.state["Nodes"][primaryNode(instance)].value("Port", 0)
                                     : instance.state.value("EnginePort", instance.state.value("Port", 0));
  // Multi-AZ: once the standby is ready; a cluster's writer: while a reader
  // streams (the supervisor turns it on and off).
  layout.synchronousStandby = isMultiAz(instance) ? instance.state.value("StandbyReady", false)
                                                  : instance.state.value("SynchronousReaders", false);
  if (isReadReplica(instance)) layout.replicaName = "kura-replica-" + instance.name;
  layout.masterUser = instance.spec.value("MasterUsername", "postgres");
  layout.dbName = instance.spec.value("DBName", "");
  // The parameter group values in effect for this instance (the supervisor
  // copies them from its group): {"name": {"value": ..., "static": ...}}.
  if (instance.state.contains("Parameters")) {
    for (const auto& [name, parameter] : instance.state["Parameters"].items()) {
      layout.parameters[name] = parameter.value("value", "");
    }
  }
  // What clients connect to (Endpoint.Address; a cluster member's cluster
  // and reader endpoints too), and the loopback names Kura and tools use.
  layout.certificateAuthority = paths.certificateAuthority;
  std::string address = instance.state.value("Address", "127.0.0.1");
  for (const std::string& name : {address, isClusterMember(instance) ? readerEndpointAddress(address) : address,
                                  std::string("127.0.0.1"), std::string("localhost")}) {
    if (std::find(layout.serverNames.begin(), layout.serverNames.end(), name) == layout.serverNames.end()) {
      layout.serverNames.push_back(name);
    }
  }
  layout.dbAuthPort = paths.dbAuthPort;
  layout.dbAuthKey = instance.spec.value("DbiResourceId", "");
  layout.memoryBytes = instanceMemoryBytes(instance.spec);
  layout.instanceClass = instance.spec.value("DBInstanceClass", "");
  auto password = secrets.open(instance.spec.value("MasterUserPasswordSealed", ""));
  if (!password) return ApiError::internal("the master password of " + instance.name + " cannot be unsealed");
  layout.masterPassword = *password;
  return layout;
}

void warnIfUnbounded(const EngineLayout& layout) {
  if (layout.memoryBytes == 0 && engines::memoryCgroups().available() && layout.instanceClass == kServerlessClass) {
    spdlog::warn("msg=\"the cluster has no ServerlessV2ScalingConfiguration: its db.serverless server runs without a "
                 "memory bound until ModifyDBCluster gives it one\" server={}",
                 layout.dir.string());
  } else if (layout.memoryBytes == 0 && engines::memoryCgroups().available()) {
    spdlog::warn("msg=\"the instance class has no memory Kura knows: its server runs without a memory bound\" "
                 "server={}",
                 layout.dir.string());
  }
}

}  // namespace kura::rds

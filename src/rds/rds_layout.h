#pragma once
// Where an RDS instance's files live, and its engine layout from its record.
#include <filesystem>

#include "catalog/records.h"
#include "common/api_error.h"
#include "common/secret_box.h"
#include "rds/instance_engine.h"

namespace kura::rds {

struct RdsPaths {
  std::filesystem::path root;  // <data-dir>/rds
  // Issues the engines' server certificates (none: they serve no TLS).
  const CertificateAuthority* certificateAuthority = nullptr;
  // Where the engines send IAM database authentication logins (0: nowhere).
  int dbAuthPort = 0;

  std::filesystem::path instanceDir(const Resource& instance) const;
  // Where the engine of the instance's current primary keeps its files: the
  // instance directory, or for Multi-AZ the primary node's (node-a, node-b).
  std::filesystem::path engineDir(const Resource& instance) const;
  std::filesystem::path nodeDir(const Resource& instance, const std::string& node) const;
  std::filesystem::path walArchive(const std::string& dbiResourceId) const;
  std::filesystem::path snapshotDir(const Resource& snapshot) const;
  // An Aurora cluster's data while it has no instance: a backup of its last
  // writer, which its next writer is restored from.
  std::filesystem::path clusterVolume(const Resource& cluster) const;
};

// The name of the WAL archive an instance writes to (walArchive()).
std::string walArchiveId(const Resource& instance);

// The engine layout of an instance record (for Multi-AZ: its primary's);
// the master password unsealed.
Result<EngineLayout> layoutOf(const Resource& instance, const RdsPaths& paths, const SecretBox& secrets);
// Multi-AZ: the primary's node name, the standby's, and the standby's layout.
bool isMultiAz(const Resource& instance);
// Whether Kura's proxy owns the instance's endpoint port (where security
// groups are enforced) and the engine listens on a port of its own: every
// Multi-AZ instance, and a Single-AZ one recorded with an EnginePort (all
// since security groups are enforced; older ones listen on the endpoint).
bool isBehindProxy(const Resource& instance);
std::string primaryNode(const Resource& instance);
std::string standbyNode(const Resource& instance);
Result<EngineLayout> nodeLayoutOf(const Resource& instance, const std::string& node, const RdsPaths& paths,
                                  const SecretBox& secrets);

}  // namespace kura::rds

#pragma once
// Where ElastiCache keeps its files: <data-dir>/elasticache/, and what a
// node's layout needs beyond its record: the CA that issues the certificates
// of nodes with in-transit encryption, and the box that opens their clients'
// sealed ACL users.
#include <filesystem>

#include "catalog/records.h"
#include "common/certificate_authority.h"
#include "common/secret_box.h"
#include "engines/redis_engine.h"

namespace kura::cache {

struct CachePaths {
  std::filesystem::path root;  // <data-dir>/elasticache
  const CertificateAuthority* certificateAuthority = nullptr;
  const SecretBox* secrets = nullptr;

  // The record's id keeps a resource deleted and re-created under the same
  // name apart from the old one.
  std::filesystem::path clusterDir(const Resource& cluster) const;
  std::filesystem::path snapshotDir(const Resource& snapshot) const;
  // A replication group's nodes live below it, one folder per member.
  std::filesystem::path groupDir(const Resource& group) const;
};

// The engine layout of a cluster's node (its TLS and client users too:
// client_users.h).
engines::RedisLayout nodeLayout(const Resource& cluster, const CachePaths& paths);
// The layout of a replication group's member (a replica of the group's
// primary unless it is the primary).
engines::RedisLayout memberLayout(const Resource& group, const std::string& member, const CachePaths& paths);
// What a snapshot is taken from: a cluster's node, or a group's primary.
engines::RedisLayout sourceLayout(const Resource& source, const CachePaths& paths);

}  // namespace kura::cache

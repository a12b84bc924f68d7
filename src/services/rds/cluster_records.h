#pragma once
// The records of Aurora clusters, as the API and the controllers both read
// them: the cluster names its writer (state.Writer, an instance ARN); every
// other member instance is a reader, a streaming standby of the writer
// (state.Upstream names the writer it was built from). Each change of
// writer counts up the cluster's state.WriterEpoch, and a reader records the
// epoch of the writer it was built from (state.UpstreamEpoch): an instance
// that was writer once and becomes writer again is never mistaken for a
// reader of itself, nor its old readers for its new ones. See
// src/rds/aurora_cluster.h for how a cluster runs.
#include <functional>
#include <string>
#include <vector>

#include "catalog/catalog.h"

namespace kura::rds {

// The cluster's instances that are not deleted (deleting ones included).
std::vector<Resource> clusterMembers(Catalog& catalog, const Resource& cluster);
inline bool isClusterWriter(const Resource& cluster, const Resource& instance) {
  return cluster.state.value("Writer", "") == instance.arn;
}
// A reader built from the current writer in its current epoch.
bool followsWriter(const Resource& cluster, const Resource& instance);

// Where the reader endpoint listens. As in Aurora, both endpoints share the
// cluster's Port, on two addresses: on loopback, 127.0.0.2 beside
// 127.0.0.1. On any other address (one address only) the reader endpoint
// gets a port of its own, ReaderPort.
std::string readerEndpointAddress(const std::string& address);

// A new snapshot record of the cluster (status creating; the snapshot
// controller takes it from the writer, or from the volume).
Resource clusterSnapshotDraft(const Resource& cluster, const std::string& name, const std::string& type);

// Applies `change` to the stored cluster record and stores it, trying again
// when another thread changed the record meanwhile.
Result<Resource> updateCluster(Catalog& catalog, const std::string& clusterArn,
                               const std::function<void(Resource&)>& change);

}  // namespace kura::rds

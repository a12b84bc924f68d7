#pragma once
// A new ElastiCache snapshot record of a cache cluster (manual, automated,
// or the final one of a deletion), in status creating: what
// DescribeSnapshots shows of the cluster as it was, and where the image
// comes from. The snapshot controller takes the image.
#include <string>

#include "catalog/records.h"

namespace kura::cache {

// `source`: "manual" or "automated"; `kmsKeyArn`: seal the image under it
// (empty: not sealed).
Resource newSnapshotRecord(const Resource& cluster, const std::string& name, const std::string& source,
                           const std::string& kmsKeyArn = "");

}  // namespace kura::cache

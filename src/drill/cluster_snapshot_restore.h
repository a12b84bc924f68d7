#pragma once
// snapshot-restore of an Aurora cluster: marker rows written through the
// cluster endpoint, a cluster snapshot of the drill's own (so that it is
// the newest), restored to a temporary cluster (RestoreDBClusterFromSnapshot)
// with one instance, every marker read back there through its endpoint;
// then the temporary instance, cluster and snapshot are deleted (all
// tagged kura:drill). The RTO is the restore's: from the restore call to
// the data read back.
#include "drill/database_target.h"
#include "drill/drill_context.h"

namespace kura::drill {

DrillResult runClusterSnapshotRestore(DrillContext& context, const DatabaseTarget& target);

// What a cluster restore needs after its restore call (accidental-delete's
// too): one instance `<temporary>-1` of the writer's class in the temporary
// cluster, and the cluster's description once both are available; nullopt
// and `problem` set on failure.
std::optional<nlohmann::json> addTemporaryInstance(DrillContext& context, const DatabaseTarget& target,
                                                   const std::string& temporary, std::string& problem);
// Deletes the temporary cluster's instance, then the cluster and a cluster
// snapshot of the same name (best effort).
void deleteTemporaryCluster(client::AwsClient& client, const std::string& temporary);

}  // namespace kura::drill

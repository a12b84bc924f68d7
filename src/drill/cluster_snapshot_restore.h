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

}  // namespace kura::drill

#pragma once
// A PostgreSQL server's client sessions counted from its backends' process
// titles, without a query: RDS's DatabaseConnections is recorded every few
// seconds for every instance, and a psql each time was most of what an idle
// fleet cost Kura (bench/idle_fleet.py).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

namespace kura::rds {

// Whether `title`, a backend's title as PostgreSQL sets it on Linux
// ("postgres: [CLUSTER: ]USER DATABASE HOST(PORT) ACTIVITY"), names a
// session that reached the server over TCP (every client comes through
// Kura's proxy). Not counted: Kura's own sessions (over the server's Unix
// socket, "[local]", or as `adminUser`), the standbys' and replicas'
// walsenders (which log in as `adminUser`), autovacuum, parallel workers and
// the server's own processes. `clusterName` is the server's cluster_name,
// empty when unset.
bool isClientSessionTitle(std::string_view title, std::string_view clusterName, std::string_view adminUser);

// The client sessions of the server whose postmaster is `postmaster`, read
// from /proc; empty when that process is gone or stopped (a hung server
// leaves a gap in the metric, as one that does not answer a query did).
std::optional<int64_t> countClientSessions(pid_t postmaster, std::string_view clusterName,
                                           std::string_view adminUser);

}  // namespace kura::rds

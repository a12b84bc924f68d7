#pragma once
// The Redis workload of the cache drills: one SADD of the sequence number
// to a set of its own per write (on the group's primary endpoint), every
// member read back with SMEMBERS on a new connection; the set is deleted at
// the end. It speaks RESP over plain TCP itself (AUTH when the target has
// a password: the group's token, or an ACL user's), so no client library
// is needed.
#include <string>

#include "drill/database_target.h"
#include "drill/workload.h"

namespace kura::drill {

// `key`: a fresh name (freshWorkloadName()).
WorkloadPtr makeRedisWorkload(const DatabaseTarget& target, const std::string& key);

}  // namespace kura::drill

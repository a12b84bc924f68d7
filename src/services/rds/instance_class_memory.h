#pragma once
// The DB instance classes RDS and Aurora have, and each one's memory, as
// AWS's hardware specifications give it: what an instance's server may use
// (engines/memory_cgroup.h), and which names CreateDBInstance takes.
#include <cstdint>
#include <string_view>
#include <vector>

namespace kura::rds {

// The class's memory in bytes; 0 for a name RDS has no class of, and for
// db.serverless (Aurora Serverless v2), whose memory follows its capacity.
uint64_t instanceClassMemoryBytes(std::string_view instanceClass);

// Whether RDS has a class of that name (db.serverless included).
bool isInstanceClass(std::string_view instanceClass);

// Every class of the table, by name, db.serverless included.
std::vector<std::string_view> instanceClassNames();

}  // namespace kura::rds

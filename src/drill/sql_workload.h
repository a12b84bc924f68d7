#pragma once
// The SQL workload: a table of its own (id, ts), one INSERT per write on an
// autocommit connection, every id read back with one SELECT. PostgreSQL
// through libpq, MySQL and MariaDB through libmariadb; the table is the
// drill's alone and dropped at the end.
#include <string>

#include "drill/database_target.h"
#include "drill/workload.h"

namespace kura::drill {

// `table`: a fresh name of lower-case letters, digits and underscores.
WorkloadPtr makePostgresWorkload(const DatabaseTarget& target, const std::string& table);
WorkloadPtr makeMariaDbWorkload(const DatabaseTarget& target, const std::string& table);
// The one for the target's engine.
WorkloadPtr makeSqlWorkload(const DatabaseTarget& target, const std::string& table);

}  // namespace kura::drill

#include "drill/sql_workload.h"

namespace kura::drill {

WorkloadPtr makeSqlWorkload(const DatabaseTarget& target, const std::string& table) {
  return target.postgres() ? makePostgresWorkload(target, table) : makeMariaDbWorkload(target, table);
}

}  // namespace kura::drill

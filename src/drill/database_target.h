#pragma once
// The database a drill writes to, read through the RDS API: an instance
// (or a cluster and its writer), its endpoint, engine and master user, and
// the password: --db-password, else the master user's secret that RDS
// manages (Secrets Manager GetSecretValue of MasterUserSecret).
#include <string>
#include <variant>

#include "client/aws_client.h"
#include "drill/drill_options.h"

namespace kura::drill {

struct DatabaseTarget {
  std::string resourceType;    // "db-instance" or "db-cluster"
  std::string identifier;      // as given
  std::string writerInstance;  // the instance that takes the writes (the identifier for an instance)
  std::string engine;          // as RDS names it: postgres, mysql, aurora-postgresql, ...
  std::string host;
  int port = 0;
  std::string user, password, dbName;
  bool multiAz = false;
  std::string zone;  // the writer's

  bool postgres() const { return engine == "postgres" || engine == "aurora-postgresql"; }
};

// The target, or one sentence saying why it cannot be drilled.
std::variant<DatabaseTarget, std::string> resolveDatabase(client::AwsClient& client, const DrillOptions& options);

}  // namespace kura::drill

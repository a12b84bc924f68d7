#pragma once
// What IAM database authentication needs of an RDS instance's record: the
// instance whose DbiResourceId an engine's login names, the resource id
// its tokens are allowed on (an Aurora member's: its cluster's), the
// endpoints its clients are given, and whether authentication is enabled.
#include <optional>
#include <string>

#include "catalog/catalog.h"
#include "dbauth/db_auth_token.h"

namespace kura::dbauth {

std::optional<DbAuthTarget> rdsDbAuthTarget(Catalog& catalog, const std::string& dbiResourceId);

}  // namespace kura::dbauth

#pragma once
// The catalog's schema, as numbered migrations. A migration, once released,
// never changes: a new schema is a new migration at the end of the list.
#include <string_view>
#include <vector>

namespace kura {

struct CatalogMigration {
  int version;            // 1, 2, 3, ... in order, no gaps
  std::string_view name;  // what it does, for schema_migrations
  std::string_view sql;
};

const std::vector<CatalogMigration>& catalogMigrations();

}  // namespace kura

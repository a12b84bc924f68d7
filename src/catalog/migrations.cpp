#include "catalog/migrations.h"

namespace kura {

const std::vector<CatalogMigration>& catalogMigrations() {
  // Times are epoch milliseconds; spec, state and categories are JSON text.
  static const std::vector<CatalogMigration> migrations = {
      {1, "resources, journal, tags and settings", R"(
        CREATE TABLE resources (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          account_id TEXT NOT NULL, region TEXT NOT NULL, service TEXT NOT NULL,
          kind TEXT NOT NULL, name TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,
          status TEXT NOT NULL, goal TEXT NOT NULL,
          spec TEXT NOT NULL, state TEXT NOT NULL,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL,
          UNIQUE (account_id, region, kind, name));
        CREATE INDEX resources_pending ON resources (id) WHERE status <> goal;
        CREATE TABLE operation_steps (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          resource_id INTEGER NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
          step TEXT NOT NULL, detail TEXT NOT NULL, at INTEGER NOT NULL);
        CREATE INDEX operation_steps_by_resource ON operation_steps (resource_id, id);
        CREATE TABLE tags (
          arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
          PRIMARY KEY (arn, key)) WITHOUT ROWID;
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      )"},
      {2, "events", R"(
        CREATE TABLE events (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          account_id TEXT NOT NULL, region TEXT NOT NULL,
          source_type TEXT NOT NULL, source_id TEXT NOT NULL, source_arn TEXT NOT NULL,
          message TEXT NOT NULL, categories TEXT NOT NULL, date INTEGER NOT NULL);
        CREATE INDEX events_by_scope ON events (account_id, region, id);
        CREATE INDEX events_by_date ON events (date);
      )"},
      {3, "idempotency tokens", R"(
        CREATE TABLE idempotency_tokens (
          account_id TEXT NOT NULL, scope TEXT NOT NULL, token TEXT NOT NULL,
          request_hash TEXT NOT NULL, response_json TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account_id, scope, token)) WITHOUT ROWID;
        CREATE INDEX idempotency_tokens_by_expiry ON idempotency_tokens (expires_at);
      )"},
      {4, "read replicas by their source", R"(
        CREATE INDEX resources_by_replica_source ON resources (json_extract(spec, '$.ReadReplicaSourceArn'))
          WHERE json_extract(spec, '$.ReadReplicaSourceArn') IS NOT NULL;
      )"},
  };
  return migrations;
}

}  // namespace kura

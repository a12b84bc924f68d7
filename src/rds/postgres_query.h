#pragma once
// One query of Kura's own to a PostgreSQL server over its Unix socket, made
// in Kura's process with libpq (non-blocking, within a deadline): for the
// probes of every pass (is everything archived, how far a replica is
// behind), where a psql process, a fork of Kura, was 40% of the RDS
// supervisor's time with an idle fleet. Statements that change anything
// still go through psql (PostgresEngine::sql), with its output and errors
// in the logs.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kura::rds {

// What Kura's sessions set for themselves (psql's PGOPTIONS, libpq's
// options): they run as a superuser in databases the tenant owns, whose
// settings for them (ALTER DATABASE ... SET search_path to a schema of its
// own functions, a read-only default, timeouts) must not reach Kura.
// Options a client sends override database and role settings.
inline constexpr const char* kKuraSessionOptions =
    "-c search_path=pg_catalog,pg_temp -c default_transaction_read_only=off -c statement_timeout=0 "
    "-c lock_timeout=0 -c idle_in_transaction_session_timeout=0 -c session_replication_role=replica "
    "-c standard_conforming_strings=on -c backslash_quote=safe_encoding";

struct PostgresTarget {
  std::filesystem::path socketDir;
  int port = 0;
  std::string user;
  std::string database = "postgres";
};

// The first row of `statement`'s answer, each field as text (a NULL as
// empty), or nullopt: no connection, an error, no row, or no answer within
// `timeout` (connection included). Nothing the server says is logged.
std::optional<std::vector<std::string>> firstRow(const PostgresTarget& target, const std::string& statement,
                                                 std::chrono::milliseconds timeout);

}  // namespace kura::rds

#pragma once
// Where a MariaDB instance keeps its files, and how Kura quotes what it
// writes to the server: shared by the parts of MariaDbEngine (its
// lifecycle, replication and logs live in files of their own).
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/api_error.h"
#include "engines/engine_process.h"
#include "rds/instance_engine.h"

namespace kura::rds::mariadb {

inline constexpr const char* kServer = "/usr/sbin/mariadbd";
inline constexpr const char* kClient = "/usr/bin/mariadb";

std::filesystem::path dataOf(const EngineLayout& layout);
std::filesystem::path configOf(const EngineLayout& layout);
// A Unix socket's path holds at most 107 bytes: an instance whose directory
// is too deep gets a short directory of its own under /tmp (0700, the
// engine user's), named by a hash of its directory.
std::filesystem::path socketDir(const EngineLayout& layout);
std::filesystem::path socketOf(const EngineLayout& layout);

// A string literal of MariaDB's SQL ('...' with ' and \ escaped).
std::string quoteLiteral(const std::string& text);
std::string quoteIdentifier(const std::string& text);
// A value in an option file: double quotes, with \ and " escaped.
std::string quoteOption(const std::string& text);

// The sequence number of GTID domain 0 in a GTID list ("0-1-57,1-2-3" ->
// 57), 0 when it has none. Kura's servers log in domain 0 only, and strict
// GTIDs keep its numbers growing across failovers.
uint64_t gtidSequence(const std::string& list);

// The tail of a tool's output in an internal error.
ApiError engineError(const std::string& what, const engines::ProcessResult& result);

}  // namespace kura::rds::mariadb

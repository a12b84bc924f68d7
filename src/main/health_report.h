#pragma once
// The body of GET /_kura/health once Kura runs: {"status":"ok"}, or
// {"status":"degraded","reasons":[...]} while a store cannot write ("disk
// full: catalog.db") or the data directory's file system is (nearly) full.
// Always answered 200: the server is up and serves what it can.
#include <filesystem>
#include <string>

namespace kura {

std::string healthReport(const std::filesystem::path& dataDir);

}  // namespace kura

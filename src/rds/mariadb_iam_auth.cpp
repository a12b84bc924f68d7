#include "rds/mariadb_iam_auth.h"

#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <random>
#include <sstream>

#include "dbauth/mariadb_auth_plugin.h"

namespace kura::rds {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> readWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The plugin's file, written again only when it differs (a new Kura):
// beside it first, then renamed over it, so that a server loading it
// meanwhile reads the old file or the new, whole.
Result<bool> placePlugin(const fs::path& dir, std::string_view bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return ApiError::internal("cannot create " + dir.string() + ": " + ec.message());
  fs::path target = dir / dbauth::kMariaDbAuthPluginFile;
  if (readWhole(target) == bytes) return true;
  fs::path temporary = dir / fmt::format(".{}.{}.{}", dbauth::kMariaDbAuthPluginFile, ::getpid(), std::random_device{}());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      fs::remove(temporary, ec);
      return ApiError::internal("cannot write the IAM authentication plugin into " + dir.string());
    }
  }
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                 fs::perms::others_read, ec);
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return ApiError::internal("cannot put the IAM authentication plugin into " + dir.string());
  }
  return true;
}

}  // namespace

Result<std::string> mariaDbIamAuthSettings(const EngineLayout& layout, const fs::path& dataDir) {
  std::string_view plugin = dbauth::mariaDbAuthPlugin();
  if (plugin.empty() || layout.dbAuthPort <= 0 || layout.dbAuthKey.empty()) return std::string();
  // The directory the audit plugin lies in (mariadb_logs.cpp), which
  // kura.cnf's plugin_dir names.
  if (auto placed = placePlugin(dataDir / "rds" / "mariadb-plugins", plugin); !placed) return placed.error();
  return fmt::format(
      "# IAM database authentication (mariadb_iam_auth.h).\n"
      "plugin_load_add = aws_authentication_plugin\n"
      "awsauthenticationplugin = FORCE_PLUS_PERMANENT\n"
      "awsauthenticationplugin_port = {}\n"
      "awsauthenticationplugin_instance = {}\n",
      layout.dbAuthPort, layout.dbAuthKey);
}

}  // namespace kura::rds

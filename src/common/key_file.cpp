#include "common/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace kura {

Result<std::string> readKeyFile(const std::filesystem::path& keyFile, size_t bytes) {
  std::ifstream in(keyFile, std::ios::binary);
  if (!in) return ApiError::internal("cannot read the key file " + keyFile.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  if (text.size() == bytes) return text;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  std::string decoded;
  if (base64Decode(text, decoded) && decoded.size() == bytes) return decoded;
  return ApiError::internal("the key file " + keyFile.string() + " does not hold a " + std::to_string(bytes) +
                            "-byte key");
}

Result<std::string> readOrCreateKeyFile(const std::filesystem::path& keyFile, size_t bytes) {
  std::error_code ec;
  if (std::filesystem::exists(keyFile, ec)) return readKeyFile(keyFile, bytes);
  std::filesystem::create_directories(keyFile.parent_path(), ec);
  std::string key = randomBytes(bytes);
  if (!writeKeyFile(keyFile, key)) return ApiError::internal("cannot write " + keyFile.string());
  return key;
}

bool writeKeyFile(const std::filesystem::path& keyFile, std::string_view text) {
  std::filesystem::path tmp = keyFile;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  // fchmod: a temporary file left behind keeps its mode through O_TRUNC.
  bool ok = fd >= 0 && ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, keyFile, ec);
  return ok && !ec;
}

}  // namespace kura

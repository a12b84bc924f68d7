#include "trail/trail_format.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/crypto.h"

namespace kura::trail {

std::string recordHash(std::string_view previousHash, uint64_t sequence, std::string_view event) {
  char number[24];
  auto [end, ec] = std::to_chars(number, number + sizeof(number), sequence);
  (void)ec;
  // One context per thread, reused: this runs for every API call and for
  // every record a verification reads.
  struct Context {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Context local;
  // Fetched once: EVP_sha256() looks the algorithm up (under a lock) each time.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = local.ctx;
  EVP_DigestInit_ex(ctx, kSha256 != nullptr ? kSha256 : EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, previousHash.data(), previousHash.size());
  EVP_DigestUpdate(ctx, "\t", 1);
  EVP_DigestUpdate(ctx, number, static_cast<size_t>(end - number));
  EVP_DigestUpdate(ctx, "\t", 1);
  EVP_DigestUpdate(ctx, event.data(), event.size());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  return toHex(std::string_view(reinterpret_cast<char*>(digest), length));
}

void appendRecord(std::string& out, uint64_t sequence, std::string_view hash, std::string_view event) {
  char number[24];
  auto [end, ec] = std::to_chars(number, number + sizeof(number), sequence);
  (void)ec;
  out.append(number, static_cast<size_t>(end - number));
  out.push_back('\t');
  out.append(hash);
  out.push_back('\t');
  out.append(event);
  out.push_back('\n');
}

std::string formatRecord(uint64_t sequence, std::string_view hash, std::string_view event) {
  std::string out;
  appendRecord(out, sequence, hash, event);
  return out;
}

std::optional<RecordView> parseRecord(std::string_view line) {
  size_t first = line.find('\t');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = line.find('\t', first + 1);
  if (second == std::string_view::npos || second - first - 1 != 64) return std::nullopt;
  RecordView record;
  auto [end, ec] = std::from_chars(line.data(), line.data() + first, record.sequence);
  if (ec != std::errc() || end != line.data() + first) return std::nullopt;
  record.hash = line.substr(first + 1, 64);
  record.event = line.substr(second + 1);
  return record;
}

std::string logFileName(uint64_t firstSequence) { return fmt::format("{:016}.log", firstSequence); }

std::string digestFileName(uint64_t digestSequence) { return fmt::format("{:016}.json", digestSequence); }

std::optional<uint64_t> fileSequence(std::string_view name, std::string_view extension) {
  if (name.size() != 16 + extension.size() || name.substr(16) != extension) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 16, value);
  if (ec != std::errc() || end != name.data() + 16) return std::nullopt;
  return value;
}

std::map<uint64_t, std::filesystem::path> listTrailFiles(const std::filesystem::path& dir, std::string_view extension) {
  std::map<uint64_t, std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (auto sequence = fileSequence(entry.path().filename().string(), extension)) files[*sequence] = entry.path();
  }
  return files;
}

std::string readTrailFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace kura::trail

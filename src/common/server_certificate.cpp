#include "common/server_certificate.h"

#include <errno.h>

#include <cstring>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace kura {
namespace {

// As RDS: a server certificate is valid for a year, and is renewed when
// the engine's settings are written (every start and parameter change)
// with less than 30 days left.
constexpr std::chrono::hours kServerValidity{24 * 365};
constexpr std::chrono::hours kRenewBefore{24 * 30};

}  // namespace

Result<bool> writeServerCertificate(const CertificateAuthority& ca, const std::filesystem::path& dir,
                                    const std::vector<std::string>& names, const std::optional<FileOwner>& owner) {
  // The directory is the engine user's: what is read there is checked
  // against the CA, never trusted, and Kura's files are replaced whole.
  IssuedCertificate current{readBeneath(dir, kServerKeyFile, 0, 64 << 10).value_or(""),
                            readBeneath(dir, kServerCertificateFile, 0, 64 << 10).value_or("")};
  if (!ca.stillCovers(current, names, kRenewBefore)) {
    auto issued = ca.issue(names, kServerValidity);
    if (!issued) return issued.error();
    // The key first: a certificate is never served with another's key.
    if (!replaceBeneath(dir, kServerKeyFile, issued->keyPem, owner) ||
        !replaceBeneath(dir, kServerCertificateFile, issued->certificatePem, owner)) {
      return ApiError::internal("cannot write the server certificate of " + dir.string() + ": " +
                                std::strerror(errno));
    }
  }
  if (readBeneath(dir, kCaBundleFile, 0, 64 << 10).value_or("") != ca.bundlePem() &&
      !replaceBeneath(dir, kCaBundleFile, ca.bundlePem(), owner)) {
    return ApiError::internal("cannot write the CA bundle of " + dir.string() + ": " + std::strerror(errno));
  }
  return true;
}

std::optional<SystemTime> serverCertificateValidTill(const std::filesystem::path& dir) {
  auto pem = readBeneath(dir, kServerCertificateFile, 0, 64 << 10);
  if (!pem) return std::nullopt;
  // Parsing a certificate costs far more than reading it, and a Describe
  // page asks for a hundred: the dates are kept by the PEM's hash and
  // length (certificates Kura issued itself), at most kKept of them.
  static constexpr size_t kKept = 1 << 16;
  static std::mutex mutex;
  static std::unordered_map<size_t, std::pair<size_t, std::optional<SystemTime>>> known;
  size_t hash = std::hash<std::string>{}(*pem);
  {
    std::lock_guard lock(mutex);
    auto found = known.find(hash);
    if (found != known.end() && found->second.first == pem->size()) return found->second.second;
  }
  std::optional<SystemTime> till = CertificateAuthority::validTillOf(*pem);
  std::lock_guard lock(mutex);
  if (known.size() >= kKept) known.clear();
  known[hash] = {pem->size(), till};
  return till;
}

}  // namespace kura

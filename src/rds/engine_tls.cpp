#include "rds/engine_tls.h"

#include <errno.h>

#include <cstring>

#include "common/certificate_authority.h"

namespace kura::rds {
namespace {

// As RDS: a server certificate is valid for a year, and is renewed when
// the engine's settings are written (every start and parameter change)
// with less than 30 days left.
constexpr std::chrono::hours kServerValidity{24 * 365};
constexpr std::chrono::hours kRenewBefore{24 * 30};

}  // namespace

Result<bool> writeServerCertificate(const EngineLayout& layout, const std::optional<FileOwner>& owner) {
  const CertificateAuthority* ca = layout.certificateAuthority;
  if (ca == nullptr) return false;
  // The directory is the engine user's: what is read there is checked
  // against the CA, never trusted, and Kura's files are replaced whole.
  IssuedCertificate current{readBeneath(layout.dir, kServerKeyFile, 0, 64 << 10).value_or(""),
                            readBeneath(layout.dir, kServerCertificateFile, 0, 64 << 10).value_or("")};
  bool keep = ca->stillCovers(current, layout.serverNames, kRenewBefore);
  if (!keep) {
    auto issued = ca->issue(layout.serverNames, kServerValidity);
    if (!issued) return issued.error();
    // The key first: a certificate is never served with another's key.
    if (!replaceBeneath(layout.dir, kServerKeyFile, issued->keyPem, owner) ||
        !replaceBeneath(layout.dir, kServerCertificateFile, issued->certificatePem, owner)) {
      return ApiError::internal("cannot write the server certificate of " + layout.dir.string() + ": " +
                                std::strerror(errno));
    }
  }
  if (readBeneath(layout.dir, kCaBundleFile, 0, 64 << 10).value_or("") != ca->bundlePem() &&
      !replaceBeneath(layout.dir, kCaBundleFile, ca->bundlePem(), owner)) {
    return ApiError::internal("cannot write the CA bundle of " + layout.dir.string() + ": " + std::strerror(errno));
  }
  return true;
}

std::optional<SystemTime> serverCertificateValidTill(const std::filesystem::path& engineDir) {
  auto pem = readBeneath(engineDir, kServerCertificateFile, 0, 64 << 10);
  if (!pem) return std::nullopt;
  return CertificateAuthority::validTillOf(*pem);
}

bool postgresForcesTls(const EngineLayout& layout) {
  auto found = layout.parameters.find(kPostgresForceSsl);
  return layout.certificateAuthority != nullptr && found != layout.parameters.end() && found->second == "1";
}

std::string postgresTlsSettings(const EngineLayout& layout) {
  if (layout.certificateAuthority == nullptr) return "";
  return "ssl = on\n"
         "ssl_cert_file = '" + (layout.dir / kServerCertificateFile).string() + "'\n"
         "ssl_key_file = '" + (layout.dir / kServerKeyFile).string() + "'\n";
}

std::string mariaDbTlsSettings(const EngineLayout& layout) {
  if (layout.certificateAuthority == nullptr) return "";
  return "ssl_cert = " + (layout.dir / kServerCertificateFile).string() + "\n"
         "ssl_key = " + (layout.dir / kServerKeyFile).string() + "\n"
         "ssl_ca = " + (layout.dir / kCaBundleFile).string() + "\n";
}

}  // namespace kura::rds

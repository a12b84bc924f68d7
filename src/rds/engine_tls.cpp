#include "rds/engine_tls.h"

#include "common/certificate_authority.h"

namespace kura::rds {

Result<bool> writeServerCertificate(const EngineLayout& layout, const std::optional<FileOwner>& owner) {
  const CertificateAuthority* ca = layout.certificateAuthority;
  if (ca == nullptr) return false;
  return kura::writeServerCertificate(*ca, layout.dir, layout.serverNames, owner);
}

std::optional<SystemTime> serverCertificateValidTill(const std::filesystem::path& engineDir) {
  return kura::serverCertificateValidTill(engineDir);
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

#pragma once
// A server's TLS files, issued by Kura's CA, in a directory the engine that
// serves them owns: its key, its certificate and the CA's bundle. RDS
// instances (rds/engine_tls.h) and ElastiCache's Redis nodes with in-transit
// encryption both serve them.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/certificate_authority.h"
#include "common/confined_file.h"

namespace kura {

// Beneath the engine's directory.
inline constexpr const char* kServerKeyFile = "server-key.pem";
inline constexpr const char* kServerCertificateFile = "server-cert.pem";
inline constexpr const char* kCaBundleFile = "ca-bundle.pem";

// Writes the key, the certificate and the CA's bundle into `dir`, issuing a
// new certificate when the one there is not the CA's, not for exactly
// `names`, or ends within 30 days.
Result<bool> writeServerCertificate(const CertificateAuthority& ca, const std::filesystem::path& dir,
                                    const std::vector<std::string>& names, const std::optional<FileOwner>& owner);
// When the certificate in `dir` ends; empty when there is none.
std::optional<SystemTime> serverCertificateValidTill(const std::filesystem::path& dir);

}  // namespace kura

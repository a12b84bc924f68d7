#pragma once
// TLS of an RDS instance's engine: the server key and certificate Kura's CA
// issues it for the names clients reach it by, and the settings that make
// PostgreSQL and MariaDB serve them. The files lie in the engine's own
// directory (its user's, mode 0600): the engine reads them, a tenant never
// does (the master user has no server-file access in either engine).
#include <optional>
#include <string>

#include "common/confined_file.h"
#include "common/server_certificate.h"
#include "rds/instance_engine.h"

namespace kura::rds {

// The files (kServerKeyFile, ...) lie beneath EngineLayout::dir.
// Writes the key, the certificate and the CA's bundle for `layout`, issuing
// a new certificate when the one there is not the CA's, not for exactly the
// layout's names, or ends within 30 days. True when the engine has TLS
// files to serve; false when the layout has no CA (no TLS).
Result<bool> writeServerCertificate(const EngineLayout& layout, const std::optional<FileOwner>& owner);
// When the certificate in an engine's directory ends (CertificateDetails);
// empty when there is none.
std::optional<SystemTime> serverCertificateValidTill(const std::filesystem::path& engineDir);

// PostgreSQL: the group's `rds.force_ssl` ("1": TCP clients only over TLS).
inline constexpr const char* kPostgresForceSsl = "rds.force_ssl";
bool postgresForcesTls(const EngineLayout& layout);
// Settings for kura.conf (empty without a CA).
std::string postgresTlsSettings(const EngineLayout& layout);
// Settings for MariaDB's kura.cnf (empty without a CA).
std::string mariaDbTlsSettings(const EngineLayout& layout);

}  // namespace kura::rds

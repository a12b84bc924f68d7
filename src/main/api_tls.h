#pragma once
// Whether `kura serve` answers over HTTPS, and with which certificate: one
// Kura's CA issues (--tls, for the bind address, --tls-names and the
// loopback names) or a configured chain and key (--tls-cert-file,
// --tls-key-file). Plain HTTP stays the default, on loopback above all,
// where the AWS CLI's examples use it.
#include <memory>

#include "common/api_error.h"
#include "common/certificate_authority.h"
#include "http/api_certificate.h"
#include "main/server_config.h"

namespace kura {

// The API's certificate, or null for plain HTTP. Errors say what to fix
// (a key file others can read, a cert without its key, a bad name).
Result<std::unique_ptr<ApiCertificate>> openApiCertificate(const ServerConfig& config, const CertificateAuthority& ca);

// Logs a warning when requests would cross the network in the clear: plain
// HTTP bound to an address other hosts reach. SigV4 keeps the secret keys
// off the wire, but not what is signed: master passwords, secrets' values,
// items and the responses to them.
void warnIfPlainOffLoopback(const ServerConfig& config, bool tls);

}  // namespace kura

#pragma once
// The certificate Kura's API serves over HTTPS, from one of two sources:
//
//  - issued by Kura's own CA (`--tls`), the CA whose bundle RDS clients
//    already trust: for the names the API is reached by, kept in
//    keys/api-server-key.pem and keys/api-server-cert.pem so that a restart
//    serves the same one, valid a year and renewed with 30 days left;
//  - configured (`--tls-cert-file`, `--tls-key-file`): PEM files the
//    operator rotates. The key file must be its owner's alone.
//
// refresh() renews the one, or reloads the other when its files changed;
// `kura serve` runs it every minute and on SIGHUP. A certificate that
// fails to load leaves the one being served in place: a bad rotation
// never takes the API down.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/certificate_authority.h"
#include "http/tls_context_slot.h"

namespace kura {

struct ApiCertificateFiles {
  std::filesystem::path chain;  // the certificate, then any intermediates
  std::filesystem::path key;
};

class ApiCertificate {
 public:
  // Kura's own certificate for `names` (apiCertificateNames), taken from
  // `keysDir` when the one there still covers them, else issued anew.
  static Result<std::unique_ptr<ApiCertificate>> issue(const CertificateAuthority& ca,
                                                          std::filesystem::path keysDir,
                                                          std::vector<std::string> names);
  // A configured chain and key; refused when the key file is readable or
  // writable by anyone but its owner.
  static Result<std::unique_ptr<ApiCertificate>> load(ApiCertificateFiles files);

  ~ApiCertificate();
  ApiCertificate(const ApiCertificate&) = delete;
  ApiCertificate& operator=(const ApiCertificate&) = delete;

  // What the listener hands new connections.
  const std::shared_ptr<TlsContextSlot>& slot() const { return slot_; }
  // Renews an issued certificate that is due, reloads configured files
  // that changed (or, with `force`, that did not). True when a new
  // certificate is now served.
  Result<bool> refresh(bool force = false);
  // Where it comes from and when it ends, for the log.
  std::string summary() const;

 private:
  struct Source;
  explicit ApiCertificate(std::unique_ptr<Source> source);
  Result<bool> refreshLocked(bool force);

  mutable std::mutex mutex_;        // one refresh at a time (timer, SIGHUP)
  std::unique_ptr<Source> source_;  // guarded by mutex_
  std::shared_ptr<TlsContextSlot> slot_;
};

// Who Kura's own certificate names, the first being its common name: the
// bind address (or, for a wildcard bind, `hostName`, when it is a valid
// DNS name), then `extra` (--tls-names), then localhost, 127.0.0.1 and ::1,
// which every local client uses. IP addresses are written canonically and
// DNS names in lower case, each once. Fails on an extra name that is
// neither an IP address nor a DNS name.
Result<std::vector<std::string>> apiCertificateNames(const std::string& host, const std::string& hostName,
                                                        const std::vector<std::string>& extra);

// Why a private key file of mode `mode` must not be served, or empty when
// it may: any permission for the group or others lets another user of the
// host read (or replace) the key that proves the server is itself.
std::string keyFileModeProblem(const std::filesystem::path& file, mode_t mode);

}  // namespace kura

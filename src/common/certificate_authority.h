#pragma once
// Kura's certificate authority: one per data directory, which issues the
// server certificates of the database engines (RDS instances serve TLS with
// them; clients verify them with the CA's bundle, as they would with RDS's).
//
// Its key (ECDSA P-256, `keys/rds-ca.key`, mode 0600) and its self-signed
// certificate (`keys/rds-ca.pem`) are made once, atomically (temporary file,
// then rename), and kept: every certificate it issued stays verifiable.
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/api_error.h"
#include "common/clock.h"

namespace kura {

struct IssuedCertificate {
  std::string keyPem;          // the server's private key (PKCS#8)
  std::string certificatePem;  // its certificate, signed by the CA
};

class CertificateAuthority {
 public:
  ~CertificateAuthority();
  CertificateAuthority(const CertificateAuthority&) = delete;
  CertificateAuthority& operator=(const CertificateAuthority&) = delete;

  // The CA of `keysDir` (Kura's keys/), made there the first time.
  static Result<std::unique_ptr<CertificateAuthority>> openOrCreate(const std::filesystem::path& keysDir);

  // "kura-ca-<year it was made>": what DescribeCertificates and an
  // instance's CACertificateIdentifier call it.
  const std::string& identifier() const { return identifier_; }
  // The bundle clients verify servers with: the CA's certificate (PEM).
  const std::string& bundlePem() const { return certificatePem_; }
  // SHA-1 of the certificate (DER), lower-case hex, as RDS shows it.
  const std::string& thumbprint() const { return thumbprint_; }
  SystemTime validFrom() const { return validFrom_; }
  SystemTime validTill() const { return validTill_; }

  // A new key and a certificate for a server known by `names` (IP
  // addresses and DNS names, each in the subjectAltName; the first is the
  // common name), valid `validity` from now.
  Result<IssuedCertificate> issue(const std::vector<std::string>& names, std::chrono::hours validity) const;
  // Whether `issued` (key and certificate) is this CA's, for exactly
  // `names`, and valid for at least `remaining` more.
  bool stillCovers(const IssuedCertificate& issued, const std::vector<std::string>& names,
                   std::chrono::hours remaining) const;
  // When a certificate (PEM) ends; empty when it cannot be read.
  static std::optional<SystemTime> validTillOf(const std::string& certificatePem);

 private:
  CertificateAuthority() = default;
  struct Native;  // the key and certificate, as OpenSSL holds them
  std::unique_ptr<Native> native_;
  std::string identifier_;
  std::string certificatePem_;
  std::string thumbprint_;
  SystemTime validFrom_{};
  SystemTime validTill_{};
};

}  // namespace kura

#include "common/certificate_authority.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "common/crypto.h"
#include "common/key_file.h"

namespace kura {
namespace {

namespace fs = std::filesystem;

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;
using CertPtr = std::unique_ptr<X509, CertFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

constexpr std::chrono::hours kCaValidity{24 * 365 * 20};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

std::string keyPemOf(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return bioText(bio.get());
}

std::string certificatePemOf(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bioText(bio.get());
}

KeyPtr keyOfPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

CertPtr certificateOfPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return CertPtr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

SystemTime timeOf(const ASN1_TIME* time) {
  struct tm parts {};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return {};
  return std::chrono::system_clock::from_time_t(::timegm(&parts));
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

bool isIpAddress(const std::string& name) {
  unsigned char buffer[16];
  return ::inet_pton(AF_INET, name.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

// "IP:127.0.0.1,DNS:localhost": the names in a subjectAltName's syntax.
std::string altNamesOf(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ",") + std::string(isIpAddress(name) ? "IP:" : "DNS:") + name;
  return out;
}

// The names a certificate's subjectAltName holds, IP addresses as text.
std::set<std::string> altNamesIn(X509* cert) {
  std::set<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int index = 0; index < sk_GENERAL_NAME_num(names); ++index) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, index);
    if (name->type == GEN_DNS) {
      out.insert(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                             static_cast<size_t>(ASN1_STRING_length(name->d.dNSName))));
    } else if (name->type == GEN_IPADD) {
      char text[INET6_ADDRSTRLEN] = {};
      int length = ASN1_STRING_length(name->d.iPAddress);
      const unsigned char* bytes = ASN1_STRING_get0_data(name->d.iPAddress);
      if (length == 4 && ::inet_ntop(AF_INET, bytes, text, sizeof text) != nullptr) out.insert(text);
      if (length == 16 && ::inet_ntop(AF_INET6, bytes, text, sizeof text) != nullptr) out.insert(text);
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// A certificate with a random serial, valid from an hour ago (clocks of
// clients differ a little) for `validity`.
CertPtr newCertificate(EVP_PKEY* key, const std::string& commonName, std::chrono::hours validity) {
  CertPtr cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3
  std::string serial = randomBytes(16);
  serial[0] = static_cast<char>(serial[0] & 0x7f);  // positive
  BIGNUM* number = BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()), static_cast<int>(serial.size()), nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(std::chrono::seconds(validity).count()));
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Kura"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(commonName.c_str()),
                             -1, -1, 0);
  return cert;
}

}  // namespace

struct CertificateAuthority::Native {
  KeyPtr key;
  CertPtr certificate;
};

CertificateAuthority::~CertificateAuthority() = default;

Result<std::unique_ptr<CertificateAuthority>> CertificateAuthority::openOrCreate(const fs::path& keysDir) {
  // One at a time in this process; the files are renamed into place whole.
  static std::mutex creating;
  std::lock_guard<std::mutex> lock(creating);
  std::error_code ec;
  fs::create_directories(keysDir, ec);
  const fs::path keyFile = keysDir / "rds-ca.key";
  const fs::path certificateFile = keysDir / "rds-ca.pem";
  std::unique_ptr<CertificateAuthority> ca(new CertificateAuthority());
  ca->native_ = std::make_unique<Native>();
  Native& native = *ca->native_;
  if (fs::exists(keyFile, ec)) {
    native.key = keyOfPem(readFile(keyFile));
    if (!native.key) return ApiError::internal("cannot read the certificate authority's key " + keyFile.string());
  } else {
    native.key.reset(EVP_EC_gen("P-256"));
    if (!native.key || !writeKeyFile(keyFile, keyPemOf(native.key.get()))) {
      return ApiError::internal("cannot write the certificate authority's key " + keyFile.string());
    }
  }
  if (fs::exists(certificateFile, ec)) {
    native.certificate = certificateOfPem(readFile(certificateFile));
    if (!native.certificate || X509_check_private_key(native.certificate.get(), native.key.get()) != 1) {
      return ApiError::internal("the certificate authority's certificate " + certificateFile.string() +
                                " is unreadable or not its key's");
    }
  } else {
    std::time_t now = std::time(nullptr);
    struct tm parts {};
    ::gmtime_r(&now, &parts);
    std::string name = "Kura RDS CA " + std::to_string(parts.tm_year + 1900);
    CertPtr cert = newCertificate(native.key.get(), name, kCaValidity);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
    bool made = addExtension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE") &&
                addExtension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign") &&
                addExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash") &&
                X509_sign(cert.get(), native.key.get(), EVP_sha256()) > 0;
    if (!made || !writeKeyFile(certificateFile, certificatePemOf(cert.get()))) {
      return ApiError::internal("cannot write the certificate authority's certificate " + certificateFile.string());
    }
    native.certificate = std::move(cert);
  }
  ca->certificatePem_ = certificatePemOf(native.certificate.get());
  unsigned char* der = nullptr;
  int length = i2d_X509(native.certificate.get(), &der);
  if (length <= 0) return ApiError::internal("cannot encode the certificate authority's certificate");
  ca->thumbprint_ = toHex(sha1(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(length))));
  OPENSSL_free(der);
  ca->validFrom_ = timeOf(X509_get0_notBefore(native.certificate.get()));
  ca->validTill_ = timeOf(X509_get0_notAfter(native.certificate.get()));
  // The year it was made, from its own validity (an hour before it was made).
  std::time_t made = std::chrono::system_clock::to_time_t(ca->validFrom_ + std::chrono::hours(1));
  struct tm parts {};
  ::gmtime_r(&made, &parts);
  ca->identifier_ = "kura-ca-" + std::to_string(parts.tm_year + 1900);
  return ca;
}

Result<IssuedCertificate> CertificateAuthority::issue(const std::vector<std::string>& names,
                                                      std::chrono::hours validity) const {
  if (names.empty()) return ApiError::internal("a server certificate needs a name");
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return ApiError::internal("cannot make a server key");
  CertPtr cert = newCertificate(key.get(), names.front(), validity);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(native_->certificate.get()));
  bool made = addExtension(cert.get(), native_->certificate.get(), NID_basic_constraints, "critical,CA:FALSE") &&
              addExtension(cert.get(), native_->certificate.get(), NID_key_usage, "critical,digitalSignature") &&
              addExtension(cert.get(), native_->certificate.get(), NID_ext_key_usage, "serverAuth") &&
              addExtension(cert.get(), native_->certificate.get(), NID_authority_key_identifier, "keyid:always") &&
              addExtension(cert.get(), native_->certificate.get(), NID_subject_alt_name, altNamesOf(names)) &&
              X509_sign(cert.get(), native_->key.get(), EVP_sha256()) > 0;
  if (!made) return ApiError::internal("cannot issue a server certificate for " + names.front());
  return IssuedCertificate{keyPemOf(key.get()), certificatePemOf(cert.get())};
}

std::optional<SystemTime> CertificateAuthority::validTillOf(const std::string& certificatePem) {
  CertPtr cert = certificateOfPem(certificatePem);
  if (!cert) return std::nullopt;
  return timeOf(X509_get0_notAfter(cert.get()));
}

bool CertificateAuthority::stillCovers(const IssuedCertificate& issued, const std::vector<std::string>& names,
                                       std::chrono::hours remaining) const {
  CertPtr cert = certificateOfPem(issued.certificatePem);
  KeyPtr key = keyOfPem(issued.keyPem);
  if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1) return false;
  EVP_PKEY* caKey = X509_get0_pubkey(native_->certificate.get());
  if (caKey == nullptr || X509_verify(cert.get(), caKey) != 1) return false;
  std::time_t until = std::time(nullptr) + static_cast<std::time_t>(std::chrono::seconds(remaining).count());
  if (X509_cmp_time(X509_get0_notAfter(cert.get()), &until) <= 0) return false;
  return altNamesIn(cert.get()) == std::set<std::string>(names.begin(), names.end());
}

}  // namespace kura

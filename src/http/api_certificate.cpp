#include "http/api_certificate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/key_file.h"
#include "common/time_format.h"

namespace kura {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIssuedKeyFile = "api-server-key.pem";
constexpr const char* kIssuedCertificateFile = "api-server-cert.pem";
// As the engines' certificates (rds/engine_tls.cpp): a year, renewed with
// 30 days left, so that a server checked every minute never serves an
// expired one and a client that pins it has a month's notice.
constexpr std::chrono::hours kIssuedValidity{24 * 365};
constexpr std::chrono::hours kRenewBefore{24 * 30};
// A configured certificate that ends within this is warned about, once a day.
constexpr std::chrono::hours kExpiryWarning{24 * 14};
constexpr std::chrono::hours kExpiryWarningInterval{24};
// A chain of a few certificates is some kilobytes; anything past this is
// not a PEM file meant for Kura.
constexpr off_t kMaxPemBytes = 1 << 20;

// What tells that a configured file changed: replaced (inode), rewritten
// (size, mtime) or given new permissions (ctime).
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t modifiedNs = 0;
  int64_t changedNs = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp stampOf(const struct stat& status) {
  return {status.st_dev, status.st_ino, status.st_size,
          int64_t{status.st_mtim.tv_sec} * 1'000'000'000 + status.st_mtim.tv_nsec,
          int64_t{status.st_ctim.tv_sec} * 1'000'000'000 + status.st_ctim.tv_nsec};
}

std::optional<FileStamp> stampOf(const fs::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return std::nullopt;
  return stampOf(status);
}

struct PemFile {
  std::string text;
  FileStamp stamp;
  mode_t mode = 0;
};

// Reads a configured file; its mode and stamp come from the descriptor
// read, so that what is checked is what was read.
Result<PemFile> readPemFile(const fs::path& path, const std::string& what) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return ApiError::sender("Config", "cannot read the TLS " + what + " file " + path.string() + ": " +
                                          std::strerror(errno));
  }
  PemFile file;
  struct stat status {};
  bool regular = ::fstat(fd, &status) == 0 && S_ISREG(status.st_mode);
  if (!regular || status.st_size > kMaxPemBytes) {
    ::close(fd);
    return ApiError::sender("Config", "the TLS " + what + " file " + path.string() +
                                          " is not a regular file of at most 1 MiB");
  }
  file.stamp = stampOf(status);
  file.mode = status.st_mode;
  file.text.resize(static_cast<size_t>(status.st_size));
  size_t done = 0;
  while (done < file.text.size()) {
    ssize_t got = ::read(fd, file.text.data() + done, file.text.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  file.text.resize(done);
  return file;
}

std::string readOwnFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text;
  text.resize(static_cast<size_t>(kMaxPemBytes));
  in.read(text.data(), kMaxPemBytes);
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

std::optional<std::string> canonicalAddress(const std::string& name) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(name, ec);
  if (ec) return std::nullopt;
  return address.to_string();
}

// A DNS name a certificate may hold: labels of letters, digits and inner
// hyphens (a leading "*." for a wildcard), lower-cased. Nothing else gets
// through: the names are written into OpenSSL's "DNS:a,IP:b" syntax.
std::optional<std::string> canonicalDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return std::nullopt;
  std::string lower;
  size_t labelLength = 0;
  for (size_t index = 0; index < name.size(); ++index) {
    char c = name[index];
    bool wildcard = index == 0 && c == '*' && name.size() > 2 && name[1] == '.';
    bool labelEnd = index + 1 == name.size() || name[index + 1] == '.';
    if (c == '.') {
      if (labelLength == 0) return std::nullopt;
      labelLength = 0;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || wildcard ||
               (c == '-' && labelLength > 0 && !labelEnd)) {
      if (++labelLength > 63) return std::nullopt;
    } else {
      return std::nullopt;
    }
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (labelLength == 0) return std::nullopt;
  return lower;
}

std::optional<std::string> canonicalName(const std::string& name) {
  if (auto address = canonicalAddress(name)) return address;
  return canonicalDnsName(name);
}

bool isWildcardBind(const std::string& host) {
  auto address = canonicalAddress(host);
  return host.empty() || (address && (*address == "0.0.0.0" || *address == "::"));
}

std::string validTillText(const std::optional<SystemTime>& validTill) {
  return validTill ? formatIso8601Seconds(*validTill) : "unknown";
}

}  // namespace

// Either an issued certificate (ca set) or a configured one.
struct ApiCertificate::Source {
  const CertificateAuthority* ca = nullptr;
  fs::path keysDir;
  std::vector<std::string> names;

  ApiCertificateFiles files;
  std::optional<FileStamp> chainStamp;  // of what is served
  std::optional<FileStamp> keyStamp;

  std::optional<SystemTime> validTill;
  SystemTime lastExpiryWarning{};
};

Result<std::vector<std::string>> apiCertificateNames(const std::string& host, const std::string& hostName,
                                                        const std::vector<std::string>& extra) {
  std::vector<std::string> names;
  auto add = [&names](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  // A wildcard bind is reached by the host's name; a name that is not a
  // valid DNS name (rare, but hostnames are set freely) is left out.
  if (isWildcardBind(host)) {
    if (auto name = canonicalDnsName(hostName)) add(*name);
  } else if (auto name = canonicalName(host)) {
    add(*name);
  } else {
    return ApiError::sender("Config", "the bind address " + host + " cannot be named in a certificate");
  }
  for (const std::string& given : extra) {
    auto name = canonicalName(given);
    if (!name) {
      return ApiError::sender("Config", "--tls-names: '" + given + "' is neither an IP address nor a DNS name");
    }
    add(*name);
  }
  for (const char* local : {"localhost", "127.0.0.1", "::1"}) add(local);
  return names;
}

std::string keyFileModeProblem(const fs::path& file, mode_t mode) {
  if ((mode & 077) == 0) return "";
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
  return "the TLS key file " + file.string() + " is open to its group or to others (mode " + octal +
         "): make it its owner's alone (chmod 600 " + file.string() + ")";
}

ApiCertificate::ApiCertificate(std::unique_ptr<Source> source) : source_(std::move(source)) {}

ApiCertificate::~ApiCertificate() = default;

Result<std::unique_ptr<ApiCertificate>> ApiCertificate::issue(const CertificateAuthority& ca, fs::path keysDir,
                                                                    std::vector<std::string> names) {
  auto source = std::make_unique<Source>();
  source->ca = &ca;
  source->keysDir = std::move(keysDir);
  source->names = std::move(names);
  std::unique_ptr<ApiCertificate> certificate(new ApiCertificate(std::move(source)));
  std::lock_guard<std::mutex> lock(certificate->mutex_);
  auto first = certificate->refreshLocked(true);
  if (!first) return first.error();
  return certificate;
}

Result<std::unique_ptr<ApiCertificate>> ApiCertificate::load(ApiCertificateFiles files) {
  auto source = std::make_unique<Source>();
  source->files = std::move(files);
  std::unique_ptr<ApiCertificate> certificate(new ApiCertificate(std::move(source)));
  std::lock_guard<std::mutex> lock(certificate->mutex_);
  auto first = certificate->refreshLocked(true);
  if (!first) return first.error();
  return certificate;
}

Result<bool> ApiCertificate::refresh(bool force) {
  std::lock_guard<std::mutex> lock(mutex_);
  return refreshLocked(force);
}

Result<bool> ApiCertificate::refreshLocked(bool force) {
  Source& source = *source_;
  std::string chainPem;
  std::string keyPem;
  if (source.ca != nullptr) {
    // `force` only loads what is on disk (at start); renewal is by date.
    IssuedCertificate current{readOwnFile(source.keysDir / kIssuedKeyFile),
                              readOwnFile(source.keysDir / kIssuedCertificateFile)};
    bool covered = source.ca->stillCovers(current, source.names, kRenewBefore);
    if (covered && !force) return false;
    if (!covered) {
      auto issued = source.ca->issue(source.names, kIssuedValidity);
      if (!issued) return issued.error();
      // The key first: a certificate is never found beside another's key.
      if (!writeKeyFile(source.keysDir / kIssuedKeyFile, issued->keyPem) ||
          !writeKeyFile(source.keysDir / kIssuedCertificateFile, issued->certificatePem)) {
        return ApiError::internal("cannot write the API's certificate in " + source.keysDir.string() + ": " +
                                  std::strerror(errno));
      }
      current = std::move(*issued);
    }
    chainPem = std::move(current.certificatePem);
    keyPem = std::move(current.keyPem);
  } else {
    if (!force && source.chainStamp && source.chainStamp == stampOf(source.files.chain) &&
        source.keyStamp == stampOf(source.files.key)) {
      if (source.validTill && *source.validTill - std::chrono::system_clock::now() < kExpiryWarning &&
          std::chrono::system_clock::now() - source.lastExpiryWarning > kExpiryWarningInterval) {
        source.lastExpiryWarning = std::chrono::system_clock::now();
        spdlog::warn("msg=\"the API's TLS certificate ends soon: replace its files, then send SIGHUP\" file={} "
                     "valid_till={}",
                     source.files.chain.string(), validTillText(source.validTill));
      }
      return false;
    }
    auto key = readPemFile(source.files.key, "key");
    if (!key) return key.error();
    auto chain = readPemFile(source.files.chain, "certificate");
    if (!chain) return chain.error();
    // Files that fail below are tried again once they change (the second
    // of a pair being written, a chmod), not every minute meanwhile.
    source.chainStamp = chain->stamp;
    source.keyStamp = key->stamp;
    if (std::string problem = keyFileModeProblem(source.files.key, key->mode); !problem.empty()) {
      return ApiError::sender("Config", problem);
    }
    chainPem = std::move(chain->text);
    keyPem = std::move(key->text);
  }
  auto context = makeTlsServerContext(chainPem, keyPem);
  if (!context) return context.error();
  source.validTill = CertificateAuthority::validTillOf(chainPem);
  if (slot_) {
    slot_->replace(std::move(*context));
  } else {
    slot_ = std::make_shared<TlsContextSlot>(std::move(*context));
  }
  return true;
}

std::string ApiCertificate::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const Source& source = *source_;
  std::ostringstream out;
  if (source.ca != nullptr) {
    out << "source=issued ca=" << source.ca->identifier() << " names=";
    for (size_t index = 0; index < source.names.size(); ++index) out << (index ? "," : "") << source.names[index];
  } else {
    out << "source=configured file=" << source.files.chain.string();
  }
  out << " valid_till=" << validTillText(source.validTill);
  return out.str();
}

}  // namespace kura

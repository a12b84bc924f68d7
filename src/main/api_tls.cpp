#include "main/api_tls.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

namespace kura {
namespace {

std::string hostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

}  // namespace

Result<std::unique_ptr<ApiCertificate>> openApiCertificate(const ServerConfig& config, const CertificateAuthority& ca) {
  bool configured = !config.tlsCertFile.empty() || !config.tlsKeyFile.empty();
  if (configured && (config.tlsCertFile.empty() || config.tlsKeyFile.empty())) {
    return ApiError::sender("Config", "--tls-cert-file and --tls-key-file go together: give both, or neither");
  }
  if (configured && !config.tlsNames.empty()) {
    return ApiError::sender("Config", "--tls-names names the certificate Kura issues (--tls); a configured "
                                      "certificate has its own names: drop --tls-names");
  }
  if (configured) {
    auto loaded = ApiCertificate::load({config.tlsCertFile, config.tlsKeyFile});
    if (!loaded) return loaded.error();
    return std::move(*loaded);
  }
  if (!config.tls) {
    if (!config.tlsNames.empty()) return ApiError::sender("Config", "--tls-names needs --tls");
    return std::unique_ptr<ApiCertificate>();
  }
  auto names = apiCertificateNames(config.host, hostName(), config.tlsNames);
  if (!names) return names.error();
  auto issued = ApiCertificate::issue(ca, config.dataDir / "keys", std::move(*names));
  if (!issued) return issued.error();
  return std::move(*issued);
}

void warnIfPlainOffLoopback(const ServerConfig& config, bool tls) {
  if (tls || isLoopbackHost(config.host)) return;
  spdlog::warn("msg=\"serving plain HTTP on a non-loopback address: requests and responses (master passwords, "
               "secret values, items) cross the network unencrypted; serve HTTPS with --tls or --tls-cert-file "
               "and --tls-key-file, or put TLS termination in front\" host={}",
               config.host);
}

}  // namespace kura

#include "main/credentials_loader.h"

#include <fstream>
#include <sstream>

namespace kura {

Result<bool> loadCredentials(const ServerConfig& config, auth::StaticCredentialStore& store) {
  bool configured = false;
  if (!config.accessKeyId.empty() || !config.secretAccessKey.empty()) {
    if (config.accessKeyId.empty() || config.secretAccessKey.empty()) {
      return ApiError::sender("Config", "both an access key id and a secret access key must be configured");
    }
    store.add({config.accessKeyId, config.secretAccessKey, config.accountId, "admin"});
    configured = true;
  }
  if (!config.credentialsFile.empty()) {
    std::ifstream file(config.credentialsFile);
    if (!file) return ApiError::sender("Config", "cannot read credentials file " + config.credentialsFile.string());
    std::string line;
    int lineNumber = 0;
    while (std::getline(file, line)) {
      ++lineNumber;
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::string keyId, secret, user;
      fields >> keyId >> secret >> user;
      if (keyId.empty() || secret.empty()) {
        return ApiError::sender("Config", "credentials file line " + std::to_string(lineNumber) +
                                              " needs an access key id and a secret");
      }
      store.add({keyId, secret, config.accountId, user.empty() ? keyId : user});
      configured = true;
    }
  }
  if (isLoopbackHost(config.host)) {
    store.add({"test", "test", config.accountId, "root"});
  } else if (!configured) {
    return ApiError::sender("Config", "refusing to listen on " + config.host +
                                          " without configured credentials: set KURA_ACCESS_KEY_ID and "
                                          "KURA_SECRET_ACCESS_KEY (or --credentials-file), or bind to 127.0.0.1");
  }
  return configured;
}

}  // namespace kura

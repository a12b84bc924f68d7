#include "client/aws_environment.h"

#include <cstdlib>

#include "client/ini_profiles.h"

namespace kura::client {
namespace {

std::string variable(const EnvironmentLookup& environment, std::string_view name) {
  std::optional<std::string> value = environment(name);
  return value ? *value : std::string();
}

std::string homeFile(const EnvironmentLookup& environment, std::string_view override, std::string_view leaf) {
  std::string path = variable(environment, override);
  if (!path.empty()) return path;
  std::string home = variable(environment, "HOME");
  return home.empty() ? std::string() : home + "/.aws/" + std::string(leaf);
}

const IniSection* findSection(const IniFile& file, const std::string& name) {
  auto it = file.find(name);
  return it == file.end() ? nullptr : &it->second;
}

std::string valueOf(const IniSection* section, std::string_view key) {
  if (section == nullptr) return {};
  auto it = section->find(key);
  return it == section->end() ? std::string() : it->second;
}

}  // namespace

EnvironmentLookup processEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::variant<ClientIdentity, std::string> resolveIdentity(const EnvironmentLookup& environment,
                                                          const std::string& profileOption,
                                                          const std::string& regionOption) {
  std::string profile = profileOption.empty() ? variable(environment, "AWS_PROFILE") : profileOption;
  bool profileChosen = !profile.empty();
  if (profile.empty()) profile = "default";
  IniFile credentialsFile = readIniFile(homeFile(environment, "AWS_SHARED_CREDENTIALS_FILE", "credentials"));
  IniFile configFile = readIniFile(homeFile(environment, "AWS_CONFIG_FILE", "config"));
  const IniSection* credentialsSection = findSection(credentialsFile, profile);
  const IniSection* configSection =
      findSection(configFile, profile == "default" ? std::string("default") : "profile " + profile);
  if (configSection == nullptr && profile == "default") configSection = findSection(configFile, "profile default");

  ClientIdentity identity;
  // An explicit --profile wins over the environment's keys, as in the AWS CLI.
  std::string envKey = variable(environment, "AWS_ACCESS_KEY_ID");
  std::string envSecret = variable(environment, "AWS_SECRET_ACCESS_KEY");
  if (profileOption.empty() && !envKey.empty() && !envSecret.empty()) {
    identity.credentials = {envKey, envSecret, variable(environment, "AWS_SESSION_TOKEN"), "environment"};
  } else {
    for (const IniSection* section : {credentialsSection, configSection}) {
      std::string key = valueOf(section, "aws_access_key_id");
      std::string secret = valueOf(section, "aws_secret_access_key");
      if (!key.empty() && !secret.empty()) {
        identity.credentials = {key, secret, valueOf(section, "aws_session_token"), "profile " + profile};
        break;
      }
    }
  }
  if (identity.credentials.accessKeyId.empty()) {
    if (profileChosen && credentialsSection == nullptr && configSection == nullptr) {
      return "profile " + profile + " is in neither ~/.aws/credentials nor ~/.aws/config";
    }
    return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give a profile with "
           "aws_access_key_id and aws_secret_access_key (--profile or AWS_PROFILE)";
  }

  identity.region = regionOption;
  for (std::string_view name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (identity.region.empty()) identity.region = variable(environment, name);
  }
  if (identity.region.empty()) identity.region = valueOf(configSection, "region");
  if (identity.region.empty()) identity.region = valueOf(credentialsSection, "region");
  if (identity.region.empty()) {
    return "no AWS region: give --region, set AWS_REGION or AWS_DEFAULT_REGION, or set region in the profile";
  }
  return identity;
}

}  // namespace kura::client

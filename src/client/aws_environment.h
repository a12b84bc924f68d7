#pragma once
// Credentials and region from the usual AWS environment, as the SDKs find
// them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then
// the profile (--profile, else AWS_PROFILE, else "default") in
// ~/.aws/credentials and ~/.aws/config (AWS_SHARED_CREDENTIALS_FILE,
// AWS_CONFIG_FILE); the region from --region, AWS_REGION,
// AWS_DEFAULT_REGION, then the profile's `region`.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace kura::client {

struct AwsCredentials {
  std::string accessKeyId, secretAccessKey, sessionToken;
  std::string source;  // where they came from, for messages ("environment", "profile prod")
};

struct ClientIdentity {
  AwsCredentials credentials;
  std::string region;
};

// Looks a variable up; the process environment in production, a map in tests.
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvironmentLookup processEnvironment();

// An error is one sentence saying what is missing and how to provide it.
std::variant<ClientIdentity, std::string> resolveIdentity(const EnvironmentLookup& environment,
                                                          const std::string& profileOption,
                                                          const std::string& regionOption);

}  // namespace kura::client

// Credentials and region from the AWS environment and shared files, and
// endpoint URLs.
#include "client/aws_environment.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "client/endpoint.h"

namespace kura::client {
namespace {

namespace fs = std::filesystem;

class AwsEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() / ("kura-env-test-" + std::to_string(::getpid()));
    fs::create_directories(home_ / ".aws");
    variables_["HOME"] = home_.string();
  }
  void TearDown() override { fs::remove_all(home_); }

  void write(const std::string& leaf, const std::string& text) { std::ofstream(home_ / ".aws" / leaf) << text; }
  EnvironmentLookup lookup() const {
    return [this](std::string_view name) -> std::optional<std::string> {
      auto it = variables_.find(std::string(name));
      if (it == variables_.end()) return std::nullopt;
      return it->second;
    };
  }

  fs::path home_;
  std::map<std::string, std::string> variables_;
};

TEST_F(AwsEnvironmentTest, EnvironmentKeysComeFirst) {
  write("credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = file-secret\n");
  variables_["AWS_ACCESS_KEY_ID"] = "ENV";
  variables_["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  variables_["AWS_SESSION_TOKEN"] = "token";
  variables_["AWS_REGION"] = "eu-west-1";
  variables_["AWS_DEFAULT_REGION"] = "us-east-1";
  auto identity = std::get<ClientIdentity>(resolveIdentity(lookup(), "", ""));
  EXPECT_EQ(identity.credentials.accessKeyId, "ENV");
  EXPECT_EQ(identity.credentials.sessionToken, "token");
  EXPECT_EQ(identity.region, "eu-west-1");
  EXPECT_EQ(std::get<ClientIdentity>(resolveIdentity(lookup(), "", "ap-northeast-1")).region, "ap-northeast-1");
}

TEST_F(AwsEnvironmentTest, ProfilesFromTheSharedFiles) {
  write("credentials",
        "# comment\n[default]\naws_access_key_id = DEFAULT\naws_secret_access_key = d\n"
        "[audit]\naws_access_key_id = AUDIT\naws_secret_access_key = a\naws_session_token = t\n");
  write("config",
        "[default]\nregion = us-west-2\n[profile audit]\nregion = eu-central-1\n"
        "[profile inline]\naws_access_key_id = INLINE\naws_secret_access_key = i\nregion = sa-east-1\n");
  auto defaults = std::get<ClientIdentity>(resolveIdentity(lookup(), "", ""));
  EXPECT_EQ(defaults.credentials.accessKeyId, "DEFAULT");
  EXPECT_EQ(defaults.region, "us-west-2");
  auto audit = std::get<ClientIdentity>(resolveIdentity(lookup(), "audit", ""));
  EXPECT_EQ(audit.credentials.accessKeyId, "AUDIT");
  EXPECT_EQ(audit.credentials.sessionToken, "t");
  EXPECT_EQ(audit.region, "eu-central-1");
  variables_["AWS_PROFILE"] = "inline";
  auto inlineProfile = std::get<ClientIdentity>(resolveIdentity(lookup(), "", ""));
  EXPECT_EQ(inlineProfile.credentials.accessKeyId, "INLINE");
  EXPECT_EQ(inlineProfile.region, "sa-east-1");
  // --profile wins over keys in the environment.
  variables_["AWS_ACCESS_KEY_ID"] = "ENV";
  variables_["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  EXPECT_EQ(std::get<ClientIdentity>(resolveIdentity(lookup(), "audit", "")).credentials.accessKeyId, "AUDIT");
}

TEST_F(AwsEnvironmentTest, MissingPiecesAreSentences) {
  auto none = resolveIdentity(lookup(), "", "us-east-1");
  ASSERT_TRUE(std::holds_alternative<std::string>(none));
  EXPECT_NE(std::get<std::string>(none).find("no AWS credentials"), std::string::npos);
  EXPECT_NE(std::get<std::string>(resolveIdentity(lookup(), "nope", "")).find("profile nope"), std::string::npos);
  variables_["AWS_ACCESS_KEY_ID"] = "ENV";
  variables_["AWS_SECRET_ACCESS_KEY"] = "env-secret";
  EXPECT_NE(std::get<std::string>(resolveIdentity(lookup(), "", "")).find("no AWS region"), std::string::npos);
}

TEST(Endpoint, ParsesEndpointUrls) {
  auto plain = *parseEndpointUrl("http://127.0.0.1:4566");
  EXPECT_FALSE(plain.tls);
  EXPECT_EQ(plain.host, "127.0.0.1");
  EXPECT_EQ(plain.port, "4566");
  EXPECT_EQ(plain.path, "/");
  EXPECT_EQ(plain.hostHeader(), "127.0.0.1:4566");
  auto secure = *parseEndpointUrl("https://kura.example.com/base");
  EXPECT_TRUE(secure.tls);
  EXPECT_EQ(secure.port, "443");
  EXPECT_EQ(secure.hostHeader(), "kura.example.com");
  EXPECT_EQ(secure.path, "/base/");
  auto six = *parseEndpointUrl("http://[::1]:8080");
  EXPECT_EQ(six.host, "::1");
  EXPECT_EQ(six.hostHeader(), "[::1]:8080");
  for (const char* bad : {"ftp://x", "http://", "http://user@host", "http://h:99999", "http://h:8x", "http://h/?q"}) {
    EXPECT_FALSE(parseEndpointUrl(bad).has_value()) << bad;
  }
  EXPECT_EQ(awsRegionalEndpoint("rds", "eu-west-1").url(), "https://rds.eu-west-1.amazonaws.com/");
  EXPECT_EQ(awsRegionalEndpoint("monitoring", "cn-north-1").host, "monitoring.cn-north-1.amazonaws.com.cn");
}

}  // namespace
}  // namespace kura::client

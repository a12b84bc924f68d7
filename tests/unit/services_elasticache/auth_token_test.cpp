#include "services/elasticache/auth_token.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace kura::elasticache {
namespace {

void expectInvalid(const std::optional<ApiError>& error) {
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, "InvalidParameterValue");
}

TEST(AuthTokenTest, SixteenToOneHundredTwentyEightCharacters) {
  EXPECT_FALSE(checkAuthToken(std::string(16, 'a')).has_value());
  EXPECT_FALSE(checkAuthToken(std::string(128, 'a')).has_value());
  expectInvalid(checkAuthToken(std::string(15, 'a')));
  expectInvalid(checkAuthToken(std::string(129, 'a')));
  expectInvalid(checkAuthToken(""));
}

TEST(AuthTokenTest, OnlyElastiCachesNonAlphanumericCharacters) {
  EXPECT_FALSE(checkAuthToken("Abc123!&#$^<>-xyzQ").has_value());
  for (const char* refused : {"token-with-a-space here", "token-with-a-quote\"1234", "token/with/slashes12345",
                              "token@with-an-at-sign12", "token_with_underscores12", "token.with.dots.123456",
                              "token-with-a-tab\t12345", "tokén-with-an-accent123"}) {
    expectInvalid(checkAuthToken(refused));
  }
}

TEST(AuthTokenTest, ErrorsNeverQuoteTheToken) {
  std::string token = "secret token with spaces";
  auto error = checkAuthToken(token);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message.find("secret"), std::string::npos);
}

TEST(AuthTokenTest, UserPasswordsArePrintableWithoutSpaces) {
  EXPECT_FALSE(checkUserPassword("any_printable.chars@1/2").has_value());
  expectInvalid(checkUserPassword("short"));
  expectInvalid(checkUserPassword(std::string(129, 'p')));
  expectInvalid(checkUserPassword("a password with spaces"));
}

TEST(AuthTokenTest, HashesAreSealedAndOpenedAgain) {
  auto dir = std::filesystem::temp_directory_path() / ("kura-auth-token-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto box = SecretBox::openOrCreate(dir / "secrets.key");
  ASSERT_TRUE(box.ok());
  std::string hash = passwordHash("First-token-0123456789");
  EXPECT_EQ(hash.size(), 64u);
  std::string sealed = sealHashes(**box, {hash, passwordHash("Second-token-0123456789")});
  EXPECT_EQ(sealed.find(hash), std::string::npos);
  auto opened = openHashes(**box, sealed);
  ASSERT_EQ(opened.size(), 2u);
  EXPECT_EQ(opened[0], hash);
  EXPECT_TRUE(openHashes(**box, "not sealed").empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kura::elasticache

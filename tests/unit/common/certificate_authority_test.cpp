#include "common/certificate_authority.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-ca-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

constexpr std::chrono::hours kYear{24 * 365};
constexpr std::chrono::hours kMonth{24 * 30};

TEST_F(CertificateAuthorityTest, IsMadeOnceAndKeptAcrossOpens) {
  auto first = CertificateAuthority::openOrCreate(dir_ / "keys");
  ASSERT_TRUE(first) << first.error().message;
  struct stat key {};
  ASSERT_EQ(::stat((dir_ / "keys" / "rds-ca.key").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  EXPECT_EQ((*first)->identifier().rfind("kura-ca-", 0), 0u);
  EXPECT_EQ((*first)->thumbprint().size(), 40u);
  EXPECT_LT((*first)->validFrom(), (*first)->validTill());
  auto again = CertificateAuthority::openOrCreate(dir_ / "keys");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->bundlePem(), (*first)->bundlePem());
  EXPECT_EQ((*again)->thumbprint(), (*first)->thumbprint());
}

TEST_F(CertificateAuthorityTest, IssuedCertificatesCoverTheirNamesOnly) {
  auto ca = CertificateAuthority::openOrCreate(dir_ / "keys");
  ASSERT_TRUE(ca);
  std::vector<std::string> names = {"127.0.0.1", "127.0.0.2", "localhost"};
  auto issued = (*ca)->issue(names, kYear);
  ASSERT_TRUE(issued) << issued.error().message;
  EXPECT_TRUE((*ca)->stillCovers(*issued, names, kMonth));
  EXPECT_TRUE((*ca)->stillCovers(*issued, {"localhost", "127.0.0.2", "127.0.0.1"}, kMonth));
  EXPECT_FALSE((*ca)->stillCovers(*issued, {"127.0.0.1", "localhost"}, kMonth));  // a name more
  EXPECT_FALSE((*ca)->stillCovers(*issued, {"db.example", "127.0.0.1", "127.0.0.2", "localhost"}, kMonth));
  EXPECT_FALSE((*ca)->stillCovers(*issued, names, kYear + kMonth));  // ends too soon
  // Another key, another CA, or nothing at all: not covered.
  auto other = (*ca)->issue(names, kYear);
  ASSERT_TRUE(other);
  EXPECT_FALSE((*ca)->stillCovers({other->keyPem, issued->certificatePem}, names, kMonth));
  EXPECT_FALSE((*ca)->stillCovers({"", ""}, names, kMonth));
  auto stranger = CertificateAuthority::openOrCreate(dir_ / "other-keys");
  ASSERT_TRUE(stranger);
  EXPECT_FALSE((*stranger)->stillCovers(*issued, names, kMonth));
}

}  // namespace
}  // namespace kura

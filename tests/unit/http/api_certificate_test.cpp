#include "http/api_certificate.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace kura {
namespace {

namespace fs = std::filesystem;

constexpr std::chrono::hours kDay{24};

class ApiCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/kura-api-cert-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
    auto ca = CertificateAuthority::openOrCreate(dir_ / "keys");
    ASSERT_TRUE(ca) << ca.error().message;
    ca_ = std::move(*ca);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void write(const fs::path& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
  }
  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The certificate a context serves, as PEM.
  static std::string servedPem(const TlsContextPtr& context) {
    X509* cert = SSL_CTX_get0_certificate(context->native_handle());
    if (cert == nullptr) return "";
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    long length = BIO_get_mem_data(bio, &data);
    std::string pem(data, static_cast<size_t>(length));
    BIO_free(bio);
    return pem;
  }
  // A chain and key in files, as an operator would configure them.
  ApiCertificateFiles configuredFiles(const std::string& name, std::chrono::hours validity = kDay * 90) {
    auto issued = ca_->issue({name}, validity);
    EXPECT_TRUE(issued);
    ApiCertificateFiles files{dir_ / "api.crt", dir_ / "api.key"};
    write(files.key, issued->keyPem);
    write(files.chain, issued->certificatePem, 0644);
    return files;
  }

  fs::path dir_;
  std::unique_ptr<CertificateAuthority> ca_;
};

std::vector<std::string> namesOf(const std::string& host, const std::string& hostName = "",
                                 const std::vector<std::string>& extra = {}) {
  auto names = apiCertificateNames(host, hostName, extra);
  EXPECT_TRUE(names) << names.error().message;
  return names ? *names : std::vector<std::string>{};
}

TEST(ApiCertificateNames, LoopbackBindIsNamedOnce) {
  EXPECT_EQ(namesOf("127.0.0.1"), (std::vector<std::string>{"127.0.0.1", "localhost", "::1"}));
  EXPECT_EQ(namesOf("::1"), (std::vector<std::string>{"::1", "localhost", "127.0.0.1"}));
}

TEST(ApiCertificateNames, SpecificBindComesFirstAsTheCommonName) {
  EXPECT_EQ(namesOf("10.1.2.3"), (std::vector<std::string>{"10.1.2.3", "localhost", "127.0.0.1", "::1"}));
  EXPECT_EQ(namesOf("fd00:0:0::7"), (std::vector<std::string>{"fd00::7", "localhost", "127.0.0.1", "::1"}));
}

TEST(ApiCertificateNames, WildcardBindIsNamedByTheHostName) {
  EXPECT_EQ(namesOf("0.0.0.0", "DB-1.Example.internal"),
            (std::vector<std::string>{"db-1.example.internal", "localhost", "127.0.0.1", "::1"}));
  EXPECT_EQ(namesOf("::", "db1"), (std::vector<std::string>{"db1", "localhost", "127.0.0.1", "::1"}));
  // A host name no certificate can hold is left out, not an error.
  EXPECT_EQ(namesOf("0.0.0.0", "bad_name,DNS:evil"), (std::vector<std::string>{"localhost", "127.0.0.1", "::1"}));
}

TEST(ApiCertificateNames, ExtraNamesAreCanonicalAndUnique) {
  EXPECT_EQ(namesOf("127.0.0.1", "", {"Kura.Example.com", "*.db.example.com", "0:0::1", "10.0.0.5", "kura.example.com"}),
            (std::vector<std::string>{"127.0.0.1", "kura.example.com", "*.db.example.com", "::1", "10.0.0.5",
                                      "localhost"}));
}

TEST(ApiCertificateNames, ExtraNamesThatAreNoNameAreRefused) {
  for (const std::string& bad : std::vector<std::string>{"a,DNS:b", "", "a..b", "-", "x*.y", "-a.com", "a-.com", std::string(64, 'a') + ".com", "a b"}) {
    auto names = apiCertificateNames("127.0.0.1", "", {bad});
    EXPECT_FALSE(names) << bad;
  }
}

TEST(KeyFileMode, OnlyTheOwnerMayHaveIt) {
  EXPECT_EQ(keyFileModeProblem("k", 0100600), "");
  EXPECT_EQ(keyFileModeProblem("k", 0100400), "");
  for (mode_t mode : {0640, 0604, 0620, 0602, 0644, 0660, 0610}) {
    std::string problem = keyFileModeProblem("/etc/kura/api.key", 0100000 | mode);
    EXPECT_NE(problem, "") << std::oct << mode;
    EXPECT_NE(problem.find("chmod 600 /etc/kura/api.key"), std::string::npos) << problem;
  }
}

TEST_F(ApiCertificateTest, IssuedIsKeptInTheKeysDirectoryAndReusedAtTheNextStart) {
  auto names = namesOf("127.0.0.1");
  auto first = ApiCertificate::issue(*ca_, dir_ / "keys", names);
  ASSERT_TRUE(first) << first.error().message;
  std::string pem = read(dir_ / "keys" / "api-server-cert.pem");
  EXPECT_EQ(servedPem((*first)->slot()->current()), pem);
  struct stat key {};
  ASSERT_EQ(::stat((dir_ / "keys" / "api-server-key.pem").c_str(), &key), 0);
  EXPECT_EQ(key.st_mode & 0777, 0600u);
  EXPECT_TRUE(ca_->stillCovers({read(dir_ / "keys" / "api-server-key.pem"), pem}, names, kDay * 300));
  // Nothing is due: nothing changes.
  auto refreshed = (*first)->refresh();
  ASSERT_TRUE(refreshed);
  EXPECT_FALSE(*refreshed);
  auto again = ApiCertificate::issue(*ca_, dir_ / "keys", names);
  ASSERT_TRUE(again);
  EXPECT_EQ(read(dir_ / "keys" / "api-server-cert.pem"), pem);
}

TEST_F(ApiCertificateTest, IssuedIsRenewedWithLessThanThirtyDaysLeft) {
  auto names = namesOf("127.0.0.1");
  for (auto [left, renewed] : {std::pair{kDay * 10, true}, std::pair{kDay * 60, false}}) {
    auto issued = ca_->issue(names, left);
    ASSERT_TRUE(issued);
    write(dir_ / "keys" / "api-server-key.pem", issued->keyPem);
    write(dir_ / "keys" / "api-server-cert.pem", issued->certificatePem);
    auto certificate = ApiCertificate::issue(*ca_, dir_ / "keys", names);
    ASSERT_TRUE(certificate);
    std::string now = read(dir_ / "keys" / "api-server-cert.pem");
    EXPECT_EQ(now != issued->certificatePem, renewed) << left.count();
    EXPECT_EQ(servedPem((*certificate)->slot()->current()), now);
    auto till = CertificateAuthority::validTillOf(now);
    ASSERT_TRUE(till);
    EXPECT_GT(*till, std::chrono::system_clock::now() + (renewed ? kDay * 300 : kDay * 50));
  }
}

TEST_F(ApiCertificateTest, IssuedIsReissuedForOtherNames) {
  ASSERT_TRUE(ApiCertificate::issue(*ca_, dir_ / "keys", namesOf("127.0.0.1")));
  std::string before = read(dir_ / "keys" / "api-server-cert.pem");
  auto names = namesOf("10.0.0.9");
  ASSERT_TRUE(ApiCertificate::issue(*ca_, dir_ / "keys", names));
  std::string after = read(dir_ / "keys" / "api-server-cert.pem");
  EXPECT_NE(before, after);
  EXPECT_TRUE(ca_->stillCovers({read(dir_ / "keys" / "api-server-key.pem"), after}, names, kDay));
}

TEST_F(ApiCertificateTest, ConfiguredIsServedAndReloadedWhenItsFilesChange) {
  ApiCertificateFiles files = configuredFiles("api.example.com");
  auto certificate = ApiCertificate::load(files);
  ASSERT_TRUE(certificate) << certificate.error().message;
  auto slot = (*certificate)->slot();
  EXPECT_EQ(servedPem(slot->current()), read(files.chain));
  auto unchanged = (*certificate)->refresh();
  ASSERT_TRUE(unchanged);
  EXPECT_FALSE(*unchanged);

  configuredFiles("api2.example.com");  // rotated in place
  auto reloaded = (*certificate)->refresh();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(servedPem(slot->current()), read(files.chain));
  EXPECT_NE((*certificate)->summary().find("source=configured"), std::string::npos);
}

TEST_F(ApiCertificateTest, ConfiguredThatFailsToLoadLeavesTheOneBeforeServed) {
  ApiCertificateFiles files = configuredFiles("api.example.com");
  auto certificate = ApiCertificate::load(files);
  ASSERT_TRUE(certificate);
  TlsContextPtr before = (*certificate)->slot()->current();
  // Half a rotation: a new certificate beside the old key.
  auto other = ca_->issue({"api.example.com"}, kDay * 90);
  ASSERT_TRUE(other);
  write(files.chain, other->certificatePem, 0644);
  EXPECT_FALSE((*certificate)->refresh(true));
  EXPECT_EQ((*certificate)->slot()->current(), before);
  // The key, then, but open to the group.
  write(files.key, other->keyPem, 0640);
  auto refused = (*certificate)->refresh(true);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);
  EXPECT_EQ((*certificate)->slot()->current(), before);
  ::chmod(files.key.c_str(), 0600);
  auto reloaded = (*certificate)->refresh();  // the chmod is a change
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(servedPem((*certificate)->slot()->current()), other->certificatePem);
}

TEST_F(ApiCertificateTest, ConfiguredIsRefusedAtStartWhenBadOrOpen) {
  ApiCertificateFiles files = configuredFiles("api.example.com");
  ::chmod(files.key.c_str(), 0644);
  auto open = ApiCertificate::load(files);
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().message.find("mode 0644"), std::string::npos) << open.error().message;
  ::chmod(files.key.c_str(), 0600);
  EXPECT_FALSE(ApiCertificate::load({files.chain, dir_ / "missing.key"}));
  write(files.chain, "not a certificate", 0644);
  EXPECT_FALSE(ApiCertificate::load(files));
  // Swapped: a key where the chain belongs.
  EXPECT_FALSE(ApiCertificate::load({files.key, files.key}));
}

TEST(TlsServerContext, RefusesWhatDoesNotParse) {
  EXPECT_FALSE(makeTlsServerContext("", ""));
  EXPECT_FALSE(makeTlsServerContext("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "x"));
}

}  // namespace
}  // namespace kura

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.h"
#include "kms/envelope.h"
#include "kms/tree_envelope.h"

namespace kura::kms {
namespace {

namespace fs = std::filesystem;

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

class TreeEnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kura-tree-test-" + toHex(randomBytes(6)));
    store_ = std::make_unique<KeyStore>(dir_ / "kms-store", randomBytes(32));
    keys_ = std::make_unique<KeyManager>(*store_, realClock());
    key_ = keys_->createKey(place_, {}).value().keyId;
    fs::create_directories(dir_ / "plain" / "base");
    std::ofstream(dir_ / "plain" / "base" / "big.bin", std::ios::binary) << std::string(3 * 1024 * 1024 + 17, 'x');
    std::ofstream(dir_ / "plain" / "empty.txt", std::ios::binary) << "";
    std::ofstream(dir_ / "plain" / "note.txt", std::ios::binary) << "the plaintext marker";
  }
  void TearDown() override {
    keys_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  std::unique_ptr<KeyStore> store_;
  std::unique_ptr<KeyManager> keys_;
  Place place_{"000000000000", "us-east-1"};
  std::string key_;
};

TEST_F(TreeEnvelopeTest, SealsEveryFileAndOpensThemBack) {
  ASSERT_TRUE(sealTree(*keys_, place_, key_, {{"purpose", "test"}}, dir_ / "plain", dir_ / "sealed"));
  EXPECT_TRUE(isSealedTree(dir_ / "sealed"));
  EXPECT_EQ(readAll(dir_ / "sealed" / "note.txt").find("plaintext marker"), std::string::npos);
  ASSERT_TRUE(openTree(*keys_, place_, dir_ / "sealed", dir_ / "opened"));
  EXPECT_EQ(readAll(dir_ / "opened" / "note.txt"), "the plaintext marker");
  EXPECT_EQ(readAll(dir_ / "opened" / "empty.txt"), "");
  EXPECT_EQ(readAll(dir_ / "opened" / "base" / "big.bin"), std::string(3 * 1024 * 1024 + 17, 'x'));
}

TEST_F(TreeEnvelopeTest, RefusesTamperedTruncatedOrLockedTrees) {
  ASSERT_TRUE(sealTree(*keys_, place_, key_, {}, dir_ / "plain", dir_ / "sealed"));
  fs::copy(dir_ / "sealed", dir_ / "cut", fs::copy_options::recursive);
  // Cut the big file after its first chunk: the missing last chunk is noticed.
  fs::resize_file(dir_ / "cut" / "base" / "big.bin", 4 + 1024 * 1024 + 28);
  EXPECT_EQ(openTree(*keys_, place_, dir_ / "cut", dir_ / "cut-opened").error().code, "InvalidRestoreFault");
  std::string bytes = readAll(dir_ / "sealed" / "note.txt");
  bytes[bytes.size() / 2] ^= 1;
  std::ofstream(dir_ / "sealed" / "note.txt", std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_EQ(openTree(*keys_, place_, dir_ / "sealed", dir_ / "tampered").error().code, "InvalidRestoreFault");
  ASSERT_TRUE(keys_->setEnabled(place_, key_, false));
  EXPECT_EQ(openTree(*keys_, place_, dir_ / "cut", dir_ / "locked").error().code, "DisabledException");
}

TEST_F(TreeEnvelopeTest, EnvelopeNeedsItsContext) {
  auto sealed = sealEnvelope(*keys_, place_, key_, "secret value", {{"SecretARN", "a"}});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(openEnvelope(*keys_, place_, *sealed, {{"SecretARN", "a"}}).value(), "secret value");
  EXPECT_FALSE(openEnvelope(*keys_, place_, *sealed, {{"SecretARN", "b"}}));
  EXPECT_FALSE(openEnvelope(*keys_, place_, "KENV1", {}));
}

}  // namespace
}  // namespace kura::kms

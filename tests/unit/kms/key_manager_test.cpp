#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/aes_gcm.h"
#include "common/crypto.h"
#include "kms/key_manager.h"

namespace kura::kms {
namespace {

using namespace std::chrono_literals;

class KeyManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kura-kms-test-" + toHex(randomBytes(6)));
    rootKey_ = randomBytes(kAesKeyBytes);
    clock_ = std::make_shared<ManualClock>(SystemTime(std::chrono::hours(24 * 365 * 56)));
    open();
  }
  void TearDown() override {
    manager_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void open() {
    manager_.reset();
    store_ = std::make_unique<KeyStore>(dir_, rootKey_);
    manager_ = std::make_unique<KeyManager>(*store_, clock_);
  }
  std::string newKey() { return manager_->createKey(place_, {}).value().keyId; }

  std::filesystem::path dir_;
  std::string rootKey_;
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<KeyStore> store_;
  std::unique_ptr<KeyManager> manager_;
  Place place_{"000000000000", "us-east-1"};
};

TEST_F(KeyManagerTest, RoundTripNeedsTheSameContext) {
  std::string key = newKey();
  auto sealed = manager_->encrypt(place_, key, "attack at dawn", {{"purpose", "test"}});
  ASSERT_TRUE(sealed);
  auto plain = manager_->decrypt(place_, sealed->blob, {{"purpose", "test"}});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->plaintext, "attack at dawn");
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {}).error().code, "InvalidCiphertextException");
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {{"purpose", "other"}}).error().code, "InvalidCiphertextException");
  std::string tampered = sealed->blob;
  tampered.back() ^= 1;
  EXPECT_EQ(manager_->decrypt(place_, tampered, {{"purpose", "test"}}).error().code, "InvalidCiphertextException");
  EXPECT_EQ(manager_->decrypt(place_, "garbage", {}).error().code, "InvalidCiphertextException");
  std::string other = newKey();
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {{"purpose", "test"}}, other).error().code,
            "IncorrectKeyException");
}

TEST_F(KeyManagerTest, RotationKeepsOldCiphertextsReadable) {
  std::string key = newKey();
  auto before = manager_->encrypt(place_, key, "old", {});
  ASSERT_TRUE(manager_->setRotation(place_, key, true, std::nullopt));
  clock_->advance(std::chrono::hours(24 * 366));
  auto after = manager_->encrypt(place_, key, "new", {});
  ASSERT_TRUE(after);
  EXPECT_EQ(parseBlobHeader(before->blob)->version, 1);
  EXPECT_EQ(parseBlobHeader(after->blob)->version, 2);
  EXPECT_EQ(manager_->decrypt(place_, before->blob, {})->plaintext, "old");
  EXPECT_EQ(manager_->decrypt(place_, after->blob, {})->plaintext, "new");
  EXPECT_EQ(manager_->rotations(*manager_->resolve(place_, key)).size(), 2u);
}

TEST_F(KeyManagerTest, StatesGateEveryUse) {
  std::string key = newKey();
  auto sealed = manager_->encrypt(place_, key, "x", {});
  ASSERT_TRUE(manager_->setEnabled(place_, key, false));
  EXPECT_EQ(manager_->encrypt(place_, key, "x", {}).error().code, "DisabledException");
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {}).error().code, "DisabledException");
  ASSERT_TRUE(manager_->setEnabled(place_, key, true));
  ASSERT_TRUE(manager_->scheduleDeletion(place_, key, 7));
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {}).error().code, "KMSInvalidStateException");
  auto cancelled = manager_->cancelDeletion(place_, key);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state, KeyState::Disabled);
  ASSERT_TRUE(manager_->scheduleDeletion(place_, key, 7));
  clock_->advance(std::chrono::hours(24 * 7) + 1s);
  EXPECT_EQ(manager_->resolve(place_, key).error().code, "NotFoundException");
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {}).error().code, "InvalidCiphertextException");
}

TEST_F(KeyManagerTest, AwsManagedKeysAppearOnFirstUse) {
  auto key = manager_->resolve(place_, "alias/aws/rds");
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->awsManaged);
  EXPECT_EQ(manager_->resolve(place_, "alias/aws/rds")->keyId, key->keyId);
  EXPECT_EQ(manager_->setEnabled(place_, "alias/aws/rds", false).error().code, "UnsupportedOperationException");
  EXPECT_EQ(manager_->resolve(place_, "alias/aws/nothing").error().code, "NotFoundException");
  EXPECT_EQ(manager_->createAlias(place_, "alias/aws/mine", key->keyId).error().code, "InvalidAliasNameException");
}

TEST_F(KeyManagerTest, MaterialSurvivesReopenOnlyUnderTheSameRootKey) {
  std::string key = newKey();
  auto sealed = manager_->encrypt(place_, key, "durable", {});
  open();
  EXPECT_EQ(manager_->decrypt(place_, sealed->blob, {})->plaintext, "durable");
  // The store on disk holds no key material in the clear.
  std::ifstream in(dir_ / "kms" / "kms.db", std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto material = store_->material(key, 1);
  ASSERT_TRUE(material);
  EXPECT_EQ(bytes.str().find(material->bytes), std::string::npos);
  rootKey_ = randomBytes(kAesKeyBytes);
  open();
  EXPECT_THROW((void)manager_->decrypt(place_, sealed->blob, {}), std::runtime_error);
}

}  // namespace
}  // namespace kura::kms

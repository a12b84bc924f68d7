// KMS Decrypt and envelope opening on arbitrary bytes: every input must be
// refused with an error (InvalidCiphertextException and the like), never
// crash or be accepted. Inputs whose first byte is 1 get a real key's id
// spliced in, so the fuzzer reaches the key lookup and AES-GCM itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/crypto.h"
#include "kms/envelope.h"
#include "kms/key_manager.h"

namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<kura::kms::KeyStore> store;
  std::unique_ptr<kura::kms::KeyManager> keys;
  kura::kms::Place place{"000000000000", "us-east-1"};
  std::string keyId;

  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("kura-kms-fuzz-" + kura::toHex(kura::randomBytes(6)));
    store = std::make_unique<kura::kms::KeyStore>(dir, kura::randomBytes(32));
    keys = std::make_unique<kura::kms::KeyManager>(*store, kura::realClock());
    keyId = keys->createKey(place, {}).value().keyId;
  }
  ~Fixture() {
    keys.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  std::string blob(reinterpret_cast<const char*>(data), size);
  if (!blob.empty() && blob[0] == 1) {
    blob.resize(std::max<size_t>(blob.size(), 1 + 36 + 4));
    blob.replace(1, 36, fixture.keyId);
  }
  auto decrypted = fixture.keys->decrypt(fixture.place, blob, {});
  if (decrypted) std::abort();  // a forged ciphertext opened
  auto opened = kura::kms::openEnvelope(*fixture.keys, fixture.place, "KENV1" + blob, {});
  if (opened) std::abort();
  return 0;
}

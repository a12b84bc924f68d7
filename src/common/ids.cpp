#include "common/ids.h"

#include <random>

#include "common/crypto.h"

namespace kura {
namespace {

// Ids need to be unique, not secret: a per-thread generator seeded from the
// system's entropy, instead of a call into OpenSSL's RNG per id.
std::mt19937_64& generator() {
  thread_local std::mt19937_64 engine = [] {
    std::string seed = randomBytes(16);
    std::seed_seq sequence(seed.begin(), seed.end());
    return std::mt19937_64(sequence);
  }();
  return engine;
}

}  // namespace

std::string newUuid() {
  std::string bytes(16, '\0');
  uint64_t high = generator()(), low = generator()();
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<size_t>(i)] = static_cast<char>(high >> (8 * i));
    bytes[static_cast<size_t>(8 + i)] = static_cast<char>(low >> (8 * i));
  }
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
  std::string hex = toHex(bytes);
  std::string out(36, '-');
  // 8-4-4-4-12 hex digits.
  hex.copy(out.data(), 8, 0);
  hex.copy(out.data() + 9, 4, 8);
  hex.copy(out.data() + 14, 4, 12);
  hex.copy(out.data() + 19, 4, 16);
  hex.copy(out.data() + 24, 12, 20);
  return out;
}

}  // namespace kura

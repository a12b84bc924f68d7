#include "ddb/stream_format.h"

#include <fmt/format.h>

#include <charconv>

#include "common/crypto.h"

namespace kura::ddb::streams {
namespace {

constexpr std::string_view kIteratorVersion = "|1|";
constexpr size_t kMacBytes = 16;

std::string macOf(std::string_view secret, std::string_view payload) {
  return hmacSha256(secret, payload).substr(0, kMacBytes);
}

ApiError invalidIterator() { return ApiError::sender("ValidationException", "Invalid ShardIterator"); }

template <typename T>
bool parseNumber(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string formatSequence(uint64_t sequence) { return fmt::format("{:021}", sequence); }

std::optional<uint64_t> parseSequence(std::string_view text) {
  if (text.size() < 21 || text.size() > 40) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  size_t first = text.find_first_not_of('0');
  if (first == std::string_view::npos) return 0;
  uint64_t value = 0;
  if (!parseNumber(text.substr(first), value)) return std::nullopt;
  return value;
}

std::string shardId(int64_t openedMillis, uint64_t firstSequence) {
  uint32_t tag = 0;
  std::string digest = sha256(fmt::format("{}|{}", openedMillis, firstSequence));
  for (int i = 0; i < 4; ++i) tag = (tag << 8) | static_cast<unsigned char>(digest[i]);
  return fmt::format("shardId-{:020}-{:08x}", openedMillis, tag);
}

std::string encodeIterator(const IteratorPosition& position, std::string_view secret) {
  std::string payload =
      fmt::format("{}|{}|{}|{}", position.streamArn, position.shardId, position.next, position.expiresAtMillis);
  std::string body = fmt::format("{}|{}|{}", position.shardId, position.next, position.expiresAtMillis);
  return position.streamArn + std::string(kIteratorVersion) + base64Encode(body + "|" + macOf(secret, payload));
}

Result<IteratorPosition> decodeIterator(std::string_view text, std::string_view secret) {
  size_t split = text.rfind(kIteratorVersion);
  if (split == std::string_view::npos || split == 0) return invalidIterator();
  IteratorPosition position;
  position.streamArn = std::string(text.substr(0, split));
  std::string body;
  if (!base64Decode(text.substr(split + kIteratorVersion.size()), body)) return invalidIterator();
  if (body.size() < kMacBytes + 1 || body[body.size() - kMacBytes - 1] != '|') return invalidIterator();
  std::string mac = body.substr(body.size() - kMacBytes);
  body.resize(body.size() - kMacBytes - 1);
  size_t first = body.find('|');
  size_t second = first == std::string::npos ? first : body.find('|', first + 1);
  if (second == std::string::npos) return invalidIterator();
  position.shardId = body.substr(0, first);
  if (!parseNumber(std::string_view(body).substr(first + 1, second - first - 1), position.next) ||
      !parseNumber(std::string_view(body).substr(second + 1), position.expiresAtMillis)) {
    return invalidIterator();
  }
  std::string payload = position.streamArn + "|" + body;
  if (!constantTimeEquals(mac, macOf(secret, payload))) return invalidIterator();
  return position;
}

}  // namespace kura::ddb::streams

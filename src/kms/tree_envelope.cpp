#include "kms/tree_envelope.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/aes_gcm.h"
#include "common/confined_file.h"
#include "common/crypto.h"

namespace kura::kms {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

constexpr const char* kEnvelopeFile = "kura-envelope.json";
constexpr size_t kChunkBytes = 1 << 20;

std::string chunkAad(const std::string& name, uint64_t index, bool last) {
  return "kura-tree:" + name + '\0' + std::to_string(index) + (last ? ":last" : ":more");
}

void putLength(std::ostream& out, uint32_t length) {
  char bytes[4] = {static_cast<char>(length >> 24), static_cast<char>(length >> 16), static_cast<char>(length >> 8),
                   static_cast<char>(length)};
  out.write(bytes, 4);
}

bool getLength(std::istream& in, uint32_t& length) {
  unsigned char bytes[4];
  if (!in.read(reinterpret_cast<char*>(bytes), 4)) return false;
  length = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
  return true;
}

// `relative` below `root`: the files sealed come from directories an engine
// wrote (a backup, a WAL outbox), so they are opened beneath their root and
// a planted link or special file is refused, never followed.
Result<bool> sealFile(const std::string& key, const std::string& name, const fs::path& root, const fs::path& relative,
                      const fs::path& to) {
  UniqueFd in = openBeneath(root, relative, O_RDONLY | O_NONBLOCK);
  struct stat info {};
  if (!in || ::fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return ApiError::internal("cannot seal " + (root / relative).string() + ": not a regular file beneath " +
                              root.string());
  }
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!out) return ApiError::internal("cannot seal " + (root / relative).string());
  std::string chunk(kChunkBytes, '\0');
  uint64_t size = static_cast<uint64_t>(info.st_size), done = 0, index = 0;
  do {
    size_t length = static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size - done));
    auto piece = readAll(in.get(), length);
    if (!piece || piece->size() != length) return ApiError::internal("cannot read " + (root / relative).string());
    std::memcpy(chunk.data(), piece->data(), length);
    done += length;
    std::string sealed = aesGcmSeal(key, std::string_view(chunk.data(), length), chunkAad(name, index++, done == size));
    putLength(out, static_cast<uint32_t>(sealed.size()));
    out.write(sealed.data(), static_cast<std::streamsize>(sealed.size()));
  } while (done < size);
  out.flush();
  if (!out) return ApiError::internal("cannot write " + to.string());
  return true;
}

Result<bool> openFile(const std::string& key, const std::string& name, const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!in || !out) return ApiError::internal("cannot open " + from.string());
  ApiError damaged = ApiError::sender("InvalidRestoreFault", "the backup file " + name + " is damaged");
  uint64_t size = fs::file_size(from), consumed = 0, index = 0;
  std::string sealed;
  while (consumed < size) {
    uint32_t length = 0;
    if (!getLength(in, length) || length > kChunkBytes + kAesGcmOverheadBytes) return damaged;
    sealed.resize(length);
    if (!in.read(sealed.data(), length)) return damaged;
    consumed += 4 + length;
    auto plain = aesGcmOpen(key, sealed, chunkAad(name, index++, consumed == size));
    if (!plain) return damaged;
    out.write(plain->data(), static_cast<std::streamsize>(plain->size()));
  }
  if (index == 0) return damaged;  // even an empty file has its one, last chunk
  out.flush();
  if (!out) return ApiError::internal("cannot write " + to.string());
  return true;
}

// The data key of a sealed directory, opened by KMS (its errors as they are).
Result<std::string> readEnvelopeKey(KeyManager& keys, const Place& place, const fs::path& dir) {
  std::ifstream in(dir / kEnvelopeFile);
  Json envelope = Json::parse(in, nullptr, false);
  std::string blob;
  if (!envelope.is_object() || !base64Decode(envelope.value("dataKey", ""), blob)) {
    return ApiError::sender("InvalidRestoreFault", "the envelope of " + dir.filename().string() + " is missing or damaged");
  }
  auto dataKey = keys.decrypt(place, blob, envelope["context"].get<EncryptionContext>());
  if (!dataKey) return dataKey.error();
  return std::move(dataKey->plaintext);
}

// Written whole (a full disk fails it, leaving no envelope) and renamed into
// place; the caller syncs the tree.
Result<bool> writeEnvelope(const DataKey& dataKey, const EncryptionContext& context, const fs::path& dir) {
  Json envelope = {{"keyArn", dataKey.keyArn}, {"dataKey", base64Encode(dataKey.blob)}, {"context", context}};
  fs::path tmp = dir / (std::string(kEnvelopeFile) + ".tmp");
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << envelope.dump();
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return ApiError::internal("cannot write the envelope of " + dir.string());
    }
  }
  fs::rename(tmp, dir / kEnvelopeFile, ec);
  if (ec) return ApiError::internal("cannot place the envelope of " + dir.string() + ": " + ec.message());
  return true;
}

}  // namespace

bool isSealedTree(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / kEnvelopeFile, ec);
}

Result<std::string> directoryDataKey(KeyManager& keys, const Place& place, const std::string& keyRef,
                                     const EncryptionContext& context, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (isSealedTree(dir)) return readEnvelopeKey(keys, place, dir);
  auto dataKey = keys.generateDataKey(place, keyRef, kAesKeyBytes, context);
  if (!dataKey) return dataKey.error();
  if (auto written = writeEnvelope(*dataKey, context, dir); !written) return written.error();
  return dataKey->plaintext;
}

Result<bool> sealIntoDirectory(const std::string& dataKey, const fs::path& from, const fs::path& dir,
                               const std::string& name) {
  fs::path tmp = dir / (name + ".sealing");
  if (auto sealed = sealFile(dataKey, name, from.parent_path(), from.filename(), tmp); !sealed) return sealed;
  std::error_code ec;
  fs::rename(tmp, dir / name, ec);
  if (ec) return ApiError::internal("cannot place " + name + " in " + dir.string());
  return true;
}

Result<bool> sealTree(KeyManager& keys, const Place& place, const std::string& keyRef,
                      const EncryptionContext& context, const fs::path& source, const fs::path& target) {
  auto dataKey = keys.generateDataKey(place, keyRef, kAesKeyBytes, context);
  if (!dataKey) return dataKey.error();
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return ApiError::internal("cannot create " + target.string() + ": " + ec.message());
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    std::string name = fs::relative(entry.path(), source).string();
    auto type = entry.symlink_status().type();  // a link is neither: never followed
    if (type == fs::file_type::directory) {
      fs::create_directories(target / name, ec);
      continue;
    }
    if (type != fs::file_type::regular) continue;
    if (auto sealed = sealFile(dataKey->plaintext, name, source, name, target / name); !sealed) return sealed;
  }
  return writeEnvelope(*dataKey, context, target);
}

Result<bool> openTree(KeyManager& keys, const Place& place, const fs::path& source, const fs::path& target) {
  auto dataKey = readEnvelopeKey(keys, place, source);
  if (!dataKey) return dataKey.error();
  std::error_code ec;
  fs::create_directories(target, ec);
  if (ec) return ApiError::internal("cannot create " + target.string() + ": " + ec.message());
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    std::string name = fs::relative(entry.path(), source).string();
    if (name == kEnvelopeFile || name.ends_with(".sealing") || name.ends_with(".tmp")) continue;
    if (entry.is_directory()) {
      fs::create_directories(target / name, ec);
      continue;
    }
    if (!entry.is_regular_file()) continue;
    if (auto opened = openFile(*dataKey, name, entry.path(), target / name); !opened) return opened;
  }
  return true;
}

}  // namespace kura::kms

#include "trail/trail_verifier.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "common/crypto.h"
#include "trail/digest_signer.h"
#include "trail/trail_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

struct SealedFile {
  Json entry;
  std::string digest;
};

}  // namespace

TrailReport verifyTrail(const TrailVerifyOptions& options) {
  TrailReport report;
  auto find = [&](std::string kind, std::string file, std::string detail) {
    report.findings.push_back({std::move(kind), std::move(file), std::move(detail)});
  };
  std::string publicKey =
      options.publicKeyPem ? *options.publicKeyPem : trail::readTrailFile(options.dir / "digest-signing-key.pub.pem");
  if (publicKey.empty()) find("missing-public-key", "digest-signing-key.pub.pem", "no public key to verify with");
  // A gap record is believed only with the digest key's signature: anyone
  // else claiming an outage is tampering.
  auto checkGap = [&](const std::string& file, uint64_t sequence, std::string_view event) {
    Json parsed = Json::parse(event, nullptr, false);
    std::string signature;
    const Json* gap = parsed.is_object() && parsed.contains("kuraTrailGap") ? &parsed["kuraTrailGap"] : nullptr;
    if (gap == nullptr || !gap->is_object() || !parsed.value("signature", Json()).is_string() ||
        !base64Decode(parsed["signature"].get<std::string>(), signature) ||
        !verifyDigestSignature(publicKey, gap->dump(), signature)) {
      find("forged-gap", file, fmt::format("record {} claims lost records but its signature does not verify", sequence));
      return;
    }
    report.gaps.push_back({file, sequence, gap->value("records", uint64_t{0}), gap->value("firstLostTime", ""),
                           gap->value("lastLostTime", ""), gap->value("reason", "")});
  };

  // Digests: signatures, sequence and the chain from each to the one before.
  std::map<std::string, SealedFile> sealed;
  std::optional<uint64_t> previousSequence;
  std::string previousName, previousHash;
  // Retention's mark: the chains start where the deleted digests ended.
  std::string chainHash(trail::kGenesisHash);
  uint64_t expected = 1;
  uint64_t prunedDigests = 0;
  fs::path markPath = options.dir / trail::kPrunedMark;
  if (fs::exists(markPath)) {
    Json mark = Json::parse(trail::readTrailFile(markPath), nullptr, false);
    std::string signature;
    Json unsigned_ = mark.is_object() ? mark : Json::object();
    unsigned_.erase("signature");
    if (!mark.is_object() || !mark.value("signature", Json()).is_string() ||
        !base64Decode(mark["signature"].get<std::string>(), signature) ||
        !verifyDigestSignature(publicKey, unsigned_.dump(), signature)) {
      find("modified-digest", std::string(trail::kPrunedMark), "the retention mark's signature does not verify");
    } else {
      prunedDigests = mark.value("throughDigestSequence", uint64_t{0});
      previousSequence = prunedDigests;
      previousName = mark.value("throughDigestFile", "");
      previousHash = mark.value("throughDigestHash", "");
      chainHash = mark.value("lastHash", "");
      expected = mark.value("lastSequence", uint64_t{0}) + 1;
      report.prunedThrough = expected - 1;
    }
  }
  for (const auto& [sequence, path] : trail::listTrailFiles(options.dir / "digests", ".json")) {
    if (sequence <= prunedDigests) continue;  // covered by the mark, left by a crash while pruning
    std::string name = path.filename().string();
    std::string text = trail::readTrailFile(path);
    report.digests++;
    Json digest = Json::parse(text, nullptr, false);
    if (digest.is_discarded() || !digest.is_object() || !digest.contains("signature")) {
      find("modified-digest", name, "not a digest");
      // It is there, damaged: the next digest links to it as it is.
      previousSequence = sequence;
      previousName = name;
      previousHash = sha256Hex(text);
      continue;
    }
    std::string signature;
    Json unsigned_ = digest;
    unsigned_.erase("signature");
    if (!digest["signature"].is_string() || !base64Decode(digest["signature"].get<std::string>(), signature) ||
        !verifyDigestSignature(publicKey, unsigned_.dump(), signature)) {
      find("modified-digest", name, "signature does not verify");
    }
    if (digest.value("digestSequence", uint64_t{0}) != sequence) {
      find("modified-digest", name, "its sequence does not match its name");
    }
    if (previousSequence && sequence != *previousSequence + 1) {
      find("missing-digest", name, fmt::format("digests {} to {} are missing", *previousSequence + 1, sequence - 1));
    } else if (!previousSequence && sequence != 1) {
      find("missing-digest", name, fmt::format("digests 1 to {} are missing", sequence - 1));
    }
    if (previousSequence) {
      if (digest.value("previousDigestFile", Json()).get<std::string>() != previousName ||
          digest.value("previousDigestHash", Json()).get<std::string>() != previousHash) {
        find("digest-chain-broken", name, "does not link to " + previousName + " as it is now");
      }
    }
    for (const auto& entry : digest.value("logFiles", Json::array())) {
      sealed[entry.value("file", "")] = {entry, name};
    }
    previousSequence = sequence;
    previousName = name;
    previousHash = sha256Hex(text);
  }

  // Log files: the hash chain record by record, and each file against its digest.
  uint64_t prunedRecords = expected - 1;
  auto logs = trail::listTrailFiles(options.dir / "logs", ".log");
  uint64_t totalBytes = 0;
  if (options.progress) {
    for (const auto& [first, path] : logs) {
      std::error_code sizeError;
      if (first > prunedRecords) totalBytes += std::filesystem::file_size(path, sizeError);
    }
  }
  for (auto it = logs.begin(); it != logs.end(); ++it) {
    const auto& [first, path] = *it;
    if (first <= prunedRecords) continue;  // covered by the mark
    std::string name = path.filename().string();
    std::string text = trail::readTrailFile(path);
    report.files++;
    report.bytes += text.size();
    if (options.progress) options.progress(report.bytes, std::max(totalBytes, report.bytes));
    std::string startHash = chainHash;
    uint64_t firstSequence = 0, lastSequence = 0, records = 0;
    std::string_view rest(text);
    size_t lineNumber = 0;
    while (!rest.empty()) {
      size_t newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
      ++lineNumber;
      auto record = trail::parseRecord(line);
      if (!record) {
        find("modified-record", name, fmt::format("line {} is not a record", lineNumber));
        continue;
      }
      if (record->sequence > expected) {
        find("missing-records", name, fmt::format("records {} to {} are missing before line {}", expected,
                                                  record->sequence - 1, lineNumber));
      } else if (record->sequence < expected) {
        find("out-of-order", name, fmt::format("record {} at line {} comes after record {}", record->sequence,
                                               lineNumber, expected - 1));
      }
      if (trail::recordHash(chainHash, record->sequence, record->event) != record->hash) {
        find("modified-record", name, fmt::format("record {} (line {}) does not match its hash chain",
                                                  record->sequence, lineNumber));
      }
      if (record->event.starts_with(trail::kGapEventPrefix)) {
        checkGap(name, record->sequence, record->event);
      }
      if (records == 0) firstSequence = record->sequence;
      lastSequence = record->sequence;
      records++;
      chainHash = std::string(record->hash);
      expected = std::max(expected, record->sequence + 1);
    }
    report.records += records;
    auto seal = sealed.find(name);
    if (seal == sealed.end()) {
      bool newest = std::next(it) == logs.end();
      std::error_code ec;
      auto modified = fs::last_write_time(path, ec);
      auto age = ec ? std::chrono::seconds::max()
                    : std::chrono::duration_cast<std::chrono::seconds>(
                          options.now - std::chrono::file_clock::to_sys(modified));
      if (newest && age <= options.unsealedGrace) {
        report.unsealed.push_back(name);
      } else {
        find("missing-digest", name, "no digest covers this file");
      }
      continue;
    }
    const Json& entry = seal->second.entry;
    if (entry.value("firstSequence", uint64_t{0}) != firstSequence ||
        entry.value("lastSequence", uint64_t{0}) != lastSequence || entry.value("records", uint64_t{0}) != records ||
        entry.value("lastHash", "") != chainHash || entry.value("previousHash", "") != startHash) {
      find("modified-file", name,
           fmt::format("differs from digest {}: records {}-{} ({}) found, {}-{} ({}) sealed", seal->second.digest,
                       firstSequence, lastSequence, records, entry.value("firstSequence", uint64_t{0}),
                       entry.value("lastSequence", uint64_t{0}), entry.value("records", uint64_t{0})));
    }
    sealed.erase(seal);
  }
  for (const auto& [name, seal] : sealed) {
    find("deleted-file", name, "sealed by digest " + seal.digest + " but missing");
  }
  return report;
}

}  // namespace kura

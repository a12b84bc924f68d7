#pragma once
// The on-disk form of the trail.
//
// Log files (trail/logs/<first sequence, 16 digits>.log) hold one record a
// line:  <sequence> TAB <hash> TAB <CloudTrail event JSON> LF
// where hash = hex(sha256(<previous record's hash> TAB <sequence> TAB <event>)),
// and the first record of all chains to 64 zeros. Every record is thus bound
// to every record before it, across files.
//
// Digest files (trail/digests/<sequence, 16 digits>.json) seal the log files
// written since the previous digest: for each file its first and last
// sequence, record count, and the hashes it starts from and ends with; the
// digest names the previous digest and its sha256, and carries an Ed25519
// signature over its own canonical JSON (without the signature member).
//
// Retention deletes the oldest digests and their log files; trail/pruned.json
// (kPrunedMark), signed like a digest, names the last digest deleted
// (throughDigestSequence, throughDigestFile, throughDigestHash) and the last
// record it sealed (lastSequence, lastHash): the chains continue from there.
//
// A gap record stands for records the writer could not write (a full
// disk), written as soon as writing works again. Its event is
//   {"kuraTrailGap":{"firstLostTime":..,"lastLostTime":..,"reason":..,
//    "recordedTime":..,"records":N},"signature":"<base64>"}
// with an Ed25519 signature (the digest key) over the kuraTrailGap
// object's compact JSON; it is chained and sealed like any record. Lost
// records take no sequence number: the chain has no hole.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kura::trail {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string recordHash(std::string_view previousHash, uint64_t sequence, std::string_view event);
std::string formatRecord(uint64_t sequence, std::string_view hash, std::string_view event);
// The same record appended to `out`.
void appendRecord(std::string& out, uint64_t sequence, std::string_view hash, std::string_view event);

struct RecordView {
  uint64_t sequence = 0;
  std::string_view hash;
  std::string_view event;
};
// Parses one line (without its LF); empty if it is not a record.
std::optional<RecordView> parseRecord(std::string_view line);

inline constexpr std::string_view kPrunedMark = "pruned.json";
inline constexpr std::string_view kGapEventPrefix = R"({"kuraTrailGap":)";

std::string logFileName(uint64_t firstSequence);
std::string digestFileName(uint64_t digestSequence);
// The number a log or digest file is named by; empty for other names.
std::optional<uint64_t> fileSequence(std::string_view name, std::string_view extension);
// The log or digest files of a folder by their number, and a file's bytes.
std::map<uint64_t, std::filesystem::path> listTrailFiles(const std::filesystem::path& dir, std::string_view extension);
std::string readTrailFile(const std::filesystem::path& path);

}  // namespace kura::trail

#pragma once
// Files inside directories that an engine (and so, in the worst case, a
// tenant) can write to. Kura reaches every such file from a root directory
// it trusts (one the engine cannot replace) with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS): a link planted anywhere on
// the way is refused, never followed, and no path leaves the root. Where
// the kernel has no openat2 (before 5.6) every component is opened in turn
// with O_NOFOLLOW, which refuses the same links.
//
// Writes refuse a file with more than one hard link (the engine cannot
// redirect a write into a file it linked from elsewhere), give new files
// to `owner` through the open descriptor (fchown, never a path), and are
// never wider than 0600.
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace kura {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

struct FileOwner {
  uid_t uid = 0;
  gid_t gid = 0;
};

// `relative` below `root`, which must itself be a real directory, not a
// link (the directories above it are trusted: they are Kura's own); errno
// tells why when the result is empty (ELOOP or EXDEV for a planted link or
// a path that leaves the root).
UniqueFd openBeneath(const std::filesystem::path& root, const std::filesystem::path& relative, int flags,
                     mode_t mode = 0600);

// Up to `limit` bytes from `offset`; empty when the file cannot be opened
// beneath the root or is not a regular file.
std::optional<std::string> readBeneath(const std::filesystem::path& root, const std::filesystem::path& relative,
                                       uint64_t offset = 0, size_t limit = 64u << 20);

// The file's status (never a link's target); empty when it cannot be reached.
std::optional<struct stat> statBeneath(const std::filesystem::path& root, const std::filesystem::path& relative);

enum class WriteMode { Truncate, Append };
// Writes `text` to the file (created 0600 if missing); false with errno set.
bool writeBeneath(const std::filesystem::path& root, const std::filesystem::path& relative, std::string_view text,
                  WriteMode mode = WriteMode::Truncate, const std::optional<FileOwner>& owner = std::nullopt);

// Writes `text` to a new file beside the target, then renames it over the
// target (which, if it is a link, is replaced, not followed).
bool replaceBeneath(const std::filesystem::path& root, const std::filesystem::path& relative, std::string_view text,
                    const std::optional<FileOwner>& owner = std::nullopt);

// Copies the regular file `fromRelative` beneath `fromRoot` to `toRelative`
// beneath `toRoot`. Neither side follows a link (a link, FIFO or device as
// the source is refused); the copy is written beside its target, synced and
// renamed into place, replacing whatever stood there. False with errno set.
bool copyBeneath(const std::filesystem::path& fromRoot, const std::filesystem::path& fromRelative,
                 const std::filesystem::path& toRoot, const std::filesystem::path& toRelative,
                 const std::optional<FileOwner>& owner = std::nullopt);

// Reads the whole of `fd` from where it stands, in pieces, until EOF or `limit`.
std::optional<std::string> readAll(int fd, size_t limit);

}  // namespace kura

#include "common/confined_file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

namespace kura {
namespace fs = std::filesystem;

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// glibc 2.36 has no wrapper for openat2; the system call is stable (5.6).
int openat2Call(int dirfd, const char* path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags);
  // O_TMPFILE includes O_DIRECTORY's bit: only the whole of it asks for a mode.
  how.mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

// The same refusal without openat2: each directory on the way opened with
// O_NOFOLLOW from the one before, then the file itself with O_NOFOLLOW.
int openByComponents(int rootFd, const fs::path& relative, int flags, mode_t mode) {
  std::vector<std::string> parts;
  for (const fs::path& part : relative) {
    std::string name = part.string();
    if (name.empty() || name == ".") continue;
    if (name == ".." || name == "/") {
      errno = EXDEV;
      return -1;
    }
    parts.push_back(name);
  }
  if (parts.empty()) return ::openat(rootFd, ".", flags | O_NOFOLLOW, mode);
  UniqueFd current(::dup(rootFd));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    UniqueFd next(::openat(current.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return -1;
    current = std::move(next);
  }
  return ::openat(current.get(), parts.back().c_str(), flags | O_NOFOLLOW, mode);
}

}  // namespace

UniqueFd openBeneath(const fs::path& root, const fs::path& relative, int flags, mode_t mode) {
  if (relative.is_absolute()) {
    errno = EXDEV;
    return UniqueFd();
  }
  // The directories above the root are Kura's own; the root itself may sit
  // in a directory the engine can write to (a Multi-AZ node's in its
  // instance's), so it must not be a link either.
  UniqueFd rootFd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!rootFd) return UniqueFd();
  // openat2 refuses any flag O_PATH does not take (O_NOCTTY among them).
  flags |= O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY);
  std::string path = relative.empty() ? std::string(".") : relative.string();
  int fd = openat2Call(rootFd.get(), path.c_str(), flags, mode);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {  // EPERM: a seccomp filter that knows no openat2
    fd = openByComponents(rootFd.get(), relative, flags, mode);
  }
  return UniqueFd(fd);
}

std::optional<std::string> readAll(int fd, size_t limit) {
  std::string text;
  char buffer[1 << 16];
  while (text.size() < limit) {
    size_t want = std::min(sizeof buffer, limit - text.size());
    ssize_t got = ::read(fd, buffer, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

std::optional<std::string> readBeneath(const fs::path& root, const fs::path& relative, uint64_t offset, size_t limit) {
  UniqueFd fd = openBeneath(root, relative, O_RDONLY | O_NONBLOCK);  // O_NONBLOCK: a planted FIFO never blocks
  if (!fd) return std::nullopt;
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    errno = EINVAL;
    return std::nullopt;
  }
  if (offset > 0 && ::lseek(fd.get(), static_cast<off_t>(offset), SEEK_SET) < 0) return std::nullopt;
  return readAll(fd.get(), limit);
}

std::optional<struct stat> statBeneath(const fs::path& root, const fs::path& relative) {
  UniqueFd fd = openBeneath(root, relative, O_PATH);
  struct stat info {};
  if (!fd || ::fstat(fd.get(), &info) != 0) return std::nullopt;
  return info;
}

namespace {

bool writeToFd(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t wrote = ::write(fd, text.data(), text.size());
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<size_t>(wrote));
  }
  return true;
}

// A regular file of one link only, owned as asked, private.
bool checkAndOwn(int fd, const std::optional<FileOwner>& owner) {
  struct stat info {};
  if (::fstat(fd, &info) != 0) return false;
  if (!S_ISREG(info.st_mode) || info.st_nlink > 1) {
    errno = EPERM;
    return false;
  }
  if (owner && (info.st_uid != owner->uid || info.st_gid != owner->gid) && ::fchown(fd, owner->uid, owner->gid) != 0) {
    return false;
  }
  return (info.st_mode & 077) == 0 || ::fchmod(fd, info.st_mode & 0700) == 0;
}

}  // namespace

bool writeBeneath(const fs::path& root, const fs::path& relative, std::string_view text, WriteMode mode,
                  const std::optional<FileOwner>& owner) {
  int flags = O_WRONLY | O_CREAT | O_NONBLOCK | (mode == WriteMode::Append ? O_APPEND : 0);
  UniqueFd fd = openBeneath(root, relative, flags, 0600);
  if (!fd || !checkAndOwn(fd.get(), owner)) return false;
  // Truncated only once known to be the regular, singly linked file it should be.
  if (mode == WriteMode::Truncate && ::ftruncate(fd.get(), 0) != 0) return false;
  return writeToFd(fd.get(), text);
}

namespace {

// A new file beside `relative` (whatever stood under the temporary name
// goes first), filled by `fill`, synced, then renamed over `relative`.
template <typename Fill>
bool replaceWith(const fs::path& root, const fs::path& relative, const std::optional<FileOwner>& owner, Fill&& fill) {
  fs::path temporary = relative;
  temporary += ".kura-new";
  UniqueFd dir = openBeneath(root, relative.parent_path(), O_PATH | O_DIRECTORY);
  if (!dir) return false;
  std::string tmpName = temporary.filename().string(), name = relative.filename().string();
  ::unlinkat(dir.get(), tmpName.c_str(), 0);  // a leftover, or a link planted under that name
  {
    UniqueFd fd(::openat(dir.get(), tmpName.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd || !checkAndOwn(fd.get(), owner) || !fill(fd.get()) || ::fsync(fd.get()) != 0) return false;
  }
  return ::renameat(dir.get(), tmpName.c_str(), dir.get(), name.c_str()) == 0;
}

}  // namespace

bool replaceBeneath(const fs::path& root, const fs::path& relative, std::string_view text,
                    const std::optional<FileOwner>& owner) {
  return replaceWith(root, relative, owner, [&](int fd) { return writeToFd(fd, text); });
}

bool copyBeneath(const fs::path& fromRoot, const fs::path& fromRelative, const fs::path& toRoot,
                 const fs::path& toRelative, const std::optional<FileOwner>& owner) {
  // O_NONBLOCK: a FIFO planted as the source neither blocks nor is copied.
  UniqueFd in = openBeneath(fromRoot, fromRelative, O_RDONLY | O_NONBLOCK);
  struct stat info {};
  if (!in || ::fstat(in.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    if (in) errno = EINVAL;
    return false;
  }
  return replaceWith(toRoot, toRelative, owner, [&](int out) {
    while (true) {
      auto chunk = readAll(in.get(), 1 << 20);
      if (!chunk) return false;
      if (chunk->empty()) return true;
      if (!writeToFd(out, *chunk)) return false;
    }
  });
}

}  // namespace kura

#pragma once
// For unit tests of what Kura does out of file descriptors: takes every
// descriptor the process may open (its soft limit lowered to 64 first) and
// gives them back at release() or at the end of the scope.
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

namespace kura::test_support {

class DescriptorsExhausted {
 public:
  DescriptorsExhausted() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit low = saved_;
    low.rlim_cur = 64;
    ::setrlimit(RLIMIT_NOFILE, &low);
    for (int fd = ::dup(STDERR_FILENO); fd >= 0; fd = ::dup(STDERR_FILENO)) taken_.push_back(fd);
  }
  DescriptorsExhausted(const DescriptorsExhausted&) = delete;
  DescriptorsExhausted& operator=(const DescriptorsExhausted&) = delete;
  ~DescriptorsExhausted() { release(); }

  void release() {
    if (released_) return;
    released_ = true;
    for (int fd : taken_) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &saved_);
  }

 private:
  rlimit saved_{};
  std::vector<int> taken_;
  bool released_ = false;
};

}  // namespace kura::test_support

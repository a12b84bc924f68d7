// A running process whose executable was replaced on disk since it started
// (a package upgrade) is told apart from one running what is installed.
#include "engines/replaced_executable.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "common/crypto.h"

namespace kura::engines {
namespace {

namespace fs = std::filesystem;

TEST(ReplacedExecutable, ToldApartAfterAPackageUpgrade) {
  fs::path dir = fs::temp_directory_path() / ("kura-replaced-" + toHex(randomBytes(6)));
  fs::create_directories(dir);
  fs::path installed = dir / "sleep";
  fs::copy_file("/bin/sleep", installed);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::execl(installed.c_str(), "sleep", "30", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Once it runs the file (exec done: /proc/PID/exe names it).
  for (int i = 0; i < 200 && fs::read_symlink("/proc/" + std::to_string(pid) + "/exe") != installed; ++i) ::usleep(10000);
  EXPECT_EQ(runsReplacedExecutable(pid, installed), false);
  // As dpkg installs a file: a new one beside it, renamed over it.
  fs::copy_file("/bin/sleep", dir / "sleep.dpkg-new");
  fs::rename(dir / "sleep.dpkg-new", installed);
  EXPECT_EQ(runsReplacedExecutable(pid, installed), true);
  // Removed altogether: nothing installed to compare with.
  fs::remove(installed);
  EXPECT_EQ(runsReplacedExecutable(pid, installed), std::nullopt);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(runsReplacedExecutable(pid, "/bin/sleep"), std::nullopt);  // gone
  EXPECT_EQ(runsReplacedExecutable(0, "/bin/sleep"), std::nullopt);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kura::engines

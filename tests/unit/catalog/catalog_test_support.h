#pragma once
// A temporary data directory per test, removed afterwards.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace kura::testing {

inline std::filesystem::path freshTestDir(const std::string& area) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() /
             ("kura-" + area + "-" + std::to_string(::getpid()) + "-" + info->test_suite_name() + "-" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// freshTestDir's directory, removed when it goes out of scope: declare it
// before what writes in it.
struct ScopedTestDir {
  explicit ScopedTestDir(const std::string& area) : path(freshTestDir(area)) {}
  ~ScopedTestDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScopedTestDir(const ScopedTestDir&) = delete;
  ScopedTestDir& operator=(const ScopedTestDir&) = delete;
  std::filesystem::path path;
};

}  // namespace kura::testing

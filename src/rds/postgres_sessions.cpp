#include "rds/postgres_sessions.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace kura::rds {
namespace {

std::string readProcFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "127.0.0.1(54321)" or "::1(54321)": a TCP client's address and port.
bool isTcpHost(std::string_view token) {
  size_t open = token.find('(');
  return open != std::string_view::npos && open > 0 && token.size() > open + 2 && token.back() == ')';
}

// The postmaster's children. It is single-threaded: they are its main
// thread's, listed in one file where the kernel keeps that list
// (CONFIG_PROC_CHILDREN); elsewhere every process's parent is read.
std::vector<pid_t> childrenOf(pid_t parent) {
  std::vector<pid_t> children;
  std::string self = std::to_string(parent);
  std::ifstream listed("/proc/" + self + "/task/" + self + "/children");
  if (listed.is_open()) {
    for (pid_t child = 0; listed >> child;) children.push_back(child);
    return children;
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = readProcFile(entry.path().string() + "/stat");
    size_t close = stat.rfind(')');
    // After "pid (comm) ": the state, then the parent's pid.
    if (close == std::string::npos || close + 4 >= stat.size()) continue;
    if (std::atol(stat.c_str() + close + 4) == parent) children.push_back(static_cast<pid_t>(std::atol(name.c_str())));
  }
  return children;
}

}  // namespace

bool isClientSessionTitle(std::string_view title, std::string_view clusterName, std::string_view adminUser) {
  constexpr std::string_view kPrefix = "postgres: ";
  if (!title.starts_with(kPrefix)) return false;
  title.remove_prefix(kPrefix.size());
  if (!clusterName.empty()) {
    if (!title.starts_with(clusterName) || title.substr(clusterName.size()).substr(0, 2) != ": ") return false;
    title.remove_prefix(clusterName.size() + 2);
  }
  std::vector<std::string_view> tokens;
  while (tokens.size() < 3 && !title.empty()) {
    size_t space = title.find(' ');
    tokens.push_back(title.substr(0, space));
    title = space == std::string_view::npos ? std::string_view() : title.substr(space + 1);
  }
  if (tokens.size() < 3 || !isTcpHost(tokens[2])) return false;
  if (tokens[0] == adminUser) return false;
  if (tokens[0] == "walsender" && tokens[1] == adminUser) return false;
  return true;
}

std::optional<int64_t> countClientSessions(pid_t postmaster, std::string_view clusterName,
                                           std::string_view adminUser) {
  if (postmaster <= 1) return std::nullopt;
  std::string proc = "/proc/" + std::to_string(postmaster);
  std::string stat = readProcFile(proc + "/stat");
  size_t close = stat.rfind(')');
  // After "pid (comm) ": the state. Stopped (a hang) or a zombie: no answer.
  if (close == std::string::npos || close + 2 >= stat.size()) return std::nullopt;
  char state = stat[close + 2];
  if (state == 'T' || state == 't' || state == 'Z' || state == 'X') return std::nullopt;
  int64_t sessions = 0;
  for (pid_t child : childrenOf(postmaster)) {
    std::string title = readProcFile("/proc/" + std::to_string(child) + "/cmdline");
    // The title fills the arguments' space, padded with NULs.
    title.resize(std::min(title.size(), title.find('\0')));
    if (isClientSessionTitle(title, clusterName, adminUser)) ++sessions;
  }
  return sessions;
}

}  // namespace kura::rds

#include "dbauth/peer_process.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace kura::dbauth {
namespace {

struct TcpRow {
  std::string localAddress, remoteAddress;  // as decoded
  unsigned short localPort = 0, remotePort = 0;
  int state = 0;  // 1: established
  long uid = -1;
  unsigned long inode = 0;
};

// "0100007F:1F90" (IPv4, one little-endian word) or 32 hex digits (IPv6,
// four little-endian words), then the port.
bool decodeEndpoint(const std::string& text, std::string& address, unsigned short& port) {
  size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  std::string hex = text.substr(0, colon);
  port = static_cast<unsigned short>(std::strtoul(text.c_str() + colon + 1, nullptr, 16));
  unsigned char bytes[16];
  size_t words = hex.size() / 8;
  if ((words != 1 && words != 4) || hex.size() % 8 != 0) return false;
  for (size_t word = 0; word < words; ++word) {
    auto value = static_cast<uint32_t>(std::strtoul(hex.substr(word * 8, 8).c_str(), nullptr, 16));
    for (int byte = 0; byte < 4; ++byte) bytes[word * 4 + byte] = static_cast<unsigned char>(value >> (8 * byte));
  }
  char out[INET6_ADDRSTRLEN] = "";
  if (words == 1) {
    ::inet_ntop(AF_INET, bytes, out, sizeof(out));
  } else {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(bytes, bytes + 12, kMapped)) {
      ::inet_ntop(AF_INET, bytes + 12, out, sizeof(out));
    } else {
      ::inet_ntop(AF_INET6, bytes, out, sizeof(out));
    }
  }
  address = out;
  return true;
}

std::vector<TcpRow> readTcpTable(const char* path) {
  std::vector<TcpRow> rows;
  std::ifstream table(path);
  std::string line;
  std::getline(table, line);  // the heading
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, timeout;
    TcpRow row;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> row.uid >> timeout >>
          row.inode)) {
      continue;
    }
    if (!decodeEndpoint(local, row.localAddress, row.localPort) ||
        !decodeEndpoint(remote, row.remoteAddress, row.remotePort)) {
      continue;
    }
    row.state = static_cast<int>(std::strtol(state.c_str(), nullptr, 16));
    rows.push_back(std::move(row));
  }
  return rows;
}

// The socket inodes of a process; empty if it holds not `inode`.
std::vector<unsigned long> socketsIfHolding(const std::string& pid, unsigned long inode) {
  std::vector<unsigned long> sockets;
  bool holds = false;
  std::string dir = "/proc/" + pid + "/fd";
  DIR* fds = ::opendir(dir.c_str());
  if (fds == nullptr) return {};
  while (dirent* entry = ::readdir(fds)) {
    if (entry->d_name[0] == '.') continue;
    char target[64];
    ssize_t n = ::readlink((dir + "/" + entry->d_name).c_str(), target, sizeof(target) - 1);
    if (n <= 0) continue;
    target[n] = '\0';
    unsigned long socket = 0;
    if (std::sscanf(target, "socket:[%lu]", &socket) != 1) continue;
    if (socket == inode) holds = true;
    sockets.push_back(socket);
  }
  ::closedir(fds);
  return holds ? sockets : std::vector<unsigned long>{};
}

}  // namespace

namespace {

std::optional<RemoteEnd> lookOnce(unsigned short peerPort, unsigned short ldapPort) {
  auto rows = readTcpTable("/proc/net/tcp");
  auto rows6 = readTcpTable("/proc/net/tcp6");
  rows.insert(rows.end(), rows6.begin(), rows6.end());
  const TcpRow* peer = nullptr;
  for (const auto& row : rows) {
    if (row.localPort == peerPort && row.remotePort == ldapPort && row.inode != 0) peer = &row;
  }
  if (peer == nullptr) return std::nullopt;
  // The process holding it: among those of the socket's owner only.
  std::vector<unsigned long> sockets;
  DIR* processes = ::opendir("/proc");
  if (processes == nullptr) return std::nullopt;
  while (dirent* entry = ::readdir(processes)) {
    std::string pid = entry->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    struct stat info {};
    if (::stat(("/proc/" + pid).c_str(), &info) != 0 || static_cast<long>(info.st_uid) != peer->uid) continue;
    sockets = socketsIfHolding(pid, peer->inode);
    if (!sockets.empty()) break;
  }
  ::closedir(processes);
  std::optional<RemoteEnd> client;
  for (unsigned long socket : sockets) {
    if (socket == peer->inode) continue;
    for (const auto& row : rows) {
      if (row.inode != socket || row.state != 1) continue;
      if (client) return std::nullopt;  // several: which one is not known
      client = RemoteEnd{row.remoteAddress, row.remotePort};
    }
  }
  return client;
}

}  // namespace

std::optional<RemoteEnd> clientOfPeerProcess(unsigned short peerPort, unsigned short ldapPort) {
  // A read of /proc/net/tcp may miss a socket while others come and go:
  // looked for again once before giving up.
  if (auto client = lookOnce(peerPort, ldapPort)) return client;
  return lookOnce(peerPort, ldapPort);
}

}  // namespace kura::dbauth

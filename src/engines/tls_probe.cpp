#include "engines/tls_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>

#include <memory>

#include "common/confined_file.h"
#include "common/descriptor_shortage.h"

namespace kura::engines {
namespace {

struct SslContextFree {
  void operator()(SSL_CTX* context) const { SSL_CTX_free(context); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

}  // namespace

std::string probeTls(int port, const std::filesystem::path& caFile, std::string_view request, size_t answerBytes,
                     std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) {
    noteDescriptorError(errno);
    return "";
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // Waits for what OpenSSL asked of the non-blocking socket.
  auto waitFor = [&](short events) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd.get(), events, 0};
    return ::poll(&entry, 1, static_cast<int>(left.count())) == 1 && (entry.revents & (events | POLLHUP)) != 0;
  };
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 &&
      (errno != EINPROGRESS || !waitFor(POLLOUT))) {
    return "";
  }
  std::unique_ptr<SSL_CTX, SslContextFree> context(SSL_CTX_new(TLS_client_method()));
  if (!context || SSL_CTX_load_verify_locations(context.get(), caFile.c_str(), nullptr) != 1) return "";
  SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(context.get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1 ||
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), "127.0.0.1") != 1) {
    return "";
  }
  // One step of the TLS exchange, retried while the socket is not ready.
  auto step = [&](auto&& call) {
    while (true) {
      int result = call();
      if (result > 0) return result;
      int error = SSL_get_error(ssl.get(), result);
      if (error == SSL_ERROR_WANT_READ && waitFor(POLLIN)) continue;
      if (error == SSL_ERROR_WANT_WRITE && waitFor(POLLOUT)) continue;
      return 0;
    }
  };
  if (step([&] { return SSL_connect(ssl.get()); }) <= 0) return "";
  if (!request.empty() &&
      step([&] { return SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())); }) <= 0) {
    return "";
  }
  std::string answer(answerBytes, '\0');
  size_t got = 0;
  while (got < answerBytes) {
    int n = step([&] { return SSL_read(ssl.get(), answer.data() + got, static_cast<int>(answerBytes - got)); });
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  answer.resize(got);
  return answer;
}

}  // namespace kura::engines

#include "http/http_server.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <optional>
#include <stdexcept>

#include "common/descriptor_shortage.h"
#include "common/log_throttle.h"
#include "http/http_session.h"
#include "http/tls_context_slot.h"

// Under AddressSanitizer (gcc says __SANITIZE_ADDRESS__, clang
// __has_feature): the one object kept on purpose is not a leak.
#if defined(__SANITIZE_ADDRESS__)
#define KURA_LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KURA_LEAK_CHECKED 1
#endif
#endif
#if KURA_LEAK_CHECKED
#include <sanitizer/lsan_interface.h>
#endif

namespace kura {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

using http_session::plainError;
using PlainSession = http_session::Session<http_session::PlainStream>;
using TlsSession = http_session::Session<http_session::TlsStream>;

// How long the listener waits before accepting again after a failure (out
// of descriptors above all: retrying at once spins, and logs, millions of
// times a second).
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
// A repeating accept failure or a full server is logged at most this often.
constexpr auto kLogInterval = std::chrono::seconds(10);

HttpResponse defaultOverloaded(const HttpRequest&) {
  return plainError(503, "too many connections: retry later");
}

bool isShortage(const beast::error_code& ec) {
  return ec.category() == boost::system::system_category() && isDescriptorShortage(ec.value());
}

}  // namespace

// One event loop per thread, each serving the connections given to it in
// turn: a connection's reads, writes and timer run on one thread, so they
// need no strand, and no thread wakes another for a connection's work.
struct HttpServer::Impl {
  // Counted by the sessions themselves (each ends on its own loop): declared
  // before the loops, so that they outlive every session.
  std::atomic<size_t> served{0};       // connections within the limit
  std::atomic<size_t> overflowing{0};  // past it, answered and closed
  HttpServerOptions options;
  HttpHandler handler;
  HttpHandler overloaded;
  std::vector<std::unique_ptr<asio::io_context>> loops;  // one per thread; the first also accepts
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keepRunning;
  size_t nextLoop = 0;  // used by the accepting loop only
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> pause;  // on the accepting loop, as are the throttles
  LogThrottle acceptFailures{kLogInterval};
  LogThrottle limitReached{kLogInterval};
  std::vector<std::thread> threads;
  std::optional<asio::thread_pool> disk;  // handles what options.waitsForDisk picks
  http_session::OwedAnswers owed;         // answers handlers owe the loops' connections
  std::atomic<bool> stopped{false};

  bool limited() const { return options.maxConnections > 0 && served.load() >= options.maxConnections; }

  void accept() {
    if (stopped) return;
    asio::io_context& loop = *loops[nextLoop++ % loops.size()];
    acceptor->async_accept(loop, [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || stopped) return;
        bool shortage = isShortage(ec);
        if (shortage) noteDescriptorError(ec.value());
        uint64_t unlogged = 0;
        if (acceptFailures.allow(unlogged)) {
          spdlog::warn("msg=\"accept failed\" error=\"{}\" failures_not_logged={} retry_after_ms={}", ec.message(),
                       unlogged, ec == asio::error::connection_aborted ? 0 : kAcceptPause.count());
        }
        // A client that gave up before it was accepted: the next one can be
        // taken at once. Anything else (no descriptors above all) would
        // fail again at once: wait first.
        if (ec == asio::error::connection_aborted) return accept();
        return acceptAfter(kAcceptPause);
      }
      bool over = limited();
      if (over) {
        uint64_t unlogged = 0;
        if (limitReached.allow(unlogged)) {
          spdlog::warn("msg=\"connection limit reached: new connections get 503, past the reserve they are closed\" "
                       "limit={} reserve={} not_logged={}",
                       options.maxConnections, options.reserveConnections, unlogged);
        }
        if (overflowing.load() >= options.reserveConnections) {
          // The reserve is taken too: closed at once (the client sees the
          // connection closed, or reset if it had sent its request, and
          // retries), which drains the kernel's backlog so that a health
          // check is not queued behind every idle newcomer. The descriptor
          // is held only for this moment.
          socket.close(ec);
          return accept();
        }
      }
      (over ? overflowing : served).fetch_add(1, std::memory_order_relaxed);
      socket.set_option(tcp::no_delay(true), ec);
      // Started on the connection's own loop, which runs everything it does.
      auto executor = socket.get_executor();
      const HttpHandler& serve = over ? overloaded : handler;
      std::atomic<size_t>& open = over ? overflowing : served;
      if (options.tls) {
        // The context of the moment: a renewed certificate is used from
        // the next connection on. OpenSSL's per-connection state is
        // allocated here and asio throws when it cannot be: that closes
        // this connection, never the listener.
        try {
          TlsContextPtr context = options.tls->current();
          http_session::TlsStream stream(std::move(socket), *context);
          auto session = std::make_shared<TlsSession>(std::move(stream), serve, options.maxBodyBytes, open, over,
                                                      std::move(context), diskPool(over), &options.waitsForDisk,
                                                      &owed);
          asio::post(executor, [session = std::move(session)] { session->run(); });
        } catch (const std::exception& error) {
          open.fetch_sub(1, std::memory_order_relaxed);  // no session counts it
          uint64_t unlogged = 0;
          if (acceptFailures.allow(unlogged)) {
            spdlog::warn("msg=\"cannot start a TLS connection: closed\" error=\"{}\" failures_not_logged={}",
                         error.what(), unlogged);
          }
        }
      } else {
        auto session = std::make_shared<PlainSession>(http_session::PlainStream(std::move(socket)), serve,
                                                      options.maxBodyBytes, open, over, nullptr, diskPool(over),
                                                      &options.waitsForDisk, &owed);
        asio::post(executor, [session = std::move(session)] { session->run(); });
      }
      accept();
    });
  }

  // Past the limit a request is only answered 503: never on the pool.
  asio::thread_pool* diskPool(bool over) { return over || !disk ? nullptr : &*disk; }

  void acceptAfter(std::chrono::milliseconds delay) {
    pause->expires_after(delay);
    pause->async_wait([this](beast::error_code ec) {
      if (!ec) accept();
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler, HttpHandler overloaded)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  impl_->overloaded = overloaded ? std::move(overloaded) : defaultOverloaded;
}

HttpServer::~HttpServer() {
  stop();
  // An answer still owed may be sent later, to a loop of impl_: it stays,
  // on purpose (LeakSanitizer is told so).
  if (abandoned_) {
#if KURA_LEAK_CHECKED
    __lsan_ignore_object(impl_.get());
#endif
    (void)impl_.release();
  }
}

void HttpServer::start() {
  int threads = impl_->options.threads > 0 ? impl_->options.threads
                                           : static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  for (int i = 0; i < threads; ++i) {
    impl_->loops.push_back(std::make_unique<asio::io_context>(1));
    impl_->keepRunning.push_back(asio::make_work_guard(*impl_->loops.back()));
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid host address " + impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->pause.emplace(*impl_->loops.front());
  auto& acceptor = impl_->acceptor.emplace(*impl_->loops.front());
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  if (impl_->options.waitsForDisk) impl_->disk.emplace(std::max(1, impl_->options.diskThreads));
  impl_->accept();
  for (auto& loop : impl_->loops) {
    impl_->threads.emplace_back([&io = *loop] { io.run(); });
  }
}

unsigned short HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor ? impl_->acceptor->local_endpoint(ec).port() : 0;
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  if (impl_->acceptor) {
    beast::error_code ec;
    impl_->acceptor->close(ec);
  }
  for (auto& loop : impl_->loops) loop->stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  // Handlers still running finish; their answers go to loops that no
  // longer run, and are dropped with them.
  if (impl_->disk) impl_->disk->join();
  // Answers still owed are posted to the (stopped) loops, which must stay
  // until then; they are dropped with them. One never sent (a sync that
  // never ends) must not hold the shutdown: past the wait, the loops and
  // everything a late answer reaches are kept, never freed.
  size_t owed = impl_->owed.waitForNone(impl_->options.owedAnswersWait);
  if (owed > 0) {
    spdlog::error("msg=\"answers still owed at shutdown: their connections are dropped unanswered\" owed={} "
                  "waited_ms={}",
                  owed, impl_->options.owedAnswersWait.count());
    abandoned_ = true;
  }
}

}  // namespace kura

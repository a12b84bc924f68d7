#pragma once
// One connection of the API listener (http_server.cpp's own): reads a
// request, calls the handler, writes the response, and again while the
// client keeps the connection alive. The same code serves plain HTTP
// (beast::tcp_stream) and HTTPS (beast::ssl_stream over one), which first
// does its handshake; limits and timeouts are the same for both.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>

#include "common/hand_over_batch.h"
#include "http/http_server.h"
#include "http/request_reader.h"
#include "http/response_head.h"
#include "http/tls_server_context.h"

namespace kura::http_session {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

inline constexpr auto kIdleTimeout = std::chrono::seconds(120);
// A connection past the limit has this long to send its one request (a
// client sends it at once; an idle one must not hold the reserve long).
inline constexpr auto kOverflowTimeout = std::chrono::seconds(2);
// A TLS client has this long to finish its handshake: one that connects
// and says nothing holds a connection slot, never a thread (the handshake
// is asynchronous on the connection's loop like every read), and not long.
inline constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
inline constexpr size_t kReadBufferLimit = 1024 * 1024;

inline HttpResponse plainError(int status, const std::string& message) {
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/plain");
  response.body = message + "\n";
  return response;
}

// The connection is gone or broken, nothing more to say on it: the peer
// closed or reset it, it timed out, or TLS failed (a record that does not
// decrypt, a peer that closed without close_notify).
inline bool isConnectionEnd(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated ||
         ec.category() == asio::error::get_ssl_category();
}

// The answers handlers owe (HttpResponse::answerLater): the server waits
// for them before its loops go, which their answers are posted to.
class OwedAnswers {
 public:
  void add() {
    std::lock_guard lock(mutex_);
    ++owed_;
  }
  void paid(size_t answers = 1) {
    std::lock_guard lock(mutex_);
    owed_ -= answers;
    if (owed_ == 0) none_.notify_all();
  }
  // Waits up to `limit` for every answer to be paid; the answers still owed then.
  size_t waitForNone(std::chrono::milliseconds limit) {
    std::unique_lock lock(mutex_);
    none_.wait_for(lock, limit, [this] { return owed_ == 0; });
    return owed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable none_;
  size_t owed_ = 0;
};

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `open` counts the session until it ends; an `overflow` session (past
  // the connection limit) serves one request, quickly, and closes. A TLS
  // session holds `context`, the one its handshake used, to its end.
  // `disk` (may be null) runs the requests `waitsForDisk` picks. With
  // `owed`, the requests handled on the loop may be answered later
  // (HttpRequest::mayAnswerLater), counted there until they are.
  Session(Stream&& stream, const HttpHandler& handler, size_t maxBodyBytes, std::atomic<size_t>& open, bool overflow,
          TlsContextPtr context = nullptr, asio::thread_pool* disk = nullptr,
          const std::function<bool(const HttpRequest&)>* waitsForDisk = nullptr, OwedAnswers* owed = nullptr)
      : context_(std::move(context)),
        stream_(std::move(stream)),
        handler_(handler),
        disk_(disk),
        waitsForDisk_(waitsForDisk),
        owed_(owed),
        maxBodyBytes_(maxBodyBytes),
        open_(open),
        overflow_(overflow) {
    beast::error_code ec;
    auto endpoint = socket().remote_endpoint(ec);
    if (!ec) remoteAddress_ = endpoint.address().to_string();
    // Room for a whole signed request, so that one read usually takes it
    // (beast reads at most the buffer's free capacity, 512 bytes at first).
    buffer_.reserve(16 * 1024);
  }

  ~Session() { open_.fetch_sub(1, std::memory_order_relaxed); }

  void run() {
    if constexpr (kTls) {
      lowest().expires_after(overflow_ ? kOverflowTimeout : kHandshakeTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) { self->onHandshake(ec); });
    } else {
      read();
    }
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  tcp::socket& socket() { return lowest().socket(); }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      // Plain HTTP sent to the TLS port ends here too ("http request"):
      // the connection is closed, nothing is answered in the clear.
      spdlog::debug("msg=\"TLS handshake failed\" remote={} error=\"{}\"", remoteAddress_, ec.message());
      return close();
    }
    read();
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(maxBodyBytes_);
    parser_->header_limit(64 * 1024);
    lowest().expires_after(overflow_ ? kOverflowTimeout : kIdleTimeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
  }

  void onRead(beast::error_code ec) {
    if (isConnectionEnd(ec)) return close();
    if (ec == bhttp::error::body_limit) {
      HttpResponse response = plainError(413, "request body too large");
      return write(std::move(response), false, 11);
    }
    if (ec) {
      HttpResponse response = plainError(400, "malformed HTTP request");
      return write(std::move(response), false, 11);
    }
    HttpRequest request = std::move(parser_->request());
    request.remoteAddress = remoteAddress_;
    bool keepAlive = parser_->keepAlive() && !overflow_;
    unsigned version = parser_->version();
    if (disk_ != nullptr && waitsForDisk_ != nullptr && *waitsForDisk_ && (*waitsForDisk_)(request)) {
      // Handled on the pool; the answer is written on this connection's
      // loop, which reads nothing more from it until then.
      asio::post(*disk_, [self = this->shared_from_this(), request = std::move(request), keepAlive, version]() mutable {
        HttpResponse response = self->call(request);
        auto executor = self->stream_.get_executor();
        asio::post(executor, [self = std::move(self), response = std::move(response), keepAlive, version]() mutable {
          self->write(std::move(response), keepAlive, version);
        });
      });
      return;
    }
    request.mayAnswerLater = owed_ != nullptr && !overflow_;
    HttpResponse response = call(request);
    if (response.answerLater) return answerLater(std::move(response.answerLater), keepAlive, version);
    write(std::move(response), keepAlive, version);
  }

  // The handler answers once what it waits for has ended, from whichever
  // thread ends it: the answer is posted to this connection's loop, which
  // reads nothing more from it until then.
  void answerLater(std::function<void(HttpResponse::Send)> later, bool keepAlive, unsigned version) {
    owed_->add();
    HttpResponse::Send send = [self = this->shared_from_this(), keepAlive, version](HttpResponse response) mutable {
      OwedAnswers* owed = self->owed_;
      auto executor = self->stream_.get_executor();
      // Sent from a batch of callbacks (a group commit's), the answers for
      // one loop are posted together (common/hand_over_batch.h). The
      // session goes with the posted answer: nothing of it is left here
      // once the answer is counted paid (the loops may go then).
      HandOverBatch::handOver(
          &asio::query(executor, asio::execution::context),
          [executor, owed](std::vector<HandOverBatch::Work> works) {
            size_t answers = works.size();
            asio::post(executor, [works = std::move(works)] {
              for (const auto& work : works) work();
            });
            owed->paid(answers);
          },
          [self = std::move(self), response = std::move(response), keepAlive, version]() mutable {
            self->write(std::move(response), keepAlive, version);
          });
    };
    try {
      later(std::move(send));
    } catch (const std::exception& error) {
      // Not taken (out of memory): the connection closes unanswered, as it
      // would if the handler threw.
      spdlog::error("request handler failed: {}", error.what());
      owed_->paid();
      close();
    }
  }

  HttpResponse call(const HttpRequest& request) {
    try {
      return handler_(request);
    } catch (const std::exception& error) {
      spdlog::error("request handler failed: {}", error.what());
      return plainError(500, "internal error");
    }
  }

  void write(HttpResponse response, bool keepAlive, unsigned version) {
    for (const auto& [name, value] : response.headers) {
      if (breaksFieldLine(name) || breaksFieldLine(value)) {
        // A handler's fault, never written (Beast 1.74 would write it too):
        // the line break would let a value add fields of its own.
        spdlog::error("msg=\"a response field holds a line break; answered 500\" status={}", response.status);
        return write(plainError(500, "internal error"), false, version);
      }
    }
    lowest().expires_after(kIdleTimeout);
    if (std::optional<std::string> head = responseHead(response, keepAlive, version)) {
      // The head and the body in one gather write (http/response_head.h).
      struct Bytes {
        std::string head;
        std::string body;
      };
      auto bytes = std::make_shared<Bytes>(Bytes{std::move(*head), std::move(response.body)});
      std::array<asio::const_buffer, 2> buffers{asio::buffer(bytes->head), asio::buffer(bytes->body)};
      asio::async_write(stream_, buffers,
                        [self = this->shared_from_this(), bytes, keepAlive](beast::error_code ec, size_t) {
                          if (ec || !keepAlive) return self->close();
                          self->read();
                        });
      return;
    }
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    try {
      message->version(version);
      message->result(static_cast<unsigned>(response.status));
      message->set(bhttp::field::server, "Kura");
      for (auto& [name, value] : response.headers) message->set(name, value);
      message->body() = std::move(response.body);
      message->keep_alive(keepAlive);
      message->prepare_payload();
    } catch (const std::exception& error) {
      // A response Beast cannot frame (a status past 999, a field past
      // 64 KiB, a 204 with a body): a handler's fault, answered 500.
      spdlog::error("msg=\"a response could not be framed\" status={} error=\"{}\"", response.status, error.what());
      return write(plainError(500, "internal error"), false, version);
    }
    bhttp::async_write(stream_, *message,
                       [self = this->shared_from_this(), message, keepAlive](beast::error_code ec, size_t) {
                         if (ec || !keepAlive) return self->close();
                         self->read();
                       });
  }

  // The TCP connection is shut for sending; over TLS without a
  // close_notify first: every response is framed by its Content-Length, so
  // a client cannot mistake a cut one for a whole one, and waiting for the
  // peer's close_notify would hold the descriptor for a client that never
  // sends it.
  void close() {
    beast::error_code ec;
    socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  TlsContextPtr context_;  // before the stream: it outlives the stream's TLS state
  Stream stream_;
  // What is read but not yet parsed: a request's header block (64 KiB at
  // most), a chunk's size line and extensions, a piece of its body. Bounded,
  // so that a line that never ends (a chunk extension) cannot grow it.
  beast::flat_buffer buffer_{kReadBufferLimit};
  std::optional<RequestReader> parser_;
  const HttpHandler& handler_;
  asio::thread_pool* disk_;
  const std::function<bool(const HttpRequest&)>* waitsForDisk_;
  OwedAnswers* owed_;
  size_t maxBodyBytes_;
  std::atomic<size_t>& open_;
  bool overflow_;
  std::string remoteAddress_;
};

}  // namespace kura::http_session

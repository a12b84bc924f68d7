// A handler on a connection's loop that answers later (HttpResponse::
// answerLater): its answer is written when another thread sends it, the
// loop serves other connections meanwhile, the connection goes on after the
// answer (keep-alive), and stop() waits for an answer still owed, for a
// bounded time.
#include "http/http_server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

namespace kura {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

// Answers held by the test until it releases them, from its own thread.
struct Held {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<std::string, HttpResponse::Send>> sends;
  bool sawMayAnswerLater = false;

  size_t count() {
    std::lock_guard lock(mutex);
    return sends.size();
  }
  bool waitFor(size_t n) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(5), [&] { return sends.size() >= n; });
  }
  void releaseAll() {
    std::vector<std::pair<std::string, HttpResponse::Send>> taken;
    {
      std::lock_guard lock(mutex);
      taken.swap(sends);
    }
    for (auto& [target, send] : taken) {
      HttpResponse answer;
      answer.body = "later " + target;
      send(std::move(answer));
    }
  }
};

std::unique_ptr<HttpServer> serve(Held& held,
                                  std::chrono::milliseconds owedAnswersWait = std::chrono::milliseconds(10000)) {
  HttpServerOptions options;
  options.port = 0;
  options.threads = 1;  // one loop: a held answer must not hold it
  options.owedAnswersWait = owedAnswersWait;
  auto server = std::make_unique<HttpServer>(options, [&held](const HttpRequest& request) {
    HttpResponse response;
    if (request.target.starts_with("/later")) {
      std::lock_guard lock(held.mutex);
      held.sawMayAnswerLater = request.mayAnswerLater;
      response.answerLater = [&held, target = request.target](HttpResponse::Send send) {
        std::lock_guard lock(held.mutex);
        held.sends.emplace_back(target, std::move(send));
        held.changed.notify_all();
      };
      return response;
    }
    response.body = "now " + request.target;
    return response;
  });
  server->start();
  return server;
}

std::string get(tcp::socket& socket, const std::string& target) {
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(socket, request);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(socket, buffer, response);
  return response.body();
}

TEST(HttpAnswerLater, AHeldAnswerHoldsNeitherTheLoopNorItsConnectionAfterIt) {
  Held held;
  auto server = serve(held);
  asio::io_context io;
  tcp::socket waiting(io), other(io);
  waiting.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  other.connect({asio::ip::make_address("127.0.0.1"), server->port()});

  std::string answer;
  std::thread client([&] { answer = get(waiting, "/later/1"); });
  ASSERT_TRUE(held.waitFor(1));
  {
    std::lock_guard lock(held.mutex);
    EXPECT_TRUE(held.sawMayAnswerLater);
  }
  // The only loop serves another connection while the answer is held.
  EXPECT_EQ(get(other, "/now"), "now /now");
  EXPECT_TRUE(answer.empty());
  // Sent from this thread: written on the connection's loop.
  held.releaseAll();
  client.join();
  EXPECT_EQ(answer, "later /later/1");
  // The connection goes on.
  EXPECT_EQ(get(waiting, "/now/again"), "now /now/again");
}

TEST(HttpAnswerLater, StopWaitsForAnAnswerStillOwed) {
  Held held;
  auto server = serve(held);
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, "/later/stop", 11};
  request.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(socket, request);
  ASSERT_TRUE(held.waitFor(1));

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->stop();
    stopped = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(stopped.load());  // the loop it would be posted to must stay
  held.releaseAll();             // sent after the loops stopped: dropped with them
  stopper.join();
  EXPECT_TRUE(stopped.load());
  server.reset();
}

TEST(HttpAnswerLater, StopGivesUpOnAnAnswerNeverSent) {
  Held held;
  auto server = serve(held, std::chrono::milliseconds(300));
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  bhttp::request<bhttp::empty_body> request{bhttp::verb::get, "/later/never", 11};
  request.set(bhttp::field::host, "127.0.0.1");
  bhttp::write(socket, request);
  ASSERT_TRUE(held.waitFor(1));

  auto started = std::chrono::steady_clock::now();
  server->stop();  // the answer is never sent before it returns
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(5));
  server.reset();
  // Sent at last, after the server went: it reaches what was kept for it,
  // and is dropped there.
  held.releaseAll();
  EXPECT_EQ(held.count(), 0u);
}

}  // namespace
}  // namespace kura

#pragma once
// One request read off a connection straight into an HttpRequest: Beast's
// own parser (its checks, limits and chunked bodies), with the fields
// copied once, into the request, instead of into a message's field
// elements and then into the request (a GetItem's fields cost about 2% of
// its CPU that way). What it keeps is what the message kept: the method
// and target as sent, every field with its value trimmed of spaces and
// tabs, the body. Two things differ, neither seen by a reader of fields
// by name (HttpRequest::header, SigV4's canonical headers): the fields
// stay in the wire's order (the message moved a field up to the last one
// of its name), and keep-alive reads every Connection field, where the
// message read only the first: HTTP/1.1 stays open unless one says
// `close`; HTTP/1.0 closes unless one says `keep-alive` and none says
// `close`. (Beast's parser would also read Proxy-Connection, and let an
// HTTP/1.0 `keep-alive` win over a `close`.) Trailer fields after a
// chunked body count against a limit of their own, as the header block's
// fields count against the parser's header limit.
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <string>

#include "http/http_message.h"

namespace kura {

class RequestReader : public boost::beast::http::basic_parser<true> {
 public:
  HttpRequest& request() { return request_; }
  unsigned version() const { return version_; }
  // Once the request is read whole.
  bool keepAlive() const { return version_ >= 11 ? !saidClose_ : saidKeepAlive_ && !saidClose_; }

  static constexpr size_t kMaxTrailerBytes = 64 * 1024;

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code&) override {
    request_.method.assign(method.data(), method.size());
    request_.target.assign(target.data(), target.size());
    version_ = static_cast<unsigned>(version);
  }
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field field, string_view name, string_view value,
                     error_code& ec) override {
    if (headerDone_) {
      trailerBytes_ += name.size() + value.size() + 4;
      if (trailerBytes_ > kMaxTrailerBytes) {
        ec = boost::beast::http::error::header_limit;
        return;
      }
    }
    if (field == boost::beast::http::field::connection) {
      boost::beast::http::token_list tokens(value);
      saidClose_ = saidClose_ || tokens.exists("close");
      saidKeepAlive_ = saidKeepAlive_ || tokens.exists("keep-alive");
    }
    // Trimmed as basic_fields trims a value it stores.
    request_.headers.emplace_back(std::string(name.data(), name.size()),
                                  std::string(trimmedFieldValue({value.data(), value.size()})));
  }
  void on_header_impl(error_code& ec) override {
    headerDone_ = true;
    ec = {};
  }
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code& ec) override {
    // The parser's body limit is checked before this is called.
    if (length) request_.body.reserve(static_cast<size_t>(*length));
    ec = {};
  }
  size_t on_body_impl(string_view body, error_code& ec) override {
    request_.body.append(body.data(), body.size());
    ec = {};
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code& ec) override { ec = {}; }
  size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override {
    request_.body.append(body.data(), body.size());
    ec = {};
    return body.size();
  }
  void on_finish_impl(error_code& ec) override { ec = {}; }

  HttpRequest request_;
  unsigned version_ = 11;
  bool headerDone_ = false;
  size_t trailerBytes_ = 0;
  bool saidClose_ = false;
  bool saidKeepAlive_ = false;
};

}  // namespace kura

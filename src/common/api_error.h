#pragma once
// An error as an AWS API answers it. Handlers and every layer of the request
// path return these; the protocol layer writes them in the wire shape of the
// service (query XML, JSON __type) with the request id.
#include <string>
#include <utility>
#include <variant>

namespace kura {

struct ApiError {
  int httpStatus = 400;
  std::string code;     // AWS error code, e.g. "DBInstanceNotFound"
  std::string message;  // one sentence, as AWS words it where AWS has one
  bool senderFault = true;  // query protocol: <Type>Sender</Type> or Receiver
  // JSON protocols: further members of the error body, as a JSON object text
  // (DynamoDB's CancellationReasons, Item). Empty for none.
  std::string detailsJson;

  static ApiError sender(std::string code, std::string message, int status = 400) {
    return ApiError{status, std::move(code), std::move(message), true};
  }
  static ApiError internal(std::string message) {
    return ApiError{500, "InternalFailure", std::move(message), false};
  }
};

// A value or an ApiError: the request path never throws across layers.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT implicit by design
  Result(ApiError error) : v_(std::move(error)) {}    // NOLINT implicit by design
  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const ApiError& error() const { return std::get<ApiError>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

}  // namespace kura

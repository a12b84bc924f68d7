#pragma once
// The life of an API request, in order:
//   1. route: the SigV4 credential scope's service name, else the
//      X-Amz-Target prefix, else the form's Version, picks the service model;
//   2. authenticate: SigV4 (header or presigned query);
//   3. decode: the protocol (query form, JSON or CBOR: the client's, among
//      those the model lists) turns the body into the operation's input
//      value tree, as the handlers read it, validated against the model;
//   4. handle: the service module's handler for the operation;
//   5. encode: the output (or the error) in the client's protocol, with
//      the request id in x-amzn-RequestId.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sigv4_verifier.h"
#include "common/clock.h"
#include "http/http_message.h"
#include "protocol/model_registry.h"
#include "services/core/service_module.h"

namespace kura {

// What the gateway tells the audit trail about every call, success or error.
struct ApiCallRecord {
  const RequestContext* context = nullptr;
  const nlohmann::json* input = nullptr;   // null when the input was not decoded
  const nlohmann::json* output = nullptr;  // null on error
  const ApiError* error = nullptr;         // null on success
};
using ApiCallObserver = std::function<void(const ApiCallRecord&)>;
// Decides whether an IAM user may make a call, once its input is decoded and
// valid: empty to go on, or the error to answer (AccessDenied). Asked only
// for IAM users: the account root costs nothing here. `protocol` is "query",
// "ec2" or "json".
using ApiAuthorizer =
    std::function<std::optional<ApiError>(const RequestContext&, const nlohmann::json& input, std::string_view protocol)>;

class ApiGateway {
 public:
  ApiGateway(const ModelRegistry& models, const auth::CredentialStore& credentials, ClockPtr clock);
  // The module must outlive the gateway.
  void addService(ServiceModule& module);
  void setObserver(ApiCallObserver observer) { observer_ = std::move(observer); }
  void setAuthorizer(ApiAuthorizer authorizer) { authorizer_ = std::move(authorizer); }
  // The API port speaks HTTPS (every request on it came over TLS: IAM's
  // aws:SecureTransport).
  void setSecureTransport(bool secure) { secureTransport_ = secure; }
  HttpResponse handle(const HttpRequest& request) const;
  // A request on a connection past the HTTP server's limit: neither
  // authenticated nor handled, only answered 503 ServiceUnavailable in its
  // service's protocol (the SDKs retry it, as they do AWS's own).
  HttpResponse unavailable(const HttpRequest& request) const;

 private:
  struct Routed {
    const ServiceModel* model = nullptr;
    std::string service;  // signing name asked for, even when Kura has no model of it
  };
  Routed route(const HttpRequest& request, const std::optional<auth::SigV4Scope>& scope) const;
  // Static: an answer owed until a sync ends may be encoded after the
  // gateway is gone (a sync that fails after the server gave up at stop).
  static HttpResponse errorResponse(const ServiceModel* model, WireProtocol wire, const ApiError& error,
                                    const std::string& requestId);
  HttpResponse dispatch(const HttpRequest& request, const ServiceModel& model, WireProtocol wire,
                        RequestContext& context) const;

  const ModelRegistry& models_;
  auth::SigV4Verifier verifier_;
  ClockPtr clock_;
  std::map<std::string, ServiceModule*, std::less<>> services_;
  ApiCallObserver observer_;
  ApiAuthorizer authorizer_;
  bool secureTransport_ = false;
};

}  // namespace kura

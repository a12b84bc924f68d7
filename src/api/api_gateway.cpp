#include "api/api_gateway.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "api/synced_answer.h"
#include "common/deferred_syncs.h"
#include "common/ids.h"
#include "common/json_text.h"
#include "common/store_health.h"
#include "protocol/cbor_codec.h"
#include "protocol/form_decoding.h"
#include "protocol/input_validator.h"
#include "protocol/json_codec.h"
#include "protocol/query_decoder.h"
#include "protocol/query_encoder.h"
#include "protocol/wire_values.h"

namespace kura {
namespace {

using Json = nlohmann::json;

bool isSigningParameter(std::string_view name) { return name.rfind("X-Amz-", 0) == 0; }

std::string protocolName(const ServiceModel* model) {
  if (model == nullptr) return "query";
  return model->protocol() == Protocol::Json ? "json" : model->protocol() == Protocol::Ec2 ? "ec2" : "query";
}

// The protocol the client speaks: Smithy RPC v2 CBOR says so in a header,
// awsJson by its target (or content type); else the model's own.
WireProtocol wireOf(const HttpRequest& request, const ServiceModel* model) {
  if (request.header("smithy-protocol") == "rpc-v2-cbor") return WireProtocol::Cbor;
  if (!request.header("X-Amz-Target").empty() || request.header("Content-Type").starts_with("application/x-amz-json")) {
    return WireProtocol::Json;
  }
  if (model == nullptr || model->protocol() == Protocol::Query) return WireProtocol::Query;
  return model->protocol() == Protocol::Ec2 ? WireProtocol::Ec2 : WireProtocol::Json;
}

ApiError notImplemented(const ServiceModel& model, const std::string& operation, bool known) {
  if (model.protocol() != Protocol::Json) {
    return ApiError::sender("InvalidAction", known ? "The action " + operation + " is not implemented by Kura yet."
                                                   : "The action " + operation + " is not valid for this web service.");
  }
  return ApiError::sender("UnknownOperationException",
                          known ? "The operation " + operation + " is not implemented by Kura yet." : "");
}

}  // namespace

ApiGateway::ApiGateway(const ModelRegistry& models, const auth::CredentialStore& credentials, ClockPtr clock)
    : models_(models), verifier_(credentials, clock), clock_(std::move(clock)) {}

void ApiGateway::addService(ServiceModule& module) {
  services_[module.signingName()] = &module;
  for (const std::string& model : module.alsoServes()) services_[model] = &module;
}

ApiGateway::Routed ApiGateway::route(const HttpRequest& request, const std::optional<auth::SigV4Scope>& scope) const {
  std::string_view target = request.header("X-Amz-Target");
  // DynamoDB Streams signs as "dynamodb" (its calls are IAM's dynamodb:
  // actions, its trail's events DynamoDB's): its target prefix tells it apart.
  // Signed under its own name, it is still DynamoDB's: its calls'
  // dynamodb: actions are what policies allow or deny.
  if (((!scope || scope->service == "dynamodb") && target.starts_with("DynamoDBStreams_20120810.")) ||
      (scope && scope->service == "dynamodbstreams")) {
    return {models_.bySigningName("dynamodbstreams"), "dynamodb"};
  }
  if (scope) return {models_.bySigningName(scope->service), scope->service};
  if (!target.empty()) {
    // "DynamoDB_20120810.PutItem"; CloudTrail's prefix has dots of its own.
    const ServiceModel* model = models_.byTargetPrefix(target.substr(0, target.rfind('.')));
    return {model, model != nullptr ? model->signingName() : std::string(target)};
  }
  // A query request without a signature still names its API version.
  for (std::string_view source : {request.query(), std::string_view(request.body)}) {
    auto fields = parseForm(source);
    if (!fields) continue;
    for (const auto& [name, value] : *fields) {
      if (name == "Version") {
        if (const ServiceModel* model = models_.byApiVersion(value)) return {model, model->signingName()};
      }
    }
  }
  return {};
}

HttpResponse ApiGateway::errorResponse(const ServiceModel* model, WireProtocol wire, const ApiError& given,
                                       const std::string& requestId) {
  ApiError error = given;
  if (model != nullptr) {
    if (const Shape* shape = model->findError(error.code); shape != nullptr && shape->error) {
      error.httpStatus = shape->error->httpStatus;
      error.code = shape->error->code;
    }
  }
  HttpResponse response;
  response.status = error.httpStatus;
  response.headers.emplace_back("x-amzn-RequestId", requestId);
  if ((wire == WireProtocol::Json || wire == WireProtocol::Cbor) && model != nullptr && model->queryCompatible()) {
    response.headers.emplace_back("x-amzn-query-error", error.code + (error.senderFault ? ";Sender" : ";Receiver"));
  }
  if (wire == WireProtocol::Cbor) {
    response.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
    response.headers.emplace_back("Content-Type", std::string(kCborContentType));
    response.body = encodeCborError(model, error);
  } else if (wire == WireProtocol::Json) {
    response.headers.emplace_back("Content-Type",
                                  model != nullptr ? jsonContentType(*model) : "application/x-amz-json-1.1");
    response.headers.emplace_back("x-amzn-ErrorType", error.code);
    response.body = model != nullptr ? encodeJsonError(*model, error)
                                     : Json{{"__type", error.code}, {"message", error.message}}.dump(
                                           -1, ' ', false, Json::error_handler_t::replace);
  } else if (wire == WireProtocol::Ec2) {
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = encodeEc2Error(error, requestId);
  } else {
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = encodeQueryError(error, requestId);
  }
  return response;
}

HttpResponse ApiGateway::handle(const HttpRequest& request) const {
  RequestContext context;
  context.requestId = newUuid();
  context.receivedAt = clock_->now();
  context.sourceIp = request.remoteAddress;
  context.userAgent = std::string(request.header("User-Agent"));
  context.host = std::string(request.header("Host"));
  context.secureTransport = secureTransport_;

  auth::HttpRequestView view{request.method, request.target, request.headers, request.body};
  std::optional<auth::SigV4Scope> scope = auth::peekScope(view);
  Routed routed = route(request, scope);
  WireProtocol wire = wireOf(request, routed.model);
  context.service = routed.service;
  auto verified = verifier_.verify(view);
  if (auto* failure = std::get_if<auth::AuthError>(&verified)) {
    ApiError error = auth::toApiError(*failure, protocolName(routed.model));
    if (observer_) observer_({&context, nullptr, nullptr, &error});
    return errorResponse(routed.model, wire, error, context.requestId);
  }
  // The verified identity is this call's alone: its strings are moved, not
  // copied, into the context (no allocations per call for them).
  auto& identity = std::get<auth::Identity>(verified);
  auth::Credential& credential = identity.credential;
  context.accessKeyId = std::move(credential.accessKeyId);
  context.accountId = std::move(credential.accountId);
  context.userName = std::move(credential.userName);
  context.userId = std::move(credential.userId);
  context.userArn = std::move(credential.userArn);
  context.principalType = std::move(credential.principalType);
  context.roleName = std::move(credential.roleName);
  context.roleArn = std::move(credential.roleArn);
  context.roleId = std::move(credential.roleId);
  context.sessionIssuedAt = credential.issuedAt;
  context.region = std::move(identity.scope.region);
  if (routed.model == nullptr) {
    ApiError error = ApiError::sender(
        "UnknownService", "Kura does not implement the service '" + routed.service + "'.", 400);
    if (observer_) observer_({&context, nullptr, nullptr, &error});
    return errorResponse(nullptr, wire, error, context.requestId);
  }
  return dispatch(request, *routed.model, wire, context);
}

HttpResponse ApiGateway::unavailable(const HttpRequest& request) const {
  auth::HttpRequestView view{request.method, request.target, request.headers, request.body};
  Routed routed = route(request, auth::peekScope(view));
  ApiError error = ApiError::sender("ServiceUnavailable", "Kura has too many connections open; retry later.", 503);
  error.senderFault = false;
  return errorResponse(routed.model, wireOf(request, routed.model), error, newUuid());
}

HttpResponse ApiGateway::dispatch(const HttpRequest& request, const ServiceModel& model, WireProtocol wire,
                                  RequestContext& context) const {
  Json input;
  const Operation* operation = nullptr;
  auto fail = [&](const ApiError& error) {
    if (observer_) observer_({&context, input.is_null() ? nullptr : &input, nullptr, &error});
    return errorResponse(&model, wire, error, context.requestId);
  };

  if (wire == WireProtocol::Cbor || (wire == WireProtocol::Json && model.protocol() != Protocol::Json)) {
    // A protocol beside the handlers' own (protocol/wire_values.h).
    std::string_view target = request.header("X-Amz-Target");
    std::string name = wire == WireProtocol::Cbor ? cborOperationName(request.target)
                                                  : std::string(target.substr(target.rfind('.') + 1));
    context.operation = name;
    if (!model.speaks(wire)) {
      return fail(ApiError::sender("UnknownOperationException",
                                   "Kura's model of " + model.signingName() + " does not list this protocol."));
    }
    operation = model.findOperation(name);
    if (operation == nullptr) return fail(ApiError::sender("UnknownOperationException", ""));
    auto decoded = wire == WireProtocol::Cbor ? decodeCborInput(request.body) : decodeJsonInput(request.body);
    if (!decoded) return fail(decoded.error());
    auto native = wireToNative(operation->input, std::move(*decoded), wire, model.protocol());
    if (!native) return fail(native.error());
    input = std::move(*native);
  } else if (model.protocol() != Protocol::Json) {
    FormFields fields;
    auto fromQuery = parseForm(request.query());
    auto fromBody = parseForm(request.body);
    if (!fromQuery || !fromBody) {
      // parseForm refuses too many fields before it splits; counted again
      // only here, to say which it was.
      if (!formFieldsWithin(request.query()) || !formFieldsWithin(request.body)) {
        return fail(ApiError::sender("MalformedQueryString", "The request has more than " +
                                                                 std::to_string(kMaxFormFields) + " parameters."));
      }
      return fail(ApiError::sender("MalformedQueryString",
                                   "The request is not a well-formed form (bad escape or invalid UTF-8)."));
    }
    for (auto& field : *fromQuery) {
      if (!isSigningParameter(field.first)) fields.push_back(std::move(field));
    }
    for (auto& field : *fromBody) fields.push_back(std::move(field));
    std::string action;
    for (const auto& [name, value] : fields) {
      if (name == "Action") action = value;
    }
    context.operation = action;
    if (action.empty()) return fail(ApiError::sender("MissingAction", "The request must contain the parameter Action."));
    operation = model.findOperation(action);
    if (operation == nullptr) return fail(notImplemented(model, action, false));
    // An operation Kura does not implement says so before its members are
    // judged (a newer SDK fills in members, idempotency tokens, that the
    // model Kura serves may lack).
    if (auto served = services_.find(model.signingName());
        served == services_.end() || served->second->handlers().find(operation->name) == nullptr) {
      return fail(notImplemented(model, operation->name, true));
    }
    auto decoded = model.protocol() == Protocol::Ec2 ? decodeEc2Input(operation->input, fields)
                                                     : decodeQueryInput(operation->input, fields);
    if (!decoded) return fail(decoded.error());
    input = std::move(*decoded);
  } else {
    std::string_view target = request.header("X-Amz-Target");
    size_t dot = target.rfind('.');
    std::string name = dot == std::string_view::npos ? std::string() : std::string(target.substr(dot + 1));
    context.operation = name;
    operation = model.findOperation(name);
    if (operation == nullptr) return fail(notImplemented(model, name, false));
    auto decoded = decodeJsonInput(request.body);
    if (!decoded) return fail(decoded.error());
    input = std::move(*decoded);
  }

  auto moduleIt = services_.find(model.signingName());
  const Handler* handler = moduleIt == services_.end() ? nullptr : moduleIt->second->handlers().find(operation->name);
  if (handler == nullptr) return fail(notImplemented(model, operation->name, true));
  if (auto refused = moduleIt->second->checkBeforeModel(operation->name, input)) return fail(*refused);
  auto violations = validateInput(operation->input, input);
  // DynamoDB reads a boolean written as a string ("yes", "0") as that
  // boolean: only a request that has one pays for a second walk.
  if (model.protocol() == Protocol::Json &&
      (model.signingName() == "dynamodb" || model.signingName() == "dynamodbstreams") &&
      std::any_of(violations.begin(), violations.end(),
                  [](const Violation& v) { return v.constraint == "Member must be a boolean"; })) {
    coerceStringBooleans(operation->input, input);
    violations = validateInput(operation->input, input);
  }
  if (!violations.empty()) {
    if (model.signingName() == "iam" || model.signingName() == "sts") {
      // IAM speaks the query protocol but words these as the JSON services
      // do ("1 validation error detected: ..."), under its own code.
      ApiError error = validationError(violations, Protocol::Json);
      error.code = "ValidationError";
      return fail(error);
    }
    return fail(validationError(violations, model.protocol()));
  }
  if (!context.userId.empty() && authorizer_) {
    if (auto denied = authorizer_(context, input, protocolName(&model))) return fail(*denied);
  }

  // A store's sync before the answer runs beside the trail's (the
  // observer's), and both end before the answer (common/deferred_syncs.h).
  DeferredSyncs deferred;
  Result<Json> output = ApiError::internal("no answer");
  try {
    output = (*handler)(context, input);
  } catch (const std::exception& error) {
    spdlog::error("request {}: {} {} failed: {}", context.requestId, model.signingName(), operation->name,
                  error.what());
    // A full disk is an outage the caller can wait out: it is told so.
    output = ApiError::internal(describeStorageFailure(error.what()) == "no space left on device"
                                    ? "The server's disk is full: the call may not have been applied. Retry once "
                                      "space is freed."
                                    : "We encountered an internal error. Please try again.");
  }
  if (!output) {
    // What a failed call wrote (a part of a batch) is synced too.
    return answerOnceSynced(request, deferred, fail(output.error()));
  }
  if (observer_) observer_({&context, &input, &*output, nullptr});

  // Encoded now, sent once the syncs end (api/synced_answer.h).
  HttpResponse response;
  response.headers.emplace_back("x-amzn-RequestId", context.requestId);
  if (wire == WireProtocol::Cbor) {
    response.headers.emplace_back("smithy-protocol", "rpc-v2-cbor");
    response.headers.emplace_back("Content-Type", std::string(kCborContentType));
    const std::string* raw = rawJsonText(*output);
    response.body = encodeCborOutput(operation->output, raw ? Json::parse(*raw) : *output);
  } else if (wire == WireProtocol::Json && model.protocol() != Protocol::Json) {
    response.headers.emplace_back("Content-Type", jsonContentType(model));
    response.body = nativeToJson(operation->output, *output).dump(-1, ' ', false, Json::error_handler_t::replace);
  } else if (model.protocol() == Protocol::Ec2) {
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = encodeEc2Response(model, *operation, *output, context.requestId);
  } else if (model.protocol() == Protocol::Query) {
    response.headers.emplace_back("Content-Type", "text/xml");
    response.body = encodeQueryResponse(model, *operation, *output, context.requestId);
  } else {
    response.headers.emplace_back("Content-Type", jsonContentType(model));
    // The output's last use: a stored item's text is moved, not copied.
    std::string* raw = rawJsonText(*output);
    response.body = raw ? std::move(*raw) : output->dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  return answerOnceSynced(request, deferred, std::move(response),
                          [&model, wire, requestId = context.requestId,
                           name = operation->name](const std::string& error) {
                            // The change is made (in memory) and recorded in the trail, but its
                            // sync failed: the caller is told it may not have been applied.
                            spdlog::error("request {}: {} {}: the sync of its change failed: {}", requestId,
                                          model.signingName(), name, error);
                            return errorResponse(
                                &model, wire,
                                ApiError::internal(describeStorageFailure(error) == "no space left on device"
                                                       ? "The server's disk is full: the call may not have been "
                                                         "applied. Retry once space is freed."
                                                       : "We encountered an internal error. Please try again."),
                                requestId);
                          });
}

}  // namespace kura

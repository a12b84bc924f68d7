#include "client/aws_client.h"

#include <chrono>
#include <set>
#include <thread>

#include "client/paginator_table.h"
#include "client/protocol_codec.h"
#include "client/sigv4_signer.h"

namespace kura::client {
namespace {

constexpr int kAttempts = 3;
constexpr int kMaxPages = 1000;
// What one callAll may hold of an endpoint's answers: far above any real
// listing (100,000 KMS keys take some 15 MB), far below a thousand pages of
// the transport's 64 MiB each.
constexpr size_t kMaxPagedBytes = 256 * 1024 * 1024;

bool retryable(const CallError& error) {
  if (error.kind == CallErrorKind::Transport) return true;
  if (error.kind != CallErrorKind::Service) return false;
  static const std::set<std::string, std::less<>> kThrottling = {"Throttling",
                                                                 "ThrottlingException",
                                                                 "ThrottledException",
                                                                 "RequestThrottledException",
                                                                 "TooManyRequestsException",
                                                                 "ProvisionedThroughputExceededException",
                                                                 "RequestLimitExceeded",
                                                                 "RequestThrottled",
                                                                 "LimitExceededException",
                                                                 "PriorRequestNotComplete"};
  return error.httpStatus >= 500 || kThrottling.contains(error.code);
}

std::vector<std::string> splitKeys(std::string_view keys) {
  std::vector<std::string> out;
  while (!keys.empty()) {
    size_t comma = keys.find(',');
    out.emplace_back(keys.substr(0, comma));
    keys = comma == std::string_view::npos ? std::string_view{} : keys.substr(comma + 1);
  }
  return out;
}

}  // namespace

RetryPause realRetryPause() {
  return [](std::chrono::milliseconds pause) { std::this_thread::sleep_for(pause); };
}

AwsClient::AwsClient(ClientIdentity identity, std::optional<Endpoint> endpointOverride, HttpTransportPtr transport,
                     ClockPtr clock, RetryPause pause, const ModelRegistry& models)
    : identity_(std::move(identity)),
      endpointOverride_(std::move(endpointOverride)),
      transport_(std::move(transport)),
      clock_(std::move(clock)),
      pause_(std::move(pause)),
      models_(models) {}

Endpoint AwsClient::endpointFor(std::string_view service) const {
  if (endpointOverride_) return *endpointOverride_;
  return awsRegionalEndpoint(service, identity_.region);
}

CallResult AwsClient::attempt(const ServiceModel& model, const Operation& operation, const nlohmann::json& input) {
  Endpoint endpoint = endpointFor(model.signingName());
  SignableRequest request;
  request.target = endpoint.path;
  request.headers.emplace_back("Host", endpoint.hostHeader());
  request.headers.emplace_back("User-Agent", "kura-check/0.1");
  encodeCall(model, operation, input, request);
  signRequest(request, identity_.credentials, SigningScope{identity_.region, model.signingName()}, clock_->now());
  auto sent = transport_->send(endpoint, request);
  if (auto* problem = std::get_if<std::string>(&sent)) {
    return CallError{CallErrorKind::Transport, 0, {}, *problem};
  }
  bytesRead_ += std::get<HttpAnswer>(sent).body.size();
  return decodeAnswer(model, operation, std::get<HttpAnswer>(sent));
}

CallResult AwsClient::call(std::string_view service, std::string_view operationName, const nlohmann::json& input) {
  const ServiceModel* model = models_.bySigningName(service);
  if (model == nullptr) return CallError{CallErrorKind::Usage, 0, {}, "no model of service " + std::string(service)};
  const Operation* operation = model->findOperation(operationName);
  if (operation == nullptr) {
    return CallError{
        CallErrorKind::Usage, 0, {}, std::string(service) + " has no operation " + std::string(operationName)};
  }
  CallResult result = attempt(*model, *operation, input);
  for (int attemptNumber = 1; attemptNumber < kAttempts; ++attemptNumber) {
    const CallError* error = errorOf(result);
    if (error == nullptr || !retryable(*error)) break;
    pause_(std::chrono::milliseconds(200 << attemptNumber));
    result = attempt(*model, *operation, input);
  }
  return result;
}

CallResult AwsClient::callAll(std::string_view service, std::string_view operation, nlohmann::json input) {
  const Paginator* paginator = findPaginator(service, operation);
  size_t bytesBefore = bytesRead_;
  CallResult first = call(service, operation, input);
  if (paginator == nullptr || errorOf(first) != nullptr) return first;
  nlohmann::json merged = std::get<nlohmann::json>(std::move(first));
  std::vector<std::string> keys = splitKeys(paginator->resultKeys);
  std::string inputToken(paginator->inputToken), outputToken(paginator->outputToken);
  std::string moreResults(paginator->moreResults);
  nlohmann::json page = merged;
  std::set<std::string> seenTokens;
  for (int pages = 1;; ++pages) {
    if (!moreResults.empty() && page.value(moreResults, false) != true) break;
    auto token = page.find(outputToken);
    if (token == page.end() || !token->is_string() || token->get<std::string>().empty()) break;
    // An endpoint that hands a token back, or never stops, would page
    // forever; what was read so far is not the whole answer, so it is not
    // passed off as one (a rule would judge a partial list).
    if (!seenTokens.insert(token->get<std::string>()).second) {
      return CallError{CallErrorKind::Malformed, 0, {},
                       std::string(operation) + " handed back a page token it had already given"};
    }
    if (bytesRead_ - bytesBefore > kMaxPagedBytes) {
      return CallError{CallErrorKind::Malformed, 0, {},
                       std::string(operation) + "'s pages ran past " + std::to_string(kMaxPagedBytes >> 20) + " MiB"};
    }
    if (pages >= kMaxPages) {
      return CallError{CallErrorKind::Malformed, 0, {},
                       std::string(operation) + " still had more pages after " + std::to_string(kMaxPages)};
    }
    input[inputToken] = *token;
    CallResult next = call(service, operation, input);
    if (errorOf(next) != nullptr) return next;
    page = std::get<nlohmann::json>(std::move(next));
    for (const std::string& key : keys) {
      auto items = page.find(key);
      if (items == page.end() || !items->is_array()) continue;
      nlohmann::json& target = merged[key];
      if (!target.is_array()) target = nlohmann::json::array();
      for (auto& item : *items) target.push_back(std::move(item));
    }
  }
  merged.erase(outputToken);
  return merged;
}

}  // namespace kura::client

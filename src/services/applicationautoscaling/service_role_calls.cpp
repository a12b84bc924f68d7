#include "services/applicationautoscaling/service_role_calls.h"

#include "common/deferred_syncs.h"
#include "common/ids.h"

namespace kura {
namespace {

constexpr const char* kRoleId = "AROAAPPLICATIONAUTOSCALING";
constexpr const char* kServicePrincipal = "application-autoscaling.amazonaws.com";

}  // namespace

RequestContext ServiceRoleCalls::context(const std::string& account, const std::string& region,
                                         const std::string& operation) {
  std::string session = "AutoScaling-" + service_;
  RequestContext c;
  c.requestId = newUuid();
  c.accountId = account;
  c.region = region;
  c.principalType = "AssumedRole";
  c.roleName = roleName_;
  c.roleId = kRoleId;
  c.roleArn = "arn:aws:iam::" + account + ":role/aws-service-role/" + service_ + ".application-autoscaling.amazonaws.com/" +
              roleName_;
  c.userName = session;
  c.userId = std::string(kRoleId) + ":" + session;
  c.userArn = "arn:aws:sts::" + account + ":assumed-role/" + roleName_ + "/" + session;
  c.sessionIssuedAt = clock_->now();
  c.sourceIp = kServicePrincipal;
  c.userAgent = kServicePrincipal;
  c.service = service_;
  c.operation = operation;
  c.receivedAt = clock_->now();
  return c;
}

Result<Json> ServiceRoleCalls::call(const RequestContext& c, const Json& input) {
  const Handler* handler = handlers_ == nullptr ? nullptr : handlers_->find(c.operation);
  if (handler == nullptr) return ApiError::internal("The " + service_ + " service is not available.");
  DeferredSyncs syncs;  // the stores' syncs are waited for here, as a client's call waits
  Result<Json> output = (*handler)(c, input);
  if (std::string failed = syncs.waitAll(); !failed.empty() && output) output = ApiError::internal(failed);
  return output;
}

Result<Json> ServiceRoleCalls::read(const std::string& account, const std::string& region,
                                    const std::string& operation, const Json& input) {
  return call(context(account, region, operation), input);
}

Result<Json> ServiceRoleCalls::change(const std::string& account, const std::string& region,
                                      const std::string& operation, const Json& input) {
  RequestContext c = context(account, region, operation);
  auto output = call(c, input);
  if (record_) record_(c, input, output ? &*output : nullptr, output ? nullptr : &output.error());
  return output;
}

}  // namespace kura

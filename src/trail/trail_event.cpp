#include "trail/trail_event.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/json_text.h"
#include "common/time_format.h"
#include "trail/trail_payloads.h"

namespace kura {
namespace {

using Json = nlohmann::json;

constexpr const char* kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

std::string lowerFirst(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

}  // namespace

bool isReadOnlyOperation(std::string_view operation) {
  for (const char* prefix : {"Describe", "List", "Get", "Lookup", "Query", "Scan", "BatchGet", "TransactGet",
                             "Download", "Filter", "Decrypt", "Encrypt", "Generate", "Verify", "Validate"}) {
    if (operation.starts_with(prefix)) return true;
  }
  return false;
}

namespace {

// Inputs arrive bounded (JSON bodies by kMaxJsonDepth, query forms by the
// model), outputs are the handlers'; this bound is for whatever else may
// come: deeper values are written as null rather than recursed into.
constexpr int kMaxParameterDepth = 160;

// A value as CloudTrail writes parameters: lower-camel-case member names,
// secret members hidden; straight into the text, without a copy of the tree.
void appendParameters(std::string& out, const Json& value, int depth = 0) {
  if ((value.is_object() || value.is_array()) && depth >= kMaxParameterDepth) {
    out.append("null");
  } else if (value.is_object()) {
    out.push_back('{');
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!first) out.push_back(',');
      first = false;
      appendJsonString(out, lowerFirst(it.key()));
      out.push_back(':');
      if (isSecretMember(it.key())) {
        appendJsonString(out, kHidden);
      } else {
        appendParameters(out, it.value(), depth + 1);
      }
    }
    out.push_back('}');
  } else if (value.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& entry : value) {
      if (!first) out.push_back(',');
      first = false;
      appendParameters(out, entry, depth + 1);
    }
    out.push_back(']');
  } else if (value.is_string()) {
    appendJsonString(out, value.get_ref<const std::string&>());
  } else {
    out += value.dump(-1, ' ', false, Json::error_handler_t::replace);  // numbers, booleans, null
  }
}

// The names of the tables a batch or transaction touched, once each.
void appendTableNames(std::string& out, const Json& input) {
  std::vector<const std::string*> names;
  auto add = [&](const Json& name) {
    if (!name.is_string()) return;
    const auto& text = name.get_ref<const std::string&>();
    if (std::none_of(names.begin(), names.end(), [&](const std::string* n) { return *n == text; })) {
      names.push_back(&text);
    }
  };
  if (auto items = input.find("RequestItems"); items != input.end() && items->is_object()) {
    for (auto it = items->begin(); it != items->end(); ++it) names.push_back(&it.key());
  }
  if (auto items = input.find("TransactItems"); items != input.end() && items->is_array()) {
    for (const auto& entry : *items) {
      if (!entry.is_object()) continue;
      for (const auto& request : entry) {  // {"Put": {"TableName": ...}}
        if (auto table = request.find("TableName"); request.is_object() && table != request.end()) add(*table);
      }
    }
  }
  out.append(R"("tableNames":[)");
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    appendJsonString(out, *names[i]);
  }
  out.push_back(']');
}

// A call that carries data: only the members its policy names.
void appendPayloadCallParameters(std::string& out, const PayloadCall& call, const Json& input) {
  out.push_back('{');
  bool first = true;
  for (std::string_view name : call.kept) {
    auto it = input.find(name);
    if (it == input.end()) continue;
    if (!first) out.push_back(',');
    first = false;
    appendJsonString(out, lowerFirst(std::string(name)));
    out.push_back(':');
    appendParameters(out, *it);
  }
  if (call.tableNames) {
    if (!first) out.push_back(',');
    appendTableNames(out, input);
  }
  out.push_back('}');
}

// `name` is one of the event's member names (plain ASCII, nothing to escape).
void appendMember(std::string& out, std::string_view name, std::string_view text) {
  out.append(",\"").append(name).append("\":");
  appendJsonString(out, text);
}

void appendLiteral(std::string& out, std::string_view name, std::string_view literal) {
  out.append(",\"").append(name).append("\":").append(literal);
}

}  // namespace

std::string trailEventText(const RequestContext& context, const Json* input, const Json* output, const ApiError* error,
                           const std::string& eventId) {
  std::string out;
  out.reserve(768);
  appendTrailEventText(out, context, input, output, error, eventId);
  return out;
}

void appendTrailEventText(std::string& out, const RequestContext& context, const Json* input, const Json* output,
                          const ApiError* error, const std::string& eventId) {
  // Kura's own credentials are the account root; an IAM user's key names its user.
  bool root = context.userId.empty();
  bool readOnly = isReadOnlyOperation(context.operation);
  const PayloadCall* payloadCall = payloadCallOf(context.service, context.operation);
  bool dataEvent = payloadCall != nullptr && payloadCall->dataEvent;
  bool assumed = context.principalType == "AssumedRole";
  out.append(R"({"eventVersion":"1.08","userIdentity":{"type":)");
  appendJsonString(out, root ? "Root" : assumed ? "AssumedRole" : "IAMUser");
  appendMember(out, "principalId", root ? context.accountId : context.userId);
  appendMember(out, "arn", root ? "arn:aws:iam::" + context.accountId + ":root" : context.userArn);
  appendMember(out, "accountId", context.accountId);
  appendMember(out, "accessKeyId", context.accessKeyId);
  if (!root && !assumed) appendMember(out, "userName", context.userName);
  if (context.sessionIssuedAt != SystemTime{}) {
    // Temporary credentials (STS): the session, and for a role's the role
    // that issued it.
    out.append(R"(,"sessionContext":{)");
    if (assumed) {
      out.append(R"("sessionIssuer":{"type":"Role")");
      appendMember(out, "principalId", context.roleId);
      appendMember(out, "arn", context.roleArn);
      appendMember(out, "accountId", context.accountId);
      appendMember(out, "userName", context.roleName);
      out.append("},");
    }
    out.append(R"("webIdFederationData":{},"attributes":{"creationDate":)");
    appendJsonString(out, formatIso8601Seconds(context.sessionIssuedAt));
    out.append(R"(,"mfaAuthenticated":"false"}})");
  }
  out.push_back('}');
  appendMember(out, "eventTime", formatIso8601Seconds(context.receivedAt));
  appendMember(out, "eventSource", context.service + ".amazonaws.com");
  appendMember(out, "eventName", context.operation);
  // IAM is global: CloudTrail records its calls in us-east-1, whatever
  // region the client signed for.
  appendMember(out, "awsRegion", context.service == "iam" ? std::string_view("us-east-1") : context.region);
  appendMember(out, "sourceIPAddress", context.sourceIp);
  appendMember(out, "userAgent", context.userAgent);
  out.append(R"(,"requestParameters":)");
  if (input == nullptr || !input->is_object()) {
    out.append("null");
  } else if (payloadCall != nullptr) {
    appendPayloadCallParameters(out, *payloadCall, *input);
  } else {
    appendParameters(out, *input);
  }
  out.append(R"(,"responseElements":)");
  if (output != nullptr && !readOnly && payloadCall == nullptr) {
    appendParameters(out, *output);
  } else {
    out.append("null");
  }
  appendMember(out, "requestID", context.requestId);
  appendMember(out, "eventID", eventId);
  appendLiteral(out, "readOnly", readOnly ? "true" : "false");
  appendMember(out, "eventType", "AwsApiCall");
  appendLiteral(out, "managementEvent", dataEvent ? "false" : "true");
  appendMember(out, "recipientAccountId", context.accountId);
  appendMember(out, "eventCategory", dataEvent ? "Data" : "Management");
  if (error != nullptr) {
    appendMember(out, "errorCode", error->code);
    // A payload call's message may quote what it refused (a number in an
    // item, a token of a statement): its code is recorded, not its message.
    if (payloadCall == nullptr) appendMember(out, "errorMessage", error->message);
  }
  out.push_back('}');
}

Json makeTrailEvent(const RequestContext& context, const Json* input, const Json* output, const ApiError* error,
                    const std::string& eventId) {
  return Json::parse(trailEventText(context, input, output, error, eventId));
}

}  // namespace kura

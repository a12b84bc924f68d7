#include "trail/trail_event.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/json_text.h"
#include "common/time_format.h"

namespace kura {
namespace {

using Json = nlohmann::json;

constexpr const char* kHidden = "HIDDEN_DUE_TO_SECURITY_REASONS";

bool containsNoCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != haystack.end();
}

bool isSecretMember(std::string_view name) {
  static constexpr std::array kSecretWords = {"password", "secretstring", "secretbinary", "plaintext",
                                              "secretaccesskey", "authtoken", "privatekey", "sessiontoken"};
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](const char* word) { return containsNoCase(name, word); });
}

bool isDynamoDbDataEvent(const std::string& operation) {
  static const std::array<std::string, 12> kDataOperations = {
      "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
      "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement"};
  return std::find(kDataOperations.begin(), kDataOperations.end(), operation) != kDataOperations.end();
}

std::string lowerFirst(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

}  // namespace

bool isReadOnlyOperation(const std::string& operation) {
  for (const char* prefix : {"Describe", "List", "Get", "Lookup", "Query", "Scan", "BatchGet", "TransactGet",
                             "Download", "Filter", "Decrypt", "Encrypt", "Generate", "Verify", "Validate"}) {
    if (operation.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

namespace {

// A value as CloudTrail writes parameters: lower-camel-case member names,
// secret members hidden; straight into the text, without a copy of the tree.
void appendParameters(std::string& out, const Json& value) {
  if (value.is_object()) {
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
        appendParameters(out, it.value());
      }
    }
    out.push_back('}');
  } else if (value.is_array()) {
    out.push_back('[');
    bool first = true;
    for (const auto& entry : value) {
      if (!first) out.push_back(',');
      first = false;
      appendParameters(out, entry);
    }
    out.push_back(']');
  } else if (value.is_string()) {
    appendJsonString(out, value.get_ref<const std::string&>());
  } else {
    out += value.dump(-1, ' ', false, Json::error_handler_t::replace);  // numbers, booleans, null
  }
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
  bool root = context.userName.empty() || context.userName == "root";
  bool readOnly = isReadOnlyOperation(context.operation);
  bool dataEvent = context.service == "dynamodb" && isDynamoDbDataEvent(context.operation);
  out.append(R"({"eventVersion":"1.08","userIdentity":{"type":)");
  appendJsonString(out, root ? "Root" : "IAMUser");
  appendMember(out, "principalId", root ? context.accountId : context.accessKeyId);
  appendMember(out, "arn", root ? "arn:aws:iam::" + context.accountId + ":root"
                                : "arn:aws:iam::" + context.accountId + ":user/" + context.userName);
  appendMember(out, "accountId", context.accountId);
  appendMember(out, "accessKeyId", context.accessKeyId);
  if (!root) appendMember(out, "userName", context.userName);
  out.push_back('}');
  appendMember(out, "eventTime", formatIso8601Seconds(context.receivedAt));
  appendMember(out, "eventSource", context.service + ".amazonaws.com");
  appendMember(out, "eventName", context.operation);
  appendMember(out, "awsRegion", context.region);
  appendMember(out, "sourceIPAddress", context.sourceIp);
  appendMember(out, "userAgent", context.userAgent);
  out.append(R"(,"requestParameters":)");
  if (input == nullptr || !input->is_object()) {
    out.append("null");
  } else if (dataEvent) {
    // Data events name the table, never the items.
    if (input->contains("TableName")) {
      out.append(R"({"tableName":)");
      appendParameters(out, (*input)["TableName"]);
      out.push_back('}');
    } else {
      out.append("{}");
    }
  } else {
    appendParameters(out, *input);
  }
  out.append(R"(,"responseElements":)");
  if (output != nullptr && !readOnly && !dataEvent) {
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
    appendMember(out, "errorMessage", error->message);
  }
  out.push_back('}');
}

Json makeTrailEvent(const RequestContext& context, const Json* input, const Json* output, const ApiError* error,
                    const std::string& eventId) {
  return Json::parse(trailEventText(context, input, output, error, eventId));
}

}  // namespace kura

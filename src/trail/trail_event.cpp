#include "trail/trail_event.h"

#include <algorithm>
#include <array>
#include <cctype>

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

// CloudTrail writes parameters with lower-camel-case names.
Json camelCaseKeys(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[lowerFirst(it.key())] = camelCaseKeys(it.value());
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& entry : value) out.push_back(camelCaseKeys(entry));
    return out;
  }
  return value;
}

}  // namespace

Json redactSecrets(const Json& value) {
  if (value.is_object()) {
    Json out = Json::object();
    for (auto it = value.begin(); it != value.end(); ++it) {
      out[it.key()] = isSecretMember(it.key()) ? Json(kHidden) : redactSecrets(it.value());
    }
    return out;
  }
  if (value.is_array()) {
    Json out = Json::array();
    for (const auto& entry : value) out.push_back(redactSecrets(entry));
    return out;
  }
  return value;
}

bool isReadOnlyOperation(const std::string& operation) {
  for (const char* prefix : {"Describe", "List", "Get", "Lookup", "Query", "Scan", "BatchGet", "TransactGet",
                             "Download", "Filter", "Decrypt", "Encrypt", "Generate", "Verify", "Validate"}) {
    if (operation.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

Json makeTrailEvent(const RequestContext& context, const Json* input, const Json* output, const ApiError* error,
                    const std::string& eventId) {
  bool root = context.userName.empty() || context.userName == "root";
  Json identity = {{"type", root ? "Root" : "IAMUser"},
                   {"principalId", root ? context.accountId : context.accessKeyId},
                   {"arn", root ? "arn:aws:iam::" + context.accountId + ":root"
                                : "arn:aws:iam::" + context.accountId + ":user/" + context.userName},
                   {"accountId", context.accountId},
                   {"accessKeyId", context.accessKeyId}};
  if (!root) identity["userName"] = context.userName;

  bool readOnly = isReadOnlyOperation(context.operation);
  bool dataEvent = context.service == "dynamodb" && isDynamoDbDataEvent(context.operation);
  Json parameters = nullptr;
  if (input != nullptr && input->is_object()) {
    if (dataEvent) {
      parameters = Json::object();
      if (input->contains("TableName")) parameters["tableName"] = (*input)["TableName"];
    } else {
      parameters = camelCaseKeys(redactSecrets(*input));
    }
  }
  Json response = nullptr;
  if (output != nullptr && !readOnly && !dataEvent) response = camelCaseKeys(redactSecrets(*output));

  Json event = {{"eventVersion", "1.08"},
                {"userIdentity", identity},
                {"eventTime", formatIso8601Seconds(context.receivedAt)},
                {"eventSource", context.service + ".amazonaws.com"},
                {"eventName", context.operation},
                {"awsRegion", context.region},
                {"sourceIPAddress", context.sourceIp},
                {"userAgent", context.userAgent},
                {"requestParameters", parameters},
                {"responseElements", response},
                {"requestID", context.requestId},
                {"eventID", eventId},
                {"readOnly", readOnly},
                {"eventType", "AwsApiCall"},
                {"managementEvent", !dataEvent},
                {"recipientAccountId", context.accountId},
                {"eventCategory", dataEvent ? "Data" : "Management"}};
  if (error != nullptr) {
    event["errorCode"] = error->code;
    event["errorMessage"] = error->message;
  }
  return event;
}

}  // namespace kura

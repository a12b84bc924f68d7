#include "trail/trail_payloads.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <unordered_map>

namespace kura {
namespace {

bool containsNoCase(std::string_view haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
         }) != haystack.end();
}

struct Entry {
  std::string_view service;
  PayloadCall call;
};

std::unordered_map<std::string_view, Entry> makeTable() {
  std::unordered_map<std::string_view, Entry> table;
  PayloadCall item{true, {"TableName", "IndexName"}, false};
  for (std::string_view op : {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"}) {
    table.emplace(op, Entry{"dynamodb", item});
  }
  PayloadCall batch{true, {}, true};
  for (std::string_view op : {"BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}) {
    table.emplace(op, Entry{"dynamodb", batch});
  }
  // A statement holds its values inline: nothing of it is kept.
  for (std::string_view op : {"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"}) {
    table.emplace(op, Entry{"dynamodb", PayloadCall{true, {}, false}});
  }
  // DynamoDB Streams: reading records is a data event (the records are
  // not recorded); DescribeStream and ListStreams are management events.
  table.emplace("GetShardIterator",
                Entry{"dynamodb", PayloadCall{true, {"StreamArn", "ShardId", "ShardIteratorType", "SequenceNumber"}, false}});
  table.emplace("GetRecords", Entry{"dynamodb", PayloadCall{true, {"ShardIterator", "Limit"}, false}});
  table.emplace("PutLogEvents", Entry{"logs", PayloadCall{true, {"logGroupName", "logStreamName"}, false}});
  // A test of a filter against messages the caller pastes in.
  table.emplace("TestMetricFilter", Entry{"logs", PayloadCall{false, {"filterPattern"}, false}});
  // Datapoints are CloudWatch's data events, as AWS records them.
  table.emplace("PutMetricData", Entry{"monitoring", PayloadCall{true, {"Namespace"}, false}});
  // Wrapped key material and its import token.
  table.emplace("ImportKeyMaterial",
                Entry{"kms", PayloadCall{false, {"KeyId", "ValidTo", "ExpirationModel"}, false}});
  PayloadCall crypto{false,
                     {"KeyId", "SourceKeyId", "DestinationKeyId", "EncryptionContext", "SourceEncryptionContext",
                      "DestinationEncryptionContext", "EncryptionAlgorithm", "SourceEncryptionAlgorithm",
                      "DestinationEncryptionAlgorithm", "KeySpec", "NumberOfBytes", "KeyPairSpec",
                      "SigningAlgorithm", "MessageType", "MacAlgorithm", "CustomKeyStoreId", "DryRun"},
                     false};
  for (std::string_view op : {"Encrypt", "Decrypt", "ReEncrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                              "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "GenerateRandom", "Sign",
                              "Verify", "GenerateMac", "VerifyMac"}) {
    table.emplace(op, Entry{"kms", crypto});
  }
  return table;
}

}  // namespace

const PayloadCall* payloadCallOf(std::string_view service, std::string_view operation) {
  // Keyed by operation (no allocation per call); the service then confirms.
  static const std::unordered_map<std::string_view, Entry> kTable = makeTable();
  auto it = kTable.find(operation);
  return it != kTable.end() && it->second.service == service ? &it->second.call : nullptr;
}

bool isSecretMember(std::string_view name) {
  static constexpr std::array kSecretWords = {"password",        "secretstring", "secretbinary", "plaintext",
                                              "secretaccesskey", "authtoken",    "privatekey",   "sessiontoken",
                                              "sharedsecret"};
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](const char* word) { return containsNoCase(name, word); });
}

}  // namespace kura

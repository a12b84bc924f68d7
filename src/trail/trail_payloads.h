#pragma once
// What the trail keeps of the calls that carry data: DynamoDB's item calls,
// PutLogEvents and TestMetricFilter, PutMetricData, KMS's cryptographic
// calls and ImportKeyMaterial. Their payloads (items, keys, attribute and
// parameter values, log messages, datapoints, plaintexts, ciphertexts, key
// material, messages to sign) never reach the trail, whatever the
// encryption of the resource: each such call names the few input members
// the trail records (the names of what it acted on), everything else is
// left out, and its response is not recorded at all (nor its error's
// message, which may quote a value: the error's code is). A member the
// model adds later is left out too, until it is named here.
//
// Every other call is recorded whole, with its secret members hidden
// (isSecretMember: passwords, SecretString, Plaintext, ...).
#include <string_view>
#include <vector>

namespace kura {

struct PayloadCall {
  // CloudTrail's category: Data (DynamoDB items, log events) or Management
  // (KMS's cryptographic calls, as AWS records them).
  bool dataEvent = false;
  std::vector<std::string_view> kept;  // input members recorded, by model name
  // The tables a batch or transaction touched, recorded as "tableNames"
  // (the keys of RequestItems; each TransactItems entry's TableName).
  bool tableNames = false;
};

// The call's policy, or null for a call recorded whole.
const PayloadCall* payloadCallOf(std::string_view service, std::string_view operation);
// Whether a member holds a secret, by its name (what every model marks
// "sensitive", and the passwords the older models do not mark).
bool isSecretMember(std::string_view name);

}  // namespace kura

#pragma once
// The official AWS service model (botocore's service-2.json) as typed
// structures: the specification every request is parsed, validated and
// answered by.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace kura {

struct Shape;
class ModelPattern;

enum class ShapeType { Structure, List, Map, String, Integer, Long, Boolean, Timestamp, Blob, Double, Float };

// A reference to a shape from a structure member, list member, map key or value.
struct MemberRef {
  std::string name;          // member name in the model
  const Shape* shape = nullptr;
  std::string locationName;  // wire name where it differs
  std::string queryName;     // ec2 protocol: the request's name where it differs
  std::string location;      // "header", "uri", ... (rest protocols only)
  bool flattened = false;
  const std::string& wireName() const { return locationName.empty() ? name : locationName; }
};

struct ErrorInfo {
  std::string code;
  int httpStatus = 400;
  bool senderFault = true;
};

struct Shape {
  std::string name;
  ShapeType type = ShapeType::String;
  std::vector<MemberRef> members;  // structure, in model order
  std::vector<uint32_t> membersByName;  // indexes into `members`, in the order of their names
  std::set<std::string> required;
  MemberRef member;                // list
  MemberRef key, value;            // map
  bool flattened = false;
  std::vector<std::string> enumValues;
  std::optional<double> min, max;
  std::string timestampFormat;
  bool sensitive = false;  // the model's "sensitive": never quoted back in an error
  bool exception = false;
  std::optional<ErrorInfo> error;
  std::shared_ptr<const ModelPattern> pattern;  // a string's `pattern` (protocol/model_pattern.h)

  const MemberRef* findMember(std::string_view memberName) const;
};

struct Operation {
  std::string name;
  const Shape* input = nullptr;
  const Shape* output = nullptr;
  std::string resultWrapper;
  std::vector<const Shape*> errors;
};

// Query: form in, XML out with a Result wrapper. Ec2: EC2's dialect of it
// (every list flattened, member names from queryName or locationName, XML
// without a wrapper, <Response><Errors> errors). Json: JSON in and out.
enum class Protocol { Query, Ec2, Json };

// The protocols a model lists ("protocols", newer models) beside the one its
// handlers speak (protocol()): a request may come in any of them, and is
// decoded into, and answered from, the handlers' form (protocol/wire_values.h).
enum class WireProtocol { Query, Ec2, Json, Cbor };

class ServiceModel {
 public:
  // Parses a botocore model; throws std::runtime_error on a model it cannot read
  // (the models are build-time data: failing loudly at start-up is right).
  static std::unique_ptr<ServiceModel> parse(std::string_view signingName, std::string_view json);

  const std::string& signingName() const { return signingName_; }
  // The protocol the service's handlers are written against: of the model's
  // protocols, ec2 or query before json (CloudWatch lists CBOR, JSON and
  // query, and its handlers read query's values).
  Protocol protocol() const { return protocol_; }
  bool speaks(WireProtocol wire) const;
  // awsQueryCompatible: JSON and CBOR errors carry the query error code in
  // the x-amzn-query-error header.
  bool queryCompatible() const { return queryCompatible_; }
  const std::string& apiVersion() const { return apiVersion_; }
  const std::string& targetPrefix() const { return targetPrefix_; }  // json: X-Amz-Target prefix
  const std::string& jsonVersion() const { return jsonVersion_; }    // json: "1.0" or "1.1"
  const std::string& xmlNamespace() const { return xmlNamespace_; }  // query, ec2
  const std::string& errorNamespace() const { return errorNamespace_; }
  const Operation* findOperation(std::string_view name) const;
  const Shape* findShape(std::string_view name) const;
  // The error shape whose code (or shape name) is `code`, if the model has one.
  const Shape* findError(std::string_view code) const;
  const std::map<std::string, Operation, std::less<>>& operations() const { return operations_; }

 private:
  std::string signingName_, apiVersion_, targetPrefix_, jsonVersion_, xmlNamespace_, errorNamespace_;
  Protocol protocol_ = Protocol::Query;
  std::set<WireProtocol> wires_;
  bool queryCompatible_ = false;
  std::map<std::string, std::unique_ptr<Shape>, std::less<>> shapes_;
  std::map<std::string, Operation, std::less<>> operations_;
  std::map<std::string, const Shape*, std::less<>> errorsByCode_;
};

}  // namespace kura

#include "protocol/service_model.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "protocol/model_pattern.h"

namespace kura {
namespace {

using Json = nlohmann::ordered_json;  // member order is the model's

ShapeType parseType(const std::string& type) {
  static const std::map<std::string, ShapeType> kTypes = {
      {"structure", ShapeType::Structure}, {"list", ShapeType::List},       {"map", ShapeType::Map},
      {"string", ShapeType::String},       {"integer", ShapeType::Integer}, {"long", ShapeType::Long},
      {"boolean", ShapeType::Boolean},     {"timestamp", ShapeType::Timestamp}, {"blob", ShapeType::Blob},
      {"double", ShapeType::Double},       {"float", ShapeType::Float},
  };
  auto it = kTypes.find(type);
  if (it == kTypes.end()) throw std::runtime_error("unknown shape type " + type);
  return it->second;
}

}  // namespace

const MemberRef* Shape::findMember(std::string_view memberName) const {
  for (const auto& m : members) {
    if (m.name == memberName) return &m;
  }
  return nullptr;
}

std::unique_ptr<ServiceModel> ServiceModel::parse(std::string_view signingName, std::string_view text) {
  Json doc = Json::parse(text);
  auto model = std::make_unique<ServiceModel>();
  model->signingName_ = signingName;
  const Json& meta = doc.at("metadata");
  std::vector<std::string> protocols;
  if (meta.contains("protocols")) protocols = meta["protocols"].get<std::vector<std::string>>();
  if (protocols.empty()) protocols.push_back(meta.at("protocol").get<std::string>());
  for (const std::string& protocol : protocols) {
    if (protocol == "query") {
      model->wires_.insert(WireProtocol::Query);
    } else if (protocol == "ec2") {
      model->wires_.insert(WireProtocol::Ec2);
    } else if (protocol == "json") {
      model->wires_.insert(WireProtocol::Json);
    } else if (protocol == "smithy-rpc-v2-cbor") {
      model->wires_.insert(WireProtocol::Cbor);
    }
  }
  if (model->wires_.contains(WireProtocol::Ec2)) {
    model->protocol_ = Protocol::Ec2;
  } else if (model->wires_.contains(WireProtocol::Query)) {
    model->protocol_ = Protocol::Query;
  } else if (model->wires_.contains(WireProtocol::Json)) {
    model->protocol_ = Protocol::Json;
  } else {
    throw std::runtime_error("no protocol Kura serves in the model of " + std::string(signingName));
  }
  model->queryCompatible_ = meta.contains("awsQueryCompatible");
  model->apiVersion_ = meta.value("apiVersion", "");
  model->targetPrefix_ = meta.value("targetPrefix", "");
  model->jsonVersion_ = meta.value("jsonVersion", "1.0");
  model->xmlNamespace_ = meta.value("xmlNamespace", "");
  if (model->protocol_ == Protocol::Json && (signingName == "dynamodb" || signingName == "dynamodbstreams")) {
    // DynamoDB writes com.amazonaws.dynamodb.v20120810#Code (its Streams
    // too); SDKs read what follows '#'.
    std::string version = model->apiVersion_;
    std::erase(version, '-');
    model->errorNamespace_ = "com.amazonaws.dynamodb.v" + version;
  }

  // Two passes: create every shape, then resolve references.
  const Json& shapes = doc.at("shapes");
  for (auto it = shapes.begin(); it != shapes.end(); ++it) {
    auto shape = std::make_unique<Shape>();
    shape->name = it.key();
    shape->type = parseType(it.value().at("type").get<std::string>());
    model->shapes_.emplace(it.key(), std::move(shape));
  }
  auto resolve = [&](const Json& ref, const std::string& name) {
    MemberRef member;
    member.name = name;
    member.shape = model->findShape(ref.at("shape").get<std::string>());
    if (member.shape == nullptr) throw std::runtime_error("dangling shape " + ref.dump());
    member.locationName = ref.value("locationName", "");
    member.location = ref.value("location", "");
    member.queryName = ref.value("queryName", "");
    member.flattened = ref.value("flattened", false);
    return member;
  };
  for (auto it = shapes.begin(); it != shapes.end(); ++it) {
    Shape& shape = *model->shapes_.at(it.key());
    const Json& def = it.value();
    if (def.contains("members")) {
      for (auto m = def["members"].begin(); m != def["members"].end(); ++m) {
        shape.members.push_back(resolve(m.value(), m.key()));
      }
      shape.membersByName.resize(shape.members.size());
      std::iota(shape.membersByName.begin(), shape.membersByName.end(), 0u);
      std::sort(shape.membersByName.begin(), shape.membersByName.end(),
                [&](uint32_t a, uint32_t b) { return shape.members[a].name < shape.members[b].name; });
    }
    if (def.contains("required")) {
      for (const auto& r : def["required"]) shape.required.insert(r.get<std::string>());
    }
    if (def.contains("member")) shape.member = resolve(def["member"], "member");
    if (def.contains("key")) shape.key = resolve(def["key"], "key");
    if (def.contains("value")) shape.value = resolve(def["value"], "value");
    shape.flattened = def.value("flattened", false);
    if (def.contains("enum")) shape.enumValues = def["enum"].get<std::vector<std::string>>();
    if (def.contains("min") && def["min"].is_number()) shape.min = def["min"].get<double>();
    if (def.contains("max") && def["max"].is_number()) shape.max = def["max"].get<double>();
    if (shape.type == ShapeType::String && def.contains("pattern") && def["pattern"].is_string()) {
      shape.pattern = std::make_shared<const ModelPattern>(def["pattern"].get<std::string>());
    }
    shape.timestampFormat = def.value("timestampFormat", "");
    shape.sensitive = def.value("sensitive", false);
    shape.exception = def.value("exception", false);
    if (shape.exception) {
      ErrorInfo info;
      info.code = shape.name;
      if (def.contains("error")) {
        const Json& e = def["error"];
        info.code = e.value("code", shape.name);
        info.httpStatus = e.value("httpStatusCode", 400);
        info.senderFault = e.value("senderFault", true);
      }
      shape.error = info;
      model->errorsByCode_[info.code] = &shape;
      model->errorsByCode_.emplace(shape.name, &shape);
    }
  }
  const Json& operations = doc.at("operations");
  for (auto it = operations.begin(); it != operations.end(); ++it) {
    Operation op;
    op.name = it.key();
    const Json& def = it.value();
    if (def.contains("input")) op.input = model->findShape(def["input"].at("shape").get<std::string>());
    if (def.contains("output")) {
      op.output = model->findShape(def["output"].at("shape").get<std::string>());
      op.resultWrapper = def["output"].value("resultWrapper", "");
    }
    if (def.contains("errors")) {
      for (const auto& e : def["errors"]) op.errors.push_back(model->findShape(e.at("shape").get<std::string>()));
    }
    model->operations_.emplace(op.name, std::move(op));
  }
  return model;
}

bool ServiceModel::speaks(WireProtocol wire) const { return wires_.contains(wire); }

const Operation* ServiceModel::findOperation(std::string_view name) const {
  auto it = operations_.find(name);
  return it == operations_.end() ? nullptr : &it->second;
}

const Shape* ServiceModel::findShape(std::string_view name) const {
  auto it = shapes_.find(name);
  return it == shapes_.end() ? nullptr : it->second.get();
}

const Shape* ServiceModel::findError(std::string_view code) const {
  auto it = errorsByCode_.find(code);
  return it == errorsByCode_.end() ? nullptr : it->second;
}

}  // namespace kura

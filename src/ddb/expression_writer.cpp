#include "ddb/expression_writer.h"

namespace kura::ddb {

std::string ExpressionWriter::name(const std::string& name) {
  auto [it, added] = names_.emplace(name, "#n" + std::to_string(names_.size()));
  return it->second;
}

std::string ExpressionWriter::value(const Json& value) {
  std::string placeholder = ":v" + std::to_string(values_.size());
  values_[placeholder] = value;
  return placeholder;
}

std::string ExpressionWriter::path(const Path& path) {
  std::string out;
  for (const PathElement& element : path) {
    if (element.name.empty()) {
      out += "[" + std::to_string(element.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += name(element.name);
    }
  }
  return out;
}

std::string ExpressionWriter::operand(const Operand& operand) {
  switch (operand.kind) {
    case Operand::Kind::Path:
      return path(operand.path);
    case Operand::Kind::Value:
      return value(operand.value);
    case Operand::Kind::Size:
      return "size(" + (operand.left ? this->operand(*operand.left) : path(operand.path)) + ")";
    case Operand::Kind::IfNotExists:
      return "if_not_exists(" + path(operand.path) + ", " + this->operand(*operand.right) + ")";
    case Operand::Kind::ListAppend:
      return "list_append(" + this->operand(*operand.left) + ", " + this->operand(*operand.right) + ")";
    case Operand::Kind::Plus:
      return this->operand(*operand.left) + " + " + this->operand(*operand.right);
    case Operand::Kind::Minus:
      return this->operand(*operand.left) + " - " + this->operand(*operand.right);
  }
  return "";
}

std::string ExpressionWriter::condition(const Condition& c) {
  auto arg = [&](size_t i) { return operand(*c.operands.at(i)); };
  switch (c.kind) {
    case Condition::Kind::Compare:
      return arg(0) + " " + c.op + " " + arg(1);
    case Condition::Kind::Between:
      return arg(0) + " BETWEEN " + arg(1) + " AND " + arg(2);
    case Condition::Kind::In: {
      std::string out = arg(0) + " IN (";
      for (size_t i = 1; i < c.operands.size(); ++i) out += (i > 1 ? ", " : "") + arg(i);
      return out + ")";
    }
    case Condition::Kind::Exists:
      return "attribute_exists(" + arg(0) + ")";
    case Condition::Kind::NotExists:
      return "attribute_not_exists(" + arg(0) + ")";
    case Condition::Kind::Type:
      return "attribute_type(" + arg(0) + ", " + arg(1) + ")";
    case Condition::Kind::BeginsWith:
      return "begins_with(" + arg(0) + ", " + arg(1) + ")";
    case Condition::Kind::Contains:
      return "contains(" + arg(0) + ", " + arg(1) + ")";
    case Condition::Kind::And:
      return "(" + condition(*c.left) + ") AND (" + condition(*c.right) + ")";
    case Condition::Kind::Or:
      return "(" + condition(*c.left) + ") OR (" + condition(*c.right) + ")";
    case Condition::Kind::Not:
      return "NOT (" + condition(*c.left) + ")";
  }
  return "";
}

std::string ExpressionWriter::update(const std::vector<UpdateAction>& actions) {
  // One clause per kind, as an update expression has them.
  std::map<UpdateAction::Kind, std::string> clauses;
  for (const UpdateAction& action : actions) {
    std::string& clause = clauses[action.kind];
    if (!clause.empty()) clause += ", ";
    clause += path(action.path);
    if (action.kind == UpdateAction::Kind::Set) clause += " = " + operand(*action.value);
    if (action.kind == UpdateAction::Kind::Add || action.kind == UpdateAction::Kind::Delete) {
      clause += " " + operand(*action.value);
    }
  }
  std::string out;
  static const std::map<UpdateAction::Kind, const char*> kKeywords = {{UpdateAction::Kind::Set, "SET "},
                                                                      {UpdateAction::Kind::Remove, "REMOVE "},
                                                                      {UpdateAction::Kind::Add, "ADD "},
                                                                      {UpdateAction::Kind::Delete, "DELETE "}};
  for (const auto& [kind, clause] : clauses) out += (out.empty() ? "" : " ") + std::string(kKeywords.at(kind)) + clause;
  return out;
}

std::string ExpressionWriter::projection(const std::vector<Path>& paths) {
  std::string out;
  for (const Path& p : paths) out += (out.empty() ? "" : ", ") + path(p);
  return out;
}

void ExpressionWriter::addTo(Json& request) const {
  if (!names_.empty()) {
    Json names = Json::object();
    for (const auto& [name, placeholder] : names_) names[placeholder] = name;
    request["ExpressionAttributeNames"] = names;
  }
  if (!values_.empty()) request["ExpressionAttributeValues"] = values_;
}

}  // namespace kura::ddb

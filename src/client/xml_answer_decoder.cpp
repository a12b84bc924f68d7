#include "client/xml_answer_decoder.h"

#include <cstdlib>
#include <map>
#include <pugixml.hpp>
#include <string>
#include <vector>

namespace kura::client {
namespace {

// Element names without a namespace prefix.
std::string_view localName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && localName(node) == name) return node;
  }
  return {};
}

nlohmann::json decodeNode(const Shape* shape, const pugi::xml_node& node);

nlohmann::json scalar(const Shape* shape, const pugi::xml_node& node) {
  std::string text = node.text().as_string();
  switch (shape->type) {
    case ShapeType::Integer:
    case ShapeType::Long: {
      char* end = nullptr;
      long long number = std::strtoll(text.c_str(), &end, 10);
      if (end == text.c_str() || *end != '\0') return text;  // keep what cannot be read as it is
      return number;
    }
    case ShapeType::Double:
    case ShapeType::Float: {
      char* end = nullptr;
      double number = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0') return text;
      return number;
    }
    case ShapeType::Boolean:
      return text == "true";
    default:
      return text;
  }
}

// The name a structure member's elements carry: a flattened list with a
// member name uses that name for each of its items.
std::string elementName(const MemberRef& member) {
  const Shape* shape = member.shape;
  bool flattened = member.flattened || (shape != nullptr && shape->flattened);
  if (shape != nullptr && shape->type == ShapeType::List && flattened && !shape->member.locationName.empty()) {
    return shape->member.locationName;
  }
  return member.wireName();
}

nlohmann::json listItems(const Shape* shape, const std::vector<pugi::xml_node>& items) {
  nlohmann::json out = nlohmann::json::array();
  for (const pugi::xml_node& item : items) out.push_back(decodeNode(shape->member.shape, item));
  return out;
}

nlohmann::json decodeStructure(const Shape* shape, const pugi::xml_node& node) {
  nlohmann::json out = nlohmann::json::object();
  std::map<std::string_view, std::vector<pugi::xml_node>> byName;
  for (pugi::xml_node item : node.children()) {
    if (item.type() == pugi::node_element) byName[localName(item)].push_back(item);
  }
  for (const MemberRef& member : shape->members) {
    if (member.shape == nullptr) continue;
    auto it = byName.find(elementName(member));
    if (it == byName.end()) continue;
    bool flattened = member.flattened || member.shape->flattened;
    if (member.shape->type == ShapeType::List && flattened) {
      out[member.name] = listItems(member.shape, it->second);
    } else {
      out[member.name] = decodeNode(member.shape, it->second.front());
    }
  }
  return out;
}

nlohmann::json decodeMap(const Shape* shape, const pugi::xml_node& node) {
  nlohmann::json out = nlohmann::json::object();
  std::string keyName = shape->key.locationName.empty() ? "key" : shape->key.locationName;
  std::string valueName = shape->value.locationName.empty() ? "value" : shape->value.locationName;
  for (pugi::xml_node entry : node.children()) {
    if (entry.type() != pugi::node_element) continue;
    std::string key = child(entry, keyName).text().as_string();
    pugi::xml_node value = child(entry, valueName);
    if (value && shape->value.shape != nullptr) out[key] = decodeNode(shape->value.shape, value);
  }
  return out;
}

nlohmann::json decodeNode(const Shape* shape, const pugi::xml_node& node) {
  if (shape == nullptr) return nullptr;
  switch (shape->type) {
    case ShapeType::Structure:
      return decodeStructure(shape, node);
    case ShapeType::List: {
      std::string itemName = shape->member.locationName.empty() ? "member" : shape->member.locationName;
      std::vector<pugi::xml_node> items;
      for (pugi::xml_node item : node.children()) {
        if (item.type() == pugi::node_element && localName(item) == itemName) items.push_back(item);
      }
      return listItems(shape, items);
    }
    case ShapeType::Map:
      return decodeMap(shape, node);
    default:
      return scalar(shape, node);
  }
}

// Whether no element lies deeper than `maxDepth`; pugixml's walker keeps its
// own stack, where the decoder (and every copy of what it builds) recurses.
bool nestsWithin(pugi::xml_document& document, int maxDepth) {
  struct DepthWalker : pugi::xml_tree_walker {
    int maxDepth = 0;
    bool within = true;
    bool for_each(pugi::xml_node&) override {
      if (depth() >= maxDepth) within = false;
      return within;
    }
  } walker;
  walker.maxDepth = maxDepth;
  document.traverse(walker);
  return walker.within;
}

// The same bound the server holds JSON bodies to (protocol/json_nesting.h);
// the deepest query-protocol answer Kura reads nests far less.
constexpr int kMaxXmlDepth = 128;

}  // namespace

std::variant<nlohmann::json, std::string> decodeQueryAnswer(const Operation& operation, std::string_view xml) {
  pugi::xml_document document;
  pugi::xml_parse_result parsed = document.load_buffer(xml.data(), xml.size());
  if (!parsed) return std::string("not XML: ") + parsed.description();
  if (!nestsWithin(document, kMaxXmlDepth)) {
    return "the answer nests deeper than " + std::to_string(kMaxXmlDepth) + " elements";
  }
  pugi::xml_node root = document.document_element();
  if (operation.output == nullptr) return nlohmann::json::object();
  pugi::xml_node result = operation.resultWrapper.empty() ? root : child(root, operation.resultWrapper);
  if (!result) {
    // Some endpoints leave an empty result element out altogether.
    if (localName(root) == operation.name + "Response") return nlohmann::json::object();
    return "no " + operation.resultWrapper + " element in the answer";
  }
  return decodeNode(operation.output, result);
}

XmlError decodeXmlError(std::string_view xml) {
  pugi::xml_document document;
  if (!document.load_buffer(xml.data(), xml.size())) return {};
  // The first <Error> anywhere in the document, then its Code and Message.
  pugi::xml_node error = document.find_node(
      [](const pugi::xml_node& node) { return node.type() == pugi::node_element && localName(node) == "Error"; });
  if (!error) return {};
  return {child(error, "Code").text().as_string(), child(error, "Message").text().as_string()};
}

}  // namespace kura::client

#include "ddb/item_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kura::ddb {
namespace {

using Json = nlohmann::json;

// The text path must write exactly what setting the attributes in the
// parsed item and dumping it writes.
void expectSameAsTree(const Json& item, const std::vector<std::pair<std::string, Json>>& sets) {
  Json expected = item;
  std::vector<AttributeText> attributes;
  for (const auto& [name, value] : sets) {
    expected[name] = value;
    attributes.push_back({name, value.dump()});
  }
  auto text = withAttributesSet(item.dump(), attributes);
  ASSERT_TRUE(text.has_value()) << item.dump();
  EXPECT_EQ(*text, expected.dump());
  EXPECT_EQ(Json::parse(*text), expected);
}

TEST(ItemText, ReplacesAndAddsAttributesInByteOrder) {
  Json item = {{"k", {{"S", "key"}}},
               {"b", {{"M", {{"x", {{"S", "a,}b\"c"}}}, {"y", {{"L", Json::array({{{"N", "1"}}, {{"S", "]"}}})}}}}}}},
               {"m", {{"SS", {"p", "q"}}}},
               {"é", {{"S", "utf-8 name"}}}};
  expectSameAsTree(item, {{"m", {{"S", "new"}}}});
  expectSameAsTree(item, {{"a", {{"N", "1"}}}});          // before every member
  expectSameAsTree(item, {{"zz", {{"BOOL", true}}}});     // after every member
  expectSameAsTree(item, {{"c", {{"NULL", true}}}});      // between two
  expectSameAsTree(item, {{"é", {{"S", "x"}}}, {"b", {{"S", "y"}}}, {"d", {{"S", "z"}}}});
  expectSameAsTree(item, {{"B", {{"S", "upper case sorts first"}}}});
  expectSameAsTree(Json::object(), {{"k", {{"S", "v"}}}});
}

TEST(ItemText, LeavesWhatItCannotHandleToTheGeneralPath) {
  EXPECT_FALSE(withAttributesSet(Json{{"a\"b", {{"S", "x"}}}}.dump(), {{"c", "{\"S\":\"y\"}"}}));
  EXPECT_FALSE(withAttributesSet(Json{{"a", {{"S", "x"}}}}.dump(), {{"new\nline", "{\"S\":\"y\"}"}}));
  EXPECT_FALSE(withAttributesSet("{\"a\":{\"S\":\"x\"}", {{"c", "{\"S\":\"y\"}"}}));  // cut short
  EXPECT_FALSE(withAttributesSet("[1]", {{"c", "{\"S\":\"y\"}"}}));
  EXPECT_FALSE(withAttributesSet("", {{"c", "{\"S\":\"y\"}"}}));
  EXPECT_FALSE(withAttributesSet("{}", {{"c", "{\"S\":\"y\"}"}, {"c", "{\"S\":\"z\"}"}}));  // one name twice
  EXPECT_FALSE(withAttributesSet("{\"a\":{\"S\":\"x\"}}trailing", {{"c", "{\"S\":\"y\"}"}}));
}

}  // namespace
}  // namespace kura::ddb

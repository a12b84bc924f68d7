// PartiQL statements parse into expression trees, and those trees written
// back as expression text parse again and mean the same.
#include <gtest/gtest.h>

#include "ddb/expression_writer.h"
#include "ddb/partiql.h"

namespace kura::ddb {
namespace {

using partiql::parseStatement;
using partiql::Statement;

Statement parsed(const std::string& text, const Json& parameters = Json()) {
  auto statement = parseStatement(text, parameters);
  EXPECT_TRUE(statement.ok()) << text << ": " << (statement.ok() ? "" : statement.error().message);
  return statement.ok() ? *statement : Statement{};
}

// The WHERE of `text` written as a condition expression and evaluated
// against `item`, as a handler evaluates it.
bool holds(const std::string& text, const Json& item) {
  Statement s = parsed(text);
  ExpressionWriter writer;
  std::string expression = writer.condition(*s.where);
  Json request = Json::object();
  writer.addTo(request);
  Json names = request.value("ExpressionAttributeNames", Json::object());
  Json values = request.value("ExpressionAttributeValues", Json::object());
  auto condition = parseCondition(expression, ExpressionContext{&names, &values});
  EXPECT_TRUE(condition.ok()) << expression;
  auto result = evaluate(**condition, item);
  EXPECT_TRUE(result.ok());
  return result.ok() && *result;
}

TEST(PartiqlTest, ParsesEachStatementKind) {
  Statement select = parsed(R"(select "a-b", c.d[2] FROM "my-table"."my-index" WHERE k = 'x' ORDER BY s DESC)");
  EXPECT_EQ(select.kind, Statement::Kind::Select);
  EXPECT_EQ(select.table, "my-table");
  EXPECT_EQ(select.index, "my-index");
  ASSERT_EQ(select.projection.size(), 2u);
  EXPECT_EQ(select.projection[0][0].name, "a-b");
  EXPECT_EQ(select.projection[1][2].index, 2);
  EXPECT_TRUE(select.descending);

  Statement insert = parsed("INSERT INTO t VALUE {'k': ?, 'n': -1.5e3, 'l': [1, 'a'], 's': <<1, 2>>}",
                            Json::array({{{"S", "key"}}}));
  EXPECT_EQ(insert.item["k"], Json({{"S", "key"}}));
  EXPECT_EQ(insert.item["n"], Json({{"N", "-1.5e3"}}));
  EXPECT_EQ(insert.item["s"], Json({{"NS", {"1", "2"}}}));

  Statement update = parsed("UPDATE t SET a = a + 1, b = list_append(b, [2]) REMOVE c SET d = set_delete(d, <<'x'>>) "
                            "WHERE k = 'x' RETURNING MODIFIED OLD *");
  ASSERT_EQ(update.updates.size(), 4u);
  EXPECT_EQ(update.updates[3].kind, UpdateAction::Kind::Delete);
  EXPECT_EQ(update.returnValues, "UPDATED_OLD");
  ExpressionWriter writer;
  EXPECT_EQ(writer.update(update.updates), "SET #n0 = #n0 + :v0, #n1 = list_append(#n1, :v1) REMOVE #n2 DELETE #n3 :v2");

  EXPECT_EQ(parsed("DELETE FROM t WHERE k = 'x'").kind, Statement::Kind::Delete);
  EXPECT_EQ(parsed("NOT EXISTS (SELECT * FROM t WHERE k = 'x')").kind, Statement::Kind::NotExists);
}

TEST(PartiqlTest, WhereClausesMeanWhatDynamoDbMeans) {
  Json item = Json::parse(R"({"k":{"S":"x"},"n":{"N":"5"},"l":{"L":[{"S":"a"}]},"z":{"NULL":true},
                              "s":{"SS":["p","q"]}})");
  EXPECT_TRUE(holds("SELECT * FROM t WHERE k = 'x' AND n BETWEEN 1 AND 5", item));
  EXPECT_FALSE(holds("SELECT * FROM t WHERE k = 'x' AND NOT n >= 5", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE n IN [1, 5] OR k <> 'x'", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE n NOT IN (1, 2)", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE n != 4 AND missing IS MISSING AND k IS NOT MISSING", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE z IS NULL AND n IS NOT NULL", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE contains(s, 'q') AND begins_with(k, 'x') AND size(l) = 1", item));
  EXPECT_TRUE(holds("SELECT * FROM t WHERE attribute_type(n, 'N') AND l[0] = 'a'", item));
  EXPECT_FALSE(holds("SELECT * FROM t WHERE (n = 1 OR n = 2) AND k = 'x'", item));
}

TEST(PartiqlTest, RefusesWhatDynamoDbRefuses) {
  for (const char* text : {"", "SELECT", "SELECT * FROM", "SELECT * FROM t WHERE", "SELECT * FROM t WHERE a",
                           "SELECT * FROM t extra", "INSERT INTO t VALUE 5", "INSERT INTO t VALUE {'a': <<>>}",
                           "UPDATE t WHERE k = 1", "DELETE FROM t WHERE k = 1 RETURNING ALL NEW *",
                           "SELECT * FROM t WHERE a = 'open", "SELECT * FROM t WHERE a[x] = 1", "DROP TABLE t",
                           "SELECT * FROM t WHERE a = ?"}) {
    auto statement = parseStatement(text, Json());
    ASSERT_FALSE(statement.ok()) << text;
    EXPECT_EQ(statement.error().code, "ValidationException") << text;
  }
  // Too many parameters, and too deep a nesting, are refused too.
  EXPECT_FALSE(parseStatement("SELECT * FROM t", Json::array({{{"S", "a"}}})).ok());
  EXPECT_FALSE(parseStatement("SELECT * FROM t WHERE " + std::string(200, '(') + "a = 1" + std::string(200, ')'),
                              Json()).ok());
}

}  // namespace
}  // namespace kura::ddb

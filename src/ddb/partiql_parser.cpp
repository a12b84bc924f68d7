#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "ddb/partiql.h"

namespace kura::ddb::partiql {
namespace {

constexpr size_t kMaxStatementLength = 8192;
constexpr int kMaxDepth = 64;  // nested values and parentheses

struct Token {
  enum class Kind { Word, Quoted, String, Number, Symbol, Parameter, End } kind = Kind::End;
  std::string text;
};

// Thrown inside the parser only; parseStatement turns it into the API error.
struct SyntaxError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Reads a quoted token whose quote is doubled to stand for itself.
std::string readQuoted(const std::string& text, size_t& i, char quote) {
  std::string out;
  for (++i; i < text.size(); ++i) {
    if (text[i] != quote) {
      out.push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == quote) {
      out.push_back(quote);
      ++i;
    } else {
      ++i;
      return out;
    }
  }
  throw SyntaxError("unterminated quoted text");
}

std::vector<Token> tokenize(const std::string& text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"') {
      tokens.push_back({Token::Kind::Quoted, readQuoted(text, i, '"')});
    } else if (c == '\'') {
      tokens.push_back({Token::Kind::String, readQuoted(text, i, '\'')});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      if (i + 1 < text.size() && text[i] == '.' && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
        for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));) ++i;
      }
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        size_t exponent = i + 1;
        if (exponent < text.size() && (text[exponent] == '+' || text[exponent] == '-')) ++exponent;
        if (exponent < text.size() && std::isdigit(static_cast<unsigned char>(text[exponent]))) {
          for (i = exponent; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]));) ++i;
        }
      }
      tokens.push_back({Token::Kind::Number, text.substr(start, i - start)});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = i;
      while (i < text.size() && isWordChar(text[i])) ++i;
      tokens.push_back({Token::Kind::Word, text.substr(start, i - start)});
    } else if (c == '?') {
      tokens.push_back({Token::Kind::Parameter, "?"});
      ++i;
    } else {
      std::string two = text.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "<>" || two == "!=" || two == "<<" || two == ">>") {
        tokens.push_back({Token::Kind::Symbol, two});
        i += 2;
      } else if (std::string("()[]{},.=<>+-*:").find(c) != std::string::npos) {
        tokens.push_back({Token::Kind::Symbol, std::string(1, c)});
        ++i;
      } else {
        throw SyntaxError(std::string("unexpected character '") + c + "'");
      }
    }
  }
  tokens.push_back({Token::Kind::End, ""});
  return tokens;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

OperandPtr valueOperand(Json value) {
  auto operand = std::make_shared<Operand>();
  operand->kind = Operand::Kind::Value;
  operand->value = std::move(value);
  return operand;
}

OperandPtr pathOperand(Path path) {
  auto operand = std::make_shared<Operand>();
  operand->kind = Operand::Kind::Path;
  operand->path = std::move(path);
  return operand;
}

ConditionPtr makeCondition(Condition::Kind kind, std::vector<OperandPtr> operands, std::string op = "") {
  auto condition = std::make_shared<Condition>();
  condition->kind = kind;
  condition->operands = std::move(operands);
  condition->op = std::move(op);
  return condition;
}

ConditionPtr makeJunction(Condition::Kind kind, ConditionPtr left, ConditionPtr right) {
  auto condition = std::make_shared<Condition>();
  condition->kind = kind;
  condition->left = std::move(left);
  condition->right = std::move(right);
  return condition;
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const Json& parameters) : tokens_(std::move(tokens)), parameters_(parameters) {}

  Statement statement() {
    Statement s;
    if (isWord("SELECT")) {
      select(s);
    } else if (isWord("INSERT")) {
      insert(s);
    } else if (isWord("UPDATE")) {
      update(s);
    } else if (isWord("DELETE")) {
      remove(s);
    } else if (isWord("EXISTS") || isWord("NOT")) {
      exists(s);
    } else {
      throw SyntaxError("a statement starts with SELECT, INSERT, UPDATE, DELETE or EXISTS");
    }
    if (peek().kind != Token::Kind::End) throw SyntaxError("unexpected '" + peek().text + "' after the statement");
    size_t given = parameters_.is_array() ? parameters_.size() : 0;
    if (nextParameter_ != given) throw std::invalid_argument("Number of parameters in request and statement don't match.");
    return s;
  }

 private:
  const Token& peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  Token next() {
    Token token = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return token;
  }
  bool isWord(const char* word, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::Word && upper(peek(ahead).text) == word;
  }
  bool isSymbol(const char* symbol) const { return peek().kind == Token::Kind::Symbol && peek().text == symbol; }
  bool acceptWord(const char* word) {
    if (!isWord(word)) return false;
    next();
    return true;
  }
  bool acceptSymbol(const char* symbol) {
    if (!isSymbol(symbol)) return false;
    next();
    return true;
  }
  void expectWord(const char* word) {
    if (!acceptWord(word)) throw SyntaxError(std::string("expected ") + word + " near '" + peek().text + "'");
  }
  void expectSymbol(const char* symbol) {
    if (!acceptSymbol(symbol)) throw SyntaxError(std::string("expected '") + symbol + "' near '" + peek().text + "'");
  }
  void descend() {
    if (++depth_ > kMaxDepth) throw SyntaxError("the statement nests too deeply");
  }

  std::string identifier() {
    const Token& token = peek();
    if (token.kind != Token::Kind::Word && token.kind != Token::Kind::Quoted) {
      throw SyntaxError("expected a name near '" + token.text + "'");
    }
    if (token.kind == Token::Kind::Quoted && token.text.empty()) throw SyntaxError("a name cannot be empty");
    return next().text;
  }

  Path path() {
    Path result{PathElement{identifier(), -1}};
    while (true) {
      if (acceptSymbol(".")) {
        result.push_back(PathElement{identifier(), -1});
      } else if (acceptSymbol("[")) {
        if (peek().kind != Token::Kind::Number || peek().text.find_first_not_of("0123456789") != std::string::npos ||
            peek().text.size() > 9) {
          throw SyntaxError("a list index is a whole number");
        }
        result.push_back(PathElement{"", std::stol(next().text)});
        expectSymbol("]");
      } else {
        return result;
      }
    }
  }

  void table(Statement& s, bool withIndex) {
    s.table = identifier();
    if (withIndex && acceptSymbol(".")) s.index = identifier();
  }

  // --- values ---

  Json value() {
    descend();
    Json result = valueBody();
    --depth_;
    return result;
  }

  Json valueBody() {
    const Token& token = peek();
    if (token.kind == Token::Kind::Parameter) {
      next();
      if (!parameters_.is_array() || nextParameter_ >= parameters_.size()) {
        throw std::invalid_argument("Number of parameters in request and statement don't match.");
      }
      const Json& parameter = parameters_[nextParameter_++];
      if (!parameter.is_object() || parameter.size() != 1) throw std::invalid_argument("Invalid parameter: not an attribute value");
      return parameter;
    }
    if (token.kind == Token::Kind::String) return {{"S", next().text}};
    if (token.kind == Token::Kind::Number) return {{"N", next().text}};
    if (isSymbol("-") && peek(1).kind == Token::Kind::Number) {
      next();
      return {{"N", "-" + next().text}};
    }
    if (acceptWord("TRUE")) return {{"BOOL", true}};
    if (acceptWord("FALSE")) return {{"BOOL", false}};
    if (acceptWord("NULL")) return {{"NULL", true}};
    if (acceptSymbol("[")) {
      Json list = Json::array();
      if (!acceptSymbol("]")) {
        do list.push_back(value());
        while (acceptSymbol(","));
        expectSymbol("]");
      }
      return {{"L", list}};
    }
    if (acceptSymbol("{")) {
      Json map = Json::object();
      if (!acceptSymbol("}")) {
        do {
          if (peek().kind != Token::Kind::String && peek().kind != Token::Kind::Quoted) {
            throw SyntaxError("a map's keys are quoted text");
          }
          std::string key = next().text;
          expectSymbol(":");
          map[key] = value();
        } while (acceptSymbol(","));
        expectSymbol("}");
      }
      return {{"M", map}};
    }
    if (acceptSymbol("<<")) return setValue();
    throw SyntaxError("expected a value near '" + token.text + "'");
  }

  Json setValue() {
    std::vector<Json> members;
    if (!acceptSymbol(">>")) {
      do members.push_back(value());
      while (acceptSymbol(","));
      expectSymbol(">>");
    }
    if (members.empty()) throw std::invalid_argument("An empty set is not allowed");
    std::string type = members[0].begin().key();
    if (type != "S" && type != "N" && type != "B") throw std::invalid_argument("A set holds strings, numbers or binaries");
    Json set = Json::array();
    for (const Json& member : members) {
      if (member.begin().key() != type) throw std::invalid_argument("A set's members are all of one type");
      if (std::find(set.begin(), set.end(), member.begin().value()) != set.end()) {
        throw std::invalid_argument("A set cannot hold duplicates");
      }
      set.push_back(member.begin().value());
    }
    return {{type + "S", set}};
  }

  // --- operands and conditions ---

  bool startsValue() const {
    auto kind = peek().kind;
    return kind == Token::Kind::Parameter || kind == Token::Kind::String || kind == Token::Kind::Number ||
           isWord("TRUE") || isWord("FALSE") || isWord("NULL") || isSymbol("[") || isSymbol("{") ||
           isSymbol("<<") || (isSymbol("-") && peek(1).kind == Token::Kind::Number);
  }

  OperandPtr operand() {
    if (startsValue()) return valueOperand(value());
    if (isWord("SIZE") && peek(1).text == "(") {
      next();
      next();
      auto size = std::make_shared<Operand>();
      size->kind = Operand::Kind::Size;
      size->path = path();
      expectSymbol(")");
      return size;
    }
    return pathOperand(path());
  }

  ConditionPtr condition() {
    descend();
    ConditionPtr left = conjunction();
    while (acceptWord("OR")) left = makeJunction(Condition::Kind::Or, left, conjunction());
    --depth_;
    return left;
  }

  ConditionPtr conjunction() {
    ConditionPtr left = negation();
    while (acceptWord("AND")) left = makeJunction(Condition::Kind::And, left, negation());
    return left;
  }

  ConditionPtr negation() {
    if (acceptWord("NOT")) {
      descend();
      auto inner = negation();
      --depth_;
      return makeJunction(Condition::Kind::Not, inner, nullptr);
    }
    return predicate();
  }

  ConditionPtr function() {
    std::string name = upper(next().text);
    expectSymbol("(");
    OperandPtr target = pathOperand(path());
    ConditionPtr result;
    if (name == "ATTRIBUTE_EXISTS" || name == "ATTRIBUTE_NOT_EXISTS") {
      result = makeCondition(name == "ATTRIBUTE_EXISTS" ? Condition::Kind::Exists : Condition::Kind::NotExists, {target});
    } else {
      expectSymbol(",");
      OperandPtr argument = operand();
      Condition::Kind kind = name == "BEGINS_WITH" ? Condition::Kind::BeginsWith
                             : name == "CONTAINS"  ? Condition::Kind::Contains
                                                   : Condition::Kind::Type;
      result = makeCondition(kind, {target, argument});
    }
    expectSymbol(")");
    return result;
  }

  ConditionPtr predicate() {
    if (acceptSymbol("(")) {
      ConditionPtr inner = condition();
      expectSymbol(")");
      return inner;
    }
    for (const char* name : {"BEGINS_WITH", "CONTAINS", "ATTRIBUTE_TYPE", "ATTRIBUTE_EXISTS", "ATTRIBUTE_NOT_EXISTS"}) {
      if (isWord(name) && peek(1).text == "(") return function();
    }
    OperandPtr left = operand();
    if (acceptWord("BETWEEN")) {
      OperandPtr low = operand();
      expectWord("AND");
      return makeCondition(Condition::Kind::Between, {left, low, operand()});
    }
    if (acceptWord("IS")) {
      bool negated = acceptWord("NOT");
      if (left->kind != Operand::Kind::Path) throw SyntaxError("IS applies to an attribute");
      if (acceptWord("MISSING")) {
        return makeCondition(negated ? Condition::Kind::Exists : Condition::Kind::NotExists, {left});
      }
      expectWord("NULL");
      auto isNull = makeCondition(Condition::Kind::Type, {left, valueOperand({{"S", "NULL"}})});
      return negated ? makeJunction(Condition::Kind::Not, isNull, nullptr) : isNull;
    }
    bool negatedIn = isWord("NOT") && isWord("IN", 1);
    if (negatedIn) next();
    if (acceptWord("IN")) {
      std::vector<OperandPtr> operands{left};
      const char* close = acceptSymbol("[") ? "]" : (expectSymbol("("), ")");
      do operands.push_back(operand());
      while (acceptSymbol(","));
      expectSymbol(close);
      if (operands.size() > 101) throw std::invalid_argument("IN takes at most 100 values");
      auto in = makeCondition(Condition::Kind::In, std::move(operands));
      return negatedIn ? makeJunction(Condition::Kind::Not, in, nullptr) : in;
    }
    for (const char* op : {"=", "<>", "!=", "<", "<=", ">", ">="}) {
      if (acceptSymbol(op)) return makeCondition(Condition::Kind::Compare, {left, operand()}, op == std::string("!=") ? "<>" : op);
    }
    throw SyntaxError("expected a comparison near '" + peek().text + "'");
  }

  // --- statements ---

  void select(Statement& s) {
    expectWord("SELECT");
    if (!acceptSymbol("*")) {
      do s.projection.push_back(path());
      while (acceptSymbol(","));
    }
    expectWord("FROM");
    table(s, true);
    if (acceptWord("WHERE")) s.where = condition();
    if (acceptWord("ORDER")) {
      expectWord("BY");
      s.orderBy = path();
      if (acceptWord("DESC")) {
        s.descending = true;
      } else {
        acceptWord("ASC");
      }
    }
  }

  void insert(Statement& s) {
    s.kind = Statement::Kind::Insert;
    expectWord("INSERT");
    expectWord("INTO");
    table(s, false);
    expectWord("VALUE");
    Json item = value();
    if (!item.contains("M")) throw std::invalid_argument("INSERT's VALUE must be a map");
    s.item = item["M"];
  }

  OperandPtr assignedValue() {
    auto combine = [](Operand::Kind kind, OperandPtr left, OperandPtr right) {
      auto result = std::make_shared<Operand>();
      result->kind = kind;
      result->left = std::move(left);
      result->right = std::move(right);
      return result;
    };
    OperandPtr left;
    if ((isWord("LIST_APPEND") || isWord("IF_NOT_EXISTS")) && peek(1).text == "(") {
      bool append = isWord("LIST_APPEND");
      next();
      next();
      OperandPtr first = append ? operand() : pathOperand(path());
      expectSymbol(",");
      OperandPtr second = operand();
      expectSymbol(")");
      if (append) {
        left = combine(Operand::Kind::ListAppend, first, second);
      } else {
        left = std::make_shared<Operand>();
        left->kind = Operand::Kind::IfNotExists;
        left->path = first->path;
        left->right = second;
      }
    } else {
      left = operand();
    }
    if (acceptSymbol("+")) return combine(Operand::Kind::Plus, left, operand());
    if (acceptSymbol("-")) return combine(Operand::Kind::Minus, left, operand());
    return left;
  }

  void assignment(Statement& s) {
    Path target = path();
    expectSymbol("=");
    for (auto [word, kind] : {std::pair{"SET_ADD", UpdateAction::Kind::Add}, {"SET_DELETE", UpdateAction::Kind::Delete}}) {
      if (isWord(word) && peek(1).text == "(") {
        next();
        next();
        Path of = path();
        if (pathToString(of) != pathToString(target)) throw std::invalid_argument(std::string(word) + " must name the attribute it sets");
        expectSymbol(",");
        Json added = value();
        expectSymbol(")");
        s.updates.push_back(UpdateAction{kind, target, valueOperand(added)});
        return;
      }
    }
    s.updates.push_back(UpdateAction{UpdateAction::Kind::Set, target, assignedValue()});
  }

  void update(Statement& s) {
    s.kind = Statement::Kind::Update;
    expectWord("UPDATE");
    table(s, false);
    while (true) {
      if (acceptWord("SET")) {
        do assignment(s);
        while (acceptSymbol(","));
      } else if (acceptWord("REMOVE")) {
        do s.updates.push_back(UpdateAction{UpdateAction::Kind::Remove, path(), nullptr});
        while (acceptSymbol(","));
      } else {
        break;
      }
    }
    if (s.updates.empty()) throw SyntaxError("UPDATE needs SET or REMOVE");
    expectWord("WHERE");
    s.where = condition();
    returning(s);
  }

  void remove(Statement& s) {
    s.kind = Statement::Kind::Delete;
    expectWord("DELETE");
    expectWord("FROM");
    table(s, false);
    expectWord("WHERE");
    s.where = condition();
    returning(s);
    if (!s.returnValues.empty() && s.returnValues != "ALL_OLD") throw std::invalid_argument("DELETE can only return ALL OLD *");
  }

  void returning(Statement& s) {
    if (!acceptWord("RETURNING")) return;
    std::string which = acceptWord("ALL") ? "ALL" : (expectWord("MODIFIED"), "UPDATED");
    std::string when = acceptWord("OLD") ? "OLD" : (expectWord("NEW"), "NEW");
    expectSymbol("*");
    s.returnValues = which + "_" + when;
  }

  void exists(Statement& s) {
    s.kind = acceptWord("NOT") ? Statement::Kind::NotExists : Statement::Kind::Exists;
    expectWord("EXISTS");
    expectSymbol("(");
    expectWord("SELECT");
    expectSymbol("*");
    expectWord("FROM");
    table(s, false);
    expectWord("WHERE");
    s.where = condition();
    expectSymbol(")");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const Json& parameters_;
  size_t nextParameter_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Statement> parseStatement(const std::string& text, const Json& parameters) {
  if (text.empty() || text.size() > kMaxStatementLength) {
    return ApiError::sender("ValidationException", "Statement length must be between 1 and 8192 characters");
  }
  try {
    Parser parser(tokenize(text), parameters);
    return parser.statement();
  } catch (const SyntaxError& error) {
    return ApiError::sender("ValidationException",
                            std::string("Statement wasn't well formed, can't be processed: ") + error.what());
  } catch (const std::invalid_argument& error) {
    return ApiError::sender("ValidationException", error.what());
  }
}

}  // namespace kura::ddb::partiql

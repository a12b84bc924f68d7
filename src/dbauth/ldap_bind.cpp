#include "dbauth/ldap_bind.h"

namespace kura::dbauth {
namespace {

constexpr unsigned char kSequence = 0x30;
constexpr unsigned char kInteger = 0x02;
constexpr unsigned char kOctetString = 0x04;
constexpr unsigned char kEnumerated = 0x0a;
constexpr unsigned char kBindRequest = 0x60;   // [APPLICATION 0], constructed
constexpr unsigned char kBindResponse = 0x61;  // [APPLICATION 1], constructed
constexpr unsigned char kUnbindRequest = 0x42; // [APPLICATION 2], primitive
constexpr unsigned char kSimple = 0x80;        // [0], primitive

// One BER element: its tag and where its contents lie.
struct Element {
  unsigned char tag = 0;
  std::string_view contents;
  size_t size = 0;  // tag, length and contents
};

enum class ElementRead { Complete, NeedMore, Invalid };

ElementRead readElement(std::string_view bytes, size_t maxSize, Element& element) {
  if (bytes.size() < 2) return ElementRead::NeedMore;
  element.tag = static_cast<unsigned char>(bytes[0]);
  auto first = static_cast<unsigned char>(bytes[1]);
  size_t length = 0, header = 2;
  if (first < 0x80) {
    length = first;
  } else {
    size_t count = first & 0x7f;
    // 0x80 is the indefinite form, which LDAP forbids; four bytes are plenty.
    if (count == 0 || count > 4) return ElementRead::Invalid;
    if (bytes.size() < 2 + count) return ElementRead::NeedMore;
    for (size_t i = 0; i < count; ++i) length = (length << 8) | static_cast<unsigned char>(bytes[2 + i]);
    header += count;
  }
  if (length > maxSize || header + length > maxSize) return ElementRead::Invalid;
  if (bytes.size() < header + length) return ElementRead::NeedMore;
  element.contents = bytes.substr(header, length);
  element.size = header + length;
  return ElementRead::Complete;
}

// The next element inside a constructed one (already whole in memory).
bool nextElement(std::string_view& rest, Element& element) {
  if (readElement(rest, rest.size(), element) != ElementRead::Complete) return false;
  rest.remove_prefix(element.size);
  return true;
}

bool integerOf(const Element& element, long& value) {
  if ((element.tag != kInteger && element.tag != kEnumerated) || element.contents.empty() ||
      element.contents.size() > 4) {
    return false;
  }
  long out = static_cast<signed char>(element.contents[0]);
  for (size_t i = 1; i < element.contents.size(); ++i) out = (out << 8) | static_cast<unsigned char>(element.contents[i]);
  value = out;
  return true;
}

std::string lengthOf(size_t length) {
  if (length < 0x80) return std::string(1, static_cast<char>(length));
  std::string bytes;
  for (size_t rest = length; rest > 0; rest >>= 8) bytes.insert(bytes.begin(), static_cast<char>(rest & 0xff));
  return std::string(1, static_cast<char>(0x80 | bytes.size())) + bytes;
}

std::string element(unsigned char tag, std::string_view contents) {
  return std::string(1, static_cast<char>(tag)) + lengthOf(contents.size()) + std::string(contents);
}

std::string integer(unsigned char tag, long value) {
  std::string bytes;
  // Big-endian, shortest form that keeps the sign.
  for (int shift = 24; shift > 0; shift -= 8) {
    long high = value >> shift;
    if (high != 0 && high != -1) {
      for (int s = shift; s >= 0; s -= 8) bytes.push_back(static_cast<char>((value >> s) & 0xff));
      break;
    }
  }
  if (bytes.empty()) bytes.push_back(static_cast<char>(value & 0xff));
  if ((value >= 0) != ((static_cast<unsigned char>(bytes[0]) & 0x80) == 0)) {
    bytes.insert(bytes.begin(), static_cast<char>(value >= 0 ? 0 : 0xff));
  }
  return element(tag, bytes);
}

}  // namespace

LdapRead readLdapMessage(std::string_view buffer, size_t maxSize, LdapMessage& message, size_t& consumed) {
  // Not a message from its first byte: refused at once, not waited on for
  // the length it may claim.
  if (!buffer.empty() && static_cast<unsigned char>(buffer[0]) != kSequence) return LdapRead::Invalid;
  Element outer;
  switch (readElement(buffer, maxSize, outer)) {
    case ElementRead::NeedMore: return LdapRead::NeedMore;
    case ElementRead::Invalid: return LdapRead::Invalid;
    case ElementRead::Complete: break;
  }
  if (outer.tag != kSequence) return LdapRead::Invalid;
  consumed = outer.size;
  message = LdapMessage();
  std::string_view rest = outer.contents;
  Element id, operation;
  if (!nextElement(rest, id) || !integerOf(id, message.messageId) || id.tag != kInteger) return LdapRead::Invalid;
  if (!nextElement(rest, operation)) return LdapRead::Invalid;
  // Controls may follow ([0]); a bind needs none and they are ignored.
  if (operation.tag == kUnbindRequest) {
    message.kind = LdapMessage::Kind::Unbind;
    return LdapRead::Complete;
  }
  if (operation.tag != kBindRequest) {
    message.kind = LdapMessage::Kind::Other;
    return LdapRead::Complete;
  }
  message.kind = LdapMessage::Kind::Bind;
  std::string_view fields = operation.contents;
  Element version, name, authentication;
  if (!nextElement(fields, version) || version.tag != kInteger || !integerOf(version, message.version) ||
      !nextElement(fields, name) || name.tag != kOctetString || !nextElement(fields, authentication)) {
    return LdapRead::Invalid;
  }
  message.name = std::string(name.contents);
  message.simple = authentication.tag == kSimple;
  if (message.simple) message.password = std::string(authentication.contents);
  return LdapRead::Complete;
}

std::string ldapBindResponse(long messageId, int resultCode) {
  std::string response = integer(kEnumerated, resultCode) + element(kOctetString, "") + element(kOctetString, "");
  return element(kSequence, integer(kInteger, messageId) + element(kBindResponse, response));
}

std::string ldapBindRequest(long messageId, std::string_view name, std::string_view password) {
  std::string bind = integer(kInteger, 3) + element(kOctetString, name) + element(kSimple, password);
  return element(kSequence, integer(kInteger, messageId) + element(kBindRequest, bind));
}

}  // namespace kura::dbauth

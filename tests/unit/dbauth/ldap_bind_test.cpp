#include "dbauth/ldap_bind.h"

#include <gtest/gtest.h>

namespace kura::dbauth {
namespace {

TEST(LdapBind, AReadRequestGivesBackItsNameAndPassword) {
  std::string password(300, 'x');  // a length in the long form
  std::string bytes = ldapBindRequest(7, "uid=alice,ou=db-ABC", password);
  LdapMessage message;
  size_t consumed = 0;
  ASSERT_EQ(readLdapMessage(bytes, 16384, message, consumed), LdapRead::Complete);
  EXPECT_EQ(consumed, bytes.size());
  EXPECT_EQ(message.kind, LdapMessage::Kind::Bind);
  EXPECT_EQ(message.messageId, 7);
  EXPECT_EQ(message.version, 3);
  EXPECT_TRUE(message.simple);
  EXPECT_EQ(message.name, "uid=alice,ou=db-ABC");
  EXPECT_EQ(message.password, password);
}

TEST(LdapBind, APartialMessageNeedsMoreAndATooLargeOneIsInvalid) {
  std::string bytes = ldapBindRequest(1, "uid=a,ou=b", "token");
  LdapMessage message;
  size_t consumed = 0;
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_EQ(readLdapMessage(bytes.substr(0, size), 16384, message, consumed), LdapRead::NeedMore) << size;
  }
  EXPECT_EQ(readLdapMessage(bytes, 8, message, consumed), LdapRead::Invalid);
  // A length announcing 4 GiB is refused before anything is waited for.
  EXPECT_EQ(readLdapMessage(std::string("\x30\x84\xff\xff\xff\xff", 6), 16384, message, consumed), LdapRead::Invalid);
  // The indefinite form, which LDAP forbids.
  EXPECT_EQ(readLdapMessage(std::string("\x30\x80\x00\x00", 4), 16384, message, consumed), LdapRead::Invalid);
  // Not a SEQUENCE.
  EXPECT_EQ(readLdapMessage(std::string("\x04\x01\x00", 3), 16384, message, consumed), LdapRead::Invalid);
  // Not a SEQUENCE from its first byte: refused before the length it claims.
  EXPECT_EQ(readLdapMessage(std::string("GET / HTTP/1.1"), 16384, message, consumed), LdapRead::Invalid);
}

TEST(LdapBind, UnbindAndOtherOperationsAreTold) {
  LdapMessage message;
  size_t consumed = 0;
  std::string unbind("\x30\x05\x02\x01\x02\x42\x00", 7);
  ASSERT_EQ(readLdapMessage(unbind, 16384, message, consumed), LdapRead::Complete);
  EXPECT_EQ(message.kind, LdapMessage::Kind::Unbind);
  std::string search("\x30\x05\x02\x01\x02\x63\x00", 7);  // a SearchRequest
  ASSERT_EQ(readLdapMessage(search, 16384, message, consumed), LdapRead::Complete);
  EXPECT_EQ(message.kind, LdapMessage::Kind::Other);
  // A bind whose fields are cut short inside a whole message.
  std::string cut("\x30\x07\x02\x01\x01\x60\x02\x02\x01", 9);
  EXPECT_EQ(readLdapMessage(cut, 16384, message, consumed), LdapRead::Invalid);
}

TEST(LdapBind, TheResponseIsABindResponseWithTheCode) {
  EXPECT_EQ(ldapBindResponse(1, kLdapSuccess), std::string("\x30\x0c\x02\x01\x01\x61\x07\x0a\x01\x00\x04\x00\x04\x00", 14));
  std::string refused = ldapBindResponse(300, kLdapInvalidCredentials);
  EXPECT_EQ(refused.substr(2, 4), std::string("\x02\x02\x01\x2c", 4));
  EXPECT_NE(refused.find(std::string("\x0a\x01\x31", 3)), std::string::npos);
}

}  // namespace
}  // namespace kura::dbauth

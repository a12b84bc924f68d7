#pragma once
// The verifier on one of the signing suite's signed requests: accepted at
// the case's time; refused with a digit of its signature changed, under
// another secret, for an unknown key, and once expired.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "../signing_suite.h"
#include "auth/sigv4_verifier.h"

namespace kura::auth {

// `digit`: which hex digit after "Signature=" to change (an ECDSA
// signature's first ones are its DER header, which a verifier may reject
// before any arithmetic). Returns the identity accepted.
inline std::optional<Identity> checkSuiteRequest(const signing_suite::Request& request, const Credential& credential,
                                                 SystemTime time, bool presigned, size_t digit = 0) {
  StaticCredentialStore store;
  store.add(credential);
  auto clock = std::make_shared<ManualClock>(time);
  auto verify = [&](const CredentialStore& credentials, const signing_suite::Request& r) {
    return SigV4Verifier(credentials, clock).verify(HttpRequestView{r.method, r.target, r.headers, r.body});
  };
  auto accepted = verify(store, request);
  if (!std::holds_alternative<Identity>(accepted)) {
    ADD_FAILURE() << std::get<AuthError>(accepted).message;
    return std::nullopt;
  }

  signing_suite::Request altered = request;
  std::string* carrier = &altered.target;
  for (auto& [name, value] : altered.headers) {
    if (name == "Authorization") carrier = &value;
  }
  size_t at = carrier->find("Signature=") + 10 + digit;
  (*carrier)[at] = (*carrier)[at] == '0' ? '1' : '0';
  auto refused = verify(store, altered);
  EXPECT_TRUE(std::holds_alternative<AuthError>(refused) &&
              std::get<AuthError>(refused).failure == AuthFailure::SignatureMismatch);

  StaticCredentialStore wrongSecret;
  Credential other = credential;  // its session token too, if it has one
  other.secretAccessKey = "not-the-secret";
  wrongSecret.add(other);
  auto wrong = verify(wrongSecret, request);
  EXPECT_TRUE(std::holds_alternative<AuthError>(wrong) &&
              std::get<AuthError>(wrong).failure == AuthFailure::SignatureMismatch);

  StaticCredentialStore nobody;
  auto unknown = verify(nobody, request);
  EXPECT_TRUE(std::holds_alternative<AuthError>(unknown) &&
              std::get<AuthError>(unknown).failure == AuthFailure::UnknownAccessKey);

  // Header signatures expire after 15 minutes of skew; presigned ones after X-Amz-Expires (3600 s).
  clock->set(time + std::chrono::minutes(presigned ? 61 : 16));
  EXPECT_TRUE(std::holds_alternative<AuthError>(verify(store, request)));
  return std::get<Identity>(accepted);
}

}  // namespace kura::auth

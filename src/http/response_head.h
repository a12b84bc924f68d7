#pragma once
// The bytes that go before a response's body: its status line and fields,
// exactly as Beast's serializer writes them for the message http_session
// used to build (a `Server: Kura` field first, then the handler's fields,
// each set as `basic_fields::set` does: a later field of the same name,
// any case, replaces the earlier ones and goes last, its value trimmed;
// the keep-alive `Connection` token; `Content-Length` last). Built in one
// string, without a message, its field elements and the serializer's
// buffer views: those cost about a tenth of a GetItem's CPU. The body is
// written after it as it is. A unit test compares both serializations.
#include <optional>
#include <string>

#include "http/http_message.h"

namespace kura {

// Null when the response is one Beast frames otherwise: a status below 200
// or above 999, 204 or 304; a handler's own `Connection`, `Content-Length`
// or `Transfer-Encoding` field; a name or value too long for Beast's field
// (64 KiB). Such a response is still serialized by Beast.
std::optional<std::string> responseHead(const HttpResponse& response, bool keepAlive, unsigned version);

}  // namespace kura

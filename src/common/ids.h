#pragma once
#include <string>

namespace kura {

// A random UUID (version 4), as AWS request ids are written.
std::string newUuid();

}  // namespace kura

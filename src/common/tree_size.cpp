#include "common/tree_size.h"

#include <system_error>

namespace kura {

double bytesBelow(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  auto status = fs::symlink_status(path, error);
  if (error) return 0;
  if (fs::is_regular_file(status)) {
    auto size = fs::file_size(path, error);
    return error ? 0 : static_cast<double>(size);
  }
  if (!fs::is_directory(status)) return 0;
  double total = 0;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, error);
  for (; !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code entryError;
    if (it->is_regular_file(entryError) && !it->is_symlink(entryError)) {
      auto size = it->file_size(entryError);
      if (!entryError) total += static_cast<double>(size);
    }
  }
  return total;
}

}  // namespace kura

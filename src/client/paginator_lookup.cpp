#include "client/paginator_table.h"

namespace kura::client {

const Paginator* findPaginator(std::string_view signingName, std::string_view operation) {
  for (const Paginator& paginator : paginatorTable()) {
    if (paginator.signingName == signingName && paginator.operation == operation) return &paginator;
  }
  return nullptr;
}

}  // namespace kura::client

#pragma once
// botocore's paginators for the services Kura carries models of
// (tools/gen_paginators.py): how to follow an operation's pages.
#include <string_view>
#include <vector>

namespace kura::client {

struct Paginator {
  std::string_view signingName;
  std::string_view operation;
  std::string_view inputToken;   // request member that asks for the next page
  std::string_view outputToken;  // answer member that holds it
  std::string_view moreResults;  // answer member that says more follow (KMS's Truncated), or empty
  std::string_view resultKeys;   // comma-separated answer members that hold the results
};

const std::vector<Paginator>& paginatorTable();
const Paginator* findPaginator(std::string_view signingName, std::string_view operation);

}  // namespace kura::client

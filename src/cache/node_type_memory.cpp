#include "cache/node_type_memory.h"

#include <utility>

namespace kura::cache {
namespace {

// ElastiCache's table of node-type-specific parameters: Redis OSS's, with
// the types only Valkey's lists (m8g, r8g, c8gn). Sorted by name.
constexpr std::pair<std::string_view, uint64_t> kMaxMemory[] = {
    {"cache.c1.xlarge", 6501171200}, {"cache.c7gn.12xlarge", 84357985997}, {"cache.c7gn.16xlarge", 113609865216},
    {"cache.c7gn.2xlarge", 13891921715}, {"cache.c7gn.4xlarge", 27966669210}, {"cache.c7gn.8xlarge", 56116178125},
    {"cache.c7gn.large", 3317862236}, {"cache.c7gn.xlarge", 6854542746}, {"cache.c8gn.12xlarge", 99847503872},
    {"cache.c8gn.16xlarge", 133838143488}, {"cache.c8gn.2xlarge", 15222495510}, {"cache.c8gn.4xlarge", 31866224640},
    {"cache.c8gn.8xlarge", 65856864256}, {"cache.c8gn.large", 3330020474}, {"cache.c8gn.xlarge", 7294178820},
    {"cache.m1.large", 7025459200}, {"cache.m1.medium", 3093299200}, {"cache.m1.small", 943718400},
    {"cache.m1.xlarge", 14889779200}, {"cache.m2.2xlarge", 35022438400}, {"cache.m2.4xlarge", 70883737600},
    {"cache.m2.xlarge", 17091788800}, {"cache.m3.2xlarge", 29989273600}, {"cache.m3.large", 6501171200},
    {"cache.m3.medium", 2988441600}, {"cache.m3.xlarge", 14260633600}, {"cache.m4.10xlarge", 166047614239},
    {"cache.m4.2xlarge", 31889126359}, {"cache.m4.4xlarge", 65257290629}, {"cache.m4.large", 6892593152},
    {"cache.m4.xlarge", 15328501760}, {"cache.m5.12xlarge", 168715971994}, {"cache.m5.24xlarge", 337500562842},
    {"cache.m5.2xlarge", 27966669210}, {"cache.m5.4xlarge", 56116178125}, {"cache.m5.large", 6854542746},
    {"cache.m5.xlarge", 13891921715}, {"cache.m6g.12xlarge", 168715971994}, {"cache.m6g.16xlarge", 225000375228},
    {"cache.m6g.2xlarge", 27966669210}, {"cache.m6g.4xlarge", 56116178125}, {"cache.m6g.8xlarge", 111325552312},
    {"cache.m6g.large", 6854542746}, {"cache.m6g.xlarge", 13891921715}, {"cache.m7g.12xlarge", 168715971994},
    {"cache.m7g.16xlarge", 225000375228}, {"cache.m7g.2xlarge", 27966669210}, {"cache.m7g.4xlarge", 56116178125},
    {"cache.m7g.8xlarge", 111325552312}, {"cache.m7g.large", 6854542746}, {"cache.m7g.xlarge", 13891921715},
    {"cache.m8g.12xlarge", 201819422720}, {"cache.m8g.16xlarge", 269800701952}, {"cache.m8g.2xlarge", 31866224640},
    {"cache.m8g.4xlarge", 65856864256}, {"cache.m8g.8xlarge", 133838143488}, {"cache.m8g.large", 7294178820},
    {"cache.m8g.xlarge", 15222495510}, {"cache.r3.2xlarge", 62495129600}, {"cache.r3.4xlarge", 126458265600},
    {"cache.r3.8xlarge", 254384537600}, {"cache.r3.large", 14470348800}, {"cache.r3.xlarge", 30513561600},
    {"cache.r4.16xlarge", 437021573120}, {"cache.r4.2xlarge", 54197537997}, {"cache.r4.4xlarge", 108858546586},
    {"cache.r4.8xlarge", 218255432090}, {"cache.r4.large", 13201781556}, {"cache.r4.xlarge", 26898228839},
    {"cache.r5.12xlarge", 341206346547}, {"cache.r5.24xlarge", 682485973811}, {"cache.r5.2xlarge", 56711183565},
    {"cache.r5.4xlarge", 113609865216}, {"cache.r5.large", 14037181030}, {"cache.r5.xlarge", 28261849702},
    {"cache.r6g.12xlarge", 341206346547}, {"cache.r6g.16xlarge", 450000750456}, {"cache.r6g.2xlarge", 56711183565},
    {"cache.r6g.4xlarge", 113609865216}, {"cache.r6g.8xlarge", 225000375228}, {"cache.r6g.large", 14037181030},
    {"cache.r6g.xlarge", 28261849702}, {"cache.r6gd.12xlarge", 341206346547}, {"cache.r6gd.16xlarge", 450000750456},
    {"cache.r6gd.2xlarge", 56711183565}, {"cache.r6gd.4xlarge", 113609865216}, {"cache.r6gd.8xlarge", 225000375228},
    {"cache.r6gd.xlarge", 28261849702}, {"cache.r7g.12xlarge", 341206346547}, {"cache.r7g.16xlarge", 450000750456},
    {"cache.r7g.2xlarge", 56711183565}, {"cache.r7g.4xlarge", 113609865216}, {"cache.r7g.8xlarge", 225000375228},
    {"cache.r7g.large", 14037181030}, {"cache.r7g.xlarge", 28261849702}, {"cache.r8g.12xlarge", 405763260416},
    {"cache.r8g.16xlarge", 541725818880}, {"cache.r8g.2xlarge", 65856864256}, {"cache.r8g.4xlarge", 133838143488},
    {"cache.r8g.8xlarge", 269800701952}, {"cache.r8g.large", 15222495510}, {"cache.r8g.xlarge", 31866224640},
    {"cache.t1.micro", 142606336}, {"cache.t2.medium", 3461349376}, {"cache.t2.micro", 581959680},
    {"cache.t2.small", 1665138688}, {"cache.t3.medium", 3317862236}, {"cache.t3.micro", 536870912},
    {"cache.t3.small", 1471026299}, {"cache.t4g.medium", 3317862236}, {"cache.t4g.micro", 536870912},
    {"cache.t4g.small", 1471026299},
};

}  // namespace

std::optional<uint64_t> nodeTypeMaxMemory(std::string_view nodeType) {
  for (const auto& [name, bytes] : kMaxMemory) {
    if (name == nodeType) return bytes;
  }
  return std::nullopt;
}

std::span<const std::pair<std::string_view, uint64_t>> nodeTypesWithMemory() { return kMaxMemory; }

std::optional<uint64_t> nodeTypeMemoryBound(std::string_view nodeType) {
  auto memory = nodeTypeMaxMemory(nodeType);
  if (!memory) return std::nullopt;
  return *memory + kNodeProcessOverhead;
}

}  // namespace kura::cache

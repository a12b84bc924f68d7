#include "cache/cluster_restore.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "cache/cluster_node.h"
#include "cache/restore_image.h"
#include "common/crash_point.h"
#include "kms/tree_envelope.h"

namespace kura::cache {
namespace fs = std::filesystem;

std::vector<fs::path> shardImages(const fs::path& files) {
  std::vector<fs::path> images;
  std::error_code ec;
  if (fs::exists(files / "dump.rdb", ec)) return {files};
  for (const auto& entry : fs::directory_iterator(files, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "dump.rdb")) images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  return images;
}

bool stopSnapshotLoaders(engines::RedisEngine& engine, const fs::path& groupDir) {
  bool stopped = true;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(groupDir / "restoring", ec)) {
    if (!entry.path().filename().string().starts_with("image-")) continue;
    engines::RedisLayout loader;
    loader.dir = entry.path();
    if (auto killed = engine.fence(loader); !killed) {
      spdlog::warn("msg=\"cannot stop a snapshot's loading node\" node={} error=\"{}\"", loader.dir.string(),
                   killed.error().message);
      stopped = false;
    }
  }
  return stopped;
}

Result<bool> loadSnapshotIntoCluster(engines::RedisEngine& engine, kms::KeyManager& keys, const CachePaths& paths,
                                     PortAllocator& ports, const Resource& snapshot, const Resource& group,
                                     const ClusterModeGroups& groups) {
  fs::path files = paths.snapshotDir(snapshot);
  fs::path work = paths.groupDir(group) / "restoring";
  // What a crash cut short: its loading node still runs (its pid file is
  // in `work`), and its port is still recorded.
  if (!stopSnapshotLoaders(engine, paths.groupDir(group))) {
    return ApiError::internal("a loading node of an earlier try did not stop");  // its port and folder kept
  }
  ports.releaseAllOf(group.arn + "#restoring");
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  fs::path opened = work / "snapshot";
  if (kms::isSealedTree(files)) {
    auto open = kms::openTree(keys, {snapshot.accountId, snapshot.region}, files, opened);
    if (!open) {
      fs::remove_all(work, ec);
      return sealedSnapshotRefused(open.error());
    }
    files = opened;
  }
  std::vector<fs::path> images = shardImages(files);
  if (images.empty()) {
    fs::remove_all(work, ec);
    return ApiError::sender("InvalidRestoreFault", "the snapshot holds no Redis image");
  }
  // Into the cluster through any primary's internal link.
  std::string anchor = ClusterModeGroups::primaryOf(group, ClusterModeGroups::nodeGroups(group).front());
  engines::RedisLayout target = groups.layout(group, anchor);
  std::string into = std::string(kClusterInternalAddress) + ":" +
                     std::to_string(group.state["Members"][anchor].value("Port", 0));
  auto port = ports.allocate(group.arn + "#restoring");
  if (!port) {
    fs::remove_all(work, ec);  // the opened snapshot goes with the restore
    return ApiError::internal("no free engine port is left for the restore");
  }
  Result<bool> outcome = true;
  for (size_t i = 0; i < images.size() && outcome; ++i) {
    engines::RedisLayout source;
    source.dir = work / ("image-" + std::to_string(i + 1));
    source.port = *port;
    source.clientUsers = {"default reset off"};  // Kura's own users only
    if (auto restored = engine.restore(images[i], source); !restored) {
      outcome = restored;
      break;
    }
    if (auto started = engine.start(source); !started) {
      outcome = started;
    } else {
      crashPoint("elasticache-snapshot-loader-started");
      auto copied = engine.admin(target,
                                 {"--cluster", "import", into, "--cluster-from", "127.0.0.1:" + std::to_string(*port),
                                  "--cluster-from-user", engines::kRedisAdminUser, "--cluster-from-askpass",
                                  "--cluster-copy", "--cluster-replace"},
                                 std::chrono::seconds(3600), /*passwordOnStdin=*/true);
      if (!copied.ok() || copied.output.find("[ERR]") != std::string::npos) {
        std::string said = copied.output.size() > 300 ? copied.output.substr(copied.output.size() - 300) : copied.output;
        outcome = ApiError::internal("the snapshot's keys could not be loaded into the cluster: " + said);
      }
    }
    // A loader that would not stop keeps its folder (its pid file, for the
    // next try's stopSnapshotLoaders) and its port, which nothing else may
    // take while it listens; the opened snapshot goes all the same.
    if (auto stopped = engine.fence(source); !stopped) {
      spdlog::warn("msg=\"cannot stop a snapshot's loading node\" node={} error=\"{}\"", source.dir.string(),
                   stopped.error().message);
      fs::remove_all(opened, ec);
      return outcome ? Result<bool>(ApiError::internal("a snapshot's loading node did not stop")) : outcome;
    }
  }
  ports.release(*port);
  fs::remove_all(work, ec);
  return outcome;
}

}  // namespace kura::cache

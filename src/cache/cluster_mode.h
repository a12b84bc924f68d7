#pragma once
// Redis replication groups with cluster mode enabled: node groups (shards),
// each a primary and replicas, joined into one Redis Cluster whose hash
// slots the node groups share. The record (spec ClusterEnabled):
//   state.Members:    {"<group>-0001-001": {Port, EnginePort, BusPort,
//                      AvailabilityZone, NodeGroup, NodeId}, ...}
//   state.NodeGroups: {"0001": {Slots: "0-8191", Primary: member}, ...}
//   state.EndpointPort: the configuration endpoint (any node; clients ask
//                      it for the slots and go to each node's own port).
// Kura forms the cluster (CLUSTER MEET, ADDSLOTSRANGE, REPLICATE as its own
// user: clients may not); from then on the cluster is the truth: failovers
// are Redis Cluster's own (a replica takes over once its primary has not
// answered for the node timeout), and sync() copies who is primary and
// which slots each node group holds into the record. Redis Cluster fails a
// primary over by itself only when most primaries agree it is gone, which
// two node groups cannot: Kura's supervisor therefore promotes a dead or
// hung primary's replica itself (CLUSTER FAILOVER TAKEOVER, the one
// furthest along), as ElastiCache's control plane does.
#include <map>
#include <string>
#include <vector>

#include "cache/cache_paths.h"
#include "cache/cluster_slots.h"
#include "engines/redis_engine.h"
#include "proxy/endpoint_proxy.h"

namespace kura::cache {

// One line of CLUSTER NODES.
struct ClusterNodeLine {
  std::string id;
  int port = 0;  // announced (the member's proxy port)
  bool master = false;
  bool failed = false;  // fail or fail? or handshake or noaddr
  bool myself = false;
  long long epoch = 0;  // its config epoch: the newest claim to a slot wins
  std::string masterId;
  std::vector<SlotRange> slots;
};

class ClusterModeGroups {
 public:
  ClusterModeGroups(engines::RedisEngine& engine, const CachePaths& paths, EndpointProxies* proxies)
      : engine_(engine), paths_(paths), proxies_(proxies) {}

  static bool enabled(const Resource& group);
  static std::vector<std::string> nodeGroups(const Resource& group);
  static std::vector<std::string> membersOf(const Resource& group, const std::string& nodeGroup);
  static std::string primaryOf(const Resource& group, const std::string& nodeGroup);
  engines::RedisLayout layout(const Resource& group, const std::string& member) const;

  Result<bool> startMember(Resource& group, const std::string& member);
  Result<bool> stopAll(const Resource& group);
  // Every member's endpoint (guarded) and internal link, and the
  // configuration endpoint on every running node.
  Result<bool> route(const Resource& group);
  void forget(const Resource& group);
  void forgetMember(const Resource& group, const std::string& member);

  // One pass of forming the cluster from the record's node groups; true
  // once every node knows every other, every slot is served and every
  // replica streams from its primary. Repeatable after a crash.
  Result<bool> form(Resource& group);
  // The cluster's view from a node that answers (empty: none does).
  std::vector<ClusterNodeLine> nodes(const Resource& group) const;
  std::vector<ClusterNodeLine> nodesFrom(const engines::RedisLayout& layout) const;
  // Copies the cluster's primaries and slots into the record; the messages
  // of the failovers it saw.
  std::vector<std::string> sync(Resource& group) const;
  // Promotes the replica of `nodeGroup` furthest along in place of its
  // primary (dead, or fenced by the caller); the member promoted.
  Result<std::string> takeOver(const Resource& group, const std::string& nodeGroup) const;
  // A planned failover (TestFailover): the replica furthest along asks its
  // primary to stop writes, catches up, and takes over (CLUSTER FAILOVER):
  // nothing acknowledged is lost. The member promoted, once it is primary.
  Result<std::string> plannedFailover(Resource& group, const std::string& nodeGroup) const;

 private:
  // The replica of `nodeGroup` furthest along its primary's stream (empty
  // when none answers).
  std::string furthestReplica(const Resource& group, const std::string& nodeGroup) const;
  Result<std::string> run(const engines::RedisLayout& layout, const std::vector<std::string>& args) const;

  engines::RedisEngine& engine_;
  const CachePaths& paths_;
  EndpointProxies* proxies_;
};

}  // namespace kura::cache

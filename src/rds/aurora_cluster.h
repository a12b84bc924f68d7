#pragma once
// Aurora PostgreSQL clusters on PostgreSQL (the records: see
// services/rds/cluster_records.h). Kura owns two endpoints per cluster: the
// cluster endpoint forwards to the writer, the reader endpoint spreads
// connections over the readers that stream from the current writer (the
// writer while there is none). A commit on the writer waits for one reader
// while any streams, so that a failover to the reader furthest ahead loses
// no acknowledged commit.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/secret_box.h"
#include "proxy/endpoint_proxy.h"
#include "rds/instance_engine.h"
#include "rds/rds_layout.h"
#include "services/rds/cluster_records.h"

namespace kura::rds {

class ClusterEndpoints {
 public:
  ClusterEndpoints(InstanceEngine& engine, const SecretBox& secrets, const RdsPaths& paths, EndpointProxies* proxies)
      : engine_(engine), secrets_(secrets), paths_(paths), proxies_(proxies) {}
  // Points the cluster endpoint at the writer and the reader endpoint at the
  // readers of `members` that answer, and each of the cluster's `custom`
  // endpoints (services/rds/cluster_endpoints.h) at those of its members
  // that serve it (the writer for ANY; the readers that answer); a custom
  // endpoint none serves stops listening, and without a writer all do.
  // `customErrors`, if given, gets the custom endpoints that could not
  // listen: name -> why.
  Result<bool> route(const Resource& cluster, const std::vector<Resource>& members,
                     const std::vector<Resource>& custom,
                     std::map<std::string, std::string>* customErrors = nullptr);
  void remove(const Resource& cluster);

 private:
  InstanceEngine& engine_;
  const SecretBox& secrets_;
  const RdsPaths& paths_;
  EndpointProxies* proxies_;
};

}  // namespace kura::rds

// Who follows whom in an Aurora cluster: the writer epoch keeps a former
// writer, and the readers of a former writer, from passing for readers of
// the current one.
#include "services/rds/cluster_records.h"

#include <gtest/gtest.h>

namespace kura::rds {
namespace {

Resource instance(const std::string& arn, const std::string& upstream, int epoch) {
  Resource r;
  r.arn = arn;
  r.state = {{"Upstream", upstream}, {"UpstreamEpoch", epoch}};
  return r;
}

Resource clusterWith(const std::string& writer, int epoch) {
  Resource c;
  c.arn = "arn:cluster";
  c.state = {{"Writer", writer}, {"WriterEpoch", epoch}};
  return c;
}

TEST(ClusterRecords, AReaderFollowsTheWriterOfItsEpoch) {
  Resource cluster = clusterWith("w1", 1);
  EXPECT_TRUE(followsWriter(cluster, instance("r1", "w1", 1)));
  EXPECT_FALSE(followsWriter(cluster, instance("w1", "w1", 1)));  // the writer itself
  EXPECT_FALSE(followsWriter(cluster, instance("r2", "w0", 1)));
}

TEST(ClusterRecords, AWriterBackInOfficeDoesNotKeepItsOldReaders) {
  // w1 wrote (epoch 1), r1 took over (epoch 2), then w1 again (epoch 3):
  // a reader built from w1 in epoch 1 holds commits w1 never saw since.
  Resource cluster = clusterWith("w1", 3);
  EXPECT_FALSE(followsWriter(cluster, instance("r2", "w1", 1)));
  EXPECT_TRUE(followsWriter(cluster, instance("r2", "w1", 3)));
}

TEST(ClusterRecords, ReaderEndpointSharesThePortOnLoopbackOnly) {
  EXPECT_EQ(readerEndpointAddress("127.0.0.1"), "127.0.0.2");
  EXPECT_EQ(readerEndpointAddress("10.0.0.5"), "10.0.0.5");
}

TEST(ClusterRecords, ASnapshotDraftCarriesTheClusterSettings) {
  Resource cluster = clusterWith("w1", 1);
  cluster.accountId = "000000000000";
  cluster.region = "ap-northeast-1";
  cluster.name = "prod";
  cluster.spec = {{"Engine", "aurora-postgresql"}, {"StorageEncrypted", true}, {"KmsKeyId", "arn:key"}};
  Resource snapshot = clusterSnapshotDraft(cluster, "prod-snap", "manual");
  EXPECT_EQ(snapshot.kind, "db-cluster-snapshot");
  EXPECT_EQ(snapshot.arn, "arn:aws:rds:ap-northeast-1:000000000000:cluster-snapshot:prod-snap");
  EXPECT_EQ(snapshot.spec["SourceClusterArn"], "arn:cluster");
  EXPECT_EQ(snapshot.spec["KmsKeyId"], "arn:key");
  EXPECT_EQ(snapshot.status, "creating");
}

}  // namespace
}  // namespace kura::rds

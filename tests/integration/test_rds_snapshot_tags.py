"""CopyTagsToSnapshot as RDS applies it: an instance's or a cluster's tags
are copied to its automated snapshots, as to its manual ones; without it
an automated snapshot has none."""
from rds_support import PASSWORD, create_instance, eventually, wait_cluster, wait_instances

TAGS = [{"Key": "team", "Value": "db"}, {"Key": "cost", "Value": "42"}]


def sorted_tags(tags):
    return sorted(tags, key=lambda tag: tag["Key"])


def test_automated_snapshots_carry_the_instance_and_cluster_tags(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    # Retention on from the start: the first automated backup is taken at once.
    create_instance(rds, "tagged", BackupRetentionPeriod=1, CopyTagsToSnapshot=True, Tags=TAGS)
    create_instance(rds, "plain", BackupRetentionPeriod=1, Tags=TAGS)
    rds.create_db_cluster(DBClusterIdentifier="tagged-cluster", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD, CopyTagsToSnapshot=True, Tags=TAGS)
    wait_cluster(rds, "tagged-cluster")
    rds.create_db_instance(DBInstanceIdentifier="tagged-cluster-1", DBClusterIdentifier="tagged-cluster",
                           Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["tagged-cluster-1"])

    def automated(identifier):
        snapshots = rds.describe_db_snapshots(DBInstanceIdentifier=identifier, SnapshotType="automated")["DBSnapshots"]
        return [s for s in snapshots if s["Status"] == "available"]

    for identifier, expected in (("tagged", TAGS), ("plain", [])):
        snapshot = eventually(lambda: automated(identifier), f"the automated snapshot of {identifier}",
                              timeout=180)[0]
        listed = rds.list_tags_for_resource(ResourceName=snapshot["DBSnapshotArn"])["TagList"]
        assert sorted_tags(listed) == sorted_tags(expected), (identifier, listed)
        # Shown with the snapshot too.
        assert sorted_tags(snapshot.get("TagList", [])) == sorted_tags(expected)

    def cluster_automated():
        snapshots = rds.describe_db_cluster_snapshots(DBClusterIdentifier="tagged-cluster",
                                                      SnapshotType="automated")["DBClusterSnapshots"]
        return snapshots

    snapshot = eventually(cluster_automated, "the cluster's automated snapshot", timeout=180)[0]
    listed = rds.list_tags_for_resource(ResourceName=snapshot["DBClusterSnapshotArn"])["TagList"]
    assert sorted_tags(listed) == sorted_tags(TAGS)
